"""Exact transforms of algebraic laws: moments, free cumulants, Stieltjes series, R and S.

Conventions (docs/architecture.md; Rao & Edelman 2008 §3–4):

* ``m(z) = ∫ ρ(x)/(x - z) dx = -Σ_{k≥0} m_k z^{-k-1}`` at infinity (``m_0 = 1``).
* R-transform: ``G(R(w) + 1/w) = w`` with ``G = -m``; ``R(w) = Σ_{k≥1} κ_k w^{k-1}``.
  Implicit form: ``L_R(R, w) = P(m → -w, z → R + 1/w)``.
* S-transform (Voiculescu): ``ψ(u) = Σ_{k≥1} m_k u^k``, ``χ = ψ^{-1}``,
  ``S(u) = χ(u)(1 + u)/u``.  Implicit form: ``L_S(S, u) = P(m → -u S, z → (u + 1)/(u S))``.

Every series is computed exactly by the implicit-function recursion in
:mod:`symrmt.symbolic.series`, with coefficients in the field ``QQ(parameters)``.  The functions
take any object with ``polynomial`` and ``parameters`` (an :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw`);
this module builds no law.  The inverse maps (a law from its R- or S-transform) are
:func:`symrmt.symbolic.from_transforms.from_r_transform` and ``from_s_transform``.
"""
from __future__ import annotations

from typing import Any, Mapping

import sympy as sp

from ..errors import DerivationError, ParameterError
from . import bivariate as bv
from . import series as ser
from .symbols import R, S, m, u, w, z

__all__ = [
    "moments",
    "free_cumulants",
    "stieltjes_series",
    "r_polynomial",
    "s_polynomial",
    "r_transform",
    "s_transform",
    "numeric_moment_series",
]


# ---------------------------------------------------------------------- series at infinity
def _series_coefficients(poly: sp.Poly, domain) -> tuple[list[list], int]:
    """Coefficients q_i(w) of ``w^N P(-w M, 1/w) = Σ_i q_i(w) M^i`` as series over ``domain``."""
    terms = poly.terms()
    shift = max(j - i for (i, j), _ in terms)
    shift = max(shift, 0)
    deg_m = poly.degree(m)
    width = max(i - j + shift for (i, j), _ in terms) + 1
    q = [[domain.zero] * width for _ in range(deg_m + 1)]
    for (i, j), c in terms:
        val = domain.from_sympy(c)
        if i % 2:
            val = -val
        q[i][i - j + shift] = q[i][i - j + shift] + val
    return q, shift


class _NotSimple(DerivationError):
    """The branch ``M(0) = 1`` is a multiple root of ``Σ q_i(0) M^i`` (branches separate later)."""


def _moment_series(poly: sp.Poly, order: int, domain) -> list:
    q, _ = _series_coefficients(poly, domain)
    q = [qi + [domain.zero] * max(0, order + 1 - len(qi)) for qi in q]
    one = domain.one
    # the physical branch: M(0) = m_0 = 1 (total mass one)
    q0 = sum((qi[0] for qi in q), domain.zero)
    if q0:
        raise DerivationError(
            "the polynomial has no branch with m(z) ~ -1/z at infinity (total mass 1); "
            "is it the minimal polynomial of a probability law?"
        )
    try:
        return ser.implicit(q, one, order, domain.zero, one)
    except ZeroDivisionError:
        raise _NotSimple(
            "the branch m ~ -1/z at infinity is not a simple root of the polynomial; "
            "reduce the polynomial to its irreducible physical factor first"
        ) from None


#: Hankel size used to tell the physical branch from the others (moments m_0..m_{2·size-2})
_HANKEL_SIZE = 7
#: substitution steps M = c + w M' tried before giving up on separating the branches
_MAX_SPLITS = 8


def _physical_series(law, order: int) -> tuple[list, Any]:
    """``[m_0..m_order]`` of the physical branch and the field they lie in.

    The simple case is the implicit-function recursion over ``QQ(parameters)``.  When several
    branches of ``P`` behave as ``-1/z`` at infinity (they separate at a higher order, e.g. a
    Möbius image ``(pX + q)/(rX + s)`` with ``r ≠ 0``), the branches are separated by the
    Newton–Puiseux substitutions ``M = c_0 + … + c_k w^k + w^{k+1} M'`` (their moments may be
    irrational algebraic numbers: the field grows to contain them), and the physical one is the
    only one whose Hankel matrices ``(m_{i+j})`` are positive semidefinite (a moment sequence of
    a probability law must have them so; the others are shown not to by a negative leading minor
    at 60 digits).  This needs numeric parameters.
    """
    poly = law.polynomial
    field = _field_of(poly)
    try:
        return _moment_series(poly, order, field), field
    except _NotSimple:
        if law.parameters:
            raise DerivationError(
                "the branch m ~ -1/z at infinity is shared by several branches of the polynomial; their "
                "moments are algebraic functions of the parameters "
                f"{[s.name for s in law.parameters]}: bind them (law.subs(...)) to get exact moments") from None
    q, _ = _series_coefficients(sp.Poly(poly.as_expr(), m, z, domain=sp.QQ), sp.QQ)
    terms = {(i, j): c for i, qi in enumerate(q) for j, c in enumerate(qi) if c}
    need = max(order, 2 * _HANKEL_SIZE - 2)
    branches = _branches(terms, sp.QQ, [], sp.QQ.one, need, 0)
    alive = [(series, dom) for series, dom in branches if _hankel_ok(series, dom)]
    if len(alive) != 1:
        raise DerivationError(
            f"the {len(branches)} branch(es) of the polynomial with m ~ -1/z at infinity could not be told "
            f"apart ({len(alive)} pass the Hankel positivity test of a moment sequence to order "
            f"{2 * _HANKEL_SIZE - 2})")
    series, dom = alive[0]
    return series[: order + 1], dom


def _branches(terms: dict, dom, prefix: list, c, order: int, depth: int) -> list[tuple[list, Any]]:
    """Series ``M = Σ prefix_j w^j + w^k Y`` (``k = len(prefix)``, ``Y(0) = c``) of the branches
    of ``Σ terms[i, j] Y^i w^j = 0`` through ``c``, each with the field of its coefficients."""
    slope = sum((i * a * c ** (i - 1) for (i, j), a in terms.items() if j == 0 and i), dom.zero)
    if slope:
        width = max(j for _, j in terms) + 1
        deg = max(i for i, _ in terms)
        q = [[dom.zero] * max(width, order + 1) for _ in range(deg + 1)]
        for (i, j), a in terms.items():
            q[i][j] = a
        rest = ser.implicit(q, c, order - len(prefix), dom.zero, dom.one)
        return [(prefix + rest, dom)]
    if depth >= _MAX_SPLITS:
        raise DerivationError(f"the branches with m ~ -1/z at infinity agree beyond {depth} terms; "
                              "the polynomial is probably not the minimal polynomial of its law")
    # Y = c + w Y': Σ a (c + w Y')^i w^j, divided by the lowest power of w
    new: dict = {}
    for (i, j), a in terms.items():
        for l in range(i + 1):
            key = (l, j + l)
            new[key] = new.get(key, dom.zero) + a * int(sp.binomial(i, l)) * c ** (i - l)
    new = {k: a for k, a in new.items() if a}
    low = min(j for _, j in new)
    new = {(i, j - low): a for (i, j), a in new.items()}
    y = sp.Dummy("y")
    head = sp.Poly(sum((dom.to_sympy(a) * y**i for (i, j), a in new.items() if j == 0), sp.Integer(0)), y,
                   domain=dom)
    out = []
    for root, inside in _real_roots(head, dom, y):
        if inside:
            out += _branches(new, dom, prefix + [c], root, order, depth + 1)
            continue
        sub = sp.QQ.algebraic_field(*getattr(dom, "orig_ext", ()), root)
        moved = {k: sub.from_sympy(dom.to_sympy(a)) for k, a in new.items()}
        pre = [sub.from_sympy(dom.to_sympy(x)) for x in prefix + [c]]
        out += _branches(moved, sub, pre, sub.from_sympy(root), order, depth + 1)
    return out


def _real_roots(head: sp.Poly, dom, y) -> list[tuple[Any, bool]]:
    """Real roots of ``head`` as ``(root, in dom)``: elements of ``dom`` for its linear factors,
    SymPy algebraic numbers otherwise (a moment of a real law is real: complex roots are dropped)."""
    if head.degree() < 1:
        return []
    roots = []
    for fac, _ in head.factor_list()[1]:
        if fac.degree() == 1:
            roots.append((dom.from_sympy(-fac.nth(0) / fac.LC()), True))
        elif dom == sp.QQ:
            roots += [(r, False) for r in sp.Poly(fac.as_expr(), y, domain=sp.QQ).real_roots()]
        else:
            raise DerivationError("the branches with m ~ -1/z at infinity split again in an extension of "
                                  f"{dom}; this is not supported")
    return roots


def _hankel_ok(series: list, dom) -> bool:
    """False when a leading minor of the Hankel matrix ``(m_{i+j})`` is negative (to 60 digits)."""
    import mpmath

    with mpmath.workdps(60):
        mom = [mpmath.mpmathify(sp.N(dom.to_sympy(x), 60)) for x in series[: 2 * _HANKEL_SIZE - 1]]
        if any(abs(mpmath.im(x)) > mpmath.mpf(10) ** -40 for x in mom):
            return False
        mom = [mpmath.re(x) for x in mom]
        size = max(1.0, max(abs(x) for x in mom))
        for n in range(1, _HANKEL_SIZE + 1):
            det = mpmath.det(mpmath.matrix([[mom[i + j] for j in range(n)] for i in range(n)]))
            if det < -mpmath.mpf(10) ** -40 * size ** (2 * n):
                return False
    return True


def _field_of(poly: sp.Poly):
    dom = poly.domain
    if dom.is_PolynomialRing or dom.is_FractionField:
        return dom.get_field()
    if dom.is_Field:
        return dom
    return dom.get_field()


def moment_series(law, order: int) -> list[sp.Expr]:
    """``[m_0, m_1, ..., m_order]`` as SymPy expressions (cached on the law)."""
    cached = getattr(law, "_moment_cache", None)
    if cached is not None and len(cached) > order:
        return cached[: order + 1]
    raw, field = _physical_series(law, order)
    out = [sp.factor(field.to_sympy(c)) if law.parameters else field.to_sympy(c) for c in raw]
    law._moment_cache = out
    return out


def _check_order(k: Any, name: str = "k") -> int:
    """``k`` as a positive int within :attr:`symrmt.limits.Limits.max_moment_order`."""
    from ..limits import check_moment_order

    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ParameterError(f"{name}: must be a positive integer, got {k!r}")
    return check_moment_order(k, name)


def moments(law, k: int) -> list[sp.Expr]:
    """Exact moments ``[m_1, ..., m_k]`` of ``law``, ``m_j = ∫ x^j ρ(dx)``.

    From the expansion at infinity ``m(z) = -Σ m_j z^{-j-1}`` of the physical branch of
    ``P(m, z) = 0`` (Rao & Edelman 2008 §4.1), by the implicit-function recursion.
    """
    k = _check_order(k)
    return moment_series(law, k)[1:]


def free_cumulants(law, k: int) -> list[sp.Expr]:
    """Exact free cumulants ``[κ_1, ..., κ_k]`` (``M(w) = C(w M(w))``; Speicher 1994)."""
    k = _check_order(k)
    mom, field = _physical_series(law, k)
    kap = ser.moments_to_cumulants(mom, k, field.zero, field.one)
    conv = sp.factor if law.parameters else (lambda e: e)
    return [conv(field.to_sympy(c)) for c in kap[1:]]


def stieltjes_series(law, order: int) -> sp.Expr:
    """``-Σ_{j=0}^{order} m_j z^{-j-1}``: the physical branch at infinity."""
    order = _check_order(order, "order") if order else 0
    mom = moment_series(law, order)
    return -sum(mj * z ** (-j - 1) for j, mj in enumerate(mom))


def numeric_moment_series(poly: sp.Poly, point: Mapping[sp.Symbol, Any], order: int) -> list:
    """Moments ``m_0..m_order`` (exact rationals) of ``poly`` with every parameter bound by ``point``."""
    expr = poly.as_expr().subs(point)
    p = sp.Poly(expr, m, z, domain=sp.QQ) if not (expr.free_symbols - {m, z}) else None
    if p is None:
        raise DerivationError(f"parameters {sorted(map(str, expr.free_symbols - {m, z}))} are not bound")
    return _moment_series(p, order, sp.QQ)


# ---------------------------------------------------------------------- R and S forms
def _clear(expr: sp.Expr, *gens: sp.Symbol) -> sp.Poly:
    num, _ = sp.fraction(sp.together(expr))
    return sp.Poly(sp.expand(num), *gens)


def _converted(law, conversion, gens) -> sp.Poly:
    params = law.parameters
    terms, dom = bv.law_terms(law.polynomial, params)
    full = bv.to_poly(conversion(terms), (*gens, *params), dom)
    return sp.Poly(full.as_expr(), *gens) if params else full


def r_polynomial(law) -> sp.Poly:
    """Implicit R-transform: ``L_R(R, w) = P(m → -w, z → R + 1/w)`` with denominators cleared."""
    return _converted(law, bv.mz_to_rw, (R, w))


def s_polynomial(law) -> sp.Poly:
    """Implicit S-transform: ``L_S(S, u) = P(m → -u S, z → (u + 1)/(u S))``, denominators cleared."""
    return _converted(law, bv.mz_to_su, (S, u))


def _strip(poly: sp.Poly, var: sp.Symbol, arg: sp.Symbol) -> sp.Poly:
    """Drop factors of the implicit polynomial that do not involve the transform's value."""
    _, facs = sp.factor_list(poly.as_expr())
    # factors free of the value, and the trivial factor ``var`` itself (a transform is not 0)
    keep = [f**e for f, e in facs if f.has(var) and f != var]
    return sp.Poly(sp.Mul(*keep), var, arg)


def _explicit(poly: sp.Poly, var: sp.Symbol, arg: sp.Symbol, first_terms: list[sp.Expr]) -> sp.Expr | sp.Poly:
    """Solve the implicit polynomial for ``var`` when linear or quadratic; pick the root whose
    expansion at ``arg = 0`` starts with ``first_terms``; else return the Poly."""
    deg = poly.degree(var)
    if deg == 1:
        a1, a0 = poly.as_expr().coeff(var, 1), poly.as_expr().coeff(var, 0)
        return sp.factor(sp.cancel(-a0 / a1))
    if deg != 2:
        return poly
    target = sum(c * arg**i for i, c in enumerate(first_terms))
    for root in sp.solve(poly.as_expr(), var):
        ser_root = sp.series(root, arg, 0, len(first_terms)).removeO()
        if sp.simplify(sp.expand(ser_root - target)) == 0:
            return sp.simplify(root)
    return poly


def r_transform(law) -> sp.Expr | sp.Poly:
    """The R-transform ``R(w)`` of ``law``.

    Returns an explicit SymPy expression in ``w`` when the implicit polynomial ``L_R(R, w)``
    is linear or quadratic in ``R`` (the branch with ``R(0) = κ_1``), else the Poly in ``(R, w)``.
    """
    poly = _strip(r_polynomial(law), R, w)
    kap = free_cumulants(law, 3) if poly.degree(R) == 2 else []
    return _explicit(poly, R, w, kap)


def s_transform(law) -> sp.Expr | sp.Poly:
    """The S-transform ``S(u)`` of ``law`` (Voiculescu; needs a non-zero mean for the series).

    Explicit when ``L_S(S, u)`` is linear or quadratic in ``S`` (the branch with
    ``S(0) = 1/m_1``), else the Poly in ``(S, u)``.
    """
    poly = _strip(s_polynomial(law), S, u)
    if poly.degree(S) == 2:
        mom = moments(law, 3)
        if mom[0] == 0:
            return poly
        # S = 1/m1 - (m2 - m1^2)/m1^3 u + ... from χ = ψ^{-1}
        one = sp.Integer(1)
        chi = ser.reversion([0] + list(mom), 3, sp.Integer(0), one)
        # S(u) = χ(u)(1+u)/u
        coeffs = [sp.simplify(c) for c in ser.mul(chi[1:] + [0], [one, one], 2, sp.Integer(0))]
        return _explicit(poly, S, u, coeffs[:2])
    return _explicit(poly, S, u, [])
