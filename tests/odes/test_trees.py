"""Rooted trees: counts (OEIS A000081), symmetry and density against classical identities."""
from math import factorial

import pytest

from symrmt.odes import trees as T


def test_tree_counts_orders_1_to_10():
    assert [len(T.trees(n)) for n in range(1, 11)] == [1, 1, 2, 4, 9, 20, 48, 115, 286, 719]


@pytest.mark.parametrize("n", range(1, 9))
def test_trees_are_canonical_and_distinct(n):
    ts = T.trees(n)
    assert len(set(ts)) == len(ts)
    assert all(T.is_tree(t) and T.order(t) == n for t in ts)


@pytest.mark.parametrize("n", range(1, 10))
def test_cayley_count_of_labelled_rooted_trees(n):
    # Σ_{|t|=n} n!/σ(t) = n^(n-1) labelled rooted trees (Cayley); independent of the enumeration.
    assert sum(factorial(n) // T.sigma(t) for t in T.trees(n)) == n ** (n - 1)


@pytest.mark.parametrize("n", range(1, 10))
def test_monotone_labellings_sum_to_factorial(n):
    # α(t) = n!/(σ(t)γ(t)) counts heap-ordered labellings; Σ_{|t|=n} α(t) = (n-1)!  (HLW III.1).
    assert sum(factorial(n) // (T.sigma(t) * T.gamma(t)) for t in T.trees(n)) == factorial(n - 1)


def test_small_values():
    leaf = T.LEAF
    bush3 = T.make_tree(leaf, leaf)
    tall3 = T.make_tree(T.make_tree(leaf))
    assert (T.sigma(bush3), T.gamma(bush3)) == (2, 3)
    assert (T.sigma(tall3), T.gamma(tall3)) == (1, 6)
    assert T.sigma(T.make_tree(leaf, leaf, leaf)) == 6
    assert T.butcher_product(T.make_tree(leaf), leaf) == bush3
    assert T.tree_str(T.make_tree(leaf, T.make_tree(leaf))) == "[•,[•]]"


def test_bad_order():
    with pytest.raises(ValueError, match="n"):
        T.trees(0)
