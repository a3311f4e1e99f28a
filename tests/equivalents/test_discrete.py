"""Power-law ridge (Gaussian-equivalent learning curve with a discrete spectrum) and kernel GCV."""
import numpy as np
import pytest

import symrmt as sr
from symrmt.equivalents import solve_discrete, solve_powerlaw_ridge
from symrmt.equivalents.ridge import solve_ridge
from symrmt.errors import ParameterError
from symrmt.simulate import simulate_powerlaw_ridge



def test_flat_spectrum_is_ridge():
    # ω_i = 1, p = 60 modes, n = 100: q = 0.6, per-sample ridge = AZP's λ; c_i² = signal/p
    r = solve_ridge(0.6, 0.1, noise=0.2, signal=1.0)
    d = solve_discrete(np.ones(60), np.full(60, 1 / 60), 100, 0.1, 0.2)
    assert d.converged
    assert float(d["test_error"]) == pytest.approx(float(r["test_error"]), rel=1e-12)
    assert float(d["kappa"]) == pytest.approx(float(r["kappa"]), rel=1e-12)


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




def test_powerlaw_ridge_takes_any_spectrum():
    """``spectrum=``: the default is the power law i^(−a) itself; a measured spectrum (400 random
    eigenvalues) with the source θ_i² = ω_i^(2b/a) against brentq on κ − λ̃ = (κ/n)Σ ω/(ω+κ)."""
    from scipy.optimize import brentq

    import symrmt as sr
    from symrmt.measures import power_law

    n, ridge = np.array([50.0, 300.0]), 1e-3
    default = solve_powerlaw_ridge(n, 800, 1.4, 0.8, 0.05, ridge)
    same = solve_powerlaw_ridge(n, 800, 1.4, 0.8, 0.05, ridge, spectrum=power_law(1.4, 800))
    np.testing.assert_allclose(same["test_error"], default["test_error"], rtol=1e-12)
    om = np.random.default_rng(3).uniform(0.01, 2.0, 400)
    res = solve_powerlaw_ridge(n, 800, 1.4, 0.8, 0.05, ridge, spectrum=om)
    th2 = om ** (2 * 0.8 / 1.4)
    for j, nn in enumerate(n):
        k = brentq(lambda k: k - ridge - k / nn * np.sum(om / (om + k)), ridge, ridge + om.sum() / nn + 1,
                   xtol=1e-15)
        e = (0.05 + k * k * np.sum(om * th2 / (om + k) ** 2)) / (1 - np.sum(om**2 / (om + k) ** 2) / nn)
        assert res["test_error"][j] == pytest.approx(e, rel=1e-10)
    d = sr.load("powerlaw-ridge")
    assert "spectrum" in d.options
    reg = d.solve(n=n, p=800, a=1.4, b=0.8, noise=0.05, ridge=ridge, spectrum=om)
    np.testing.assert_allclose(reg["test_error"], res["test_error"], rtol=1e-12)
    with pytest.raises(ParameterError, match="spectrum"):
        solve_powerlaw_ridge(n, 800, 1.4, 0.8, 0.05, ridge, spectrum=([-1.0, 1.0], [0.5, 0.5]))
    with pytest.raises(ParameterError, match="omega"):
        simulate_powerlaw_ridge(50, 10, 1.4, 0.8, 0.05, ridge, omega=[1.0, -0.5])


def test_powerlaw_ridge_simulation_draws_the_given_spectrum():
    """The trained models with ``omega = i^(−a)`` given as data are the default power-law draw
    (same seed, same numbers): the spectrum and the target θ_i = ω_i^(b/a) = i^(−b) are used as given."""
    a, b = 1.4, 0.8
    omega = np.arange(1, 301, dtype=float) ** (-a)
    ref = simulate_powerlaw_ridge(60, 300, a, b, 0.05, 1e-2, trials=3, seed=5, device="cpu")
    got = simulate_powerlaw_ridge(60, 7, a, b, 0.05, 1e-2, trials=3, seed=5, device="cpu", omega=omega)
    for key in ("test_error", "train_error", "gcv"):
        np.testing.assert_allclose(got.values[key], ref.values[key], rtol=1e-12)


@pytest.mark.slow
def test_powerlaw_ridge_verify_with_a_measured_spectrum():
    """verify(spectrum=…) with 1500 random eigenvalues in [0.001, 0.2]: ladder n = 50…400,
    12 trials at the smallest size, seed 0 — "agrees" (3 SE(δ) ≈ 0.02 < resolution 0.05); the
    theory at b = 0.9 instead of 0.8 (test error ≈ 20 % lower) must come out "disagrees"."""
    om = np.random.default_rng(3).uniform(0.01, 2.0, 1500) / 10
    d = sr.load("powerlaw-ridge")
    kw = dict(sizes=(50, 100, 200, 400), trials=12, seed=0, device="cpu", spectrum=om, a=1.4, b=0.8,
              noise=0.05, ridge=0.1)
    assert d.verify(**kw).verdict == "agrees"
    assert d.verify(**kw, theory_params={"b": 0.9}).verdict == "disagrees"
