"""The derived equations reduce exactly to the hand-written solvers (independent equations).

No layers = ``ridge``; one isotropic layer = ``linear-random-features`` (K = 1, 4, ∞) with
``alpha = 1/samples``, ``beta = 1/width``, ``ridge_LRF = λ/width`` (its features are rescaled by
``1/√width``); isotropic chains = ``deep-linear-rf`` (``alpha = samples``, ``widths``).
"""
import numpy as np
import pytest

import symrmt as sr
import symrmt.learning as sl
from symrmt.errors import ParameterError

SPEC = ([0.5, 1.0, 2.0], [0.3, 0.4, 0.3])
SAMPLES = np.array([0.3, 0.9, 1.7, 4.0])


def test_no_layers_is_ridge():
    m = sl.model(data=SPEC, noise=0.25, signal=1.5)
    res = m.solve(samples=SAMPLES, ridge=np.array([0.1, 0.01, 0.3, 1e-3]))
    ref = sr.load("ridge").solve(q=1 / SAMPLES, ridge=np.array([0.1, 0.01, 0.3, 1e-3]), noise=0.25, signal=1.5,
                                 spectrum=SPEC)
    for key in ("kappa", "test_error", "train_error", "gcv"):
        np.testing.assert_allclose(res[key], ref[key], rtol=1e-10, atol=0)
    # ridge's bias includes the sample variance of the signal part; its variance is the noise part
    np.testing.assert_allclose(res["bias"] + res["variance_samples"], ref["bias"], rtol=1e-10)
    np.testing.assert_allclose(res["variance_noise"], ref["variance"], rtol=1e-10)
    np.testing.assert_allclose(res["bias"] + res["variance"] + 0.25, res["test_error"], rtol=1e-12)
    assert np.all(res["variance_features"] == 0)


@pytest.mark.parametrize("K", [1, 4, "inf"])
def test_one_isotropic_layer_is_linear_random_features(K):
    width = np.array([1.5, 0.7, 3.0, 1.2])
    m = sl.model(noise=0.25, signal=1.0, layers=[sl.linear(1.0)], ensemble=K)
    res = m.solve(samples=SAMPLES, ridge=0.05, width1=width)
    ref = sr.load("linear-random-features").solve(alpha=1 / SAMPLES, beta=1 / width, ridge=0.05 / width,
                                                  noise=0.25, signal=1.0,
                                                  ensemble=np.inf if K == "inf" else K)
    np.testing.assert_allclose(res["test_error"], ref["test_error"], rtol=1e-10, atol=0)
    np.testing.assert_allclose(res["test_error_single"], ref["test_error_single"], rtol=1e-10)
    np.testing.assert_allclose(res["test_error_inf"], ref["test_error_inf"], rtol=1e-10)


@pytest.mark.slow
def test_isotropic_chain_is_deep_linear_rf():
    widths = (2.0, 0.8, 1.5)
    m = sl.model(data=SPEC, noise=0.1, layers=[sl.linear(w) for w in widths])
    res = m.solve(samples=SAMPLES, ridge=0.05)
    ref = sr.load("deep-linear-rf").solve(alpha=SAMPLES, ridge=0.05, noise=0.1, signal=1.0, widths=widths,
                                          data_covariance=SPEC)
    np.testing.assert_allclose(res["test_error"], ref["test_error"], rtol=1e-10, atol=0)
    np.testing.assert_allclose(res["kappa"], ref["kappa"], rtol=1e-10)
    np.testing.assert_allclose(res["kappa_features"], ref["kappa_features"], rtol=1e-10)


@pytest.mark.slow
def test_structured_data_lrf_all_ensembles():
    m = sl.model(data=SPEC, noise=0.25, layers=[sl.linear(1.5)], ensemble=1)
    from symrmt.equivalents import solve_linear_random_features

    for K in (1, 4, np.inf):
        res = m.solve(samples=SAMPLES, ridge=0.1, ensemble="inf" if np.isinf(K) else K)
        ref = solve_linear_random_features(1 / SAMPLES, 1 / 1.5, 0.1 / 1.5, 0.25, 1.0, K, spectrum=SPEC)
        np.testing.assert_allclose(res["test_error"], ref["test_error"], rtol=1e-10, atol=0)


@pytest.mark.slow  # minutes with a cold solver cache; run by make test-slow
def test_structured_weights_with_one_atom_are_isotropic_rescaled():
    """A row covariance c·I is an isotropic layer with features scaled by √c: ridge λ ↦ λ/c."""
    c = 2.5
    iso = sl.model(noise=0.1, layers=[sl.linear(1.3)]).solve(samples=SAMPLES, ridge=0.04 / c)
    st = sl.model(noise=0.1, layers=[sl.linear(1.3, weights=([c], [1.0]))]).solve(samples=SAMPLES, ridge=0.04)
    np.testing.assert_allclose(st["test_error"], iso["test_error"], rtol=1e-10)


def test_solve_arrays_and_errors():
    m = sl.model(noise=0.1, layers=[sl.linear(1.0)], ensemble=2)
    res = m.solve(samples=np.array([[0.5], [2.0]]), ridge=np.array([0.1, 0.2, 0.3]),
                  ensemble=np.array([1, 2, "inf"], dtype=object))
    assert res["test_error"].shape == (2, 3)
    with pytest.raises(ParameterError, match="samples"):
        m.solve(samples=-1.0)
    with pytest.raises(ParameterError, match="width7"):
        m.solve(width7=1.0)
    with pytest.raises(ParameterError, match="ensemble"):
        m.solve(ensemble=0)


def test_equations_and_latex():
    m = sl.model(layers=[sl.linear(2.0), sl.linear(1.0, weights=([0.5, 1.5], [0.5, 0.5]))])
    labels = [label for label, _ in m.equations()]
    assert "kappa equation (S-transforms multiply)" in labels
    assert any("row covariance" in label for label in labels)
    tex = m.latex()
    assert "S_{C2}" in tex or "S_C2" in tex or "S_{C_{2}}" in tex
    assert {s.name for s in m.system().parameters} >= {"samples", "ridge", "width1", "width2"}
    assert "kappa_w2" in {u.name for u in m.system().unknowns}


@pytest.mark.slow
def test_a_hard_cold_point_converges_by_continuation():
    """samples = 0.5, ridge = 0.01 fails from the initial guess alone; the path in samples finds it,
    and it agrees with the same point reached inside a warm-started grid."""
    m = sl.model(data=SPEC, layers=[sl.linear(2.0), sl.linear(1.5, weights=([0.5, 1.5], [0.5, 0.5]))],
                 noise=0.1, ensemble=4)
    alone = m.solve(samples=0.5, ridge=0.01)
    grid = m.solve(samples=np.geomspace(4.0, 0.5, 30), ridge=0.01)
    np.testing.assert_allclose(alone["test_error"], grid["test_error"][-1], rtol=1e-10)
