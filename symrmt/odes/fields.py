"""Elementary differentials and the IMDE / modified equation of a concrete vector field.

A vector field is a SymPy expression (scalar ODE) or a list of expressions (system) in named
state symbols ``y``; other free symbols are parameters and stay symbolic.  Elementary
differentials (Hairer, Lubich & Wanner, *Geometric Numerical Integration*, III.1):

    F(•) = f,   F([t1…tk])^i = Σ_{j1…jk} ∂^k f^i / ∂y_j1…∂y_jk · F(t1)^j1 ⋯ F(tk)^jk.

When ``f`` is rational in the state and the parameters, the computation runs in the exact field
of fractions ``QQ(y, params)`` (sparse polynomials, fast and canonical); otherwise (``sin``, ``exp``…)
it runs on SymPy expressions and the coefficients of ``h`` are expanded at the end.  Coefficients of
a method in an algebraic field ``QQ<θ>`` are split on the power basis of ``θ`` so that the rational
fast path is kept.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import sympy as sp

from ..errors import ParameterError
from ..symbolic.parsing import safe_sympify
from .bseries import (_check_order, _exact_K, _rk_weights_K, _solve_substitution_K)
from .field_args import normalize_field, polynomial_in_h
from .tableaux import MethodLike
from .trees import LEAF, Tree, sigma, trees, trees_upto

__all__ = ["elementary_differentials", "imde", "modified_equation", "imde_terms",
           "modified_equation_terms", "field_from_coefficients", "h_coefficients", "divergence",
           "correction_divergence"]


class _Backend:
    """Arithmetic on field components: rational function field when possible, else Expr."""

    def __init__(self, f: list[sp.Expr], ys: list[sp.Symbol]):
        params = sorted(set().union(*(e.free_symbols for e in f)) - set(ys), key=lambda s: s.name)
        self.ys = ys
        self.rational = False
        if not any(e.has(sp.Float) for e in f) and all(e.is_rational_function(*ys, *params) for e in f):
            try:
                K = sp.QQ.frac_field(*ys, *params)
                self.f = [K.from_sympy(sp.together(e)) for e in f]
            except (sp.polys.polyerrors.CoercionFailed, sp.polys.polyerrors.PolynomialError):
                pass
            else:
                self.K = K
                self.gens = list(K.field.gens[: len(ys)])
                self.rational = True
        if self.rational:
            self.zero, self.one = self.K.zero, self.K.one
        else:
            self.f = list(f)
            self.zero, self.one = sp.S.Zero, sp.S.One

    def diff(self, e, j: int):
        return e.diff(self.gens[j]) if self.rational else sp.diff(e, self.ys[j])

    def from_sympy(self, e):
        return self.K.from_sympy(e) if self.rational else e

    def to_sympy(self, e):
        if self.rational:
            return self.K.to_sympy(e)
        return sp.expand(e)


def _differentials(be: _Backend, order: int) -> dict[Tree, list]:
    d = len(be.ys)
    deriv: dict[tuple[int, tuple[int, ...]], Any] = {}

    def D(i: int, alpha: tuple[int, ...]):
        key = (i, alpha)
        if key not in deriv:
            deriv[key] = be.f[i] if not alpha else be.diff(D(i, alpha[:-1]), alpha[-1])
        return deriv[key]

    F: dict[Tree, list] = {}
    for t in trees_upto(order):
        if t == LEAF:
            F[t] = list(be.f)
            continue
        combos: dict[tuple[int, ...], Any] = {(): be.one}
        for c in t:
            Fc = F[c]
            new: dict = {}
            for alpha, w in combos.items():
                for j in range(d):
                    if Fc[j]:
                        key = tuple(sorted(alpha + (j,)))
                        val = w * Fc[j]
                        new[key] = new[key] + val if key in new else val
            combos = new
        comp = []
        for i in range(d):
            acc = be.zero
            for alpha, w in combos.items():
                di = D(i, alpha)
                if di:
                    acc = acc + di * w
            comp.append(acc)
        F[t] = comp
    return F


def elementary_differentials(f: Any, y: Any, order: int) -> dict[Tree, Any]:
    """``F(t)`` for every tree with ``|t| <= order``, as SymPy expressions (same shape as ``f``)."""
    fl, ys, scalar = normalize_field(f, y)
    be = _Backend(fl, ys)
    F = _differentials(be, _check_order(order))
    return {t: (be.to_sympy(v[0]) if scalar else [be.to_sympy(x) for x in v]) for t, v in F.items()}


def _assemble(fl, ys, K, coeffs: Mapping[Tree, Any], order: int) -> list[list[sp.Expr]]:
    """``terms[k][i]``: the coefficient of ``h^k`` of component ``i``, ``k = 0..order``."""
    be = _Backend(fl, ys)
    F = _differentials(be, order + 1)
    d = len(ys)
    # split coefficients on a Q-basis of their domain so that the field part stays rational
    algebraic = be.rational and getattr(K, "is_AlgebraicField", False)
    if algebraic:
        deg = K.mod.degree()
        basis = [K.ext.as_expr() ** k for k in range(deg)]

        def part(v, k):
            rep = v.to_list()
            rep = [0] * (deg - len(rep)) + rep
            return sp.Rational(rep[deg - 1 - k])
    else:
        basis = [sp.S.One]

        def part(v, k):
            return K.to_sympy(v)

    terms = []
    for k in range(order + 1):
        comps = []
        for i in range(d):
            total = sp.S.Zero
            for bi, theta in enumerate(basis):
                acc = be.zero
                for t in trees(k + 1):
                    v = coeffs[t]
                    if not v:
                        continue
                    c = part(v, bi) / sigma(t)
                    if c != 0 and F[t][i]:
                        acc = acc + be.from_sympy(c) * F[t][i]
                if acc:
                    total = total + theta * be.to_sympy(acc)
            comps.append(total)
        terms.append(comps)
    return terms


def _terms(kind: str, f: Any, y: Any, method: MethodLike, order: Any):
    order = _check_order(order, "order", low=0, extra=1)
    fl, ys, scalar = normalize_field(f, y)
    K, a = _rk_weights_K(method, order + 1)
    e = _exact_K(order + 1, K)
    if kind == "imde":
        b = _solve_substitution_K(e, a, order + 1, K)
    else:
        b = _solve_substitution_K(a, e, order + 1, K)
    return _assemble(fl, ys, K, b, order), scalar


def _multistep(method: Any):
    """The :class:`~symrmt.odes.multistep.LinearMultistep` a method names, or None (a tableau)."""
    from .multistep import MULTISTEP_NAMES, LinearMultistep, multistep

    if isinstance(method, LinearMultistep):
        return method
    if isinstance(method, str) and method.lower() in MULTISTEP_NAMES:
        return multistep(method)
    return None


def imde_terms(f: Any, y: Any, method: MethodLike, order: int) -> list:
    """``[f_0, f_1, …, f_order]`` with IMDE ``f_h = Σ_k h^k f_k`` (``f_0 = f``); each like ``f``.
    ``method`` may also be a linear multistep method (:func:`symrmt.odes.multistep.multistep`)."""
    lmm = _multistep(method)
    if lmm is not None:
        from .multistep import lmm_imde_terms

        return lmm_imde_terms(f, y, lmm, order)
    terms, scalar = _terms("imde", f, y, method, order)
    return [t[0] for t in terms] if scalar else terms


def modified_equation_terms(f: Any, y: Any, method: MethodLike, order: int) -> list:
    """``[f̃_0, …, f̃_order]`` of the modified equation ``f̃_h = Σ_k h^k f̃_k``; each like ``f``."""
    terms, scalar = _terms("modified", f, y, method, order)
    return [t[0] for t in terms] if scalar else terms


def imde(f: Any, y: Any, method: MethodLike, order: int, h: sp.Symbol | None = None):
    """The inverse modified differential equation of ``method`` for ``y' = f(y)``, to ``h^order``.

    Parameters
    ----------
    f : sympy.Expr or list of sympy.Expr
        Vector field in the state symbols ``y`` (other symbols are parameters).
    y : sympy.Symbol or list of sympy.Symbol
        State symbols, one per component of ``f``.
    method : str, Tableau or LinearMultistep
        Runge--Kutta method (see :func:`symrmt.odes.tableau`), or a linear multistep method
        (:func:`symrmt.odes.multistep.multistep`: ``"ab2"``, ``"bdf2"``, ...; see
        :func:`symrmt.odes.multistep.lmm_imde`).
    order : int
        Highest power of ``h`` kept (``order = 0`` returns ``f``).
    h : sympy.Symbol, optional
        Step-size symbol, default ``Symbol("h")``.

    Returns
    -------
    sympy.Expr or list of sympy.Expr
        ``f_h = f + h f_1 + … + h^order f_order`` with ``Φ_h[f_h] = φ_h[f] + O(h^(order+2))``
        (Zhu, Jin, Zhu & Tang, arXiv 2206.07335): the field a neural ODE trained with ``method``
        on exact-flow data learns.  Same shape as ``f``.
    """
    lmm = _multistep(method)
    if lmm is not None:
        from .multistep import lmm_imde

        return lmm_imde(f, y, lmm, order, h)
    terms, scalar = _terms("imde", f, y, method, order)
    return polynomial_in_h(terms, scalar, h)


def modified_equation(f: Any, y: Any, method: MethodLike, order: int, h: sp.Symbol | None = None):
    """The modified equation (backward error analysis) of ``method`` for ``y' = f(y)``, to ``h^order``.

    ``φ_h[f̃_h] = Φ_h[f] + O(h^(order+2))`` (Hairer, Lubich & Wanner IX.1).  Arguments and return
    value as in :func:`imde`.
    """
    terms, scalar = _terms("modified", f, y, method, order)
    return polynomial_in_h(terms, scalar, h)


def field_from_coefficients(coeffs: Mapping[Tree, Any], f: Any, y: Any, order: int,
                            h: sp.Symbol | None = None):
    """``Σ_{|t| <= order+1} h^(|t|−1) b(t)/σ(t) F(t)`` for user tree coefficients ``b``."""
    order = _check_order(order, "order", low=0, extra=1)
    fl, ys, scalar = normalize_field(f, y)
    from .bseries import _common_domain
    K, (bK,) = _common_domain(coeffs, order=order + 1)
    return polynomial_in_h(_assemble(fl, ys, K, bK, order), scalar, h)


def h_coefficients(expr: sp.Expr, h: sp.Symbol, order: int) -> list[sp.Expr]:
    """Coefficients ``[c_0, …, c_order]`` of a polynomial in ``h`` (no expansion of the ``c_k``)."""
    out = [sp.S.Zero] * (order + 1)
    for term in sp.Add.make_args(safe_sympify(expr, "field")):
        c, hp = term.as_independent(h, as_Add=False)
        k = 0 if hp == 1 else sp.degree(hp, h) if hp.is_polynomial(h) else None
        if k is None or not (hp == 1 or hp == h ** k):
            raise ParameterError(f"field: term {term} is not a monomial in {h}")
        if k <= order:
            out[k] = out[k] + c
    return out


def _simplify_zero(e: sp.Expr) -> sp.Expr:
    r = sp.cancel(sp.together(e))
    if r != 0 and r.has(sp.Function):
        r = sp.simplify(r)
    return r


def divergence(field: Sequence[sp.Expr], y: Sequence[sp.Symbol]) -> sp.Expr:
    """``Σ_i ∂field_i/∂y_i``, simplified (zero iff the flow preserves area/volume)."""
    fl, ys, scalar = normalize_field(list(field), list(y))
    return _simplify_zero(sp.Add(*[sp.diff(fi, yi) for fi, yi in zip(fl, ys)]))


def correction_divergence(field: Sequence[sp.Expr], y: Sequence[sp.Symbol], order: int,
                          h: sp.Symbol | None = None) -> list[sp.Expr]:
    """Divergence of each ``h^k`` coefficient of a field polynomial in ``h``, ``k = 0..order``.

    For a divergence-free ``f`` (e.g. a Hamiltonian 2-D field), the IMDE of a symplectic method is
    again divergence-free at every order, while a non-symplectic one (e.g. RK4) acquires a nonzero
    divergence at some order: the learned field cannot conserve area (arXiv 2206.07335, Thm 4.3).
    """
    h = sp.Symbol("h") if h is None else h
    comps = [h_coefficients(fi, h, order) for fi in field]
    return [divergence([c[k] for c in comps], y) for k in range(order + 1)]
