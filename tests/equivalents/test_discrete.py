"""Power-law ridge (Gaussian-equivalent learning curve with a discrete spectrum) and kernel GCV."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.equivalents.discrete import solve_discrete, solve_powerlaw_ridge
from symrmt.equivalents.ridge import solve_ridge
from symrmt.equivalents.simulate import simulate_powerlaw_ridge

from .conftest import within


def test_flat_spectrum_is_ridge():
    # ω_i = 1, p = 60 modes, n = 100: q = 0.6, per-sample ridge = AZP's λ; c_i² = signal/p
    r = solve_ridge(0.6, 0.1, noise=0.2, signal=1.0)
    d = solve_discrete(np.ones(60), np.full(60, 1 / 60), 100, 0.1, 0.2)
    assert d.converged
    assert float(d["test_error"]) == pytest.approx(float(r["test_error"]), rel=1e-12)
    assert float(d["kappa"]) == pytest.approx(float(r["kappa"]), rel=1e-12)


@pytest.mark.parametrize("n", [100, 300])
def test_theory_vs_trained_powerlaw(n):
    # p = 500, a = 1.5, b = 1.0, 6 trials, seed 3: fluctuations ~ 1/√(n·trials); bias ~ 1/n
    th = solve_powerlaw_ridge(n, 500, 1.5, 1.0, 0.1, 1e-3)
    sim = simulate_powerlaw_ridge(n, 500, 1.5, 1.0, 0.1, 1e-3, trials=6, seed=3, device="cpu")
    assert within(float(th["test_error"]), sim, "test_error", n)
    # GCV estimates the same risk from training data only, with O(1/√n) fluctuations
    assert abs(sim.mean("gcv") - float(th["test_error"])) <= 4 * sim.stderr("gcv") + 3 * float(th["test_error"]) / np.sqrt(n)


def test_learning_curve_arrays():
    n = np.array([[50], [500]])
    ridge = np.array([1e-4, 1e-2])
    r = solve_powerlaw_ridge(n, 2000, 1.3, 0.9, 0.05, ridge)
    assert r["test_error"].shape == (2, 2) and r.converged.all()
    # independent route: scipy's brentq on κ − λ̃ = (κ/n) Σ ω/(ω+κ), then the closed form
    from scipy.optimize import brentq

    i = np.arange(1, 2001.0)
    om, th2 = i**-1.3, i**-1.8
    for a in range(2):
        for b in range(2):
            nn, lam = float(n[a, 0]), ridge[b]
            k = brentq(lambda k: k - lam - k / nn * np.sum(om / (om + k)), lam, lam + om.sum() / nn + 1, xtol=1e-15)
            e = (0.05 + k * k * np.sum(om * th2 / (om + k) ** 2)) / (1 - np.sum(om**2 / (om + k) ** 2) / nn)
            assert r["test_error"][a, b] == pytest.approx(e, rel=1e-9)


def test_bad_input():
    with pytest.raises(ParameterError, match="ridge"):
        solve_powerlaw_ridge(100, 100, 1.5, 1.0, 0.1, -1e-3)
    with pytest.raises(ParameterError, match="p"):
        solve_powerlaw_ridge(100, 0, 1.5, 1.0, 0.1, 1e-3)
    with pytest.raises(ParameterError, match="coef2"):
        solve_discrete(np.ones(3), np.ones(4), 10, 0.1)


@pytest.mark.slow
def test_kernel_omniscient_risk_and_gcv():
    from symrmt.equivalents.kernel import simulate_kernel

    # n = 400, M = 2000 population points, 3 trials: the omniscient risk tracks the measured test
    # error within MC error + 5 % (Nyström spectrum estimate); GCV within 20 % at this n
    s = simulate_kernel(400, d=8, ridge=1e-3, noise=0.1, kernel="relu", population=2000, trials=3, seed=1)
    assert abs(s.mean("omniscient") - s.mean("test_error")) <= 4 * s.stderr("test_error") + 0.05 * s.mean("test_error")
    assert abs(s.mean("gcv") - s.mean("test_error")) <= 0.2 * s.mean("test_error")
