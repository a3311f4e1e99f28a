"""Deep structured random features simulated (:mod:`symrmt.simulate.deep_features`) against the
closed-form theory conditional on each trial's drawn weights (:func:`symrmt.equivalents.draw_test_error`)
and the weight-averaged deep-linear theory; tolerances from the 1/√n statistical error (n, trials
and seeds stated).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from symrmt.derivation import load
from symrmt.equivalents import architecture, draw_test_error, feature_means, solve_deep_linear_rf
from symrmt.errors import ParameterError
from symrmt.simulate import simulate_deep_features, simulate_deep_linear_rf

from .conftest import within


def _arch(widths=(2.0, 1.5), activations="tanh", row_covariances=None, data_covariance=None, target="linear"):
    return architecture(widths, activations, row_covariances, data_covariance, target)


def _centring(**net):
    return feature_means(_arch(**net))


def _theory(sim, ridge, noise, signal=1.0, **net):
    """The theory of each trial, from that trial's drawn weights and teacher direction."""
    arch = _arch(**net)
    return np.array([float(draw_test_error(W, b, arch, sim.sizes["n"], ridge, noise, signal)["test_error"])
                     for W, b in zip(sim.draws["weights"], sim.draws["beta"])])


def test_simulation_returns_its_draw():
    sim = simulate_deep_features(12, 1.5, 0.1, 0.1, widths=(2.0, 0.5), trials=2, seed=0, device="cpu", n_test=50)
    assert set(sim.values) == {"test_error"} and sim.sizes == {"d": 12, "n": 18}
    assert [W.shape for W in sim.draws["weights"][1]] == [(24, 12), (6, 24)]
    assert sim.draws["beta"][0].shape == (12,)
    with pytest.raises(ParameterError, match="centring"):
        simulate_deep_features(12, 1.5, 0.1, 0.1, trials=1, device="cpu", n_test=50, centring=lambda W: [0.0])
    with pytest.raises(ParameterError, match="widths"):
        simulate_deep_features(12, 1.5, 0.1, 0.1, widths=(2.0, -1.0), device="cpu")


def test_centring_only_for_even_parts():
    assert feature_means(_arch(activations="tanh")) is None
    means = feature_means(_arch(activations=("relu", "tanh")))
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((20, 10)) / math.sqrt(10), rng.standard_normal((15, 20)) / math.sqrt(20)]
    k0 = means(Ws)
    # relu at unit-order variance r: κ0 = √(r/2π) > 0; tanh is odd: 0
    assert k0[0] > 0.2 and abs(k0[1]) < 1e-12


def test_deep_structured_simulation_matches_conditional_theory():
    """d = 200 (k = 400, 300; n = 300), 6 trials, seed 11, tanh: the per-trial relative deviation
    from the per-draw theory has a Monte-Carlo spread ≈ 1/√n; its mean must be within 4 standard
    errors + an O(1/d) finite-size allowance 3/d."""
    net = dict(widths=(2.0, 1.5), activations="tanh")
    sim = simulate_deep_features(200, 1.5, 0.05, 0.1, **net, trials=6, seed=11, device="cpu")
    th = _theory(sim, 0.05, 0.1, **net)
    rel = (sim["test_error"] - th) / th
    assert abs(rel.mean()) <= 4 * rel.std(ddof=1) / math.sqrt(rel.size) + 3 / 200, rel


def test_relu_structured_rows_and_data_covariance_simulation():
    """ReLU + erf layers, a two-atom data covariance, structured rows in layer 1 and a tanh teacher:
    d = 150, 6 trials, seed 4; same tolerance rule."""
    net = dict(widths=(1.5, 1.0), activations=("relu", "erf"), row_covariances=[([0.5, 2.0], [0.5, 0.5]), None],
               data_covariance=([0.5, 1.5], [0.5, 0.5]), target="tanh")
    sim = simulate_deep_features(150, 2.0, 0.1, 0.05, 1.0, **net, trials=6, seed=4, device="cpu",
                                 centring=_centring(**net))
    th = _theory(sim, 0.1, 0.05, 1.0, **net)
    rel = (sim["test_error"] - th) / th
    assert abs(rel.mean()) <= 4 * rel.std(ddof=1) / math.sqrt(rel.size) + 3 / 150, rel


def test_deep_linear_simulation_matches_s_transform_theory():
    """d = 200, widths (2, 0.8, 1.5), α = 1.5: 8 trials (seed 2) of trained deep linear networks
    (exact test error) vs the weight-averaged theory; 4 standard errors + 3/d."""
    th = float(solve_deep_linear_rf(1.5, 0.05, 0.1, 1.0, widths=(2.0, 0.8, 1.5))["test_error"])
    sim = simulate_deep_linear_rf(200, 1.5, 0.05, 0.1, 1.0, widths=(2.0, 0.8, 1.5), trials=8, seed=2, device="cpu")
    assert within(th, sim, "test_error", 200)


def test_linear_activation_paths_agree_exactly():
    """Same seed, same random stream: the deep-features simulation with linear activations is the
    deep-linear simulation (two code paths for the same network)."""
    a = simulate_deep_features(80, 1.2, 0.1, 0.1, widths=(1.5, 0.7), activations="linear", trials=2, seed=9,
                               device="cpu")
    b = simulate_deep_linear_rf(80, 1.2, 0.1, 0.1, widths=(1.5, 0.7), trials=2, seed=9, device="cpu")
    assert np.allclose(a["test_error"], b["test_error"], rtol=1e-10)


def test_feature_covariance_matches_monte_carlo():
    """Closed-form Ω_L vs the covariance of N = 20 k_L sampled features (relu → tanh, d = 100):
    the MC spectrum matches that of N Gaussian vectors with covariance Ω_L (KS < 0.06, a few
    times the 1/k resolution) and its Frobenius distance to Ω_L is the Gaussian one within 25 %."""
    out = load("deep-structured-rf").compare_feature_covariance(100, widths=(2.0, 1.5), activations=("relu", "tanh"),
                                                                seed=1, device="cpu")
    assert out["ks_mc_vs_gaussian"] < 0.06, out["ks_mc_vs_gaussian"]
    assert 0.8 < out["frobenius_mc"] / out["frobenius_gaussian"] < 1.25
    m = out["moments"]
    assert m["mc"][0] == pytest.approx(m["closed_form"][0], rel=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("acts", ["tanh", ("relu", "erf")])
def test_deep_structured_large_d(acts):
    """d = 1500 (k = 3000, 2250; n = 2250), 4 trials, seed 21."""
    net = dict(widths=(2.0, 1.5), activations=acts)
    sim = simulate_deep_features(1500, 1.5, 0.05, 0.1, **net, trials=4, seed=21, centring=_centring(**net))
    th = _theory(sim, 0.05, 0.1, **net)
    rel = (sim["test_error"] - th) / th
    assert abs(rel.mean()) <= 4 * rel.std(ddof=1) / math.sqrt(rel.size) + 3 / 1500, rel
    assert np.all(np.abs(rel) < 0.05)


@pytest.mark.slow
def test_deep_linear_large_d_and_verify_control():
    """d = 1500, 6 trials, seed 3 vs the S-transform theory; and a deliberately wrong theory
    (noise 0.3 instead of 0.1) must come out as "disagrees" in verify."""
    th = float(solve_deep_linear_rf(1.5, 0.05, 0.1, 1.0, widths=(2.0, 0.8, 1.5))["test_error"])
    sim = simulate_deep_linear_rf(1500, 1.5, 0.05, 0.1, 1.0, widths=(2.0, 0.8, 1.5), trials=6, seed=3)
    assert within(th, sim, "test_error", 1500)
    rep = load("deep-linear-rf").verify(quick=True, theory_params={"noise": 0.3}, device="cpu")
    assert rep.verdict == "disagrees"


@pytest.mark.gpu
def test_deep_features_on_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    net = dict(widths=(2.0, 1.5), activations=("relu", "tanh"))
    sim = simulate_deep_features(2000, 1.5, 0.05, 0.1, **net, trials=3, seed=5, device="cuda",
                                 centring=_centring(**net))
    th = _theory(sim, 0.05, 0.1, **net)
    rel = (sim["test_error"] - th) / th
    assert np.all(np.abs(rel) < 0.03), rel
    out = load("deep-structured-rf").compare_feature_covariance(500, widths=(2.0, 1.5), activations=("relu", "tanh"),
                                                                seed=2, device="cuda")
    assert out["ks_mc_vs_gaussian"] < 0.03
