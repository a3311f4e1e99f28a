"""Selection of the physical factor of a reducible polynomial ``P(m, z)`` (the polynomial method).

A resultant or a substitution is in general reducible; :func:`select_factor` keeps the irreducible
factor the physical law satisfies, chosen automatically by matching the moment series the operation
predicts (free cumulants add, S-transforms multiply, ...), computed exactly at a rational
parameter point (Rao & Edelman 2008, "The polynomial method for random matrices", §4).  Works on
polynomials only: no law object is built here.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import sympy as sp

from ..errors import DerivationError
from . import series as ser
from .parsing import safe_sympify
from .symbols import m, z
from .transforms import _series_coefficients

__all__ = ["select_factor", "Expected"]

#: ``expected(point, order)``: the moment series ``m_0..m_order`` (exact rationals) the physical
#: factor must annihilate at a rational parameter point.
Expected = Callable[[Mapping[sp.Symbol, Any], int], list]

_MATCH_ORDER = 8


def _sample_points(params: Sequence[sp.Symbol], count: int = 4) -> list[dict]:
    """Deterministic 'generic' rational points (values in (0, 1), sign from assumptions)."""
    base = [sp.Rational(3, 7), sp.Rational(5, 11), sp.Rational(7, 13), sp.Rational(11, 17),
            sp.Rational(13, 19), sp.Rational(17, 23), sp.Rational(19, 29), sp.Rational(23, 31)]
    pts = []
    for k in range(count):
        pt = {}
        for i, s in enumerate(params):
            v = base[(i + 3 * k) % len(base)] / (1 + k)
            pt[s] = -v if s.is_negative or s.is_nonpositive else v
        pts.append(pt)
    return pts


def _vanishes(poly: sp.Poly, mom: list, order: int) -> bool:
    """Whether ``w^N P(-w M, 1/w)`` vanishes to order ``order`` for the moment series ``mom``."""
    q, _ = _series_coefficients(poly, sp.QQ)
    dom = sp.QQ
    M = list(mom[: order + 1])
    pw = ser.powers(M, len(q) - 1, order, dom.zero, dom.one)
    total = [dom.zero] * (order + 1)
    for qi, pi in zip(q, pw):
        prod = ser.mul(qi, pi, order, dom.zero)
        total = [a + b for a, b in zip(total, prod)]
    return not any(total)


def _has_unit_mass_branch(poly: sp.Poly) -> bool:
    q, _ = _series_coefficients(poly, sp.QQ)
    return sum((qi[0] for qi in q), sp.QQ.zero) == 0


def select_factor(expr: sp.Expr | sp.Poly, expected: Expected | None, what: str = "result") -> sp.Poly:
    """Return the irreducible factor of ``expr`` (a polynomial in m, z, parameters) that the
    physical law satisfies.

    Candidates are the factors that involve ``m``; at a generic rational parameter point those
    without a branch ``m ~ -1/z`` are discarded, and if several remain, the one annihilating the
    ``expected`` moment series (to order 8, exactly in ℚ) is kept.  Raises
    :class:`~symrmt.errors.DerivationError` when no factor or more than one factor qualifies.
    """
    if not (isinstance(expr, sp.Poly) and expr.gens[:2] == (m, z)):
        num, _ = sp.fraction(sp.together(safe_sympify(expr, what)))
        num = sp.expand(num)
        params = sorted(num.free_symbols - {m, z}, key=lambda s: s.name)
        expr = sp.Poly(num, m, z, *params)
    params = list(expr.gens[2:])
    _, facs = expr.factor_list()
    cands = [f for f, _ in facs if f.degree(m) > 0]
    if not cands:
        raise DerivationError(f"{what}: the polynomial does not involve m")
    if len(cands) == 1 and expected is None:
        return cands[0]
    last_error: Exception | None = None
    for pt in _sample_points(params):
        try:
            polys = [sp.Poly(f.eval(pt) if pt else f, m, z, domain=sp.QQ) for f in cands]
        except (sp.PolificationFailed, sp.CoercionFailed, ZeroDivisionError) as exc:  # pragma: no cover
            last_error = exc
            continue
        alive = [i for i, p in enumerate(polys) if p.degree(m) > 0 and _has_unit_mass_branch(p)]
        if expected is not None:
            try:
                mom = expected(pt, _MATCH_ORDER)
            except (ZeroDivisionError, DerivationError) as exc:
                last_error = exc
                mom = None
            if mom is not None:
                alive = [i for i in alive if _vanishes(polys[i], mom, _MATCH_ORDER)]
                if len(alive) == 1:
                    return cands[alive[0]]
                if not alive:
                    raise DerivationError(f"{what}: no factor of the polynomial matches the predicted moment series")
                continue
        if len(alive) == 1:
            return cands[alive[0]]
        if not alive:
            raise DerivationError(f"{what}: no factor has the branch m ~ -1/z of a probability law")
    raise DerivationError(
        f"{what}: could not single out the physical factor among {len(cands)} candidates"
        + (f" ({last_error})" if last_error else "")
    )
