"""symrmt._checks: the one module of argument validation."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symrmt import _checks as ck
from symrmt.errors import ParameterError


@pytest.mark.parametrize("value", [0.5, 1, np.float64(0.5), np.float32(0.5), np.int64(3), Fraction(1, 2),
                                   sp.Rational(1, 2), sp.pi])
def test_finite_real_accepts_numbers(value):
    out = ck.finite_real("x", value)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), "1", None, 1j, [1.0], float("nan"),
                                   np.float32("nan"), np.inf, -np.inf, sp.I, sp.oo])
def test_finite_real_refuses(value):
    with pytest.raises(ParameterError, match=r"^x: must be a finite real number, got "):
        ck.finite_real("x", value)


def test_positive_nonnegative_in_range():
    assert ck.positive("ridge", np.float64(1e-3)) == 1e-3
    assert ck.nonnegative("noise", 0) == 0.0
    with pytest.raises(ParameterError, match=r"ridge: must be a finite real number > 0, got 0"):
        ck.positive("ridge", 0)
    with pytest.raises(ParameterError, match=r"noise: must be a finite real number >= 0, got -1"):
        ck.nonnegative("noise", -1)
    with pytest.raises(ParameterError, match=r"p: must be a finite real number >= 0 and < 1, got 1"):
        ck.in_range("p", 1, 0, 1, high_inclusive=False)
    assert ck.in_range("p", np.float32(0.25), 0, 1) == 0.25
    with pytest.raises(ParameterError, match=r"t: must be a finite real number > 0"):
        ck.in_range("t", 0.0, low=0, low_inclusive=False)


@pytest.mark.parametrize("value", [100, np.int64(100), np.int32(100), np.uint8(100), 100.0, np.float64(100.0),
                                   sp.Integer(100)])
def test_integer_accepts_integral_numbers(value):
    out = ck.integer("n", value, low=2)
    assert type(out) is int and out == 100


@pytest.mark.parametrize("value", [True, np.bool_(True), 2.5, np.float64(2.5), "3", None, float("inf"),
                                   float("nan"), 1 + 0j, sp.Rational(5, 2)])
def test_integer_refuses(value):
    with pytest.raises(ParameterError, match=r"^n: expected an integer >= 2, got "):
        ck.integer("n", value, low=2)


def test_integer_range():
    with pytest.raises(ParameterError, match=r"n: expected an integer >= 2, got 1"):
        ck.integer("n", 1, low=2)
    with pytest.raises(ParameterError, match=r"k: expected an integer >= 0 and <= 5, got np.int64\(6\)"):
        ck.integer("k", np.int64(6), low=0, high=5)
    assert ck.integer("k", -7) == -7


def test_probability_weights():
    w = ck.probability_weights("weights", [0.25, np.float32(0.75)])
    assert w.dtype == np.float64 and w.tolist() == [0.25, 0.75]
    assert ck.probability_weights("w", np.full(3, 1 / 3)).sum() == pytest.approx(1.0)
    with pytest.raises(ParameterError, match=r"weights: weights must sum to 1, got a sum of 0.9"):
        ck.probability_weights("weights", [0.5, 0.4])
    with pytest.raises(ParameterError, match=r"weights: weights must be >= 0, got weights\[1\] = -0.5"):
        ck.probability_weights("weights", [1.5, -0.5])
    with pytest.raises(ParameterError, match=r"weights: expected 3 weights, got 2"):
        ck.probability_weights("weights", [0.5, 0.5], size=3)
    with pytest.raises(ParameterError, match=r"weights: every entry must be finite"):
        ck.probability_weights("weights", [np.nan, 1.0])
    with pytest.raises(ParameterError, match=r"weights: need at least one weight"):
        ck.probability_weights("weights", [])


def test_finite_array():
    a = ck.finite_array("x", [[1, 2], [3, np.int8(4)]], ndim=2)
    assert a.dtype == np.float64 and a.shape == (2, 2)
    assert ck.finite_array("z", [1 + 1j, 2.0], complex_ok=True).dtype == np.complex128
    with pytest.raises(ParameterError, match=r"x: must be a real number or array of real numbers"):
        ck.finite_array("x", [1 + 1j])
    with pytest.raises(ParameterError, match=r"x: must be a real number or array of real numbers"):
        ck.finite_array("x", ["a", "b"])
    with pytest.raises(ParameterError, match=r"x: must be a real number or array of real numbers"):
        ck.finite_array("x", [True, False])
    with pytest.raises(ParameterError, match=r"x: must be a 1-dimensional array, got shape \(2, 2\)"):
        ck.finite_array("x", np.ones((2, 2)), ndim=1)
    with pytest.raises(ParameterError, match=r"x: every entry must be finite"):
        ck.finite_array("x", [1.0, np.inf])
    assert ck.finite_array("x", [sp.Rational(1, 2), 1]).tolist() == [0.5, 1.0]


def test_python_scalar_is_exact():
    assert ck.python_scalar(np.float32(0.1)) == float(np.float32(0.1))
    assert type(ck.python_scalar(np.int64(3))) is int
    assert type(ck.python_scalar(np.bool_(True))) is bool
    assert ck.python_scalar(np.complex64(1 + 2j)) == 1 + 2j
    assert ck.python_scalar("s") == "s"
