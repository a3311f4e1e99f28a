"""The derived equations reduce exactly to the classical learning curves, each written here
independently in numpy (κ by brentq on its own equation, then the papers' closed forms).

No layers = ridge (AZP §2–3); one isotropic layer = AZP's linear random features (K = 1, 4, ∞)
with ``alpha = 1/samples``, ``beta = 1/width``, ``ridge_LRF = λ/width`` (its features are
rescaled by ``1/√width``) — AZP's ``ρ``/``γ₁`` form of E_1, not the model's derivative form;
isotropic chains = deep linear random features (the κ_L(κ) subordination with its derivatives
taken by central differences here, not symbolically).  The registry derivations ``ridge``,
``linear-random-features`` and ``deep-linear-rf`` are these instances.
"""
import numpy as np
import pytest
from scipy.optimize import brentq

import symrmt as sr
import symrmt.learning as sl
from symrmt.errors import ParameterError

SPEC = ([0.5, 1.0, 2.0], [0.3, 0.4, 0.3])
SAMPLES = np.array([0.3, 0.9, 1.7, 4.0])


def _traces(spec, k):
    pts, wts = (np.asarray(v, dtype=float) for v in (spec or ([1.0], [1.0])))
    return (np.sum(wts * pts / (pts + k)), np.sum(wts * pts**2 / (pts + k) ** 2), np.sum(wts * pts / (pts + k) ** 2))


def _kappa(f, lam):
    """The root of ``f(κ) = λ`` in κ > 0 (f increasing from 0 there on the physical branch)."""
    return brentq(lambda k: f(k) - lam, 1e-14, 1e6, xtol=1e-16, rtol=1e-15, maxiter=500)


def _ridge_reference(q, lam, noise, signal, spec):
    """AZP's ridge: λ = κ(1 − q df1), E = (κ² signal t2 + σ²)/(1 − q df2), E_tr = (λ/κ)² E."""
    k = _kappa(lambda k: k * (1 - q * _traces(spec, k)[0]), lam)
    df1, df2, t2 = _traces(spec, k)
    test = (k**2 * signal * t2 + noise) / (1 - q * df2)
    return {"kappa": k, "test_error": test, "train_error": (lam / k) ** 2 * test, "gcv": test,
            "bias": k**2 * signal * t2 / (1 - q * df2), "variance": q * df2 * noise / (1 - q * df2)}


def _lrf_reference(alpha, beta, lam, noise, signal, K, spec=None):
    """AZP's linear random features: λ = κ(1 − α df1)(1 − β df1); ρ = (1 − β df1)/(1 − β df2),
    γ₁ = α(df1 − ρ(df1 − df2)), E_1 = [ρκ² signal t2 + (1 − ρ)κ signal df1 + σ²]/(1 − γ₁),
    E_∞ = (κ² signal t2 + σ²)/(1 − α df2), E_K = E_∞ + (E_1 − E_∞)/K."""
    def f(k):
        d = _traces(spec, k)[0]
        return k * (1 - alpha * d) * (1 - beta * d)

    k = _kappa(f, lam)
    df1, df2, t2 = _traces(spec, k)
    e_inf = (k**2 * signal * t2 + noise) / (1 - alpha * df2)
    rho = (1 - beta * df1) / (1 - beta * df2)
    g1 = alpha * (df1 - rho * (df1 - df2))
    e_1 = (rho * k**2 * signal * t2 + (1 - rho) * k * signal * df1 + noise) / (1 - g1)
    return {"test_error": e_inf + (e_1 - e_inf) / K, "test_error_single": e_1, "test_error_inf": e_inf}


def _deep_reference(alpha, lam, noise, signal, widths, spec):
    """Depth-L linear random features: λ = κ_L(κ)(1 − df1/α), κ_L = κ γ_L Π(1 − df1/γ_ℓ),
    g = signal κ df1, E = [σ² + g − κ_L g′/κ_L′]/(1 − (df1 − κ_L t2/κ_L′)/α), ′ by central differences."""
    def kL(k):
        d = _traces(spec, k)[0]
        return k * widths[-1] * np.prod([1 - d / g for g in widths])

    k = _kappa(lambda k: kL(k) * (1 - _traces(spec, k)[0] / alpha), lam)
    df1, _, t2 = _traces(spec, k)
    h = 1e-5 * k
    dkL = (kL(k + h) - kL(k - h)) / (2 * h)
    gfun = lambda x: signal * x * _traces(spec, x)[0]
    dg = (gfun(k + h) - gfun(k - h)) / (2 * h)
    test = (noise + gfun(k) - kL(k) * dg / dkL) / (1 - (df1 - kL(k) * t2 / dkL) / alpha)
    return {"kappa": k, "kappa_features": kL(k), "test_error": test}


def _each(fn, *arrays, **fixed):
    rows = [fn(*vals, **fixed) for vals in zip(*np.broadcast_arrays(*arrays))]
    return {key: np.array([r[key] for r in rows]) for key in rows[0]}


def test_no_layers_is_ridge():
    lam = np.array([0.1, 0.01, 0.3, 1e-3])
    m = sl.model(data=SPEC, noise=0.25, signal=1.5)
    res = m.solve(samples=SAMPLES, ridge=lam)
    ref = _each(_ridge_reference, 1 / SAMPLES, lam, noise=0.25, signal=1.5, spec=SPEC)
    for key in ("kappa", "test_error", "train_error", "gcv"):
        np.testing.assert_allclose(res[key], ref[key], rtol=1e-10, atol=0)
    # ridge's bias includes the sample variance of the signal part; its variance is the noise part
    np.testing.assert_allclose(res["bias"] + res["variance_samples"], ref["bias"], rtol=1e-10)
    np.testing.assert_allclose(res["variance_noise"], ref["variance"], rtol=1e-10)
    np.testing.assert_allclose(res["bias"] + res["variance"] + 0.25, res["test_error"], rtol=1e-12)
    assert np.all(res["variance_features"] == 0)
    # the registry's ridge is this instance, with its own parameter names and bias/variance split
    reg = sr.load("ridge").solve(q=1 / SAMPLES, ridge=lam, noise=0.25, signal=1.5, spectrum=SPEC)
    for key in ("kappa", "test_error", "train_error", "gcv", "bias", "variance"):
        np.testing.assert_allclose(reg[key], ref[key], rtol=1e-10, atol=0)


def test_train_error_keeps_its_digits_at_many_dimensions_per_sample():
    """Σ = I, q = 10³, λ = 1e-10: 1 − q·df1 = λ/κ cancels to ~1e-13 relative; the train error is
    (λ/κ)² E with κ the positive root of κ² + (1 − q − λ)κ − λ = 0 (closed form)."""
    q, lam = 1e3, 1e-10
    b = 1 - q - lam
    k = (-b + np.sqrt(b * b + 4 * lam)) / 2
    test = (k**2 / (1 + k) ** 2 + 0.1) / (1 - q / (1 + k) ** 2)
    res = sl.model(noise=0.1).solve(samples=1 / q, ridge=lam)
    np.testing.assert_allclose(res["train_error"], (lam / k) ** 2 * test, rtol=1e-10)


@pytest.mark.parametrize("K", [1, 4, "inf"])
def test_one_isotropic_layer_is_linear_random_features(K):
    width = np.array([1.5, 0.7, 3.0, 1.2])
    Kf = np.inf if K == "inf" else K
    m = sl.model(noise=0.25, signal=1.0, layers=[sl.linear(1.0)], ensemble=K)
    res = m.solve(samples=SAMPLES, ridge=0.05, width1=width)
    ref = _each(_lrf_reference, 1 / SAMPLES, 1 / width, 0.05 / width, noise=0.25, signal=1.0, K=Kf)
    for key in ("test_error", "test_error_single", "test_error_inf"):
        np.testing.assert_allclose(res[key], ref[key], rtol=1e-10, atol=0)
    reg = sr.load("linear-random-features").solve(alpha=1 / SAMPLES, beta=1 / width, ridge=0.05 / width,
                                                  noise=0.25, signal=1.0, ensemble=Kf)
    np.testing.assert_allclose(reg["test_error"], ref["test_error"], rtol=1e-10, atol=0)


@pytest.mark.slow
def test_isotropic_chain_is_deep_linear_rf():
    widths = (2.0, 0.8, 1.5)
    m = sl.model(data=SPEC, noise=0.1, layers=[sl.linear(w) for w in widths])
    res = m.solve(samples=SAMPLES, ridge=0.05)
    ref = _each(_deep_reference, SAMPLES, 0.05, noise=0.1, signal=1.0, widths=widths, spec=SPEC)
    # central differences with h = 1e-5 κ: truncation ~1e-10 relative
    np.testing.assert_allclose(res["test_error"], ref["test_error"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(res["kappa"], ref["kappa"], rtol=1e-10)
    np.testing.assert_allclose(res["kappa_features"], ref["kappa_features"], rtol=1e-10)
    reg = sr.load("deep-linear-rf").solve(alpha=SAMPLES, ridge=0.05, noise=0.1, signal=1.0, widths=widths,
                                          data_covariance=SPEC)
    np.testing.assert_allclose(reg["test_error"], ref["test_error"], rtol=1e-8, atol=0)


@pytest.mark.slow
def test_structured_data_lrf_all_ensembles():
    m = sl.model(data=SPEC, noise=0.25, layers=[sl.linear(1.5)], ensemble=1)
    for K in (1, 4, np.inf):
        res = m.solve(samples=SAMPLES, ridge=0.1, ensemble="inf" if np.isinf(K) else K)
        ref = _each(_lrf_reference, 1 / SAMPLES, 1 / 1.5, 0.1 / 1.5, noise=0.25, signal=1.0, K=K, spec=SPEC)
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


def test_the_solver_compiles_the_primitives_only():
    """``solve`` compiles ``system(assembled=False)``: small primitives (no error formula among
    them for a linear model); ``system()`` holds every documented observable as an expression."""
    m = sl.model(data=SPEC, layers=[sl.linear(2.0), sl.linear(1.0, weights=([0.5, 1.5], [0.5, 0.5]))])
    core, full = m.system(assembled=False), m.system()
    assert set(core.observables) == {"kappa_features", "df1", "df_features", "df2", "bias", "t2", "g", "dg",
                                      "log_derivative", "log_derivative_without_layer1",
                                      "log_derivative_without_layer2"}
    assert {"test_error", "train_error", "gcv", "variance", "variance_layer2"} <= set(full.observables)
    assert not set(full.observables) & {"g", "dg", "log_derivative"}
    assert core.unknowns == full.unknowns and core.residuals == full.residuals
    assert set(sl.model(activation="tanh", layers=[sl.linear(1.5)]).system(assembled=False).observables) == \
        {"kappa_features", "df1", "df_features", "test_error_single"}
    with pytest.raises(ParameterError, match="assembled"):
        m.system(assembled="no")
