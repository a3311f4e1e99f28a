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
