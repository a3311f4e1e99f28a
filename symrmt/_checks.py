"""Argument validation, in one place.

Each function checks one user-supplied value and returns it in a canonical form (a Python
``float`` or ``int``, or a NumPy array), or raises :class:`~symrmt.errors.ParameterError` with a
message that names the parameter, says what is allowed and shows what was given.

Numbers are Python ``int``/``float``, NumPy integer and floating scalars, :class:`fractions.Fraction`
and real SymPy numbers; ``bool`` (and ``numpy.bool_``) is never a number here, and strings are
never parsed.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .errors import ParameterError

__all__ = ["python_scalar", "is_number", "finite_real", "positive", "nonnegative", "in_range", "integer",
           "probability_weights", "finite_array", "checked", "broadcast", "atoms", "atom_diagonal",
           "layer_widths", "per_layer"]


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real scalar number (``bool`` and strings are not)."""
    if _is_bool(value) or isinstance(value, (str, bytes)):
        return False
    if isinstance(value, (numbers.Real, np.integer, np.floating)):
        return True
    try:
        import sympy as sp
    except ImportError:  # pragma: no cover - SymPy is a dependency
        return False
    return isinstance(value, sp.Basic) and bool(value.is_number) and value.is_real is True


def python_scalar(value: Any) -> Any:
    """A NumPy scalar as the equal Python ``bool``/``int``/``float``/``complex``; anything else unchanged.

    The conversion is exact (a ``float32`` or ``float16`` is a ``float64`` value).
    """
    if isinstance(value, np.generic) and not isinstance(value, (np.str_, np.bytes_, np.void, np.object_)):
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        if isinstance(value, np.complexfloating):
            return complex(value)
    return value


def _as_float(name: str, value: Any, allowed: str) -> float:
    if not is_number(value):
        raise ParameterError(f"{name}: must be {allowed}, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ParameterError(f"{name}: must be {allowed}, got {value!r}") from exc
    if not math.isfinite(f):
        raise ParameterError(f"{name}: must be {allowed}, got {value!r}")
    return f


def finite_real(name: str, value: Any) -> float:
    """``value`` as a finite ``float``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the message.
    value
        A real number (not a bool, string or complex number).

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        Not a real number, or NaN or infinite.
    """
    return _as_float(name, value, "a finite real number")


def positive(name: str, value: Any) -> float:
    """``value`` as a finite ``float`` > 0 (else :class:`ParameterError` naming ``name``)."""
    f = _as_float(name, value, "a finite real number > 0")
    if not f > 0:
        raise ParameterError(f"{name}: must be a finite real number > 0, got {value!r}")
    return f


def nonnegative(name: str, value: Any) -> float:
    """``value`` as a finite ``float`` >= 0 (else :class:`ParameterError` naming ``name``)."""
    f = _as_float(name, value, "a finite real number >= 0")
    if not f >= 0:
        raise ParameterError(f"{name}: must be a finite real number >= 0, got {value!r}")
    return f


def in_range(name: str, value: Any, low: float | None = None, high: float | None = None, *,
             low_inclusive: bool = True, high_inclusive: bool = True) -> float:
    """``value`` as a finite ``float`` in the interval given by ``low``/``high``.

    Parameters
    ----------
    name : str
        The parameter's name.
    value
        A real number.
    low, high : float or None
        Bounds (None: unbounded on that side).
    low_inclusive, high_inclusive : bool
        Whether each bound is allowed.

    Raises
    ------
    ParameterError
        Not a finite real number, or outside the interval (the message states the interval).
    """
    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {low}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {high}")
    allowed = "a finite real number" + (" " + " and ".join(parts) if parts else "")
    f = _as_float(name, value, allowed)
    if low is not None and not (f >= low if low_inclusive else f > low):
        raise ParameterError(f"{name}: must be {allowed}, got {value!r}")
    if high is not None and not (f <= high if high_inclusive else f < high):
        raise ParameterError(f"{name}: must be {allowed}, got {value!r}")
    return f


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """``value`` as a Python ``int`` with ``low <= value <= high``.

    Accepts Python and NumPy integers, SymPy integers and integral floats (``100.0``); refuses
    bools, strings, floats with a fractional part, NaN and infinities.

    Parameters
    ----------
    name : str
        The parameter's name.
    value
        An integral number.
    low, high : int or None
        Inclusive bounds (None: unbounded on that side).

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        Not an integral number, or outside ``[low, high]`` (the message states the range).
    """
    parts = [f">= {low}"] if low is not None else []
    if high is not None:
        parts.append(f"<= {high}")
    allowed = "an integer" + (" " + " and ".join(parts) if parts else "")
    if _is_bool(value) or not is_number(value):
        raise ParameterError(f"{name}: expected {allowed}, got {value!r}")
    if isinstance(value, (numbers.Integral, np.integer)):
        v = int(value)
    else:
        try:
            f = float(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ParameterError(f"{name}: expected {allowed}, got {value!r}") from exc
        if not (math.isfinite(f) and f == math.floor(f)):
            raise ParameterError(f"{name}: expected {allowed}, got {value!r}")
        v = int(f)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ParameterError(f"{name}: expected {allowed}, got {value!r}")
    return v


def finite_array(name: str, value: Any, *, ndim: int | None = None, complex_ok: bool = False) -> np.ndarray:
    """``value`` (a number or array-like of numbers) as a finite ``float64`` (or ``complex128``) array.

    Parameters
    ----------
    name : str
        The parameter's name.
    value
        A number or a (nested) sequence / array of numbers; bools and strings are refused.
    ndim : int or None
        Required number of dimensions (None: any).
    complex_ok : bool
        Allow complex entries (the result is then ``complex128``).

    Raises
    ------
    ParameterError
        Non-numeric entries, NaN or infinite entries, or the wrong number of dimensions.
    """
    kind = "complex" if complex_ok else "real"
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: must be a {kind} number or array of {kind} numbers, got {value!r}") from exc
    if arr.dtype == object:
        try:
            arr = np.asarray(value, dtype=np.complex128 if complex_ok else np.float64)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"{name}: must be a {kind} number or array of {kind} numbers, "
                                 f"got {value!r}") from exc
    allowed_kinds = "iufc" if complex_ok else "iuf"
    if arr.dtype.kind not in allowed_kinds:
        raise ParameterError(f"{name}: must be a {kind} number or array of {kind} numbers, "
                             f"got an array of dtype {arr.dtype}")
    arr = arr.astype(np.complex128 if (complex_ok and arr.dtype.kind == "c") else np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ParameterError(f"{name}: must be a {ndim}-dimensional array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name}: every entry must be finite (got NaN or inf)")
    return arr


def probability_weights(name: str, value: Any, size: int | None = None, *, atol: float = 1e-12) -> np.ndarray:
    """``value`` as a 1-d ``float64`` array of non-negative weights summing to 1.

    Parameters
    ----------
    name : str
        The parameter's name.
    value
        A sequence or 1-d array of finite real numbers.
    size : int or None
        Required length (None: any length >= 1).
    atol : float
        Allowed deviation of the sum from 1 (floating-point weights rarely sum to 1 exactly).

    Raises
    ------
    ParameterError
        Not a 1-d array of finite numbers, the wrong length, a negative weight, or a sum other
        than 1.
    """
    w = finite_array(name, value, ndim=1)
    if w.size == 0:
        raise ParameterError(f"{name}: need at least one weight")
    if size is not None and w.size != size:
        raise ParameterError(f"{name}: expected {size} weights, got {w.size}")
    if np.any(w < 0):
        i = int(np.flatnonzero(w < 0)[0])
        raise ParameterError(f"{name}: weights must be >= 0, got {name}[{i}] = {float(w[i])!r}")
    total = float(w.sum())
    if not abs(total - 1.0) <= atol:
        raise ParameterError(f"{name}: weights must sum to 1, got a sum of {total!r}")
    return w


_ARRAY_RULES = {
    "positive": (lambda a: a > 0, "> 0"),
    "nonnegative": (lambda a: a >= 0, ">= 0"),
    "atleast1": (lambda a: a >= 1, ">= 1"),
    "cosine": (lambda a: np.abs(a) <= 1, "in [-1, 1]"),
}


def checked(name: str, value: Any, rule: str) -> np.ndarray:
    """``value`` (a number or array) as a finite ``float`` array satisfying ``rule``.

    Parameters
    ----------
    name : str
        The parameter's name, used in the message.
    value
        A real number or array-like of real numbers.
    rule : {"positive", "nonnegative", "atleast1", "cosine"}
        ``> 0``, ``>= 0``, ``>= 1`` or ``|·| <= 1`` for every entry.

    Raises
    ------
    ParameterError
        Not numeric, NaN or infinite entries, or an entry outside the range (the message
        states the range and the first offending value).
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: expected a real number or array, got {value!r}") from exc
    test, text = _ARRAY_RULES[rule]
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name}: must be finite and {text}, got {value!r}")
    if not np.all(test(arr)):
        bad = arr[~test(arr)] if arr.ndim else arr
        raise ParameterError(f"{name}: must be {text}, got {np.ravel(bad)[0]!r}")
    return arr


def broadcast(values: dict) -> dict:
    """Broadcast named arrays together (NumPy rules).

    Raises
    ------
    ParameterError
        The shapes do not broadcast (the message lists them by name).
    """
    try:
        arrs = np.broadcast_arrays(*values.values())
    except ValueError as exc:
        raise ParameterError(f"parameter shapes do not broadcast: "
                             f"{ {k: np.shape(v) for k, v in values.items()} }") from exc
    return dict(zip(values, arrs))


def atoms(name: str, spec: Any) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """``None`` (the identity) or a validated diagonal spectrum ``(points, weights)``.

    Points must be finite and > 0 (eigenvalues of a covariance), weights >= 0 summing to 1.

    Raises
    ------
    ParameterError
        Not ``None`` or a pair of equal-length non-empty sequences, or a point or weight out of range.
    """
    if spec is None:
        return None
    try:
        points, weights = spec
        pts = np.asarray(points, dtype=float).ravel()
        wts = np.asarray(weights, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: expected None (identity) or (points, weights), got {spec!r}") from exc
    if pts.size == 0 or pts.shape != wts.shape:
        raise ParameterError(f"{name}: points and weights must be non-empty and of equal length, got {spec!r}")
    if not (np.all(np.isfinite(pts)) and np.all(pts > 0)):
        raise ParameterError(f"{name}: points must be finite and > 0 (eigenvalues of a covariance), got {list(pts)}")
    if not (np.all(np.isfinite(wts)) and np.all(wts >= 0) and abs(wts.sum() - 1) < 1e-12):
        raise ParameterError(f"{name}: weights must be >= 0 and sum to 1, got {list(wts)}")
    return tuple(pts.tolist()), tuple(wts.tolist())


def atom_diagonal(spec: Any, size: int) -> np.ndarray:
    """``size`` diagonal entries with the proportions of the atoms ``spec = (points, weights)``
    (all ones for ``None``); the largest atom takes the rounding remainder."""
    if spec is None:
        return np.ones(size)
    pts, wts = np.asarray(spec[0], dtype=float), np.asarray(spec[1], dtype=float)
    counts = np.floor(wts * size).astype(int)
    counts[int(np.argmax(wts))] += size - counts.sum()
    return np.repeat(pts, counts)


def layer_widths(name: str, value: Any) -> tuple[float, ...]:
    """Layer widths ``k_ℓ/d`` as a tuple of finite floats > 0 (a single number is one layer).

    Raises
    ------
    ParameterError
        Not a number or a sequence of numbers, no layers, or a width that is not finite and > 0.
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not _is_bool(value):
        value = (value,)
    try:
        ws = tuple(float(w) for w in value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: expected a sequence of numbers > 0 (k_ℓ/d), got {value!r}") from exc
    if not ws:
        raise ParameterError(f"{name}: need at least one layer")
    for i, w in enumerate(ws):
        if not (np.isfinite(w) and w > 0):
            raise ParameterError(f"{name}: every width k_ℓ/d must be a finite number > 0, got {name}[{i}] = {w}")
    return ws


def per_layer(name: str, value: Any, depth: int, single) -> tuple:
    """``value`` repeated ``depth`` times when ``single(value)`` (one value for every layer), else
    a sequence of exactly ``depth`` entries (one per layer), as a tuple.

    Raises
    ------
    ParameterError
        Neither a single value nor a sequence, or a sequence of the wrong length.
    """
    if single(value):
        return (value,) * depth
    try:
        seq = tuple(value)
    except TypeError as exc:
        raise ParameterError(f"{name}: expected one value or a sequence of {depth} (one per layer), got {value!r}") from exc
    if len(seq) != depth:
        raise ParameterError(f"{name}: got {len(seq)} entries for {depth} layers (len(widths) = {depth}); "
                             "give one per layer or a single value for all")
    return seq
