"""Linear random features with ensembles (arXiv 2405.00592)."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.equivalents.linear_rf import solve_linear_random_features
from symrmt.equivalents.ridge import solve_ridge



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


def test_bad_input():
    with pytest.raises(ParameterError, match="ensemble"):
        solve_linear_random_features(0.5, 0.5, 0.1, ensemble=0)
    with pytest.raises(ParameterError, match="ensemble"):
        solve_linear_random_features(0.5, 0.5, 0.1, ensemble=1.5)
    with pytest.raises(ParameterError, match="beta"):
        solve_linear_random_features(0.5, 0.0, 0.1)
    with pytest.raises(ParameterError, match="ridge"):
        solve_linear_random_features(0.5, 0.5, -1.0)
