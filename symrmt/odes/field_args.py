"""The arguments and results of the field functions: a SymPy field with its state symbols in, a
polynomial in the step ``h`` out (shared by the Runge--Kutta and multistep IMDEs)."""
from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ParameterError
from ..symbolic.parsing import safe_sympify

__all__ = ["normalize_field", "polynomial_in_h"]


def normalize_field(f: Any, y: Any) -> tuple[list[sp.Expr], list[sp.Symbol], bool]:
    scalar = not isinstance(f, (list, tuple, sp.MatrixBase))
    fl = [f] if scalar else list(f)
    ys = [y] if isinstance(y, sp.Symbol) else list(y) if isinstance(y, (list, tuple)) else None
    if ys is None or not all(isinstance(s, sp.Symbol) for s in ys):
        raise ParameterError("y: expected a SymPy Symbol or a list of Symbols (the state)")
    if len(set(ys)) != len(ys):
        raise ParameterError("y: state symbols must be distinct")
    if len(fl) != len(ys):
        raise ParameterError(f"f: has {len(fl)} components but y has {len(ys)} symbols")
    out = []
    for i, e in enumerate(fl):
        if isinstance(e, str):
            raise ParameterError(f"f[{i}]: expected a SymPy expression, got a string (no parsing here)")
        out.append(safe_sympify(e, f"f[{i}]"))
    return out, ys, scalar


def polynomial_in_h(terms, scalar: bool, h: sp.Symbol | None):
    h = sp.Symbol("h") if h is None else h
    if not isinstance(h, sp.Symbol):
        raise ParameterError("h: expected a SymPy Symbol for the step size")
    d = len(terms[0])
    out = [sp.Add(*[h ** k * terms[k][i] for k in range(len(terms))]) for i in range(d)]
    return out[0] if scalar else out
