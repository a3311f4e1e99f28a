"""The η-transform of a law (rmtool ``Lmz2Letaz``): ``η(γ) = E[1/(1 + γX)]``.

With ``m(z) = ∫ ρ(x)/(x - z) dx``: ``1/(1 + γx) = γ^{-1}/(x + 1/γ)``, so
``η(γ) = m(-1/γ)/γ`` and the minimal polynomial of η is ``P(γη, -1/γ)`` with the powers of
γ cleared (a birational substitution: irreducible stays irreducible).  At ``γ → 0``,
``η(γ) = Σ_k (-γ)^k m_k``; for X ≥ 0, η decreases from 1 on ``γ ≥ 0``.  (Tulino & Verdú 2004,
"Random matrix theory and wireless communications", §2.2.2; Rao & Edelman 2008 §3.)
"""
from __future__ import annotations

import sympy as sp

from ..errors import ParameterError
from .algebraic_law import AlgebraicLaw
from .symbols import m, z

__all__ = ["eta_transform", "ETA", "GAMMA"]

#: the value and the argument of the η-transform in :func:`eta_transform`'s polynomial
ETA, GAMMA = sp.symbols("η γ")


def eta_transform(law: AlgebraicLaw) -> sp.Poly:
    """Minimal polynomial ``L(η, γ) = 0`` of the η-transform ``η(γ) = E[1/(1 + γX)]``.

    Parameters
    ----------
    law : AlgebraicLaw
        Any law (parameters stay symbolic).  Its parameters must not be named ``η`` or ``γ``.

    Returns
    -------
    sympy.Poly
        In the generators ``(ETA, GAMMA)`` (the symbols ``η``, ``γ`` of this module), with
        coefficients polynomial in the law's parameters: ``P(γη, -1/γ)`` times the power of γ
        that clears it, divided by any power of γ it holds.  The physical root is the one with
        ``η(0) = 1``; numerically ``η(γ) = m(-1/γ)/γ`` (``law.compile().stieltjes``).

    Raises
    ------
    ParameterError
        ``law`` is not an :class:`AlgebraicLaw`, or uses the names ``η``/``γ``.

    Examples
    --------
    >>> import symrmt as sr
    >>> from symrmt.symbolic.eta import eta_transform
    >>> eta_transform(sr.laws.atoms([2])).as_expr()     # η = 1/(1 + 2γ)
    2*γ*η + η - 1
    """
    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    clash = sorted(s.name for s in law.parameters if s.name in (ETA.name, GAMMA.name))
    if clash:
        raise ParameterError(f"law: its parameter(s) {clash} clash with the η-transform's own symbols η, γ; rename them")
    expr = sp.together(law.expr.subs({m: GAMMA * ETA, z: -1 / GAMMA}, simultaneous=True))
    num = sp.Poly(sp.expand(sp.fraction(expr)[0]), ETA, GAMMA)
    low = min(k for _, k in num.monoms())
    if low:
        num = sp.Poly(sp.expand(num.as_expr() / GAMMA**low), ETA, GAMMA)
    _, prim = num.primitive()
    return -prim if prim.LC().could_extract_minus_sign() else prim
