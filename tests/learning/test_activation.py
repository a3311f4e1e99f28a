"""A nonlinear last layer by Gaussian equivalence: Mei–Montanari random features as an instance.

One layer on isotropic data, ``psi1 = width``, ``psi2 = samples``, MM's ridge ``λ_MM = λ/width``
(their penalty is ``(Nλ_MM/d)‖a‖²``), ``F1² = signal``, ``τ² = noise``, ``F* = 0``: the excess
risk ``test_error − noise`` equals ``random-features``'s (ν1, ν2 fixed point and E0, E1, E2 —
independent equations) to 1e-10.
"""
import math

import numpy as np
import pytest
import sympy as sp

import symrmt as sr
import symrmt.learning as sl
from symrmt.errors import ParameterError
from symrmt.learning.description import linearize_activation

PSI1 = np.array([0.5, 1.5, 3.0, 1.2])
PSI2 = np.array([1.2, 0.7, 2.0, 4.0])
LAM_MM = np.array([0.05, 0.01, 0.2, 1e-3])
SPEC = ([0.5, 1.0, 2.0], [0.3, 0.4, 0.3])
C2 = ([0.5, 1.5], [0.5, 0.5])


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_one_layer_on_isotropic_data_is_mei_montanari(activation):
    F1, tau = 1.3, 0.4
    m = sl.model(layers=[sl.linear(1.0)], activation=activation, noise=tau**2, signal=F1**2)
    res = m.solve(samples=PSI2, ridge=PSI1 * LAM_MM, width1=PSI1)
    ref = sr.load("random-features").solve(psi1=PSI1, psi2=PSI2, ridge=LAM_MM, F1=F1, Fstar=0.0, tau=tau,
                                           activation=activation)
    np.testing.assert_allclose(res["test_error"] - tau**2, ref["risk"], rtol=1e-10, atol=0)
    # a nonlinear target part F*: by Gaussian equivalence it is label noise in training and an
    # irreducible error in testing (MM's risk has F*² E2/E0 + F*²): noise = τ² + F*²
    Fs = 0.5
    res = m.solve(samples=PSI2, ridge=PSI1 * LAM_MM, width1=PSI1, noise=tau**2 + Fs**2)
    ref = sr.load("random-features").solve(psi1=PSI1, psi2=PSI2, ridge=LAM_MM, F1=F1, Fstar=Fs, tau=tau,
                                           activation=activation)
    np.testing.assert_allclose(res["test_error"] - tau**2, ref["risk"], rtol=1e-10, atol=0)


def test_linearization_coefficients_closed_forms():
    """ReLU is positively homogeneous: at variance r, κ1 = 1/2 and κ*² = r(π − 2)/(4π),
    κ0 = √r/√(2π) (Mei & Montanari, arXiv 1908.05355, §2)."""
    for r in (1.0, 4.0, 0.3):
        a = linearize_activation("relu", r)
        assert a.kappa1 == pytest.approx(0.5, rel=1e-12)
        assert a.kappastar**2 == pytest.approx(r * (math.pi - 2) / (4 * math.pi), rel=1e-10)
        assert a.kappa0 == pytest.approx(math.sqrt(r / (2 * math.pi)), rel=1e-10)
    # tanh is not homogeneous: κ1(r) = E[tanh′(√r G)] by Stein's lemma, by quadrature here
    g, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    for r in (0.5, 2.0):
        k1 = float(np.sum(w * (1 - np.tanh(math.sqrt(r) * g) ** 2)))
        assert linearize_activation("tanh", r).kappa1 == pytest.approx(k1, rel=1e-8)
    # the model uses r = mean(Σ) · Π mean(C_ℓ)
    m = sl.model(data=SPEC, layers=[sl.linear(2.0, weights=C2), sl.linear(1.0, weights=([3.0], [1.0]))],
                 activation="relu")
    assert m.activation.variance == pytest.approx(1.15 * 1.0 * 3.0, rel=1e-12)


def test_activation_bad_input():
    with pytest.raises(ParameterError, match="activation"):
        sl.model(activation="relu")                      # no layer to act on
    with pytest.raises(ParameterError, match="ensemble"):
        sl.model(layers=[sl.linear(1.0)], activation="relu", ensemble=4)
    with pytest.raises(ParameterError, match="ensemble"):
        sl.model(layers=[sl.linear(1.0)], activation="relu", ensemble="inf")
    with pytest.raises(ParameterError, match="activation"):
        sl.model(layers=[sl.linear(1.0)], activation="softplus-ish")
    x = sp.Symbol("x")
    with pytest.raises(ParameterError, match="κ1"):
        sl.model(layers=[sl.linear(1.0)], activation=x**2)   # even: no linear part
    with pytest.raises(ParameterError, match="activation"):
        sl.model(layers=[sl.linear(1.0)], activation=lambda u: u)
    with pytest.raises(ParameterError, match="one entry"):
        sl.model(layers=[sl.linear(1.0), sl.linear(2.0)], activation=["relu"])
    # a list with None entries: linear layers; only None everywhere is the linear chain
    assert not sl.model(layers=[sl.linear(1.0)], activation=[None]).nonlinear
    m = sl.model(layers=[sl.linear(1.0), sl.linear(2.0)], activation=["relu", None])
    assert m.activations[1] is None and m.activation is None and m.nonlinear


def test_preactivation_variance_through_a_nonlinear_layer():
    """After a nonlinear layer the next preactivation variance is mean(C)·(κ1² r + κ*²), the
    variance of the centred features (for ReLU at r = 1: 1/4 + (π − 2)/(4π) = 1/2 − 1/(2π))."""
    m = sl.model(layers=[sl.linear(2.0), sl.linear(1.5, weights=([2.0], [1.0]))], activation=["relu", "tanh"])
    assert m.activations[1].variance == pytest.approx(2.0 * (0.5 - 1 / (2 * math.pi)), rel=1e-12)


def test_solve_refuses_an_ensemble_and_has_no_bias_terms():
    m = sl.model(layers=[sl.linear(1.5)], activation="relu", noise=0.1)
    with pytest.raises(ParameterError, match="ensemble"):
        m.solve(samples=1.5, ridge=0.05, ensemble=2)
    res = m.solve(samples=np.array([0.5, 1.5]), ridge=0.05)
    assert "bias" not in res.observables and "test_error_inf" not in res.observables
    # train error = (1 − q df_Ω)² E_1 and GCV = E_1 (the train–test gap is the data S-transform)
    np.testing.assert_allclose(res["train_error"], res["train_test_gap"] * res["test_error"], rtol=1e-12)
    np.testing.assert_allclose(res["gcv"], res["test_error"], rtol=1e-12)
    labels = [label for label, _ in m.equations()]
    assert "kappa equation (Gaussian-equivalent features)" in labels and "activation" in repr(m)


@pytest.mark.slow
def test_linear_activation_is_the_linear_chain():
    """σ = identity has κ1 = 1, κ* = 0: the same equations as no activation (structured data,
    a structured first layer)."""
    layers = [sl.linear(2.0, weights=C2), sl.linear(1.5)]
    lin = sl.model(data=SPEC, layers=layers, noise=0.1).solve(samples=PSI2, ridge=0.05)
    act = sl.model(data=SPEC, layers=layers, noise=0.1, activation="linear").solve(samples=PSI2, ridge=0.05)
    for key in ("kappa", "test_error", "train_error"):
        np.testing.assert_allclose(act[key], lin[key], rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["mei-montanari-relu", "structured-depth2-tanh"])
def test_nonlinear_verify_agrees(case):
    """Trained models with σ applied to the last layer's features (centred by κ0), test error on
    4000 fresh inputs; n = D in (100, 200, 400, 800), 16 trials (the derivation's default), seed 0."""
    from symrmt.derivation.from_model import from_model

    if case == "mei-montanari-relu":
        m = sl.model(layers=[sl.linear(1.5)], activation="relu", noise=0.1)
    else:
        m = sl.model(data=SPEC, layers=[sl.linear(2.0, weights=C2), sl.linear(1.5)], activation="tanh",
                     noise=0.1)
    rep = from_model(m, f"nonlinear-{case}", samples=1.5, ridge=0.05).verify(sizes=(100, 200, 400, 800), seed=0)
    assert rep.verdict == "agrees", (rep, rep.reasons)


@pytest.mark.slow
def test_wrong_activation_disagrees():
    """The tanh theory (0.47 at this point) against ReLU features (0.78): n = D in
    (100, 200, 400, 800), 8 trials, seed 0."""
    from symrmt.derivation.from_model import from_model

    true = sl.model(layers=[sl.linear(1.5)], activation="relu", noise=0.1)
    wrong = sl.model(layers=[sl.linear(1.5)], activation="tanh", noise=0.1)
    rep = from_model(wrong, "wrong-activation", simulated=true, samples=1.5,
                     ridge=0.05).verify(sizes=(100, 200, 400, 800), trials=8, seed=0)
    assert rep.verdict == "disagrees", rep


@pytest.mark.slow
@pytest.mark.parametrize("case", ["relu-relu", "tanh-linear"])
def test_deep_nonlinear_chain_against_deep_structured_rf(case):
    """Every layer linearized, averaged over the weights (one κ equation), against
    ``deep-structured-rf``'s theory conditional on one drawn network (the feature covariance Ω_L
    built layer by layer from the drawn weights, teacher-averaged), isotropic data, D = 800,
    weight seed 1: the conditional answer fluctuates by O(1/√D) about the average (measured
    1e-4 relative), hence rtol 3e-3."""
    from symrmt.equivalents.deep import solve_deep_structured_rf

    acts = ("relu", "relu") if case == "relu-relu" else ("tanh", None)
    alpha = np.array([0.5, 1.5, 3.0])
    m = sl.model(layers=[sl.linear(2.0), sl.linear(1.5)], activation=list(acts), noise=0.1)
    ours = m.solve(samples=alpha, ridge=0.05)["test_error"]
    ref = solve_deep_structured_rf(alpha, 0.05, noise=0.1, signal=1.0, widths=(2.0, 1.5),
                                   activations=tuple("linear" if a is None else a for a in acts), d=800,
                                   weight_seed=1, teacher_average=True)["test_error"]
    np.testing.assert_allclose(ours, ref, rtol=3e-3)


@pytest.mark.slow
def test_deep_nonlinear_chain_verify_agrees():
    """ReLU on both layers, a 2-atom row covariance on the second: n = D in (100, 200, 400, 800),
    16 trials, seed 0."""
    from symrmt.derivation.from_model import from_model

    m = sl.model(layers=[sl.linear(2.0), sl.linear(1.5, weights=C2)], activation=["relu", "relu"], noise=0.1)
    rep = from_model(m, "deep-nonlinear", samples=1.5, ridge=0.05).verify(sizes=(100, 200, 400, 800), seed=0)
    assert rep.verdict == "agrees", (rep, rep.reasons)
