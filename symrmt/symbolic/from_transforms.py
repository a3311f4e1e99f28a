"""Laws from their transforms: the inverses of :func:`~symrmt.symbolic.transforms.r_polynomial`
and :func:`~symrmt.symbolic.transforms.s_polynomial`.

Conventions as in :mod:`symrmt.symbolic.transforms` (docs/architecture.md): ``G(R(w) + 1/w) = w``
with ``G = -m``; ``S(u) = χ(u)(1 + u)/u`` with ``χ`` the inverse of ``ψ(u) = Σ_{k≥1} m_k u^k``.
The back-substituted polynomial in ``(m, z)`` is reduced to its physical factor
(:func:`symrmt.symbolic.factors.select_factor`).  Strings are read by the restricted parser
:func:`symrmt.symbolic.parsing.parse_expression` (never evaluated).
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ParameterError
from .algebraic_law import AlgebraicLaw, Construction
from .factors import select_factor
from .parsing import parse_expression, safe_sympify
from .symbols import RESERVED, R, S, m, u, w, z

__all__ = ["from_r_transform", "from_s_transform"]


def _law_from(expr_in_mz: sp.Expr, name: str, kind: str) -> AlgebraicLaw:
    picked = select_factor(expr_in_mz, expected=None, what=f"law from its {kind}-transform")
    return AlgebraicLaw(picked, name=name, construction=Construction("polynomial", (), {kind: expr_in_mz}))


def _implicit_from(transform: sp.Expr | sp.Poly | str, var: sp.Symbol, arg: sp.Symbol, kind: str,
                   parameters: Any = ()) -> sp.Expr:
    if isinstance(transform, str):
        if isinstance(parameters, (str, sp.Symbol)):
            parameters = [parameters]
        names = {p.name if isinstance(p, sp.Symbol) else str(p) for p in parameters}
        if names & RESERVED:
            raise ParameterError(f"parameters: {sorted(names & RESERVED)} are reserved symbols; "
                                 f"the {kind}-transform's variable {arg} is implicit")
        transform = parse_expression(transform, [arg, *parameters], what=f"{kind}-transform")
    if isinstance(transform, sp.Poly):
        if set(transform.gens) != {var, arg}:
            raise ParameterError(f"{kind}-transform polynomial must be in ({var}, {arg}), got gens {transform.gens}")
        return transform.as_expr()
    expr = safe_sympify(transform, f"{kind}-transform")
    if not isinstance(expr, sp.Expr):
        raise ParameterError(f"{kind}-transform: expected a SymPy expression in {arg}, got {expr!r}")
    if var in expr.free_symbols:
        raise ParameterError(f"explicit {kind}-transform must not contain {var}; pass a Poly for implicit forms")
    num, den = sp.fraction(sp.together(expr))
    if not (num.is_polynomial(arg) and den.is_polynomial(arg)):
        raise ParameterError(
            f"{kind}-transform: an explicit transform must be rational in {arg}; "
            f"for algebraic ones pass the implicit polynomial in ({var}, {arg}) as a sympy.Poly"
        )
    return sp.expand(var * den - num)


def from_r_transform(transform: sp.Expr | sp.Poly | str, name: str = "law", *,
                     parameters: Any = ()) -> AlgebraicLaw:
    """The law whose R-transform is ``transform``.

    ``transform`` is an expression in ``w`` (rational) or an implicit Poly in ``(R, w)``.
    Back-substitution ``R = z + 1/m``, ``w = -m`` (inverse of :func:`r_polynomial`).  A string
    (e.g. ``"w"``, the semicircle) is read by the restricted parser
    :func:`symrmt.symbolic.parsing.parse_expression` (never evaluated); it may use ``w`` and the
    names (or Symbols) in ``parameters``.
    """
    impl = _implicit_from(transform, R, w, "R", parameters)
    back = impl.subs({R: z + 1 / m, w: -m}, simultaneous=True)
    return _law_from(back, name, "R")


def from_s_transform(transform: sp.Expr | sp.Poly | str, name: str = "law", *,
                     parameters: Any = ()) -> AlgebraicLaw:
    """The law whose S-transform is ``transform``.

    ``transform`` is an expression in ``u`` (rational) or an implicit Poly in ``(S, u)``.
    Back-substitution ``u = -1 - z m``, ``S = m/(1 + z m)`` (inverse of :func:`s_polynomial`).  A
    string (e.g. ``"1/(1+u)"``) is read by the restricted parser
    :func:`symrmt.symbolic.parsing.parse_expression` (never evaluated); it may use ``u`` and the
    names (or Symbols) in ``parameters``.
    """
    impl = _implicit_from(transform, S, u, "S", parameters)
    back = impl.subs({S: m / (1 + z * m), u: -1 - z * m}, simultaneous=True)
    return _law_from(back, name, "S")
