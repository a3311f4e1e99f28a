"""Transforms: cumulants, series, R and S against closed forms and the non-crossing formula."""
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.symbolic.symbols import u, w, z

from .noncrossing import cumulants_from_moments, moments_from_cumulants

g = sp.Symbol("gamma", positive=True)
s2 = sp.Symbol("sigma2", positive=True)


def test_mp_free_cumulants_closed_form():
    kap = sr.laws.marchenko_pastur(g).free_cumulants(7)
    assert [sp.expand(k - g**i) for i, k in enumerate(kap)] == [0] * 7


def test_semicircle_free_cumulants():
    assert sr.laws.semicircle(s2).free_cumulants(6) == [0, s2, 0, 0, 0, 0]


def test_cumulants_of_atoms_match_noncrossing_inversion():
    pts, wts = [0, 1, 4], [sp.Rational(1, 4), sp.Rational(1, 4), sp.Rational(1, 2)]
    law = sr.laws.atoms(pts, wts)
    mom = [1] + [sum(wi * p**k for p, wi in zip(pts, wts)) for k in range(1, 7)]
    assert law.free_cumulants(6) == cumulants_from_moments(mom, 6)[1:]


def test_stieltjes_series_matches_closed_form_expansion():
    # semicircle(1): m(z) = (-z + sqrt(z^2 - 4))/2
    ser = sr.laws.semicircle().stieltjes_series(7)
    zeta = sp.Symbol("zeta", positive=True)
    closed = (-1 / zeta + sp.sqrt(1 / zeta**2 - 4)) / 2  # z = 1/zeta, branch ~ -zeta
    exp = sp.series(closed, zeta, 0, 9).removeO()
    assert sp.expand(ser.subs(z, 1 / zeta) - exp) == 0


def test_r_and_s_transforms_closed_forms():
    mp = sr.laws.marchenko_pastur(g, s2)
    assert sp.simplify(mp.r_transform() - s2 / (1 - g * s2 * w)) == 0
    assert sp.simplify(mp.s_transform() - 1 / (s2 * (1 + g * u))) == 0
    assert sp.simplify(sr.laws.semicircle(s2).r_transform() - s2 * w) == 0


def test_quadratic_r_transform_explicit_branch():
    law = sr.laws.atoms([-1, 1], [sp.Rational(1, 2), sp.Rational(1, 2)])
    r = law.r_transform()
    assert not isinstance(r, sp.Poly)
    # Bernoulli ±1: R(w) = (sqrt(1 + 4w^2) - 1)/(2w), free cumulants 0, 1, 0, -1, ...
    assert sp.simplify(r - (sp.sqrt(1 + 4 * w**2) - 1) / (2 * w)) == 0


def _agrees_with_cumulants(r, kap):
    series = sum(k * w**i for i, k in enumerate(kap))
    if isinstance(r, sp.Poly):
        val = sp.expand(r.as_expr().subs(r.gens[0], series))
    else:
        val = sp.expand(sp.series(r, w, 0, len(kap)).removeO() - series)
    return all(sp.simplify(val.coeff(w, i)) == 0 for i in range(len(kap)))


def test_r_transform_of_product_is_explicit_quadratic_branch():
    law = sr.free_multiply(sr.laws.marchenko_pastur(sp.Rational(1, 2)), sr.laws.marchenko_pastur(sp.Rational(1, 3)))
    r = law.r_transform()
    assert not isinstance(r, sp.Poly)
    assert _agrees_with_cumulants(r, law.free_cumulants(5))


def test_three_atoms_give_implicit_r_polynomial():
    law = sr.laws.atoms([0, 1, 3], [sp.Rational(1, 3)] * 3)
    r = law.r_transform()
    assert isinstance(r, sp.Poly) and r.degree(r.gens[0]) == 3
    assert _agrees_with_cumulants(r, law.free_cumulants(5))


def test_round_trip_from_r_and_s_transforms():
    mp = sr.laws.marchenko_pastur(g)
    assert sr.from_r_transform(1 / (1 - g * w)) == mp
    assert sr.from_s_transform(1 / (1 + g * u)) == mp
    sc = sr.from_r_transform(s2 * w)
    assert sc == sr.laws.semicircle(s2)


def test_moments_of_law_from_r_transform_match_noncrossing():
    # R(w) = 1 + w + w^2 (cumulants 1, 1, 1, 0, ...) is not a catalogue law
    law = sr.from_r_transform(1 + w + w**2)
    kappa = [1, 1, 1, 1, 0, 0, 0, 0]
    assert law.moments(7) == moments_from_cumulants(kappa, 7)


def test_bad_transform_input():
    with pytest.raises(ParameterError):
        sr.laws.semicircle().moments(0)
    with pytest.raises(ParameterError, match="rational"):
        sr.from_r_transform(sp.sqrt(1 + w))


# ---------------------------------------------------------------------- irrational algebraic moments
def _mp_half_expectation(f):
    """E[f(X)], X ~ MP(1/2), by Gauss–Legendre on the closed-form density (x = a + (b-a)(1-cos θ)/2
    removes the square-root edges, so 200 nodes give ~1e-15)."""
    import numpy as np

    a, b = (1 - np.sqrt(0.5)) ** 2, (1 + np.sqrt(0.5)) ** 2
    th, wt = np.polynomial.legendre.leggauss(200)
    th, wt = (th + 1) * np.pi / 2, wt * np.pi / 2
    x = a + (b - a) * (1 - np.cos(th)) / 2
    rho = np.sqrt((b - x) * (x - a)) / (2 * np.pi * 0.5 * x)
    return float(np.sum(wt * (b - a) * np.sin(th) / 2 * rho * f(x)))


def test_mobius_with_a_pole_has_exact_irrational_moments():
    # f(X) = (X + 2)/(X + 3) = 1 - 1/(X + 3): m_1 = 1 - m_X(-3), and m_X(-3) is the positive root
    # of (1/2)(-3) m² + (-3 - 1/2) m + 1 = 0, i.e. (-7 + √73)/6: m_1 = (13 - √73)/6 (rmtool's value).
    law = sr.mobius(sr.laws.marchenko_pastur(sp.Rational(1, 2)), 1, 2, 1, 3)
    mom = law.moments(4)
    assert sp.simplify(mom[0] - (13 - sp.sqrt(73)) / 6) == 0
    for k, mk in enumerate(mom, start=1):
        assert abs(float(mk) - _mp_half_expectation(lambda x: ((x + 2) / (x + 3)) ** k)) < 1e-12
    kap = law.free_cumulants(2)
    assert sp.simplify(kap[1] - (mom[1] - mom[0] ** 2)) == 0


def test_irrational_moments_match_quadrature_of_the_compiled_density():
    import numpy as np

    law = sr.mobius(sr.laws.marchenko_pastur(sp.Rational(1, 2)), 1, 2, 1, 3)
    compiled = law.compile()
    (a, b), = compiled.support()
    th, wt = np.polynomial.legendre.leggauss(200)
    th, wt = (th + 1) * np.pi / 2, wt * np.pi / 2
    x = a + (b - a) * (1 - np.cos(th)) / 2
    weights = wt * (b - a) * np.sin(th) / 2 * compiled.density(x)
    for k, mk in enumerate(law.moments(4), start=1):
        assert abs(float(np.sum(weights * x**k)) - float(mk)) < 1e-10


def test_mobius_branches_separating_later_keep_rational_and_signed_cases():
    R = sp.Rational
    law = sr.mobius(sr.laws.atoms([1, 2]), 1, 0, 1, 1)          # X/(X + 1), atoms at 1/2, 2/3
    assert law.moments(3) == [R(1, 2) * (R(1, 2) ** k + R(2, 3) ** k) for k in (1, 2, 3)]
    import mpmath

    sc = sr.mobius(sr.laws.semicircle(), 1, 0, 1, 3)             # X/(X + 3), X semicircle (signed)
    for k, mk in enumerate(sc.moments(3), start=1):
        want = mpmath.quad(lambda x: (x / (x + 3)) ** k * mpmath.sqrt(4 - x * x) / (2 * mpmath.pi), [-2, 2])
        assert abs(float(mk) - float(want)) < 1e-12


def test_shared_branch_with_symbolic_parameters_asks_to_bind_them():
    with pytest.raises(sr.DerivationError, match="bind them"):
        sr.mobius(sr.laws.marchenko_pastur(g), 1, 2, 1, 3).moments(1)
