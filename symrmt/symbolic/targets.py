"""Targets that read one or several directions of the input: ``y = g(z_1, …, z_k)``,
``z_a = w_a·x`` with orthonormal ``w_a`` (single-index for k = 1, multi-index otherwise).

The multi-index targets of the catalogue are the staircases of Abbe, Boix-Adserà & Misiakiewicz
(arXiv 2202.08658), the functions several large gradient steps learn direction by direction
(Dandi et al., arXiv 2305.18270):

    staircase2 = z1 + z1 z2,      staircase3 = z1 + z1 z2 + z1 z2 z3.

A target is a name (an activation of :data:`symrmt.symbolic.hermite.ACTIVATIONS`, read as
``σ*(z1)``, or a staircase) or a SymPy expression whose free symbols, sorted by name, are the
indices ``z_1, …, z_k`` (k <= 3).  Expressions are trees, never strings parsed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..errors import ParameterError
from .hermite import ACTIVATIONS, activation_expr

__all__ = ["IndexTarget", "index_target", "STAIRCASES", "MAX_INDICES"]

#: The most directions a target may read (its conditional Gaussian integrals are k-dimensional).
MAX_INDICES = 3

_z = sp.symbols("z1 z2 z3", real=True)
#: The named multi-index targets.
STAIRCASES: dict[str, sp.Expr] = {"staircase2": _z[0] + _z[0] * _z[1],
                                  "staircase3": _z[0] + _z[0] * _z[1] + _z[0] * _z[1] * _z[2]}


@dataclass(frozen=True)
class IndexTarget:
    """``y = expr(variables)`` with ``variables[a] = w_a·x``; ``name`` the catalogue's name, if any.

    Attributes
    ----------
    expr : sympy.Expr
    variables : tuple of sympy.Symbol (real), the k indices in order
    name : str or None
    """

    expr: sp.Expr
    variables: tuple
    name: str | None = None

    @property
    def k(self) -> int:
        """The number of directions the target reads."""
        return len(self.variables)


def index_target(target: Any) -> IndexTarget:
    """The target as an :class:`IndexTarget`.

    Parameters
    ----------
    target : str or sympy.Expr
        An activation's name (single-index ``σ*(z1)``), ``"staircase2"``, ``"staircase3"``, or a
        SymPy expression in 1 to 3 free symbols (the indices, sorted by name).

    Raises
    ------
    ParameterError
        An unknown name, a Python callable, no free symbol or more than three.
    """
    if isinstance(target, str):
        key = target.strip().lower()
        if key in STAIRCASES:
            expr = STAIRCASES[key]
            return IndexTarget(expr, tuple(sorted(expr.free_symbols, key=lambda s: s.name)), key)
        if key not in ACTIVATIONS:
            raise ParameterError(f"target: unknown name {target!r}; use one of "
                                 f"{sorted(ACTIVATIONS) + sorted(STAIRCASES)} or a SymPy expression")
        expr, var = activation_expr(key)
        return IndexTarget(expr, (var,), key)
    if callable(target) and not isinstance(target, sp.Basic):
        raise ParameterError("target: expected a name or a SymPy expression, got a Python callable")
    if not isinstance(target, sp.Basic):
        raise ParameterError(f"target: expected a name or a SymPy expression, got {type(target).__name__}")
    free = sorted(target.free_symbols, key=lambda s: s.name)
    if not 1 <= len(free) <= MAX_INDICES:
        raise ParameterError(f"target: expected 1 to {MAX_INDICES} free symbols (the indices), got "
                             f"{[s.name for s in free]}")
    if len(free) == 1:
        expr, var = activation_expr(target)
        return IndexTarget(expr, (var,))
    real = tuple(sp.Symbol(s.name + "_r", real=True) for s in free)
    return IndexTarget(target.xreplace(dict(zip(free, real))), real)
