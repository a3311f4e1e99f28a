"""info_plus_noise and correlated_wishart: against closed forms, moment formulas derived by hand
and a numerical solution of the Dozier–Silverstein / Paul–Silverstein equations (numpy)."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError

R = sp.Rational
c, s = sp.symbols("c s", positive=True)


def test_info_plus_noise_without_signal_is_marchenko_pastur():
    assert sr.info_plus_noise(sr.laws.atoms([0]), c, s) == sr.laws.marchenko_pastur(c, s)


def test_info_plus_noise_moments_by_hand():
    # (1/n) E tr B, (1/n) E tr B² for B = (A + σG)(A + σG)ᵀ/N, expanding the product with
    # E GGᵀ = N I, E GᵀG = n I:  m1 = h1 + σ²,  m2 = h2 + 2σ²(1 + c) h1 + σ⁴(1 + c).
    h1, h2 = 2, 5                                   # atoms {1, 3}
    m1, m2 = sr.info_plus_noise(sr.laws.atoms([1, 3]), c, s).moments(2)
    assert sp.expand(m1 - (h1 + s)) == 0
    assert sp.expand(m2 - (h2 + 2 * s * (1 + c) * h1 + s**2 * (1 + c))) == 0


def _dozier_silverstein(z, points, weights, c, s2, iters=4000):
    """Damped fixed point of m = Σ p_t / (t/(1 + σ²c m) - (1 + σ²c m) z + σ²(1 - c))."""
    m = -1 / z
    for _ in range(iters):
        a = 1 + s2 * c * m
        new = sum(p / (t / a - a * z + s2 * (1 - c)) for t, p in zip(points, weights))
        m = 0.5 * m + 0.5 * new
    return m


def test_info_plus_noise_stieltjes_solves_dozier_silverstein():
    law = sr.info_plus_noise(sr.laws.atoms([1, 3], [R(1, 4), R(3, 4)]), R(1, 2), R(1, 2))
    zs = np.array([0.5 + 1.0j, 2.0 + 0.7j, 5.0 + 0.5j])
    got = law.compile().stieltjes(zs)
    want = [_dozier_silverstein(zz, [1, 3], [0.25, 0.75], 0.5, 0.5) for zz in zs]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_correlated_wishart_with_identity_right_is_sample_covariance():
    pop = sr.laws.atoms([1, 3])
    assert sr.correlated_wishart(pop, sr.laws.atoms([1]), c) == sr.sample_covariance(pop, c)


def test_correlated_wishart_moments_by_hand():
    # A = I: (1/n) E tr (G B Gᵀ/N) = b1, (1/n) E tr (G B Gᵀ/N)² = c b2 + b1² (Wick)
    m1, m2 = sr.correlated_wishart(sr.laws.atoms([1]), sr.laws.atoms([1, 2]), c).moments(2)
    assert m1 == R(3, 2) and sp.expand(m2 - (c * R(5, 2) + R(9, 4))) == 0


def _paul_silverstein(z, a_pts, b_pts, c, iters=6000):
    """m = ∫ dH_A(a)/(a ∫ b dH_B(b)/(1 + c b e) - z), e = ∫ a dH_A(a)/(...) (uniform atoms)."""
    e = -1 / z
    for _ in range(iters):
        k = np.mean([b / (1 + c * b * e) for b in b_pts])
        e = 0.5 * e + 0.5 * np.mean([a / (a * k - z) for a in a_pts])
    k = np.mean([b / (1 + c * b * e) for b in b_pts])
    return np.mean([1 / (a * k - z) for a in a_pts])


def test_correlated_wishart_stieltjes_solves_paul_silverstein():
    law = sr.correlated_wishart(sr.laws.atoms([1, 3]), sr.laws.atoms([1, 2]), R(1, 2))
    zs = np.array([1.0 + 1.0j, 4.0 + 0.6j, 9.0 + 0.5j])
    got = law.compile().stieltjes(zs)
    want = [_paul_silverstein(zz, [1, 3], [1, 2], 0.5) for zz in zs]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="noise"):
        sr.info_plus_noise(sr.laws.atoms([1]), 1, -1)
    with pytest.raises(ParameterError, match="ratio"):
        sr.correlated_wishart(sr.laws.atoms([1]), sr.laws.atoms([1]), 0)
    with pytest.raises(ParameterError, match="right"):
        sr.correlated_wishart(sr.laws.atoms([1]), "B", 1)
