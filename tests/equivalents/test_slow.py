"""Paper-size checks (d ≈ 1000–2000): theory vs trained models with tight tolerances (slow)."""
import numpy as np
import pytest

from symrmt.equivalents import (solve_linear_random_features, solve_powerlaw_ridge, solve_random_features,
                                solve_ridge)
from symrmt.equivalents.simulate import (simulate_linear_random_features, simulate_powerlaw_ridge,
                                         simulate_random_features, simulate_ridge)

from .conftest import within

pytestmark = pytest.mark.slow


def test_ridge_large():
    # N = 1500, 8 trials (enough for a usable standard error), seed 31: relative fluctuations
    # ~ 1/√(N·trials) ≈ 1 %, bias ~ 1/N
    N = 1500
    th = solve_ridge(2.0, 0.2, noise=0.5, spectrum=([1, 3], [0.5, 0.5]))
    sim = simulate_ridge(N, 2.0, 0.2, 0.5, spectrum=([1, 3], [0.5, 0.5]), trials=8, seed=31)
    for name in ("test_error", "train_error", "bias", "variance"):
        assert within(float(th[name]), sim, name, N), name


def test_linear_random_features_large():
    D = 1000
    th = solve_linear_random_features(0.8, 1.6, 0.02, noise=0.3, ensemble=3)
    sim = simulate_linear_random_features(D, 0.8, 1.6, 0.02, 0.3, ensemble=3, trials=3, seed=22)
    assert within(float(th["test_error"]), sim, "test_error", D)


@pytest.mark.parametrize("psi1", [0.5, 2.0])
def test_random_features_large(psi1):
    # d = 1000, ψ2 = 1.2, 3 trials, 4000 test points; excess-risk fluctuations ~ 1/√d
    d = 1000
    th = solve_random_features(psi1, 1.2, 0.05, "relu", F1=1.0, Fstar=0.3, tau=0.4)
    sim = simulate_random_features(d, psi1, 1.2, 0.05, "relu", 1.0, 0.3, 0.4, trials=3, seed=23, n_test=4000)
    assert within(float(th["risk"]), sim, "risk", d)


def test_powerlaw_large():
    n = 1500
    th = solve_powerlaw_ridge(n, 3000, 1.5, 1.0, 0.1, 1e-4)
    sim = simulate_powerlaw_ridge(n, 3000, 1.5, 1.0, 0.1, 1e-4, trials=3, seed=24)
    assert within(float(th["test_error"]), sim, "test_error", n)
    assert abs(sim.mean("gcv") - float(th["test_error"])) <= 4 * sim.stderr("gcv") + 3 * float(th["test_error"]) / np.sqrt(n)
