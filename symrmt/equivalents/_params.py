"""Validation and broadcasting of array parameters for the deterministic equivalents.

Every ``solve`` accepts numbers or arrays for each numeric parameter; the arrays broadcast
(NumPy rules).  A value outside its allowed range raises :class:`~symrmt.errors.ParameterError`
naming the parameter and the range, before any solver runs.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..errors import ParameterError

__all__ = ["checked", "broadcast"]

_RULES = {
    "positive": (lambda a: a > 0, "> 0"),
    "nonnegative": (lambda a: a >= 0, ">= 0"),
    "atleast1": (lambda a: a >= 1, ">= 1"),
}


def checked(name: str, value: Any, rule: str) -> np.ndarray:
    """``value`` as a float array, finite and satisfying ``rule`` (``"positive"``,
    ``"nonnegative"``, ``"atleast1"``), else a ParameterError naming ``name`` and the range."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: expected a real number or array, got {value!r}") from exc
    test, text = _RULES[rule]
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name}: must be finite and {text}, got {value!r}")
    if not np.all(test(arr)):
        bad = arr[~test(arr)] if arr.ndim else arr
        raise ParameterError(f"{name}: must be {text}, got {np.ravel(bad)[0]!r}")
    return arr


def broadcast(values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Broadcast named arrays together (ParameterError listing the shapes if they do not)."""
    try:
        arrs = np.broadcast_arrays(*values.values())
    except ValueError as exc:
        raise ParameterError(f"parameter shapes do not broadcast: "
                             f"{ {k: np.shape(v) for k, v in values.items()} }") from exc
    return dict(zip(values, arrs))
