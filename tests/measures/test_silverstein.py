"""Silverstein's equation for population measures, against independent numpy routes."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.measures import empirical, power_law, sample_covariance


def fixed_point_mbar(x, t, w, c, etas=(1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6), iters=400):
    """Companion m̲(x + iη): damped fixed point m̲ = −1/(z − c Σ w t/(1 + t m̲)), η lowered in
    stages (each stage until the iterates stop moving)."""
    m = -1.0 / (x + 1j * etas[0])
    for eta in etas:
        z = x + 1j * eta
        for _ in range(iters):
            new = -1.0 / (z - c * ((w * t)[None, :] / (1 + m[:, None] * t[None, :])).sum(axis=1))
            new = 0.5 * m + 0.5 * new
            done = np.max(np.abs(new - m)) <= 1e-14 * np.max(np.abs(m))
            m = new
            if done:
                break
    return m


def inverse_edges(t, w, c):
    """Left and right support edges from the critical points of x(b) = −1/b + c Σ w t/(1 + t b)."""
    def dx(b):
        return 1 / b**2 - c * (w * t**2 / (1 + np.outer(b, t)) ** 2).sum(axis=1)

    def root(lo, hi):
        flo = dx(np.array([lo]))[0]
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            if (dx(np.array([mid]))[0] > 0) == (flo > 0):
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def xb(b):
        return -1 / b + c * (w * t / (1 + b * t)).sum()

    right = root(-1 / t.max() * (1 - 1e-12), -1e-12)          # on (−1/t_max, 0)
    left = root(-1 / t.min() * (1 + 1e-12), -1e12)            # on (−∞, −1/t_min)
    return xb(left), xb(right)


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(7)
    return empirical(rng.uniform(0.5, 2.0, size=10000))


def test_density_of_large_population_matches_fixed_point(population):
    c = 0.3
    cs = sample_covariance(population, c).compile()
    (a, b), = cs.support()
    ea, eb = inverse_edges(population.points, population.weights, c)
    assert a == pytest.approx(ea, rel=1e-9) and b == pytest.approx(eb, rel=1e-9)
    x = np.linspace(a, b, 8)[1:-1]
    ref = fixed_point_mbar(x, population.points, population.weights, c,
                           etas=(1e-1, 1e-2, 1e-3, 1e-4, 1e-5)).imag / (np.pi * c)
    np.testing.assert_allclose(cs.density(x), ref, rtol=2e-4)
    assert np.all(cs.density([a - 0.05, b + 0.05, -1.0]) == 0.0)
    assert cs.cdf([b + 1.0])[0] == pytest.approx(1.0, abs=1e-6)


def test_identity_population_is_marchenko_pastur():
    c = 0.25
    cs = sample_covariance(empirical([1.0]), c).compile()
    (a, b), = cs.support()
    assert a == pytest.approx((1 - np.sqrt(c)) ** 2, rel=1e-10)
    assert b == pytest.approx((1 + np.sqrt(c)) ** 2, rel=1e-10)
    x = np.linspace(a, b, 9)[1:-1]
    mp = np.sqrt((b - x) * (x - a)) / (2 * np.pi * c * x)
    np.testing.assert_allclose(cs.density(x), mp, rtol=1e-9)
    z = np.array([0.3 + 0.2j, 2.0 + 1e-3j])
    closed = (1 - c - z + np.sqrt(z - a) * np.sqrt(z - b)) / (2 * c * z)
    np.testing.assert_allclose(cs.stieltjes(z), closed, rtol=1e-9)
    u = np.array([a + 0.3 * (b - a), b])
    g = np.linspace(a, u[0], 20001)
    f = np.sqrt(np.clip((b - g) * (g - a), 0, None)) / (2 * np.pi * c * g)
    np.testing.assert_allclose(cs.cdf(u), [np.trapezoid(f, g), 1.0], atol=2e-6)


def test_ratio_above_one_has_an_atom_at_zero():
    c = 2.0
    cs = sample_covariance(empirical([1.0, 2.0]), c).compile()
    assert cs.atoms() == [(0.0, pytest.approx(0.5))]
    assert cs.support()[0] == (0.0, 0.0)
    assert cs.density([0.0])[0] == np.inf
    assert cs.cdf([0.0])[0] == pytest.approx(0.5, abs=1e-12)
    assert cs.cdf([100.0])[0] == pytest.approx(1.0, abs=1e-6)


def test_two_atom_gap_edges():
    t, w, c = np.array([1.0, 10.0]), np.array([0.5, 0.5]), 0.05
    cs = sample_covariance(empirical(t, w), c).compile()
    sup = cs.support()
    assert len(sup) == 2
    # gap edges: x(b) at the critical points between the poles −1/10 and −1 (dense scan)
    bs = np.linspace(-1 + 1e-9, -0.1 - 1e-9, 400001)
    dx = 1 / bs**2 - c * (w * t**2 / (1 + np.outer(bs, t)) ** 2).sum(axis=1)
    i = np.flatnonzero(np.diff(np.sign(dx)) != 0)
    xg = -1 / bs[i] + c * (w * t / (1 + np.outer(bs[i], t))).sum(axis=1)
    np.testing.assert_allclose(sorted([sup[0][1], sup[1][0]]), sorted(xg), rtol=1e-5)


def test_bad_population():
    with pytest.raises(ParameterError, match="population"):
        sample_covariance(([1.0, -1.0], [0.5, 0.5]), 0.5)
    with pytest.raises(ParameterError, match="ratio"):
        sample_covariance(power_law(1.5, 10), -1)
    with pytest.raises(ParameterError, match="z"):
        sample_covariance(power_law(1.5, 10), 0.5).compile().stieltjes(1.0 - 1j)


@pytest.mark.slow
def test_power_law_sample_covariance_against_simulation():
    """d = 2000, exponent 1.5, c = 1/2: eigenvalues of Σ^{1/2}XᵀXΣ^{1/2}/n, Σ from the measure's
    simulation model, against the compiled cdf by the KS statistic of verify (two trials)."""
    from symrmt.verify.stats import ks_distance

    d, c = 2000, 0.5
    mu = power_law(1.5, d)
    from symrmt.simulate import sample_covariance_eigenvalues

    cs = sample_covariance(mu, c).compile()
    eigs = sample_covariance_eigenvalues(mu, d, c, trials=2, seed=11, device="cpu")
    ks = ks_distance(eigs, cs.cdf)
    # the KS distance of n = 2000 exchangeable-ish eigenvalues fluctuates at ~1/d; a wrong
    # ratio (c = 0.6) is far off
    assert np.all(ks < 0.01), ks
    wrong = sample_covariance(mu, 0.6).compile()
    assert np.all(ks_distance(np.array(eigs), wrong.cdf) > 3 * ks.max())


def test_a_law_population_gives_the_algebraic_law():
    import sympy as sp

    import symrmt as sr

    law = sample_covariance(sr.laws.atoms([1, 4], [sp.Rational(1, 2), sp.Rational(1, 2)]), sp.Rational(1, 10))
    assert isinstance(law, sr.AlgebraicLaw) and law.construction.op == "sample_covariance"


def test_sample_covariance_moments_any_order_against_narayana_and_noncrossing_sums():
    from math import comb, prod

    from tests.symbolic.noncrossing import noncrossing

    # a point mass population: Marchenko–Pastur moments are the Narayana polynomials in c
    c = 0.37
    mp = sample_covariance(empirical([1.0]), c).moments(9)
    narayana = [sum(comb(k, j) * comb(k, j - 1) / k * c ** (j - 1) for j in range(1, k + 1)) for k in range(1, 10)]
    np.testing.assert_allclose(mp, narayana, rtol=1e-13)
    # a 3-atom population at order 7: the non-crossing sum Σ_π c^{|π|-1} Π_B h_|B| by enumeration
    pop = empirical([0.5, 1.0, 2.5], [0.2, 0.5, 0.3])
    h = {j: float(pop.moments(j)[-1]) for j in range(1, 8)}
    got = sample_covariance(pop, 0.6).moments(7)
    ref = [sum(0.6 ** (len(p) - 1) * prod(h[len(b)] for b in p) for p in noncrossing(n)) for n in range(1, 8)]
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    with pytest.raises(ParameterError, match="k"):
        sample_covariance(pop, 0.6).moments(201)
