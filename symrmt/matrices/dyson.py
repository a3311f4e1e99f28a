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
measure, ``tr(M_cd) = E_t[((Λ(t) − S)⁻¹)_cd]`` (an ``sr.expect`` loop in the generated solver);
in the other dimensions ``K = Λ − S`` is kept in linear form, ``K(g)·G = I`` for the wanted
columns ``G`` of block traces (bilinear equations, :data:`LINEAR_BLOCKS`), not as the
closed-form symbolic inverse, whose size grows like ``b!`` in the number ``b`` of blocks.
Unknowns whose equation is explicit in the others (no expectation) and small are eliminated
exactly; unknowns that vanish identically or copy others (one resolvent in several blocks of a
product) are merged.
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

__all__ = ["covariance_map", "dyson_equations", "structural_support", "differentiate", "tree_size"]

_T = sp.Symbol("t", positive=True)


def _family_symbols(m) -> tuple:
    """The integration variables of a deterministic matrix's measure: ``(t,)`` on the line,
    ``(t_0, …, t_{k-1})`` for a joint measure (a commuting family); ``m``'s eigenvalue is the one
    at its coordinate."""
    if not hasattr(m.measure, "names"):
        return (_T,)
    return tuple(sp.Symbol(f"t_{k}", real=True) for k in range(m.measure.dim))


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


#: a dimension without a deterministic matrix whose Dyson matrix has at least this many blocks is
#: solved in *linear form*: its block traces are unknowns tied by ``K(g)·G = I`` (bilinear
#: equations) instead of the closed-form entries of ``K(g)⁻¹``, which grow like ``b!`` in the
#: number ``b`` of blocks (a 5 × 5 symbolic inverse has thousands of nodes, its Jacobian more)
LINEAR_BLOCKS = 2


def _dyson_matrix(pencil: Pencil, S: dict, blocks: list, dim) -> tuple[sp.Matrix, Any]:
    """``Λ − S`` restricted to one dimension's blocks, and its deterministic matrix (or None;
    its spectrum is the symbol ``t``)."""
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
                K[pos[i], pos[j]] += c * _family_symbols(m)[m.coordinate]**p
    for (i, j), s in S.items():
        if i in pos and j in pos:
            K[pos[i], pos[j]] -= s
    if len({m.measure_ref for m in dets}) > 1:
        raise ParameterError(f"expression: the deterministic matrices {sorted(m.name for m in dets)} share the "
                             f"dimension {dim} with different measures; one deterministic matrix (and its powers) "
                             "per dimension is supported, or a commuting family declared on one joint measure "
                             "(symrmt.matrices.deterministic(..., coordinate=k)): the joint spectrum of "
                             "matrices with separate measures is not known")
    return K, (next(iter(dets)) if dets else None)


def _linear_classes(pencil: Pencil, wanted: list) -> dict:
    """``{dim: blocks}`` of the dimensions solved in linear form (:data:`LINEAR_BLOCKS`)."""
    out = {}
    for dim, blocks in _classes(pencil).items():
        if len(blocks) < LINEAR_BLOCKS or not any(c in blocks and d in blocks for c, d in wanted):
            continue
        if not any(m is not None and m.kind == "deterministic" for (i, j), e in pencil.entries.items()
                   if i in blocks and j in blocks for (m, _, _) in e):
            out[dim] = blocks
    return out


def _linear_equations(pencil: Pencil, S: dict, wanted: list) -> dict:
    """``{(r, d): (K(g)·G − I)_rd}`` for the dimensions in linear form: ``G``'s column ``d`` holds
    the unknowns ``g_r_d`` (every block ``r`` of the dimension, every wanted column ``d``)."""
    out = {}
    for dim, blocks in _linear_classes(pencil, wanted).items():
        K, _ = _dyson_matrix(pencil, S, blocks, dim)
        for d in sorted({d for c, d in wanted if c in blocks and d in blocks}):
            col = sp.Matrix([_g(r, d) for r in blocks])
            res = K * col
            for row, r in enumerate(blocks):
                out[(r, d)] = sp.expand(res[row, 0] - (1 if r == d else 0))
    return out


def _block_traces(pencil: Pencil, S: dict, wanted: list, mean: bool = False, linear: bool = False) -> dict:
    """``{(c, d): tr((Λ − S)⁻¹)_cd}`` for the wanted blocks (expectations where a deterministic
    matrix lives; with ``mean=True`` its spectrum replaced by its mean, for initial guesses).
    With ``linear=True`` the dimensions in linear form (:func:`_linear_equations`) give the
    unknown ``g_c_d`` itself."""
    out = {}
    skip = _linear_classes(pencil, wanted) if linear else {}
    for dim, blocks in _classes(pencil).items():
        if dim in skip:
            out.update({(c, d): _g(c, d) for c, d in wanted if c in blocks and d in blocks})
            continue
        need = [(c, d) for (c, d) in wanted if c in blocks and d in blocks]
        if not need:
            continue
        pos = {b: r for r, b in enumerate(blocks)}
        K, det = _dyson_matrix(pencil, S, blocks, dim)
        ts = _family_symbols(det) if det is not None else ()
        if det is not None and mean:
            K = K.subs(dict(zip(ts, (sp.Float(v, 17) for v in np.atleast_1d(det.measure.mean)))))
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
                live = det is not None and not mean and any(v.has(t) for t in ts)
                out[(c, d)] = expect(v, ts if len(ts) > 1 else ts[0], det.measure) if live else v
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
        tr = _block_traces(p, S, wanted, linear=True)
        lin = _linear_equations(p, S, wanted)
        entries = list(dict.fromkeys([*[cd for cd in read if cd not in lin], *lin]))
        sub = {_g(c, d): sp.Symbol(f"g{k}_{c}_{d}") for c, d in [*wanted, *lin]}
        us, vals, init = [], {}, {}
        for c, d in entries:
            u = sub[_g(c, d)]
            us.append(u)
            # linear form: u = u − (K·G − I)_cd, whose residual is the bilinear equation itself
            vals[u] = (u - lin[(c, d)].xreplace(sub)) if (c, d) in lin else tr[(c, d)].xreplace(sub)
        g0 = _block_traces(p, {}, entries, mean=True)
        for c, d in entries:
            v = g0[(c, d)]
            v = sp.simplify(v) if tree_size(v) <= ELIMINATE_NODES else sp.together(v)
            init[sub[_g(c, d)]] = v if v.is_finite is not False and not v.has(sp.zoo, sp.nan) else None
        term = p.prefactor * tr[p.out].xreplace(sub)
        if spec is not None:
            # merge copies first (fewer unknowns to differentiate), eliminate after: the
            # derivative of an eliminated, grown value is larger than the eliminations of the
            # small derivatives of the Dyson equations themselves
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


#: an explicit unknown is substituted into the others only while its value is at most this many
#: expression nodes: nested substitutions of large values grow the equations exponentially (a
#: product of resolvents), and a kept unknown costs one more Newton variable instead
ELIMINATE_NODES = 400


def tree_size(e: sp.Basic, memo: dict | None = None) -> int:
    """The number of nodes of ``e`` as a tree (shared subexpressions counted each time they occur;
    computed on the shared DAG, so in time linear in its distinct nodes)."""
    memo = {} if memo is None else memo
    r = memo.get(e)
    if r is None:
        r = 1 + sum(tree_size(a, memo) for a in e.args)
        memo[e] = r
    return r


#: an elimination is skipped when it would grow an equation past this many nodes: the generated
#: solver's compile time grows faster than linearly in the size of its equations and Jacobian
EQUATION_NODES = 600


def _eliminate(unknowns: list, values: dict, value: sp.Expr, initial: dict):
    """Exact eliminations: an unknown whose value holds neither itself nor an expectation and is
    small (:data:`ELIMINATE_NODES`), the smallest first, unless substituting it grows another
    equation past :data:`EQUATION_NODES`."""
    unknowns, initial = list(unknowns), dict(initial)
    kept: set = set()
    changed = True
    while changed and len(unknowns) > 1:
        changed = False
        memo: dict = {}
        for u in sorted(unknowns, key=lambda w: tree_size(values[w], memo)):
            v = values[u]
            if u in kept or u in v.free_symbols or _has_expect(v) or tree_size(v, memo) > ELIMINATE_NODES:
                continue
            new = {w: e.xreplace({u: v}) for w, e in values.items() if w != u}
            if any(u in values[w].free_symbols and tree_size(e, memo) > max(EQUATION_NODES, tree_size(values[w], memo))
                   for w, e in new.items()):
                kept.add(u)
                continue
            unknowns.remove(u)
            values = new
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
    """Equality of two rational functions: ``cancel`` for small ones, evaluation at random points
    (:func:`_numerically_equal`) for large ones; expectations compare structurally (False when unsure)."""
    from ..symbolic.expect import Expect

    if x == y:
        return True
    if isinstance(x, Expect) and isinstance(y, Expect):
        return x.measure == y.measure and x.variable == y.variable and _equal(x.expr, y.expr)
    if _has_expect(x) or _has_expect(y):
        return False
    if not _numerically_equal(x, y):
        return False
    diff = x - y
    if tree_size(diff) <= ELIMINATE_NODES:
        return sp.cancel(sp.together(diff)) == 0
    return True   # large rational functions equal at three random points to 40 digits: equal


def _numerically_equal(x: sp.Expr, y: sp.Expr, digits: int = 40, seed: int = 3061) -> bool:
    """``x`` and ``y`` agree at three random complex points (every symbol), to ``digits`` digits.

    Identity testing of rational functions by evaluation (Schwartz–Zippel: two different ones agree
    at a random point with probability 0); a point where either is undefined (a pole) is skipped.
    The symbolic test (``cancel``) of large rational functions in many symbols takes minutes, this
    one milliseconds."""
    import mpmath

    rng = np.random.default_rng(seed)
    syms = sorted(x.free_symbols | y.free_symbols, key=lambda s: s.name)
    tested = 0
    with mpmath.workdps(digits):
        for _ in range(6):
            point = {s: mpmath.mpc(rng.uniform(0.3, 1.7), rng.uniform(0.1, 0.9)) for s in syms}
            memo: dict = {}
            try:
                a, b = _evaluate(x, point, memo), _evaluate(y, point, memo)
            except (ZeroDivisionError, ValueError, TypeError):
                continue       # a pole (or a function this evaluator does not know): another point
            if abs(a - b) > mpmath.mpf(10) ** (8 - digits) * max(1, abs(a), abs(b)):
                return False
            tested += 1
            if tested == 3:
                return True
    return False


def _evaluate(e: sp.Basic, point: dict, memo: dict):
    """``e`` (numbers, symbols, sums, products, powers) at ``point`` in mpmath, on the shared DAG."""
    import mpmath

    r = memo.get(e)
    if r is not None:
        return r
    if e in point:
        r = point[e]
    elif e.is_Rational:
        r = mpmath.mpf(int(e.p)) / int(e.q)
    elif e.is_number:
        r = mpmath.mpmathify(complex(e)) if not e.is_Float else mpmath.mpf(e)
        if e == sp.I:
            r = mpmath.mpc(0, 1)
    elif e.is_Add:
        r = mpmath.fsum(_evaluate(a, point, memo) for a in e.args)
    elif e.is_Mul:
        r = mpmath.fprod(_evaluate(a, point, memo) for a in e.args)
    elif e.is_Pow:
        base, ex = e.args
        b = _evaluate(base, point, memo)
        r = b ** int(ex) if ex.is_Integer else mpmath.power(b, _evaluate(ex, point, memo))
        if ex.is_Integer and ex < 0 and b == 0:
            raise ZeroDivisionError
    else:
        raise TypeError(type(e).__name__)
    memo[e] = r
    return r


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
    # copies: candidate pairs with equal initial guesses and values of one size (the size of an
    # expression does not change when its unknowns are renamed), checked jointly; a pair that
    # fails gives way to the next candidate of the same unknown
    memo: dict = {}
    options: dict = {}
    for j, b in enumerate(unknowns):
        if initial.get(b) is None:
            continue
        options[b] = [a for a in unknowns[:j] if initial.get(a) is not None
                      and tree_size(values[a], memo) == tree_size(values[b], memo) and _equal(initial[a], initial[b])]
    options = {b: opts for b, opts in options.items() if opts}
    cand = {}
    for b, opts in options.items():
        a = next((a for a in opts if a not in cand), None)
        if a is not None:
            cand[b] = a
    while cand:
        for b in list(cand):          # b ≡ a ≡ cand[a]: map every copy to its first original
            while cand[b] in cand:
                cand[b] = cand[cand[b]]
        bad = [b for b, a in cand.items()
               if not _equal(values[b].xreplace(cand), values[a].xreplace(cand))]
        if not bad:
            break
        for b in bad:
            opts = options[b]
            a = cand.pop(b)
            if a in opts:
                opts.remove(a)
            a = next((a for a in opts if a not in cand), None)
            if a is not None:
                cand[b] = a
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
