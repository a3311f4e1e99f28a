"""Learning-model simulations (:mod:`symrmt.simulate.learning`) against the deterministic equivalents:
ridge, linear random features with ensembles, Mei–Montanari random features and power-law ridge,
trained exactly; tolerances from their Monte-Carlo error plus an O(1/size) finite-size allowance.
Paper-size checks (d ≈ 1000–2000) are marked slow.
"""
import numpy as np
import pytest

from symrmt.equivalents import (solve_linear_random_features, solve_powerlaw_ridge, solve_random_features,
                                solve_ridge)
from symrmt.errors import ParameterError
from symrmt.simulate import (Measurement, simulate_linear_random_features, simulate_powerlaw_ridge,
                             simulate_random_features, simulate_ridge)

from .conftest import within


@pytest.mark.parametrize("q, lam, spec", [(0.5, 0.1, None), (2.0, 0.2, ([1, 3], [0.5, 0.5]))])
def test_theory_vs_trained_ridge(q, lam, spec):
    # N = 300, 6 trials, seed 11: Monte-Carlo error ~ 1/√(N·trials) relative, finite-size bias ~ 1/N
    N = 300
    res = solve_ridge(q, lam, noise=0.5, spectrum=spec)
    sim = simulate_ridge(N, q, lam, 0.5, spectrum=spec, trials=6, seed=11, device="cpu")
    for name in ("test_error", "train_error", "bias", "variance"):
        assert within(float(res[name]), sim, name, N), name
    # GCV has O(1/√N) fluctuations of the trace; looser by the same rule with c_fs for 1/√N
    assert abs(sim.mean("gcv") - float(res["gcv"])) <= 4 * sim.stderr("gcv") + 3 * float(res["gcv"]) / np.sqrt(N)


@pytest.mark.parametrize("alpha, beta, lam, K", [(0.5, 0.7, 0.05, 1), (0.8, 1.6, 0.02, 2)])
def test_theory_vs_trained_ensembles(alpha, beta, lam, K):
    # D = 240, 6 trials, seed 5: relative Monte-Carlo error ~ 1/√(D·trials); finite-size bias ~ 1/D
    D = 240
    th = solve_linear_random_features(alpha, beta, lam, noise=0.3, ensemble=K)
    sim = simulate_linear_random_features(D, alpha, beta, lam, 0.3, ensemble=K, trials=6, seed=5, device="cpu")
    assert within(float(th["test_error"]), sim, "test_error", D)
    assert within(float(th["test_error_single"]), sim, "test_error_single", D)


@pytest.mark.parametrize("psi1", [0.5, 1.5])
def test_theory_vs_trained_random_features(psi1):
    # d = 150, n = 1.2 d, 4 trials, seed 7, 2000 test points: excess-risk fluctuations ~ 1/√d;
    # tolerance: 4 standard errors + 3·risk/d finite-size bias
    d = 150
    th = solve_random_features(psi1, 1.2, 0.05, "relu", F1=1.0, Fstar=0.3, tau=0.4)
    sim = simulate_random_features(d, psi1, 1.2, 0.05, "relu", 1.0, 0.3, 0.4, trials=4, seed=7, device="cpu")
    assert within(float(th["risk"]), sim, "risk", d)


@pytest.mark.parametrize("n", [100, 300])
def test_theory_vs_trained_powerlaw(n):
    # p = 500, a = 1.5, b = 1.0, 6 trials, seed 3: fluctuations ~ 1/√(n·trials); bias ~ 1/n
    th = solve_powerlaw_ridge(n, 500, 1.5, 1.0, 0.1, 1e-3)
    sim = simulate_powerlaw_ridge(n, 500, 1.5, 1.0, 0.1, 1e-3, trials=6, seed=3, device="cpu")
    assert within(float(th["test_error"]), sim, "test_error", n)
    # GCV estimates the same risk from training data only, with O(1/√n) fluctuations
    assert abs(sim.mean("gcv") - float(th["test_error"])) <= 4 * sim.stderr("gcv") + 3 * float(th["test_error"]) / np.sqrt(n)


@pytest.mark.slow
def test_ridge_large():
    # N = 1500, 8 trials (enough for a usable standard error), seed 31: relative fluctuations
    # ~ 1/√(N·trials) ≈ 1 %, bias ~ 1/N
    N = 1500
    th = solve_ridge(2.0, 0.2, noise=0.5, spectrum=([1, 3], [0.5, 0.5]))
    sim = simulate_ridge(N, 2.0, 0.2, 0.5, spectrum=([1, 3], [0.5, 0.5]), trials=8, seed=31)
    for name in ("test_error", "train_error", "bias", "variance"):
        assert within(float(th[name]), sim, name, N), name


@pytest.mark.slow
def test_linear_random_features_large():
    D = 1000
    th = solve_linear_random_features(0.8, 1.6, 0.02, noise=0.3, ensemble=3)
    sim = simulate_linear_random_features(D, 0.8, 1.6, 0.02, 0.3, ensemble=3, trials=3, seed=22)
    assert within(float(th["test_error"]), sim, "test_error", D)


@pytest.mark.slow
@pytest.mark.parametrize("psi1", [0.5, 2.0])
def test_random_features_large(psi1):
    # d = 1000, ψ2 = 1.2, 3 trials, 4000 test points; excess-risk fluctuations ~ 1/√d
    d = 1000
    th = solve_random_features(psi1, 1.2, 0.05, "relu", F1=1.0, Fstar=0.3, tau=0.4)
    sim = simulate_random_features(d, psi1, 1.2, 0.05, "relu", 1.0, 0.3, 0.4, trials=3, seed=23, n_test=4000)
    assert within(float(th["risk"]), sim, "risk", d)


@pytest.mark.slow
def test_powerlaw_large():
    n = 1500
    th = solve_powerlaw_ridge(n, 3000, 1.5, 1.0, 0.1, 1e-4)
    sim = simulate_powerlaw_ridge(n, 3000, 1.5, 1.0, 0.1, 1e-4, trials=3, seed=24)
    assert within(float(th["test_error"]), sim, "test_error", n)
    assert abs(sim.mean("gcv") - float(th["test_error"])) <= 4 * sim.stderr("gcv") + 3 * float(th["test_error"]) / np.sqrt(n)


def test_simulations_refuse_bad_input():
    with pytest.raises(ParameterError, match="ridge"):
        simulate_ridge(20, 0.5, -0.1, device="cpu")
    with pytest.raises(ParameterError, match="trials"):
        simulate_linear_random_features(20, 0.5, 0.5, 0.1, trials=0, device="cpu")
    with pytest.raises(ParameterError, match="spectrum"):
        simulate_ridge(20, 0.5, 0.1, spectrum=3, device="cpu")
    with pytest.raises(ParameterError, match="Fstar"):
        simulate_random_features(20, 1.0, 1.0, 0.1, Fstar=-1, device="cpu")


def test_measurement_interval_is_student_t():
    """Measurement.ci against scipy's t interval written out here; one trial gives a degenerate one."""
    from scipy import stats

    x = np.array([1.0, 2.0, 4.0, 7.0])
    lo, hi = Measurement({"e": x}).ci("e")
    half = stats.t.ppf(0.975, 3) * x.std(ddof=1) / 2
    assert lo == pytest.approx(x.mean() - half) and hi == pytest.approx(x.mean() + half)
    assert Measurement({"e": np.array([3.0])}).ci("e") == (3.0, 3.0)
