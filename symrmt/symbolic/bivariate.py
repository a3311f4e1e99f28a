"""Exact substitutions on polynomials in two leading variables, done on exponent dictionaries.

The conversions between the (m, z), (R, w) and (S, u) forms of an algebraic law (Rao & Edelman
2008 §3) are substitutions of the type ``X → a X^α Y^β (1 + Y X)^k``.  Expanding them as
SymPy expressions is slow; here a polynomial is a dict ``{(i, j, *e): c}`` over the exponents
of its two leading variables and of the parameters (``e``), coefficients in a SymPy domain, and
each substitution is a *rule* ``(i, j) -> [((i', j', ...), multiplier), ...]`` applied term by term.
"""
from __future__ import annotations

from math import comb
from typing import Callable, Iterable, Sequence

import sympy as sp

Rule = Callable[[int, int], Iterable[tuple[tuple[int, ...], int]]]


def law_terms(poly: sp.Poly, params: Sequence[sp.Symbol]) -> tuple[dict, object]:
    """``(terms, domain)`` of a Poly in (X, Y) whose coefficients involve ``params``.

    Keys are ``(i, j, e_1, ..., e_k)`` with ``e`` the exponents of ``params`` in that order.
    """
    full = sp.Poly(poly.as_expr(), *poly.gens, *params)
    return full.as_dict(native=True), full.domain


def unify(*pairs: tuple[dict, object]) -> tuple[list[dict], object]:
    """Bring several ``(terms, domain)`` pairs to one common domain."""
    dom = pairs[0][1]
    for _, d in pairs[1:]:
        dom = dom.unify(d)
    return [{k: dom.convert_from(v, d) for k, v in t.items()} for t, d in pairs], dom


def substitute(terms: dict, rule: Rule, lead: int = 2) -> dict:
    """Apply ``rule`` to the first ``lead`` exponents of every term; sum equal monomials."""
    out: dict = {}
    for key, c in terms.items():
        head, rest = key[:lead], key[lead:]
        for new, mult in rule(*head):
            k = tuple(new) + rest
            v = out.get(k)
            out[k] = c * mult if v is None else v + c * mult
    return {k: v for k, v in out.items() if v}


def strip_monomial(terms: dict, lead: int = 2) -> dict:
    """Divide by the largest monomial in the first ``lead`` variables dividing every term."""
    low = [min(k[i] for k in terms) for i in range(lead)]
    if not any(low):
        return terms
    return {tuple(e - l for e, l in zip(k[:lead], low)) + k[lead:]: c for k, c in terms.items()}


def to_poly(terms: dict, gens: Sequence[sp.Symbol], domain) -> sp.Poly:
    return sp.Poly.from_dict(terms, *gens, domain=domain)


def _degree(terms: dict, pos: int) -> int:
    return max(k[pos] for k in terms)


# ---------------------------------------------------------------- the four conversions
def mz_to_rw(terms: dict) -> dict:
    """P(m → -w, z → R + 1/w) · w^D  (D = deg_z P): keys (R, w, ...)."""
    D = _degree(terms, 1)

    def rule(i, j):
        sign = -1 if i % 2 else 1
        return [((k, i + D - j + k), sign * comb(j, k)) for k in range(j + 1)]

    return substitute(terms, rule)


def mz_to_su(terms: dict) -> dict:
    """P(m → -u S, z → (u + 1)/(u S)) · (u S)^D: keys (S, u, ...)."""
    D = _degree(terms, 1)

    def rule(i, j):
        sign = -1 if i % 2 else 1
        e = i + D - j
        return [((e, e + k), sign * comb(j, k)) for k in range(j + 1)]

    return substitute(terms, rule)


def rw_to_mz(terms: dict) -> dict:
    """L(R → z + 1/m, w → -m) · m^K  (K = deg_R L): keys (m, z, ...)."""
    K = _degree(terms, 0)

    def rule(k, l):
        sign = -1 if l % 2 else 1
        return [((l + K - k + a, a), sign * comb(k, a)) for a in range(k + 1)]

    return substitute(terms, rule)


def su_to_mz(terms: dict) -> dict:
    """L(S → m/(1 + z m), u → -1 - z m) · (1 + z m)^K  (K = deg_S L): keys (m, z, ...)."""
    K = _degree(terms, 0)

    def rule(k, l):
        sign = -1 if l % 2 else 1
        n = K - k + l
        return [((k + a, a), sign * comb(n, a)) for a in range(n + 1)]

    return substitute(terms, rule)


def as_t(terms: dict) -> dict:
    """Rename the first variable to a new leading ``t``: keys (X, Y, ...) -> (t=X, 0, Y, ...)."""
    return substitute(terms, lambda k, l: [((k, 0, l), 1)])


def shifted(terms: dict) -> dict:
    """L(R - t, w): keys (t, R, w, ...)."""
    return substitute(terms, lambda k, l: [((k - a, a, l), comb(k, a) * (-1) ** (k - a)) for a in range(k + 1)])


def scaled_inverse(terms: dict) -> dict:
    """t^{deg_S L} L(S/t, u): keys (t, S, u, ...)."""
    d = _degree(terms, 0)
    return substitute(terms, lambda k, l: [((d - k, k, l), 1)])


