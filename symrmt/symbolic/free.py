"""Free operations on algebraic laws by resultants (the polynomial method).

Rao & Edelman 2008, "The polynomial method for random matrices", Found. Comput. Math. 8:649-702:

* ``A ⊞ B``: ``L^C_R(R, w) = Res_t[L^A_R(t, w), L^B_R(R - t, w)]`` (R-transforms add);
* ``A ⊠ B``: ``L^C_S(S, u) = Res_t[L^A_S(t, u), t^{deg_S L^B} L^B_S(S/t, u)]`` (S-transforms multiply);
* Möbius maps ``x ↦ (p x + q)/(r x + s)`` (shift, scale, inverse) by substitution;
* ``⊞``-powers ``R ↦ t R``; Silverstein's sample-covariance substitution; free compression.

A resultant is in general reducible; :func:`symrmt.symbolic.factors.select_factor` keeps the
irreducible factor the physical law satisfies, chosen automatically by matching the moment series
the operation predicts (free cumulants add, S-transforms multiply), computed exactly at a rational
parameter point.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..errors import DerivationError, ParameterError
from . import bivariate as bv
from . import series as ser
from .algebraic_law import AlgebraicLaw, Construction, constraint
from .classical_laws import marchenko_pastur
from .factors import Expected, select_factor
from .parsing import safe_sympify, to_exact
from .symbols import R, S, m, u, w, z
from .transforms import numeric_moment_series, r_polynomial

__all__ = ["free_add", "free_multiply", "mobius", "free_power", "sample_covariance", "compress"]


# ---------------------------------------------------------------------- helpers
def _check_law(obj: Any, name: str) -> AlgebraicLaw:
    if not isinstance(obj, AlgebraicLaw):
        raise ParameterError(f"{name}: expected an AlgebraicLaw, got {type(obj).__name__}")
    return obj


def _numeric(law: AlgebraicLaw) -> Expected:
    return lambda pt, order: numeric_moment_series(law.polynomial, pt, order)


def _make(expr: sp.Expr, expected: Expected | None, name: str, construction: Construction,
          operands: Sequence[AlgebraicLaw], extra: Sequence = ()) -> AlgebraicLaw:
    picked = select_factor(expr, expected, what=name)
    cons = tuple(c for law in operands for c in law.constraints) + tuple(extra)
    return AlgebraicLaw(picked, name=name, construction=construction, constraints=cons)


def _name(law: AlgebraicLaw) -> str:
    return law.name if law.construction.op in ("semicircle", "marchenko_pastur", "atoms", "free_poisson", "polynomial") else f"({law.name})"


# ---------------------------------------------------------------------- operations
def _params(*laws: AlgebraicLaw) -> tuple[sp.Symbol, ...]:
    return tuple(sorted(set().union(*(law.parameters for law in laws)), key=lambda s: s.name))


def _resultant_law(a: AlgebraicLaw, b: AlgebraicLaw, to_form, prepare_a, prepare_b, back, gens) -> sp.Poly:
    """Resultant in a new leading variable t of the prepared transform polynomials, mapped back
    to (m, z).  Everything stays on exponent dictionaries (:mod:`symrmt.symbolic.bivariate`)."""
    params = _params(a, b)
    (ta, tb), dom = bv.unify(bv.law_terms(a.polynomial, params), bv.law_terms(b.polynomial, params))
    t = sp.Dummy("t")
    pa = bv.to_poly(prepare_a(to_form(ta)), (t, *gens, *params), dom)
    pb = bv.to_poly(prepare_b(to_form(tb)), (t, *gens, *params), dom)
    res = pa.resultant(pb)
    mz = bv.strip_monomial(back(bv.strip_monomial(res.as_dict(native=True))))
    return bv.to_poly(mz, (m, z, *params), res.domain)


def free_add(a: AlgebraicLaw, b: AlgebraicLaw) -> AlgebraicLaw:
    """Free additive convolution ``a ⊞ b``: the limit spectrum of ``A + Q B Qᵀ`` (Q Haar).

    R-transforms add; computed as the resultant ``Res_t[L^a_R(t, w), L^b_R(R - t, w)]``
    (Rao & Edelman 2008, Thm 4.3) and reduced to the physical factor (free cumulants add).
    """
    a, b = _check_law(a, "a"), _check_law(b, "b")
    poly = _resultant_law(a, b, bv.mz_to_rw, bv.as_t, bv.shifted, bv.rw_to_mz, (R, w))

    def expected(pt, order):
        ka = ser.moments_to_cumulants(_numeric(a)(pt, order), order, sp.QQ.zero, sp.QQ.one)
        kb = ser.moments_to_cumulants(_numeric(b)(pt, order), order, sp.QQ.zero, sp.QQ.one)
        kc = [sp.QQ.one] + [x + y for x, y in zip(ka[1:], kb[1:])]
        return ser.cumulants_to_moments(kc, order, sp.QQ.zero, sp.QQ.one)

    return _make(poly, expected, f"{_name(a)} ⊞ {_name(b)}", Construction("free_add", (a, b)), (a, b))


def free_multiply(a: AlgebraicLaw, b: AlgebraicLaw) -> AlgebraicLaw:
    """Free multiplicative convolution ``a ⊠ b``: the limit spectrum of ``A^{1/2} Q B Qᵀ A^{1/2}``.

    S-transforms multiply; computed as ``Res_t[L^a_S(t, u), t^{deg_S L^b} L^b_S(S/t, u)]``
    (Rao & Edelman 2008, Thm 4.4) and reduced to the physical factor.  At least one of the laws
    must be supported on [0, ∞) for the matrix model to be defined: operands with numeric
    parameters whose moments prove mass on the negative axis (both of them) are refused.

    Raises
    ------
    ParameterError
        Neither operand is supported on ``[0, ∞)`` (e.g. ``semicircle ⊠ semicircle``); the
        message names both and the moment condition each violates.
    """
    a, b = _check_law(a, "a"), _check_law(b, "b")
    why = {k: _not_nonnegative(law) for k, law in (("a", a), ("b", b))}
    if why["a"] and why["b"]:
        raise ParameterError(
            f"free_multiply: neither operand is supported on [0, ∞) (a = {_name(a)}: {why['a']}; b = {_name(b)}: "
            f"{why['b']}); A^(1/2) Q B Qᵀ A^(1/2) needs at least one positive operand (e.g. a Marchenko–Pastur law)")
    poly = _resultant_law(a, b, bv.mz_to_su, bv.as_t, bv.scaled_inverse, bv.su_to_mz, (S, u))

    def expected(pt, order):
        return ser.moments_product(_numeric(a)(pt, order), _numeric(b)(pt, order), order, sp.QQ.zero, sp.QQ.one)

    return _make(poly, expected, f"{_name(a)} ⊠ {_name(b)}", Construction("free_multiply", (a, b)), (a, b))


def _not_nonnegative(law: AlgebraicLaw) -> str:
    """Why ``law`` is not supported on ``[0, ∞)`` (a necessary condition fails), or ``""`` when
    that is not shown (symbolic parameters, moments SymPy cannot find, or the conditions hold).

    The Stieltjes moment conditions: a measure on ``[0, ∞)`` has a positive semidefinite shifted
    Hankel matrix ``(m_{i+j+1})_{i,j=0..2}``; a negative principal minor (exact, or to 30 digits
    for algebraic irrationals) proves the law has mass on the negative axis.
    """
    if law.parameters:
        return ""
    try:
        mom = [sp.Integer(1), *law.moments(5)]
    except (DerivationError, NotImplementedError, ValueError):
        return ""
    H = sp.Matrix(3, 3, lambda i, j: mom[i + j + 1])
    for rows in ([0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]):
        minor = H.extract(rows, rows).det() if len(rows) > 1 else H[rows[0], rows[0]]
        value = sp.N(minor, 30)
        if value.is_real and value < -sp.Float(1e-25) * (1 + max(abs(sp.N(x, 30)) for x in mom)):
            return (f"the shifted Hankel minor on rows {rows} of its moments m1..m5 = "
                    f"{[sp.sstr(x) for x in mom[1:]]} is {sp.sstr(sp.N(minor, 6))} < 0")
    return ""


def mobius(law: AlgebraicLaw, p: Any, q: Any, r: Any, s: Any) -> AlgebraicLaw:
    """Law of ``f(X) = (p X + q)/(r X + s)`` for X with law ``law`` (``ps - qr ≠ 0``).

    Covers shift (``1, c, 0, 1``), scale (``c, 0, 0, 1``) and inverse (``0, 1, 1, 0``).  With
    ``a = p - r z`` and ``ζ = (s z - q)/(p - r z) = f^{-1}(z)``:
    ``m_f(z) = r/a + (ps - qr)/a² · m(ζ)``, so ``P_f(m, z) = P((m a - r) a/(ps - qr), ζ)``.
    The law must put no mass at the pole ``-s/r`` (e.g. no atom at 0 for the inverse).
    """
    law = _check_law(law, "law")
    p, q, r, s = (to_exact(v, k) for v, k in zip((p, q, r, s), "pqrs"))
    det = sp.expand(p * s - q * r)
    if det == 0:
        raise ParameterError(f"mobius: need p*s - q*r != 0 (got {p}*{s} - {q}*{r} = 0)")
    a = p - r * z
    zeta = (s * z - q) / a
    mu = (m * a - r) * a / det
    expr = law.expr.subs({m: mu, z: zeta}, simultaneous=True)
    expected = None
    if r == 0:
        def expected(pt, order):
            mom = _numeric(law)(pt, order)
            pp, qq, ss = (sp.QQ.from_sympy(safe_sympify(v, "mobius").subs(pt)) for v in (p, q, s))
            sc, sh = pp / ss, qq / ss
            out = []
            for k in range(order + 1):
                out.append(sum((sp.QQ(int(sp.binomial(k, j))) * sc**j * sh ** (k - j) * mom[j] for j in range(k + 1)), sp.QQ.zero))
            return out
    name = _mobius_name(law, p, q, r, s)
    return _make(expr, expected, name, Construction("mobius", (law,), {"p": p, "q": q, "r": r, "s": s}), (law,))


def _mobius_name(law, p, q, r, s) -> str:
    n = _name(law)
    if (p, q, r, s) == (0, 1, 1, 0):
        return f"{n}^-1"
    if r == 0 and q == 0:
        return f"{sp.sstr(p / s)}·{n}"
    if r == 0 and p == s:
        return f"{n} + {sp.sstr(q / s)}"
    return f"mobius({n})"


def free_power(law: AlgebraicLaw, t: Any) -> AlgebraicLaw:
    """Free convolution power ``law^{⊞ t}``: R-transform ``t R(w)``, free cumulants ``t κ_k``.

    Defined for every law when ``t ≥ 1`` (Nica & Speicher 1996); for ``0 < t < 1`` only for
    ⊞-infinitely divisible laws (semicircle, free Poisson, ...), which is not checked.
    """
    law = _check_law(law, "law")
    tt = to_exact(t, "t")
    c = constraint("t", tt, "positive")
    lr = r_polynomial(law).as_expr().subs(R, R / tt)
    back = lr.subs({R: z + 1 / m, w: -m}, simultaneous=True)

    def expected(pt, order):
        k = ser.moments_to_cumulants(_numeric(law)(pt, order), order, sp.QQ.zero, sp.QQ.one)
        tv = sp.QQ.from_sympy(tt.subs(pt))
        return ser.cumulants_to_moments([sp.QQ.one] + [tv * x for x in k[1:]], order, sp.QQ.zero, sp.QQ.one)

    return _make(back, expected, f"{_name(law)}^⊞{sp.sstr(tt)}", Construction("free_power", (law,), {"t": tt}), (law,), (c,))


def sample_covariance(population: AlgebraicLaw, ratio: Any) -> AlgebraicLaw:
    """Limit spectrum of the sample covariance ``Σ^{1/2} XᵀX Σ^{1/2}/n`` (X: n×d, c = d/n).

    Σ has spectral law ``population``.  Silverstein's equation as the substitution
    ``m_H → m (1 - c - c z m)``, ``z → z/(1 - c - c z m)`` in the population polynomial
    (Silverstein & Bai 1995; Rao & Edelman 2008 §5).  Equal to
    ``free_multiply(population, marchenko_pastur(c))``, which the tests check.
    """
    population = _check_law(population, "population")
    c = to_exact(ratio, "ratio")
    cons = constraint("ratio", c, "positive")
    d = 1 - c - c * z * m
    expr = population.expr.subs({m: m * d, z: z / d}, simultaneous=True)
    mp = marchenko_pastur(c)

    def expected(pt, order):
        return ser.moments_product(_numeric(population)(pt, order), _numeric(mp)(pt, order), order, sp.QQ.zero, sp.QQ.one)

    return _make(expr, expected, f"sample-covariance({_name(population)})",
                 Construction("sample_covariance", (population,), {"ratio": c}), (population,), (cons,))


def compress(law: AlgebraicLaw, fraction: Any) -> AlgebraicLaw:
    """Free compression: the limit law of the top-left ``αn × αn`` block of ``Q A Qᵀ`` (Q Haar).

    Equals the dilation by α of ``law^{⊞ 1/α}`` (Nica & Speicher 1996), ``0 < α ≤ 1``.
    """
    law = _check_law(law, "law")
    al = to_exact(fraction, "fraction")
    c1 = constraint("fraction", al, "positive")
    if al.is_number and al > 1:
        raise ParameterError(f"fraction: must satisfy 0 < fraction <= 1, got {al}")
    res = mobius(free_power(law, 1 / al), al, 0, 0, 1)
    return AlgebraicLaw(res.polynomial, name=f"compress({_name(law)}, {sp.sstr(al)})",
                        construction=Construction("compress", (law,), {"fraction": al}),
                        constraints=law.constraints + (c1,))
