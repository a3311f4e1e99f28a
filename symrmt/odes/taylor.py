"""Direct Taylor matching: the IMDE and modified equation without trees.

This is the textbook route, independent of :mod:`symrmt.odes.bseries`: expand the one-step map
``Φ_h[g](y)`` of a Runge--Kutta method in powers of ``h`` (stage equations solved by fixed-point
iteration on truncated series), expand the exact flow by its Lie series
``φ_h[g](y) = Σ_k h^k/k! L_g^k(y)``, ``L_g u = u′·g``, and fix the ``h^k`` term of the field
order by order (Zhu, Jin, Zhu & Tang, arXiv 2206.07335, Sec. 3; Hairer, Lubich & Wanner IX.1).
It is slow (series of composed expressions) and serves as a reference and as the benchmark
baseline; use :func:`symrmt.odes.imde` for real work.
"""
from __future__ import annotations

from math import factorial
from typing import Any

import sympy as sp

from .bseries import _check_order
from .field_args import normalize_field
from .tableaux import MethodLike, as_tableau

__all__ = ["one_step_series", "lie_series", "imde_by_taylor", "modified_equation_by_taylor"]


def _mul(a: list, b: list, n: int) -> list:
    out = [sp.S.Zero] * (n + 1)
    for i, ai in enumerate(a):
        if ai == 0:
            continue
        for j in range(min(len(b), n + 1 - i)):
            if b[j] != 0:
                out[i + j] += ai * b[j]
    return [sp.expand(c) for c in out]


def _compose(gk: list[list[sp.Expr]], ys: list[sp.Symbol], delta: list[list[sp.Expr]], n: int):
    """``Σ_k h^k g_k(y + δ(h))`` as coefficient lists in ``h`` (multivariate Taylor in ``δ``).

    ``gk[k]`` is the ``h^k`` coefficient vector of the field, ``delta[j]`` the series of
    ``Y_j − y_j`` (zero constant term); the expansion ``Σ_α ∂^α g(y) δ^α / α!`` stops at ``|α| = n``.
    """
    d = len(ys)
    out = [[sp.S.Zero] * (n + 1) for _ in range(d)]
    # monomials δ^α / α! by increasing |α|, built once
    monos = {(0,) * d: [sp.S.One] + [sp.S.Zero] * n}
    frontier = [(0,) * d]
    for _deg in range(1, n + 1):
        nxt = []
        for alpha in frontier:
            start = max([j for j in range(d) if alpha[j]] or [0])
            for j in range(start, d):
                beta = tuple(a + (1 if i == j else 0) for i, a in enumerate(alpha))
                if beta not in monos:
                    monos[beta] = [c / beta[j] for c in _mul(monos[alpha], delta[j], n)]
                    nxt.append(beta)
        frontier = nxt
    for k, g in enumerate(gk):
        for alpha, mono in monos.items():
            if sum(alpha) > n - k:
                continue
            for i in range(d):
                der = g[i]
                for j, aj in enumerate(alpha):
                    if aj:
                        der = sp.diff(der, ys[j], aj)
                if der == 0:
                    continue
                for m in range(n + 1 - k):
                    if mono[m] != 0:
                        out[i][m + k] += der * mono[m]
    return [[sp.expand(c) for c in comp] for comp in out]


def _one_step(gk: list[list[sp.Expr]], ys: list[sp.Symbol], method: MethodLike, n: int):
    tab = as_tableau(method)
    s, d = tab.stages, len(ys)
    zero = [[sp.S.Zero] * (n + 1) for _ in range(d)]
    gvals = [zero for _ in range(s)]   # series of g(Y_i)
    sweeps = 1 if tab.is_explicit else n + 1
    for _ in range(sweeps):
        for i in range(s):
            # δ_i = h Σ_j a_ij g(Y_j); explicit methods: one in-order sweep is exact, implicit
            # ones gain one power of h per fixed-point sweep
            delta = [[sp.S.Zero] + [sp.expand(sum(tab.A[i, j] * gvals[j][c][m] for j in range(s)))
                                    for m in range(n)] for c in range(d)]
            gvals[i] = _compose(gk, ys, delta, n)
    return [[ys[c]] + [sp.expand(sum(tab.b[i] * gvals[i][c][m] for i in range(s))) for m in range(n)]
            for c in range(d)]


def one_step_series(g: list[sp.Expr], ys: list[sp.Symbol], method: MethodLike, h: sp.Symbol,
                    n: int) -> list[sp.Expr]:
    """``Φ_h[g](y)`` expanded to ``h^n`` (``g`` may be a polynomial in ``h``)."""
    gk = [[sp.expand(gi).coeff(h, k) for gi in g] for k in range(n + 1)]
    series = _one_step(gk, ys, method, n)
    return [sp.Add(*[h ** m * c[m] for m in range(n + 1)]) for c in series]


def lie_series(g: list[sp.Expr], ys: list[sp.Symbol], h: sp.Symbol, n: int) -> list[sp.Expr]:
    """Exact flow ``φ_h[g](y) = Σ_{k<=n} h^k/k! L_g^k(y)`` truncated after ``h^n``."""
    out = []
    for yk in ys:
        u, acc = yk, yk
        for k in range(1, n + 1):
            u = sp.expand(sp.Add(*[sp.diff(u, yj) * gj for yj, gj in zip(ys, g)]))
            acc = acc + h ** k * u / factorial(k)
        out.append(acc)
    return out


def _match(kind: str, f: Any, y: Any, method: MethodLike, order: int, h: sp.Symbol | None):
    fl, ys, scalar = normalize_field(f, y)
    order = _check_order(order, "order", low=0)
    h = sp.Symbol("h") if h is None else h
    g = list(fl)
    bsum = sum(as_tableau(method).b)
    for k in range(1, order + 1):
        if kind == "imde":
            lhs, rhs = lie_series(fl, ys, h, k + 1), one_step_series(g, ys, method, h, k + 1)
            scale = bsum
        else:
            lhs, rhs = one_step_series(fl, ys, method, h, k + 1), lie_series(g, ys, h, k + 1)
            scale = 1
        g = [gi + h ** k * sp.simplify(sp.expand(l - r).coeff(h, k + 1) / scale)
             for gi, l, r in zip(g, lhs, rhs)]
    return g[0] if scalar else g


def imde_by_taylor(f: Any, y: Any, method: MethodLike, order: int, h: sp.Symbol | None = None):
    """IMDE to ``h^order`` by direct Taylor matching of ``Φ_h[f_h] = φ_h[f]`` (reference route)."""
    return _match("imde", f, y, method, order, h)


def modified_equation_by_taylor(f: Any, y: Any, method: MethodLike, order: int,
                                h: sp.Symbol | None = None):
    """Modified equation to ``h^order`` by direct matching of ``φ_h[f̃_h] = Φ_h[f]`` (reference)."""
    return _match("modified", f, y, method, order, h)
