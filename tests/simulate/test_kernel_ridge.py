"""Kernel ridge regression simulated (:mod:`symrmt.simulate.kernel_ridge`) against the omniscient
risk computed from each trial's own population sample (:func:`symrmt.equivalents.omniscient_risk`)."""
import numpy as np
import pytest

import symrmt as sr
from symrmt.equivalents import draw_population, omniscient_risk
from symrmt.errors import ParameterError
from symrmt.simulate import simulate_kernel_ridge


def test_simulation_returns_its_draw_and_no_theory():
    s = simulate_kernel_ridge(30, d=4, population=50, n_test=40, trials=2, seed=3, device="cpu")
    assert set(s.values) == {"test_error", "gcv", "train_error"}
    assert len(s.draws["population"]) == 2 and s.draws["population"][0].shape == (50, 4)
    assert np.allclose(np.linalg.norm(s.draws["population"][0], axis=1), 2.0)   # sphere of radius √d
    assert np.isclose(np.linalg.norm(s.draws["beta"][1]), 1.0)
    assert s.sizes == {"n": 30, "d": 4}
    with pytest.raises(ParameterError, match="kernel"):
        simulate_kernel_ridge(30, d=4, kernel="rbf", population=50, device="cpu")


def test_solve_draws_a_population_at_its_seed():
    """kernel-gcv's solve is the omniscient risk of the population drawn at population_seed:
    the same numbers as omniscient_risk on draw_population's sample; arrays in n broadcast."""
    d = sr.load("kernel-gcv")
    res = d.solve(n=np.array([50, 200]), population=300, population_seed=4)
    pts, beta = draw_population(8, 300, 4)
    ref = omniscient_risk(pts, beta, np.array([50, 200]), 1e-3, 0.1, "exp")
    np.testing.assert_allclose(res["test_error"], ref["test_error"], rtol=1e-12)
    assert res["test_error"][1] < res["test_error"][0]
    other = d.solve(n=200, population=300, population_seed=5)["test_error"]
    assert float(other) != pytest.approx(float(res["test_error"][1]), rel=1e-9)


def test_trial_theory_uses_each_trials_population():
    d = sr.load("kernel-gcv")
    s = d.simulate(40, trials=2, seed=1, device="cpu", population=60)
    th = d.trial_theory(s, d.theory(**d.bind(population=60)))
    ref = [float(omniscient_risk(p, b, 40, 1e-3, 0.1)["test_error"]) for p, b in zip(s.draws["population"],
                                                                                   s.draws["beta"])]
    np.testing.assert_allclose(th, ref, rtol=1e-12)


@pytest.mark.slow
def test_kernel_omniscient_risk_and_gcv():
    # n = 400, M = 2000 population points, 3 trials: the omniscient risk tracks the measured test
    # error within MC error + 5 % (Nyström spectrum estimate); GCV within 20 % at this n
    s = simulate_kernel_ridge(400, d=8, ridge=1e-3, noise=0.1, kernel="relu", population=2000, trials=3, seed=1)
    om = np.array([float(omniscient_risk(p, beta, 400, 1e-3, 0.1, "relu")["test_error"])
                   for p, beta in zip(s.draws["population"], s.draws["beta"])])
    assert abs(om.mean() - s.mean("test_error")) <= 4 * s.stderr("test_error") + 0.05 * s.mean("test_error")
    assert abs(s.mean("gcv") - s.mean("test_error")) <= 0.2 * s.mean("test_error")
