"""The operator-valued (block) Dyson equation of a linear pencil, as a System.

Write the pencil as ``L = Λ + W``: ``Λ`` holds the identities and deterministic matrices, ``W``
the Gaussian (``X̃ = X/√n``) and Wigner blocks.  For Gaussian ``W`` and ``M = E L⁻¹``, Gaussian
integration by parts and the concentration of normalized traces give the matrix Dyson equation

    M = (Λ − S[M])⁻¹,      S[B] = E[W B W]

(Helton, Mai & Speicher, arXiv 1511.05330; Erdős, Krüger & Nemish, arXiv 1804.07752; the route
of Adlam & Pennington, arXiv 2008.06786).  ``S[B]`` depends on ``B`` only through the normalized
traces of its blocks: with ``X̃`` of shape ``p × q`` (entries of variance ``σ²/n``),
``E[X̃ A X̃ᵀ] = σ² (q/n) tr(A) I_p`` and ``E[X̃ᵀ A X̃] = σ² (p/n) tr(A) I_q``, and for a Wigner
matrix ``E[W A W] = σ² tr(A) I`` (products of ``X̃`` with itself, not its transpose, vanish).
So the unknowns are the traces ``g_cd = tr(M_cd)`` of the blocks that ``S`` reads, and
``Λ − S`` splits by block dimension; in a dimension that holds a deterministic matrix ``D``
(one per dimension, with its powers) the block traces are expectations over ``D``'s spectral
measure, ``tr(M_cd) = E_t[((Λ(t) − S)⁻¹)_cd]`` (an ``sr.expect`` loop in the generated solver).
Unknowns whose equation is explicit in the others (no expectation) are eliminated exactly.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..symbolic.expect import expect
from ..symbolic.system import System
from .declarations import N
from .pencil import Pencil

__all__ = ["covariance_map", "dyson_equations"]

_T = sp.Symbol("t", positive=True)


def covariance_map(pencil: Pencil) -> tuple[dict, list]:
    """``S`` of the pencil: ``({(a, b): Σ coefficient · g_cd}, [(c, d) read])``.

    Each pair of random terms ``α Y`` at ``(a, c)`` and ``β Y'`` at ``(d, b)`` with
    ``E[Y B Y'] = κ tr(B) I`` adds ``α β κ g_cd`` to ``S_ab``.
    """
    terms = pencil.random_terms()
    S: dict = {}
    read: list = []
    for a, c, t1, al in terms:
        m1, _, tr1 = t1
        for d, b, t2, be in terms:
            m2, _, tr2 = t2
            if m1 != m2:
                continue
            if m1.kind == "wigner":
                kappa = m1.variance
            elif tr1 != tr2:
                rows, cols = m1.ratios
                kappa = m1.variance * (cols if not tr1 else rows)  # X̃ A X̃ᵀ: q/n;  X̃ᵀ A X̃: p/n
            else:
                continue
            g = _g(c, d)
            S[(a, b)] = S.get((a, b), sp.Integer(0)) + al * be * kappa * g
            if (c, d) not in read:
                read.append((c, d))
    return S, read


def _g(c: int, d: int) -> sp.Symbol:
    return sp.Symbol(f"g_{c}_{d}")


def _classes(pencil: Pencil) -> dict:
    """Blocks grouped by dimension: ``{dim: [block indices]}`` (first seen first)."""
    out: dict = {}
    for k, dim in enumerate(pencil.dims):
        for key in out:
            if sp.expand(key - dim) == 0:
                out[key].append(k)
                break
        else:
            out[dim] = [k]
    return out


def _block_traces(pencil: Pencil, S: dict, wanted: list, mean: bool = False) -> dict:
    """``{(c, d): tr((Λ − S)⁻¹)_cd}`` for the wanted blocks (expectations where a deterministic
    matrix lives; with ``mean=True`` its spectrum replaced by its mean, for initial guesses)."""
    out = {}
    for dim, blocks in _classes(pencil).items():
        need = [(c, d) for (c, d) in wanted if c in blocks and d in blocks]
        if not need:
            continue
        pos = {b: r for r, b in enumerate(blocks)}
        K = sp.zeros(len(blocks), len(blocks))
        dets = set()
        for (i, j), e in pencil.entries.items():
            if i not in pos or j not in pos:
                continue
            for (m, p, _), c in e.items():
                if m is None:
                    K[pos[i], pos[j]] += c
                elif m.kind == "deterministic":
                    dets.add(m)
                    K[pos[i], pos[j]] += c * _T**p
        for (i, j), s in S.items():
            if i in pos and j in pos:
                K[pos[i], pos[j]] -= s
        if len(dets) > 1:
            raise ParameterError(f"expression: the deterministic matrices {sorted(m.name for m in dets)} share the "
                                 f"dimension {dim}; only one deterministic matrix (and its powers) per dimension is "
                                 "supported (their joint spectrum is not known from their measures)")
        det = next(iter(dets)) if dets else None
        if det is not None and mean:
            K = K.subs(_T, sp.Float(det.measure.mean, 17))
        cols = sorted({d for _, d in need})
        for d in cols:
            rhs = sp.zeros(len(blocks), 1)
            rhs[pos[d], 0] = 1
            try:
                sol = K.LUsolve(rhs)
            except (ValueError, ZeroDivisionError, sp.matrices.common.NonInvertibleMatrixError) as exc:
                raise ParameterError(f"expression: the Dyson matrix of dimension {dim} is singular for every value "
                                     f"of the parameters ({exc})") from exc
            for c in [c for c, dd in need if dd == d]:
                v = sp.together(sol[pos[c], 0])
                out[(c, d)] = expect(v, _T, det.measure) if (det is not None and not mean and v.has(_T)) else v
    return out


def dyson_equations(pencils: list[tuple[sp.Expr, Pencil]], constant: sp.Expr = sp.Integer(0)) -> dict:
    """Unknowns, residuals, the observable and initial guesses for ``constant + Σ c_k·trace_k``.

    ``pencils``: ``[(c_k, pencil_k)]``, each pencil realizing a square matrix whose normalized
    trace is wanted.  Returns ``{"unknowns", "equations", "value", "initial"}``.
    """
    unknowns: list = []
    values: dict = {}
    value = constant
    initial: dict = {}
    for k, (coef, p) in enumerate(pencils):
        S, read = covariance_map(p)
        wanted = list(dict.fromkeys([*read, p.out]))
        tr = _block_traces(p, S, wanted)
        sub = {_g(c, d): sp.Symbol(f"g{k}_{c}_{d}") for c, d in wanted}
        for c, d in read:
            u = sub[_g(c, d)]
            unknowns.append(u)
            values[u] = tr[(c, d)].xreplace(sub)
        g0 = _block_traces(p, {}, read, mean=True)
        for c, d in read:
            v = sp.simplify(g0[(c, d)])
            initial[sub[_g(c, d)]] = v if v.is_finite is not False and not v.has(sp.zoo, sp.nan) else None
        value = value + coef * p.prefactor * tr[p.out].xreplace(sub)
    # exact eliminations: an unknown whose value holds neither itself nor an expectation
    changed = True
    while changed and len(unknowns) > 1:
        changed = False
        for u in list(unknowns):
            v = values[u]
            if u in v.free_symbols or _has_expect(v):
                continue
            unknowns.remove(u)
            del values[u]
            initial.pop(u, None)
            values = {w: e.xreplace({u: v}) for w, e in values.items()}
            value = value.xreplace({u: v})
            changed = True
            break
    unknowns, values, value, initial = _merge(unknowns, values, value, initial)
    equations = [u - values[u] for u in unknowns]
    return {"unknowns": unknowns, "equations": equations, "value": value, "initial": initial}


def _equal(x: sp.Expr, y: sp.Expr) -> bool:
    """Exact equality where SymPy decides it cheaply (False when unsure)."""
    from ..symbolic.expect import Expect

    if x == y:
        return True
    if isinstance(x, Expect) and isinstance(y, Expect):
        return x.measure == y.measure and x.variable == y.variable and _equal(x.expr, y.expr)
    if _has_expect(x) or _has_expect(y):
        return False
    return sp.cancel(sp.together(x - y)) == 0


def _merge(unknowns: list, values: dict, value: sp.Expr, initial: dict):
    """Exact reductions: unknowns that vanish identically (a block-triangular Dyson matrix), and
    unknowns equal to others (copies of one resolvent in a product): the system is invariant under
    the identification, so its solution satisfies it."""
    zero = sp.Integer(0)
    changed = True
    while changed and len(unknowns) > 1:
        changed = False
        for u in list(unknowns):
            # u ≡ 0 solves its equation and is its value far up the spectral parameter (u's
            # initial guess): the branch of a block-triangular Dyson matrix
            if _equal(values[u], zero) or (initial.get(u) == 0 and _equal(values[u].xreplace({u: zero}), zero)):
                unknowns.remove(u)
                del values[u]
                initial.pop(u, None)
                values = {w: e.xreplace({u: zero}) for w, e in values.items()}
                value = value.xreplace({u: zero})
                changed = True
                break
    # copies: candidate pairs with equal initial guesses, checked jointly
    cand = {}
    for j, b in enumerate(unknowns):
        for a in unknowns[:j]:
            if a not in cand and initial.get(a) is not None and initial.get(b) is not None \
                    and _equal(initial[a], initial[b]):
                cand[b] = a
                break
    while cand:
        bad = [b for b, a in cand.items()
               if not _equal(values[b].xreplace(cand), values[a].xreplace(cand))]
        if not bad:
            break
        for b in bad:
            del cand[b]
    if cand:
        unknowns = [u for u in unknowns if u not in cand]
        values = {u: values[u].xreplace(cand) for u in unknowns}
        value = value.xreplace(cand)
        initial = {u: v for u, v in initial.items() if u in unknowns}
    return unknowns, values, value, initial


def _has_expect(e: sp.Basic) -> bool:
    from ..symbolic.expect import has_expect

    return has_expect([e])


def dyson_system(pencils: list[tuple[sp.Expr, Pencil]], constant: sp.Expr = sp.Integer(0),
                 spectral: Any = None, name: str = "deterministic-equivalent", cls: type = System) -> System:
    """The Dyson equations as a System (parameters: every scalar symbol, sorted by name)."""
    parts = dyson_equations(pencils, constant)
    us = parts["unknowns"]
    if not us:
        raise ParameterError("expression: the traces involve no random matrix; nothing to solve")
    syms = set().union(*[e.free_symbols for e in parts["equations"]], parts["value"].free_symbols) - set(us)
    if N in syms:
        raise ParameterError("expression: the equations depend on n; the expression has no O(1) limit")
    params = sorted(syms, key=lambda s: s.name)
    initial = {u: v for u, v in parts["initial"].items() if v is not None and v.free_symbols <= set(params)}
    equations, value, domains = parts["equations"], parts["value"], {}
    spec = next((p for p in params if p.name == spectral), None)
    if spec is not None:  # orientation: Im u > 0 far up in the spectral parameter -> an "upper" unknown
        flips = {}
        for u in list(us):
            side = _side(initial.get(u), spec, params)
            if side == 0:
                continue
            if side < 0:
                w = sp.Symbol("m" + u.name[1:])
                flips[u] = -w
                initial[w] = -initial.pop(u)
                us[us.index(u)] = w
                u = w
            domains[u] = "upper"
        equations = [e.xreplace(flips) for e in equations]
        value = value.xreplace(flips)
    kwargs = {} if cls is System else {"spectral": spectral}
    return cls(equations, us, params, observables={"value": value}, initial=initial, domains=domains,
               name=name, **kwargs)


def _side(v: sp.Expr | None, spec: sp.Symbol, params: list) -> int:
    """The sign of ``Im v`` far up in the spectral parameter (1, -1, or 0 when it is not clear):
    ``v`` at ``spec = 0.3 + 1e3 i``, the other parameters at 0.7."""
    if v is None:
        return 0
    vals = {p: sp.Float(0.7) for p in params}
    vals[spec] = sp.Float(0.3) + sp.Float(1e3) * sp.I
    try:
        x = complex(sp.N(v.subs(vals)))
    except (TypeError, ValueError):
        return 0
    if not np.isfinite(x) or abs(x.imag) <= 1e-3 * abs(x) or abs(x) * 1e3 < 1e-3:
        return 0
    return 1 if x.imag > 0 else -1
