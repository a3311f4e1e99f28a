"""Linear random features with ensembles (arXiv 2405.00592)."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.equivalents.linear_rf import solve_linear_random_features
from symrmt.equivalents.ridge import solve_ridge
from symrmt.equivalents.simulate import simulate_linear_random_features

from .conftest import within


def test_beta_to_zero_reduces_to_ridge():
    alpha = np.array([0.3, 0.9, 1.8])
    r = solve_ridge(alpha, 0.1, noise=0.3, signal=1.5)
    for K in (1, 4, np.inf):
        lrf = solve_linear_random_features(alpha, 1e-9, 0.1, noise=0.3, signal=1.5, ensemble=K)
        np.testing.assert_allclose(lrf["test_error"], r["test_error"], rtol=1e-7)
        np.testing.assert_allclose(lrf["kappa"], r["kappa"], rtol=1e-7)


def test_ensemble_interpolates():
    a = solve_linear_random_features(0.8, 1.3, 0.05, noise=0.2, ensemble=np.array([1, 2, np.inf]))
    e1, e2, einf = a["test_error"]
    assert e1 == pytest.approx(a["test_error_single"][0])
    assert e2 == pytest.approx(einf + (e1 - einf) / 2)
    assert einf < e2 < e1


@pytest.mark.parametrize("alpha, beta, lam, K", [(0.5, 0.7, 0.05, 1), (0.8, 1.6, 0.02, 2)])
def test_theory_vs_trained_ensembles(alpha, beta, lam, K):
    # D = 240, 6 trials, seed 5: relative Monte-Carlo error ~ 1/√(D·trials); finite-size bias ~ 1/D
    D = 240
    th = solve_linear_random_features(alpha, beta, lam, noise=0.3, ensemble=K)
    sim = simulate_linear_random_features(D, alpha, beta, lam, 0.3, ensemble=K, trials=6, seed=5, device="cpu")
    assert within(float(th["test_error"]), sim, "test_error", D)
    assert within(float(th["test_error_single"]), sim, "test_error_single", D)


def test_bad_input():
    with pytest.raises(ParameterError, match="ensemble"):
        solve_linear_random_features(0.5, 0.5, 0.1, ensemble=0)
    with pytest.raises(ParameterError, match="ensemble"):
        solve_linear_random_features(0.5, 0.5, 0.1, ensemble=1.5)
    with pytest.raises(ParameterError, match="beta"):
        solve_linear_random_features(0.5, 0.0, 0.1)
    with pytest.raises(ParameterError, match="ridge"):
        solve_linear_random_features(0.5, 0.5, -1.0)
