"""Parameters of a derivation: a name, a default, a description and an allowed range.

:class:`Parameter` checks one value exactly (SymPy rationals: a value just outside a bound never
rounds onto it); :func:`checked_array` checks an array of values entry by entry for the
vectorized ``solve`` of learning curves; :func:`plain` turns an exact value into a JSON number.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import sympy as sp

from .._numbers import exact_number
from ..errors import ParameterError
from ..symbolic.laws import to_exact
from ..symbolic.parsing import safe_sympify

__all__ = ["Parameter", "MeasureParameter", "checked_array", "plain", "option_value"]


@dataclass(frozen=True)
class Parameter:
    """A named parameter with a default, a description and an allowed range.

    Parameters
    ----------
    name : str
        The keyword the derivation's ``solve``/``simulate``/``verify`` take.
    default : number
        Used when the caller does not give the parameter.
    description : str
        One line (``symrmt verify NAME --help`` lists it).
    low, high : float or None
        Bounds, exclusive unless ``low_inclusive``/``high_inclusive``.
    integer : bool
        Whether the value must be an integer.

    Examples
    --------
    >>> Parameter("ratio", 0.5, "d/n", low=0).check(0.25)
    1/4
    """

    name: str
    default: Any
    description: str = ""
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = False
    high_inclusive: bool = False
    integer: bool = False

    @property
    def allowed(self) -> str:
        """The allowed range in words (``ratio > 0 and an integer``)."""
        parts = []
        if self.low is not None:
            parts.append(f"{self.name} {'>=' if self.low_inclusive else '>'} {self.low}")
        if self.high is not None:
            parts.append(f"{self.name} {'<=' if self.high_inclusive else '<'} {self.high}")
        if self.integer:
            parts.append("an integer")
        return " and ".join(parts) or "any real number"

    def check(self, value: Any) -> sp.Expr:
        """Return ``value`` as an exact SymPy number, or raise :class:`ParameterError`."""
        if isinstance(value, Fraction):
            value = sp.Rational(value.numerator, value.denominator)
        v = to_exact(value, self.name)
        if not (v.is_number and v.is_real):
            raise ParameterError(f"{self.name}: expected a real number ({self.allowed}), got {v}")
        try:
            f = float(v)
        except (OverflowError, TypeError, ValueError):
            f = math.inf
        if not math.isfinite(f):
            raise ParameterError(f"{self.name}: {_short(v)} is not representable as a float64 (it overflows; "
                                 f"|{self.name}| must be below 1.8e308)")
        if f == 0 and v != 0:
            raise ParameterError(f"{self.name}: {_short(v)} is not representable as a float64 (it underflows to 0; "
                                 f"a nonzero |{self.name}| must be at least 5e-324)")
        lo = None if self.low is None else _exact(self.low)
        hi = None if self.high is None else _exact(self.high)
        bad = (lo is not None and (v < lo or (v == lo and not self.low_inclusive))) or \
              (hi is not None and (v > hi or (v == hi and not self.high_inclusive))) or \
              (self.integer and not v.is_integer)
        if bad:
            raise ParameterError(f"{self.name}: must satisfy {self.allowed}, got {_short(v)}")
        return v


@dataclass(frozen=True)
class MeasureParameter:
    """A parameter whose value is a measure (a population spectrum), listed with the numeric ones.

    It is passed by keyword like an option (``solve(spectrum=mu)``, ``verify(spectrum=mu)``) and
    carried as a value through the pipeline; it is never parsed as a number, so neither
    ``--param`` nor a sweep grid takes it.  The default is always None, whose meaning
    ``default_means`` states.

    Parameters
    ----------
    name : str
        The keyword.
    description : str
        One line.
    default_means : str
        What None stands for (``"Σ = I"``).

    Examples
    --------
    >>> MeasureParameter("spectrum", "Σ's spectrum", "Σ = I").describe()["kind"]
    'measure'
    """

    name: str
    description: str = ""
    default_means: str = ""
    default = None
    kind = "measure"
    allowed = ("None, a symrmt.measures.Measure (empirical, power_law, from_law), (points, weights), "
               "an array of eigenvalues or a bound AlgebraicLaw; from Python only (not --param, not swept)")

    def describe(self) -> dict:
        """The entry of ``Derivation.describe()["parameters"]`` (JSON-ready)."""
        return {"name": self.name, "kind": self.kind, "default": None, "default_means": self.default_means,
                "description": self.description, "allowed": self.allowed}


def checked_array(param: Parameter, value: Any) -> float | np.ndarray:
    """A value for a vectorized ``solve``: a scalar checked by :meth:`Parameter.check` (range,
    integrality, float representability) as a float; an array checked entry by entry.

    ``inf`` is accepted for a parameter without an upper bound (the limit, e.g. an infinite
    ensemble)."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        if isinstance(value, float) and value == np.inf and param.high is None:
            return value
        return float(param.check(value))
    arr = np.asarray(value, dtype=float)
    limit = (arr == np.inf) if param.high is None else np.zeros(arr.shape, dtype=bool)
    bad = ~np.isfinite(arr) & ~limit
    if param.low is not None:
        bad |= (arr < param.low) if param.low_inclusive else (arr <= param.low)
    if param.high is not None:
        bad |= (arr > param.high) if param.high_inclusive else (arr >= param.high)
    if param.integer:
        bad |= (arr != np.round(arr)) & ~limit
    if bad.any():
        raise ParameterError(f"{param.name}: every entry must satisfy {param.allowed}, "
                             f"got {arr[bad].ravel()[0]!r}")
    return arr


def plain(v: Any) -> Any:
    """JSON-friendly form of an exact parameter value (int, or float)."""
    v = safe_sympify(v, "parameter value")
    return int(v) if v.is_integer else float(v)


def option_value(name: str, text: str, allowed: Sequence[Any]) -> Any:
    """The allowed value of option ``name`` that ``text`` names (text from the command line).

    Parameters
    ----------
    name : str
        The option (for the message).
    text : str
        What the user wrote; never evaluated.  It matches a string choice when equal to it (case
        and surrounding blanks ignored), a numeric choice when it parses as that exact number
        (``1/2`` and ``0.5`` both name ``0.5``; only numeric choices parse text as a number).
    allowed : sequence
        The option's allowed values (strings or numbers).

    Returns
    -------
    object
        The matching entry of ``allowed``, as declared.

    Raises
    ------
    ParameterError
        ``text`` names none of ``allowed`` (the message lists them).

    Examples
    --------
    >>> option_value("form", " finite-d", ("limit", "finite-d"))
    'finite-d'
    """
    t = str(text).strip()
    for choice in allowed:
        if isinstance(choice, str):
            if t.lower() == choice.lower():
                return choice
        elif isinstance(choice, (int, float, Fraction)) and not isinstance(choice, bool):
            try:
                if exact_number(t, name) == Fraction(choice):
                    return choice
            except ParameterError:
                continue
    shown = ", ".join(repr(c) for c in allowed) or "none"
    raise ParameterError(f"{name}: expected one of {shown}, got {text!r}")


def _exact(bound: float) -> sp.Rational:
    """A bound as the exact rational it is written as (``0.1`` → 1/10, not its binary value)."""
    return sp.Rational(repr(bound)) if isinstance(bound, float) else sp.Rational(bound)


def _short(v: sp.Expr) -> str:
    """``v`` for a message: as is when short, else to 6 significant digits."""
    text = str(v)
    return text if len(text) <= 24 else str(sp.N(v, 6))


_OPTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def option_items(items: Sequence[str] | None, der: Any, flag: str = "--option") -> dict[str, Any]:
    """``NAME=VALUE`` items (the command line's ``--option``) as the options of derivation ``der``:
    each value one of the option's declared choices (``option_choices``; never evaluated).

    Raises :class:`~symrmt.errors.ParameterError` naming the item for a malformed item, an option
    given twice, an unknown option (pointing to ``--param`` for a numeric parameter) or a value
    outside the choices."""
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, val = str(item).partition("=")
        key = key.strip()
        if not sep or not _OPTION_NAME.match(key):
            raise ParameterError(f"{flag}: expected NAME=VALUE, got {item!r}")
        if key in out:
            raise ParameterError(f"{flag}: {key} given twice")
        if key not in der.options:
            known = {p.name for p in der.parameters}
            hint = "; it is a numeric parameter: use --param" if key in known else ""
            raise ParameterError(f"{flag}: unknown option {key!r} for {der.name}{hint}; options settable from "
                                 f"the command line: {sorted(der.option_choices) or 'none'}")
        out[key] = der.option_from_text(key, val)
    return out
