"""symrmt.data.power_law: exponents of spectrum and source against the truth of Gaussian data with
a power-law covariance (symrmt.measures.power_law), and the fitting helpers on exact power laws."""
import numpy as np
import pytest

from symrmt.data import (fit_exponents, fit_power_law, fit_risk_exponent, predicted_risk_exponent,
                         fit_spectrum)
from symrmt.errors import ParameterError
from symrmt.measures import power_law


def gaussian(M, p, a, b, seed):
    """x ~ N(0, diag(k^-a)), y = Σ θ_k x_k with θ_k² = k^-b: c_k² = k^-(a+b), so β = a + b."""
    om = power_law(a, size=p).points
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((M, p)) * np.sqrt(om)
    return X, X @ np.arange(1, p + 1) ** (-b / 2)


def test_exact_power_law_is_recovered():
    k = np.arange(1, 101)
    f = fit_power_law(2.5 * k**-1.3, (3, 60))
    assert f.exponent == pytest.approx(1.3, abs=1e-12) and f.amplitude == pytest.approx(2.5, rel=1e-12)
    assert f.stderr < 1e-10 and (f.k_min, f.k_max) == (3, 60)
    np.testing.assert_allclose(f(k), 2.5 * k**-1.3, rtol=1e-10)
    with pytest.raises(ParameterError, match="k_range"):
        fit_power_law(k**-1.0, (50, 51))
    with pytest.raises(ParameterError, match="values"):
        fit_power_law(-(k**-1.0), (1, 10))


def test_exponents_within_error_bars_of_the_truth():
    """a = 1.5, b = 1 (β = 2.5), p = 150 features, M = 1500 points, seed 11; 20 bootstrap
    resamples (seed 11): |fit − truth| <= 3 bootstrap SEs for α and β.  The fit range is the
    default (k = 2 .. last k with ω_k >= 10 tr Σ̂/M), where the sample eigenvalues are within a
    few per cent of the population ones."""
    X, y = gaussian(1500, 150, 1.5, 1.0, 11)
    f = fit_exponents(y, X, bootstrap=20, seed=11)
    assert f.k_range()[0] == 2 and f.k_range()[1] >= 10
    assert abs(f.alpha - 1.5) <= 3 * f.alpha_stderr, (f.alpha, f.alpha_stderr)
    assert abs(f.beta - 2.5) <= 3 * f.beta_stderr, (f.beta, f.beta_stderr)
    assert 0 < f.alpha_stderr < 0.05 and 0 < f.beta_stderr < 0.15


@pytest.mark.slow
@pytest.mark.parametrize("a,b,p,M,seed", [(1.5, 0.5, 400, 4000, 0), (1.2, 1.3, 600, 4000, 1),
                                          (2.0, 0.5, 300, 3000, 2), (1.5, 1.0, 400, 4000, 3)])
def test_exponents_within_error_bars_several_laws(a, b, p, M, seed):
    # p large against the fit range's end, so the truncation of the tail sums at p stays small
    X, y = gaussian(M, p, a, b, seed)
    f = fit_exponents(y, X, bootstrap=40, seed=seed)
    assert abs(f.alpha - a) <= 3 * f.alpha_stderr, (f.alpha, f.alpha_stderr)
    assert abs(f.beta - (a + b)) <= 3 * f.beta_stderr, (f.beta, f.beta_stderr)


def test_risk_exponents():
    assert predicted_risk_exponent(1.5, 2.0) == (1.0, 0.0)
    assert predicted_risk_exponent(0.4, 2.5, 0.01, 0.1) == (0.8, 0.02)
    n = np.array([50.0, 100, 200, 400])
    r, se = fit_risk_exponent(n, 3 * n**-0.7, 0.01 * 3 * n**-0.7)
    assert r == pytest.approx(0.7, abs=1e-10) and se > 0
    with pytest.raises(ParameterError, match="sizes, risks, stderrs"):
        fit_risk_exponent(n[:2], n[:2], n[:2])
    with pytest.raises(ParameterError, match="spectrum"):
        fit_spectrum("not a spectrum")


def test_predicted_scaling_matches_the_deterministic_equivalent():
    """For a pure power law (ω_k = k^-1.5, c_k² = k^-2.5, p = 20000, no noise) at a small ridge,
    the DE risk from spectral_data's machinery decays like n^-min(β−1, 2α) = n^-1.5: the local
    log–log slope between n = 400 and 1600 is within 0.1 of it (corrections O(n^-…) at this n)."""
    from symrmt.equivalents import solve_discrete

    k = np.arange(1, 20001, dtype=float)
    om, c2 = k**-1.5, k**-2.5
    r = np.asarray(solve_discrete(om, c2, np.array([400.0, 1600.0]), 1e-9)["test_error"])
    slope = -np.log(r[1] / r[0]) / np.log(4)
    assert slope == pytest.approx(predicted_risk_exponent(1.5, 2.5)[0], abs=0.1)
