"""Learning curves with populations as data: ``spectrum=`` any measure, against numpy routes."""
import numpy as np
import pytest

import symrmt as sr
from symrmt.equivalents import solve_linear_random_features, solve_ridge
from symrmt.errors import ParameterError
from symrmt.measures import empirical, power_law

from .test_expect import numpy_ridge


def numpy_lrf_inf(t, w, alpha, beta, lam, noise, signal):
    """λ = κ(1 − α df1)(1 − β df1) by bisection (increasing in κ on the branch from κ ≈ λ), E_∞."""
    lo, hi = np.full_like(lam, 1e-300), lam + (alpha + beta) * t.max() + 10.0
    def g(k):
        df1 = ((w * t)[None, :] / (t[None, :] + k[:, None])).sum(axis=1)
        return k * (1 - alpha * df1) * (1 - beta * df1) - lam
    for _ in range(90):
        mid = 0.5 * (lo + hi)
        neg = g(mid) < 0
        lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
    k = 0.5 * (lo + hi)
    df2 = (w * t**2 / (t[None, :] + k[:, None]) ** 2).sum(axis=1)
    t2 = (w * t / (t[None, :] + k[:, None]) ** 2).sum(axis=1)
    return k, (k**2 * signal * t2 + noise) / (1 - alpha * df2)


@pytest.fixture(scope="module")
def population():
    return empirical(np.random.default_rng(5).gamma(2.0, 0.5, size=10000))


def test_ridge_spectrum_measure_matches_bisection(population):
    lam = np.logspace(-3, 1, 40)
    res = solve_ridge(0.6, lam, noise=0.3, signal=1.0, spectrum=population)
    k, err = numpy_ridge(population.points, population.weights, 0.6, lam, 0.3, 1.0)
    assert res.converged.all()
    np.testing.assert_allclose(res["kappa"], k, rtol=1e-9)
    np.testing.assert_allclose(res["test_error"], err, rtol=1e-9)


def test_registry_solve_takes_a_measure(population):
    d = sr.load("ridge")
    out = d.solve(q=0.6, ridge=0.1, noise=0.3, signal=1.0, spectrum=population)
    k, err = numpy_ridge(population.points, population.weights, 0.6, np.array([0.1]), 0.3, 1.0)
    assert float(out["test_error"]) == pytest.approx(float(err[0]), rel=1e-9)


def test_arrays_and_numpy_scalars_as_spectrum():
    pts = np.random.default_rng(6).uniform(0.2, 3.0, size=500)
    a = solve_ridge(0.5, 0.2, spectrum=pts)
    b = solve_ridge(0.5, 0.2, spectrum=(list(pts.astype(np.float32).astype(float)), np.full(500, 1 / 500)))
    k, _ = numpy_ridge(pts, np.full(500, 1 / 500), 0.5, np.array([0.2]), 0.0, 1.0)
    assert float(a["kappa"]) == pytest.approx(float(k[0]), rel=1e-9)
    assert float(b["kappa"]) == pytest.approx(float(k[0]), rel=1e-6)
    with pytest.raises(ParameterError, match="spectrum"):
        solve_ridge(0.5, 0.2, spectrum=np.array([1.0, -2.0]))


def test_linear_random_features_measure_matches_bisection():
    mu = power_law(1.5, 10000)
    lam = np.logspace(-2, 0, 8)
    res = solve_linear_random_features(0.5, 0.3, lam, 0.1, 1.0, ensemble=np.inf, spectrum=mu)
    k, err = numpy_lrf_inf(mu.points, mu.weights, 0.5, 0.3, lam, 0.1, 1.0)
    np.testing.assert_allclose(res["kappa"], k, rtol=1e-8)
    np.testing.assert_allclose(res["test_error"], err, rtol=1e-8)


@pytest.mark.slow
def test_ridge_verify_with_power_law_population():
    """The learning curve with a power-law population (exponent 1.5), simulated with Σ drawn from
    the measure, through verify.  The sizes are multiples of the measure's size, so that the
    simulated population is the measure itself at every size (each atom repeated); a ladder of
    smaller sizes would simulate coarser quantile populations and the deviation could not vanish."""
    params = dict(q=0.5, ridge=0.05, noise=0.1, signal=1.0, spectrum=power_law(1.5, 1000))
    rep = sr.load("ridge").verify(sizes=(1000, 2000, 4000), trials=4, seed=0, device="cpu", **params)
    assert rep.verdict == "agrees", rep
    # control: the theory of a wrong population (exponent 1.3: a 0.6 % change) is told apart
    wrong = sr.load("ridge").verify(sizes=(1000, 2000, 4000), trials=4, seed=0, device="cpu", **params,
                                    theory_params={"spectrum": power_law(1.3, 1000)})
    assert wrong.verdict == "disagrees", wrong
