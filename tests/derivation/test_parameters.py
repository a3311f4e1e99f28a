"""Option values given as text (:func:`symrmt.derivation.parameters.option_value`)."""
from fractions import Fraction

import pytest

from symrmt.derivation.parameters import option_value
from symrmt.errors import ParameterError


def test_string_choices_match_ignoring_case_and_blanks():
    assert option_value("form", " Finite-D ", ("limit", "finite-d")) == "finite-d"
    with pytest.raises(ParameterError, match=r"form: expected one of 'limit', 'finite-d', got 'finite'"):
        option_value("form", "finite", ("limit", "finite-d"))


def test_numbers_are_parsed_only_for_numeric_choices():
    assert option_value("order", "1/2", (0.5, 2)) == 0.5  # the declared value, exactly 1/2
    assert option_value("order", "2.0", (0.5, 2)) == 2
    assert option_value("k", "3", (Fraction(3), "auto")) == Fraction(3)
    for bad in ("0.50001", "__import__('os')", "1+1", ""):
        with pytest.raises(ParameterError, match="order: expected one of 0.5, 2"):
            option_value("order", bad, (0.5, 2))
    # a string choice that looks like a number is compared as text, never parsed
    with pytest.raises(ParameterError):
        option_value("mode", "1.0", ("1",))
    # True is not a numeric choice (bool is refused even though it is an int)
    with pytest.raises(ParameterError):
        option_value("flag", "1", (True,))
