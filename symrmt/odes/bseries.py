"""B-series coefficients: Runge--Kutta weights, composition and substitution laws, IMDE.

Normalisation (Hairer, Lubich & Wanner, *Geometric Numerical Integration*, III.1; Chartier,
Hairer & Vilmart, "Algebraic structures of B-series", FoCM 2010):

* an integrator is ``B(a, y) = y + Σ_t h^|t| a(t)/σ(t) F(t)(y)``; the exact flow has
  ``e(t) = 1/γ(t)`` and a Runge--Kutta method its elementary weights ``a(t) = Φ(t) = bᵀ g(t)``,
  with stage vectors ``g(•) = 1`` and ``g([t1…tk]) = Π_m (A g(t_m))`` (componentwise);
* a (modified) vector field is ``f_h = Σ_t h^(|t|−1) b(t)/σ(t) F(t)``;
* composition ``B(b, B(a, y)) = B(a·b, y)``, ``(a·b)(t) = a(t) + Σ_s b(s) Π_{δ ∈ t∖s} a(δ)`` over
  the non-empty root subtrees ``s`` of a labelled copy of ``t``;
* substitution ``B(a, ·)`` applied to the field ``B(b)``: ``(b ⋆ a)(t) = Σ_p a(χ_p(t)) Π_{τ ∈ p} b(τ)``
  over the ``2^(|t|−1)`` partitions of the edges of ``t`` (pieces ``p``, skeleton ``χ_p``).

The IMDE (Zhu, Jin, Zhu & Tang, arXiv 2206.07335) solves ``b ⋆ a = e``; the modified equation of
backward error analysis solves ``b ⋆ e = a``.  Both recursions run tree by tree; the partitions
are summed by a dynamic programme over the children of the root that merges equal
(root piece, skeleton) pairs, so no labelled partition is listed explicitly.  Arithmetic is exact,
in the smallest SymPy domain holding the method's coefficients (``QQ``, ``QQ<√3>``, ``QQ(α)``…).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import sympy as sp

from .._checks import integer
from ..errors import ParameterError
from ..symbolic.parsing import safe_sympify
from .tableaux import MethodLike, as_tableau
from .trees import LEAF, Tree, butcher_product, gamma, trees, trees_upto

__all__ = ["rk_weights", "exact_weights", "composition", "substitution", "imde_coefficients",
           "modified_equation_coefficients", "method_order", "is_symplectic"]


def _check_order(order: Any, name: str = "order", low: int = 1, extra: int = 0) -> int:
    """``order`` as an int >= ``low`` whose trees (up to order ``order + extra``) are within
    :attr:`symrmt.limits.Limits.max_tree_order`; else :class:`ParameterError`."""
    from ..limits import check_tree_order

    order = integer(name, order, low=low)
    return check_tree_order(order, name, order + extra)


# ----------------------------------------------------------------------------- in a domain K
def _rk_weights_K(method: MethodLike, order: int):
    tab = as_tableau(method)
    K, A, b = tab.domain
    s = tab.stages
    zero, one = K.zero, K.one
    nz = [[(j, A[i][j]) for j in range(s) if A[i][j]] for i in range(s)]
    g: dict[Tree, list] = {}
    Ag: dict[Tree, list] = {}
    out = {}
    for t in trees_upto(order):
        vec = [one] * s
        for c in t:
            ac = Ag[c]
            vec = [v * w for v, w in zip(vec, ac)]
        g[t] = vec
        Ag[t] = [sum((aij * vec[j] for j, aij in nz[i]), zero) for i in range(s)]
        out[t] = sum((bi * v for bi, v in zip(b, vec)), zero)
    return K, out


def _exact_K(order: int, K) -> dict:
    return {t: K.from_sympy(sp.Rational(1, gamma(t))) for t in trees_upto(order)}


def _add(d: dict, key, val) -> None:
    if key in d:
        d[key] = d[key] + val
    else:
        d[key] = val


@lru_cache(maxsize=4)
def _tree_index(order: int) -> tuple[list[Tree], dict, list[tuple[int, ...]], dict]:
    """Trees up to ``order`` as integers: ``(trees, id of a tree, sorted child ids of each id,
    id of a sorted child-id tuple)``.  The dynamic programme below keys its states by small int
    tuples, which hash and sort in O(length), instead of by nested tuples of trees."""
    ts = list(trees_upto(order))
    ident = {t: i for i, t in enumerate(ts)}
    kids = [tuple(sorted(ident[c] for c in t)) for t in ts]
    return ts, ident, kids, {k: i for i, k in enumerate(kids)}


def _partition_table(i: int, table: list, b: list, one, kids: list, of_kids: dict) -> dict:
    """``{(root piece P, skeleton S): Σ Π b(pieces other than P)}`` over the partitions of tree
    ``i`` (all trees as ids, see :func:`_tree_index`): for each child, cut its edge (its piece is
    a whole piece, its skeleton a child of the root's) or keep it (its piece joins the root piece,
    its skeleton's children join the root's skeleton)."""
    if not kids[i]:
        return {(i, i): one}
    states = {((), ()): one}
    for c in kids[i]:
        new: dict = {}
        for (pc, sc), w in states.items():
            for (pi, si), wi in table[c].items():
                ww = w * wi
                bp = b[pi]
                if bp:
                    _add(new, (pc, tuple(sorted(sc + (si,)))), ww * bp)
                _add(new, (tuple(sorted(pc + (pi,))), tuple(sorted(sc + kids[si]))), ww)
        states = new
    return {(of_kids[pc], of_kids[sc]): v for (pc, sc), v in states.items() if v}


def _solve_substitution_K(target: Mapping, base: Mapping, order: int, K) -> dict:
    """The field coefficients ``b`` with ``b ⋆ base = target`` on trees of order ``<= order``."""
    a1 = base[LEAF]
    if not a1:
        raise ParameterError("method: the coefficient of the one-node tree is zero (inconsistent method)")
    inv = K.quo(K.one, a1)
    ts, _, kids, of_kids = _tree_index(order)
    basel = [base[t] for t in ts]
    b: list = [K.zero] * len(ts)
    table: list = [None] * len(ts)
    for i, t in enumerate(ts):  # by increasing order: children and pieces come first
        tt = _partition_table(i, table, b, K.one, kids, of_kids)
        table[i] = tt
        acc = target[t]
        for (p, sk), w in tt.items():
            if p != i:
                bs = basel[sk]
                if bs:
                    acc = acc - bs * b[p] * w
        b[i] = acc * inv
    return dict(zip(ts, b))


def _substitution_K(b: Mapping, a: Mapping, order: int, K) -> dict:
    ts, _, kids, of_kids = _tree_index(order)
    bl, al = [b[t] for t in ts], [a[t] for t in ts]
    table: list = [None] * len(ts)
    out = {}
    for i, t in enumerate(ts):
        tt = _partition_table(i, table, bl, K.one, kids, of_kids)
        table[i] = tt
        out[t] = sum((al[sk] * bl[p] * w for (p, sk), w in tt.items()), K.zero)
    return out


def _composition_K(a: Mapping, b: Mapping, order: int, K) -> dict:
    table: dict = {}
    out = {}
    for t in trees_upto(order):
        if t == LEAF:
            tt = {LEAF: K.one}
        else:
            tt = {(): K.one}
            for c in t:
                new: dict = {}
                ac = a[c]
                for s, w in tt.items():
                    if ac:
                        _add(new, s, w * ac)
                    for si, wi in table[c].items():
                        _add(new, tuple(sorted(s + (si,))), w * wi)
                tt = new
        table[t] = tt
        out[t] = a[t] + sum((b[s] * w for s, w in tt.items()), K.zero)
    return out


# ----------------------------------------------------------------------------- public, SymPy values
def _to_sympy(K, d: Mapping) -> dict[Tree, sp.Expr]:
    return {t: K.to_sympy(v) for t, v in d.items()}


def _common_domain(*maps: Mapping, order: int):
    from sympy.polys.constructor import construct_domain
    need = trees_upto(order)
    vals = []
    for i, m in enumerate(maps):
        missing = [t for t in need if t not in m]
        if missing:
            raise ParameterError(f"coefficients #{i}: missing trees up to order {order}, e.g. {missing[0]!r}")
        vals.extend(safe_sympify(m[t], f"coefficients #{i}[{t!r}]") for t in need)
    syms = set().union(*(v.free_symbols for v in vals))
    K, elems = construct_domain(vals, field=True) if syms else construct_domain(vals, extension=True)
    if not K.is_Field:
        K = K.get_field()
        elems = [K.convert(e) for e in elems]
    n = len(need)
    return K, [dict(zip(need, elems[i * n:(i + 1) * n])) for i in range(len(maps))]


def rk_weights(method: MethodLike, order: int) -> dict[Tree, sp.Expr]:
    """Elementary weights ``Φ(t)`` of a Runge--Kutta method for all trees with ``|t| <= order``.

    The method has order ``p`` iff ``Φ(t) = 1/γ(t)`` for ``|t| <= p``.
    """
    K, w = _rk_weights_K(method, _check_order(order))
    return _to_sympy(K, w)


def exact_weights(order: int) -> dict[Tree, sp.Expr]:
    """B-series coefficients ``e(t) = 1/γ(t)`` of the exact flow, ``|t| <= order``."""
    return {t: sp.Rational(1, gamma(t)) for t in trees_upto(_check_order(order))}


def composition(a: Mapping[Tree, Any], b: Mapping[Tree, Any], order: int) -> dict[Tree, sp.Expr]:
    """``a·b``: the B-series of ``B(b, ·) ∘ B(a, ·)`` (first ``a``, then ``b``), ``|t| <= order``.

    ``a`` and ``b`` map trees to exact coefficients (the coefficient of the empty tree is 1).
    """
    order = _check_order(order)
    K, (aK, bK) = _common_domain(a, b, order=order)
    return _to_sympy(K, _composition_K(aK, bK, order, K))


def substitution(b: Mapping[Tree, Any], a: Mapping[Tree, Any], order: int) -> dict[Tree, sp.Expr]:
    """``b ⋆ a``: the integrator ``B(a)`` applied to the vector field ``B(b)``, ``|t| <= order``."""
    order = _check_order(order)
    K, (bK, aK) = _common_domain(b, a, order=order)
    return _to_sympy(K, _substitution_K(bK, aK, order, K))


def imde_coefficients(method: MethodLike, order: int) -> dict[Tree, sp.Expr]:
    """Tree coefficients ``b(t)``, ``|t| <= order``, of the IMDE of ``method``.

    The IMDE ``f_h = Σ_t h^(|t|−1) b(t)/σ(t) F(t)`` is the field whose numerical flow is the exact
    flow of ``f``: ``Φ_h[f_h] = φ_h[f]``, i.e. ``b ⋆ a = e`` (Zhu et al., arXiv 2206.07335;
    "modifying integrator" of Chartier, Hairer & Vilmart).  ``order`` is the largest tree order,
    so the field is known to ``h^(order−1)``.
    """
    order = _check_order(order)
    K, a = _rk_weights_K(method, order)
    return _to_sympy(K, _solve_substitution_K(_exact_K(order, K), a, order, K))


def modified_equation_coefficients(method: MethodLike, order: int) -> dict[Tree, sp.Expr]:
    """Tree coefficients ``b(t)``, ``|t| <= order``, of the modified equation of ``method``.

    ``φ_h[f̃_h] = Φ_h[f]``, i.e. ``b ⋆ e = a`` (Hairer, Lubich & Wanner IX.9; CHV 2010).
    """
    order = _check_order(order)
    K, a = _rk_weights_K(method, order)
    return _to_sympy(K, _solve_substitution_K(a, _exact_K(order, K), order, K))


def method_order(method: MethodLike, max_order: int = 10) -> int:
    """Classical order: the largest ``p <= max_order`` with ``Φ(t) = 1/γ(t)`` for all ``|t| <= p``
    (a linear multistep method: from its error constants)."""
    from .multistep import MULTISTEP_NAMES, LinearMultistep, multistep

    if isinstance(method, LinearMultistep) or (isinstance(method, str) and method.lower() in MULTISTEP_NAMES):
        return multistep(method).order(_check_order(max_order, "max_order"))
    max_order = _check_order(max_order, "max_order")
    K, a = _rk_weights_K(method, max_order)
    e = _exact_K(max_order, K)
    for n in range(1, max_order + 1):
        if any(a[t] != e[t] for t in trees(n)):
            return n - 1
    return max_order


def is_symplectic(method: MethodLike | Mapping[Tree, Any], order: int | None = None) -> bool:
    """Whether an integrator is symplectic.

    For a tableau (or name): Cooper's condition ``b_i a_ij + b_j a_ji − b_i b_j = 0`` for all
    ``i, j``, decided exactly.  For a mapping of integrator B-series coefficients ``a`` (with
    ``order`` given): ``a(u∘v) + a(v∘u) = a(u) a(v)`` for all ``|u| + |v| <= order`` (HLW VI.7.2).
    """
    if isinstance(method, Mapping):
        order = _check_order(order if order is not None else 0, "order", low=2)
        K, (aK,) = _common_domain(method, order=order)
        for n in range(2, order + 1):
            for k in range(1, n):
                for u in trees(k):
                    for v in trees(n - k):
                        if aK[butcher_product(u, v)] + aK[butcher_product(v, u)] != aK[u] * aK[v]:
                            return False
        return True
    tab = as_tableau(method)
    K, A, b = tab.domain
    s = tab.stages
    return all(b[i] * A[i][j] + b[j] * A[j][i] - b[i] * b[j] == K.zero
               for i in range(s) for j in range(s))
