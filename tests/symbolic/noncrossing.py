"""Independent combinatorial references for free probability (test-only).

Non-crossing partitions are enumerated by brute force over all set partitions; the
moment–cumulant formula m_n = Σ_{π ∈ NC(n)} Π_{B ∈ π} κ_|B| and the free-product formula
m_n(ab) = Σ_{π ∈ NC(n)} κ_π[a] m_{K(π)}[b] (Nica & Speicher, Lecture 14), with the Kreweras
complement K(π) = π^{-1} ∘ (1 2 … n) as a permutation, are written here from scratch.
"""
from __future__ import annotations

from functools import lru_cache
from math import prod


def set_partitions(n):
    if n == 0:
        yield []
        return
    for part in set_partitions(n - 1):
        for i in range(len(part)):
            yield part[:i] + [part[i] + [n - 1]] + part[i + 1:]
        yield part + [[n - 1]]


def is_noncrossing(part):
    block = {}
    for bi, b in enumerate(part):
        for x in b:
            block[x] = bi
    n = len(block)
    for a in range(n):
        for b in range(a + 1, n):
            for c in range(b + 1, n):
                for d in range(c + 1, n):
                    if block[a] == block[c] and block[b] == block[d] and block[a] != block[b]:
                        return False
    return True


@lru_cache(maxsize=None)
def noncrossing(n):
    return tuple(tuple(tuple(sorted(b)) for b in p) for p in set_partitions(n) if is_noncrossing(p))


def moments_from_cumulants(kappa, n):
    """m_1..m_n from free cumulants kappa[1..] (kappa[0] unused)."""
    return [sum(prod(kappa[len(b)] for b in p) for p in noncrossing(k)) for k in range(1, n + 1)]


def kreweras_block_sizes(part, n):
    perm = {}
    for b in part:
        bs = sorted(b)
        for i, x in enumerate(bs):
            perm[x] = bs[(i + 1) % len(bs)]
    inv = {v: k for k, v in perm.items()}
    sigma = {i: inv[(i + 1) % n] for i in range(n)}  # π^{-1} ∘ γ
    seen, sizes = set(), []
    for i in range(n):
        if i in seen:
            continue
        length, j = 0, i
        while j not in seen:
            seen.add(j)
            j = sigma[j]
            length += 1
        sizes.append(length)
    return sizes


def product_moments(kappa_a, mom_b, n):
    """m_1..m_n of a·b (a, b free) from free cumulants of a and moments of b (mom_b[0] = 1)."""
    out = []
    for k in range(1, n + 1):
        tot = 0
        for p in noncrossing(k):
            tot += prod(kappa_a[len(b)] for b in p) * prod(mom_b[s] for s in kreweras_block_sizes(p, k))
        out.append(tot)
    return out


def cumulants_from_moments(mom, n):
    """Inverse of moments_from_cumulants by triangular solve (mom[0] = 1)."""
    kappa = [1]
    for k in range(1, n + 1):
        kappa.append(0)
        rest = sum(prod(kappa[len(b)] for b in p) for p in noncrossing(k) if len(p) > 1)
        kappa[k] = mom[k] - rest
    return kappa
