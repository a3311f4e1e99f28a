"""Rooted trees, in the canonical form used throughout :mod:`symrmt.odes`.

A rooted tree is the sorted tuple of the subtrees hanging from its root: the single node ``•``
is ``()``, ``[•]`` is ``((),)``, the bushy tree ``[•, •]`` is ``((), ())``.  Because children are
sorted recursively, equal trees have equal tuples, so trees are dictionary keys and memoization is
exact.  Order ``|t|`` (number of nodes), symmetry ``σ(t)`` and density ``γ(t)`` follow Hairer,
Lubich & Wanner, *Geometric Numerical Integration* (III.1):

    σ(•) = γ(•) = 1,   σ([t1^m1 … tk^mk]) = Π m_i! σ(t_i)^m_i,   γ(t) = |t| Π γ(t_i).

The number of trees of order 1..10 is 1, 1, 2, 4, 9, 20, 48, 115, 286, 719 (OEIS A000081).
"""
from __future__ import annotations

from functools import lru_cache
from math import factorial
from typing import Iterator

from .._checks import integer

__all__ = ["Tree", "LEAF", "trees", "trees_upto", "order", "sigma", "gamma", "butcher_product",
           "make_tree", "tree_str", "is_tree"]

Tree = tuple
LEAF: Tree = ()


def make_tree(*children: Tree) -> Tree:
    """The tree ``[children…]`` in canonical form."""
    return tuple(sorted(children))


def is_tree(t: object) -> bool:
    """True when ``t`` is a tree in canonical form."""
    if not isinstance(t, tuple):
        return False
    return all(is_tree(c) for c in t) and list(t) == sorted(t)


@lru_cache(maxsize=None)
def order(t: Tree) -> int:
    """Number of nodes ``|t|``."""
    return 1 + sum(order(c) for c in t)


@lru_cache(maxsize=None)
def sigma(t: Tree) -> int:
    """Symmetry coefficient ``σ(t)`` (order of the automorphism group)."""
    out = 1
    i = 0
    while i < len(t):
        j = i
        while j < len(t) and t[j] == t[i]:
            j += 1
        out *= factorial(j - i) * sigma(t[i]) ** (j - i)
        i = j
    return out


@lru_cache(maxsize=None)
def gamma(t: Tree) -> int:
    """Density ``γ(t)``; the exact flow has B-series coefficients ``1/γ(t)``."""
    out = order(t)
    for c in t:
        out *= gamma(c)
    return out


def butcher_product(u: Tree, v: Tree) -> Tree:
    """``u ∘ v``: graft ``v`` onto the root of ``u``."""
    return tuple(sorted(u + (v,)))


def _forests(total: int, max_index: int, pool: list[Tree]) -> Iterator[tuple[Tree, ...]]:
    """Multisets of trees from ``pool[:max_index + 1]`` with ``total`` nodes (non-increasing index)."""
    if total == 0:
        yield ()
        return
    for i in range(max_index, -1, -1):
        n = order(pool[i])
        if n <= total:
            for rest in _forests(total - n, i, pool):
                yield (pool[i],) + rest


@lru_cache(maxsize=None)
def trees(n: int) -> tuple[Tree, ...]:
    """All rooted trees with ``n`` nodes, each once, in canonical form (sorted)."""
    n = integer("n (tree order)", n, low=1)
    if n == 1:
        return (LEAF,)
    pool = [t for k in range(1, n) for t in trees(k)]
    return tuple(sorted({tuple(sorted(f)) for f in _forests(n - 1, len(pool) - 1, pool)}))


def trees_upto(n: int) -> list[Tree]:
    """All trees of order ``1..n``, by increasing order."""
    return [t for k in range(1, n + 1) for t in trees(k)]


def tree_str(t: Tree) -> str:
    """Bracket notation: ``•``, ``[•]``, ``[•,[•]]``."""
    if not t:
        return "•"
    return "[" + ",".join(tree_str(c) for c in t) + "]"
