"""Numbers typed as text (command-line parameters, ranges, size lists): one restricted parser.

Accepted: an integer, a decimal with an optional exponent, or a fraction ``p/q`` of those
(``3``, ``-0.25``, ``1e-3``, ``1/2``); kept exact (:class:`fractions.Fraction`) or checked as a
float64.  A decimal exponent beyond 400 is refused before any big integer is built.  Errors are
:class:`~symrmt.errors.ParameterError` naming what was being read.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

from .errors import ParameterError

__all__ = ["exact_number", "float_number", "int_list", "float_list"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/[+-]?\d+)?$")
_INTEGER = re.compile(r"[+-]?\d+")


def exact_number(text: str, what: str = "value") -> Fraction:
    """``text`` as an exact number (see the module docstring); anything else raises."""
    t = str(text).strip()
    if not _NUMBER.match(t):
        raise ParameterError(f"{what}: {text!r} is not a number (use an integer, a decimal or a fraction like 1/2)")
    num, _, den = t.partition("/")
    exp10 = num.lower().partition("e")[2]
    if exp10 and abs(int(exp10)) > 400:  # 1e999999999 would build a billion-digit integer
        raise ParameterError(f"{what}: {text!r} is out of range (a decimal exponent of at most 400)")
    try:
        value = Fraction(num)
        if den:
            value /= Fraction(den)
    except ZeroDivisionError as exc:
        raise ParameterError(f"{what}: {text!r} is not a finite number (it divides by zero)") from exc
    except ValueError as exc:
        raise ParameterError(f"{what}: {text!r} is not a finite number") from exc
    return value


def float_number(text: str, what: str = "value") -> float:
    """``text`` as a float64; a value a float64 cannot hold (overflow, underflow of a nonzero
    value to 0) is refused."""
    value = exact_number(text, what)
    try:
        f = float(value)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f) or (f == 0 and value != 0):
        raise ParameterError(f"{what}: {str(text).strip()} is not representable as a float64 "
                             f"({'it overflows' if f else 'it underflows to 0'})")
    return f


def int_list(text: str, what: str) -> list[int]:
    """Comma-separated integers."""
    vals = []
    for part in str(text).split(","):
        part = part.strip()
        if not _INTEGER.fullmatch(part):
            raise ParameterError(f"{what}: expected comma-separated integers, got {text!r}")
        vals.append(int(part))
    return vals


def float_list(text: str, what: str) -> list[float]:
    """Comma-separated numbers as float64 (an empty list is refused)."""
    if not str(text).strip():
        raise ParameterError(f"{what}: expected comma-separated numbers, got {text!r}")
    return [float_number(part, what) for part in str(text).split(",")]
