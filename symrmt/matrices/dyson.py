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

__all__ = ["covariance_map", "dyson_equations", "structural_support", "differentiate"]

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


def structural_support(pencil: Pencil, S: dict, read: list, seed: int = 8063) -> list:
    """The read traces ``(c, d)`` that can be nonzero: the others vanish identically.

    The fixed-point iteration ``g ← tr((Λ − S[g])⁻¹)`` from ``g = 0`` (which converges to the
    solution far up the spectral parameter, and the solution continues analytically from there)
    never leaves the *structural* support: the blocks ``(c, d)`` where ``(Λ − S[g])⁻¹`` is
    nonzero for generic values of its nonzero entries.  The support is grown from ``g = 0``
    until it stops changing, each step with random complex values in place of the nonzero
    entries (a zero of a generic inverse is structural with probability one; a kept unknown that
    happens to vanish is removed later, exactly).  Pruning first keeps the symbolic elimination
    small: a product of resolvents reads many block traces, most of them structurally zero.
    """
    rng = np.random.default_rng(seed)
    base = {(i, j) for (i, j), e in pencil.entries.items() if e}
    classes = list(_classes(pencil).values())
    support: set = set()
    while True:
        pattern = base | {ab for ab, s in S.items() if s.free_symbols & {_g(c, d) for c, d in support}}
        new = set(support)
        for blocks in classes:
            pos = {b: r for r, b in enumerate(blocks)}
            K = np.zeros((len(blocks), len(blocks)), dtype=complex)
            for (i, j) in pattern:
                if i in pos and j in pos:
                    K[pos[i], pos[j]] = complex(*rng.normal(size=2))
            try:
                inv = np.linalg.inv(K)
            except np.linalg.LinAlgError:
                return list(read)          # structurally singular: keep everything (no pruning)
            scale = np.abs(inv).max()
            for c, d in read:
                if c in pos and d in pos and abs(inv[pos[c], pos[d]]) > 1e-9 * scale:
                    new.add((c, d))
        if new == support:
            return [cd for cd in read if cd in support]
        support = new


def _restrict(S: dict, keep: list) -> dict:
    """``S`` with the block traces outside ``keep`` set to zero."""
    keep = {_g(c, d) for c, d in keep}
    zero = {sym: sp.Integer(0) for s in S.values() for sym in s.free_symbols
            if sym.name.startswith("g_") and sym not in keep}
    out = {ab: sp.expand(s.xreplace(zero)) for ab, s in S.items()}
    return {ab: s for ab, s in out.items() if s != 0}


def dyson_equations(pencils: list[tuple], constant: sp.Expr = sp.Integer(0)) -> dict:
    """Unknowns, residuals, the observable and initial guesses for ``constant + Σ c_k·trace_k``.

    ``pencils``: ``[(c_k, pencil_k)]`` or ``[(c_k, pencil_k, derivative_k)]``, each pencil
    realizing a square matrix whose normalized trace is wanted; ``derivative_k`` is None or
    ``(s, at)``: the term is ``d trace_k/ds`` at ``s = at``, derived by differentiating the
    term's equations implicitly (``differentiate`` in this module).  Returns ``{"unknowns", "equations",
    "value", "initial"}``.
    """
    unknowns: list = []
    values: dict = {}
    value = constant
    initial: dict = {}
    for k, item in enumerate(pencils):
        coef, p = item[0], item[1]
        spec = item[2] if len(item) > 2 else None
        S, read = covariance_map(p)
        read = structural_support(p, S, read)
        S = _restrict(S, read)
        wanted = list(dict.fromkeys([*read, p.out]))
        tr = _block_traces(p, S, wanted)
        sub = {_g(c, d): sp.Symbol(f"g{k}_{c}_{d}") for c, d in wanted}
        us, vals, init = [], {}, {}
        for c, d in read:
            u = sub[_g(c, d)]
            us.append(u)
            vals[u] = tr[(c, d)].xreplace(sub)
        g0 = _block_traces(p, {}, read, mean=True)
        for c, d in read:
            v = sp.simplify(g0[(c, d)])
            init[sub[_g(c, d)]] = v if v.is_finite is not False and not v.has(sp.zoo, sp.nan) else None
        term = p.prefactor * tr[p.out].xreplace(sub)
        if spec is not None:
            us, vals, term, init = _eliminate(us, vals, term, init)
            us, vals, term, init = _merge(us, vals, term, init)
            us, vals, term, init = differentiate(us, vals, term, init, *spec)
        unknowns += us
        values.update(vals)
        initial.update(init)
        value = value + coef * term
    unknowns, values, value, initial = _eliminate(unknowns, values, value, initial)
    unknowns, values, value, initial = _merge(unknowns, values, value, initial)
    equations = [u - values[u] for u in unknowns]
    return {"unknowns": unknowns, "equations": equations, "value": value, "initial": initial}


def _eliminate(unknowns: list, values: dict, value: sp.Expr, initial: dict):
    """Exact eliminations: an unknown whose value holds neither itself nor an expectation."""
    unknowns, initial = list(unknowns), dict(initial)
    changed = True
    while changed and len(unknowns) > 1:
        changed = False
        for u in list(unknowns):
            v = values[u]
            if u in v.free_symbols or _has_expect(v):
                continue
            unknowns.remove(u)
            values = {w: e.xreplace({u: v}) for w, e in values.items() if w != u}
            initial.pop(u, None)
            value = value.xreplace({u: v})
            changed = True
            break
    return unknowns, values, value, initial


def differentiate(unknowns: list, values: dict, value: sp.Expr, initial: dict, s: sp.Symbol, at: sp.Expr):
    """Implicit differentiation of the fixed point ``u = values(u, s)`` and of ``value(u, s)`` in ``s``.

    New unknowns ``du = ∂_s u`` solve ``du = ∂_s values + Σ_w ∂_w values · dw`` (the
    linearized equations, solved jointly with ``u``); the value becomes ``∂_s value + Σ_w ∂_w
    value · dw``; then ``s = at`` everywhere (``at == s``: kept).  Returns the four parts.
    """
    d = {u: sp.Symbol(f"d{u.name}") for u in unknowns}

    def total(e):
        return sp.diff(e, s) + sp.Add(*[sp.diff(e, u) * du for u, du in d.items()])

    point = {} if at == s else {s: at}
    vals = {u: v.xreplace(point) for u, v in values.items()}
    vals.update({d[u]: total(values[u]).xreplace(point) for u in unknowns})
    init = {u: (None if v is None else v.xreplace(point)) for u, v in initial.items()}
    for u in unknowns:
        v = initial.get(u)
        init[d[u]] = None if v is None else sp.simplify(sp.diff(v, s).xreplace(point))
    return [*unknowns, *d.values()], vals, total(value).xreplace(point), init


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
            # derivatives (``d…``, :func:`differentiate`) of traces carry no sign rule
            side = 0 if u.name.startswith("d") else _side(initial.get(u), spec, params)
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
