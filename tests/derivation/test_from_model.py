"""Derivations from a composed learning model (and from a user's System), through ``verify``."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
import symrmt.learning as sl
from symrmt.derivation.from_model import from_model, from_system
from symrmt.errors import ParameterError
from symrmt.measures import power_law

SPEC = ([0.5, 1.0, 2.0], [0.3, 0.4, 0.3])
C2 = ([0.5, 1.5], [0.5, 0.5])


def _structured(ensemble=1, depth=1):
    layers = [sl.linear(1.5, weights=C2)] + [sl.linear(w) for w in (2.0, 1.2)][: depth - 1]
    return sl.model(data=SPEC, noise=0.1, layers=layers, ensemble=ensemble)


def test_from_model_bad_input():
    with pytest.raises(ParameterError, match="model"):
        from_model("ridge", "x")
    with pytest.raises(ParameterError, match="quantity"):
        from_model(sl.model(), "x", quantity="risk")
    with pytest.raises(ParameterError, match="name"):
        from_model(sl.model(), "")


def test_from_model_solve_and_simulate_small():
    d = from_model(sl.model(noise=0.2, layers=[sl.linear(1.5)]), "lrf-model", samples=1.2, ridge=0.1)
    assert [p.name for p in d.parameters] == ["samples", "ridge", "noise", "signal", "width1"]
    th = d.solve(samples=np.array([0.5, 2.0]))["test_error"]
    assert th.shape == (2,) and np.all(th > 0.2)
    s = d.simulate(60, trials=2, seed=3)
    assert s.values["test_error"].shape == (2,) and np.all(s.values["test_error"] > 0.2)
    # the model's own simulate/verify go through the same derivation
    assert sl.model(layers=[sl.linear(1.0)]).simulate(40, trials=1, seed=0).values["test_error"].shape == (1,)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["structured-data-and-weights", "depth3-K4", "powerlaw-source"])
def test_verify_agrees(case):
    """3-atom Σ with 2-atom weights; depth 3, K = 4; a power-law Σ with a power-law source.
    n = D in (100, 200, 400, 800), 16 trials (the derivation's default), seed 0."""
    if case == "structured-data-and-weights":
        m = _structured()
    elif case == "depth3-K4":
        m = _structured(ensemble=4, depth=3)
    else:
        m = sl.model(data=power_law(1.5, 800), target=sl.source(1.0), noise=0.05,
                     layers=[sl.linear(2.0)])
    d = from_model(m, f"model-{case}", samples=1.5, ridge=0.05)
    rep = d.verify(sizes=(100, 200, 400, 800), seed=0)
    assert rep.verdict == "agrees", (rep, rep.reasons)


@pytest.mark.slow
def test_dropped_s_transform_factor_disagrees():
    """The theory of the same chain without its second layer's S-transform (1 − df/γ₂)."""
    true = _structured(depth=2)
    wrong = sl.model(data=SPEC, noise=0.1, layers=[sl.linear(1.5, weights=C2)])
    d = from_model(wrong, "wrong-model", simulated=true, samples=1.5, ridge=0.05)
    rep = d.verify(sizes=(100, 200, 400, 800), trials=8, seed=0)
    assert rep.verdict == "disagrees", rep


@pytest.mark.slow
def test_feature_variance_against_simulation():
    """Variance over the weights with the data fixed, K = 4: simulated spread of the members."""
    m = _structured(ensemble=4, depth=2)
    d = from_model(m, "bv", samples=1.5, ridge=0.05)
    th = d.solve()
    s = d.simulate(600, trials=6, seed=2)
    v = s.values["variance_features"]
    se = v.std(ddof=1) / np.sqrt(v.size)
    assert abs(v.mean() - float(th["variance_features"])) < 4 * se + 0.05 * float(th["variance_features"])
    e1 = s.values["test_error_single"]
    assert abs(e1.mean() - float(th["test_error_single"])) < 4 * e1.std(ddof=1) / np.sqrt(e1.size) + 0.02


def _ridge_system():
    k, q, lam = sp.symbols("kappa q ridge", positive=True)
    df = 1 / (1 + k)
    df2 = 1 / (1 + k) ** 2
    test = (k**2 / (1 + k) ** 2 + sp.Rational(1, 4)) / (1 - q * df2)
    return sr.System([k * (1 - q * df) - lam], [k], [q, lam], observables={"test_error": test},
                     domains={k: "positive"}, initial={k: lam + q}, name="my_ridge")


def _simulate_ridge(n, trials, seed, device, q, ridge):
    rng = np.random.default_rng(seed)
    P = int(round(n / q))
    out = []
    for _ in range(trials):
        X = rng.standard_normal((P, n))
        w = rng.standard_normal(n)
        w /= np.linalg.norm(w)
        y = X @ w + 0.5 * rng.standard_normal(P)
        what = np.linalg.solve(X.T @ X / P + ridge * np.eye(n), X.T @ y / P)
        out.append(float(np.sum((what - w) ** 2) + 0.25))
    return {"test_error": out}


def test_from_system_bad_input():
    s = _ridge_system()
    with pytest.raises(ParameterError, match="quantity"):
        from_system(s, "mine", _simulate_ridge, "risk", {"q": 0.5, "ridge": 0.1})
    with pytest.raises(ParameterError, match="defaults"):
        from_system(s, "mine", _simulate_ridge, "test_error", {"q": 0.5})
    with pytest.raises(ParameterError, match="simulate"):
        from_system(s, "mine", None, "test_error", {"q": 0.5, "ridge": 0.1})
    with pytest.raises(ParameterError, match="system"):
        from_system("ridge", "mine", _simulate_ridge, "test_error", {"q": 0.5, "ridge": 0.1})


@pytest.mark.slow
def test_from_system_verifies_a_users_ridge():
    d = from_system(_ridge_system(), "my-ridge", _simulate_ridge, "test_error", {"q": 0.5, "ridge": 0.1})
    ref = sr.load("ridge").solve(q=np.array([0.3, 0.5]), ridge=0.1, noise=0.25, signal=1)["test_error"]
    np.testing.assert_allclose(d.solve(q=np.array([0.3, 0.5]))["test_error"], ref, rtol=1e-10)
    rep = d.verify(sizes=(100, 200, 400, 800), trials=16, seed=0)
    assert rep.verdict == "agrees", (rep, rep.reasons)


# ---------------------------------------------------------------- spectral Systems
def _mp_system():
    """Marchenko–Pastur of ratio c (variance 1): c z m² + (z + c − 1) m + 1 = 0."""
    m, z, c = sp.Symbol("m"), sp.Symbol("z"), sp.Symbol("c", positive=True)
    return sr.System([c * z * m**2 + (z + c - 1) * m + 1], [m], [z, c], domains={m: "upper"},
                     initial={m: -1 / z}, name="my_mp")


def _simulate_mp(n, trials, seed, device, c):
    rng = np.random.default_rng(seed)
    p = int(round(n / c))
    X = rng.standard_normal((trials, n, p))
    return np.linalg.eigvalsh(X @ X.transpose(0, 2, 1) / p)


def test_from_system_spectral_defaults_solve():
    """The density Im m(x + i0)/π of a user's System: support edges (1 ± √c)², moments
    1, 1 + c, 1 + 3c + c², mass 1 (closed forms of Marchenko–Pastur)."""
    d = from_system(_mp_system(), "my-mp", _simulate_mp, defaults={"c": 0.5})
    assert type(d).__name__ == "SpectralSystemDerivation" and [p.name for p in d.parameters] == ["c"]
    c = 0.3
    out = d.solve(c=c, at=[0.5, 1.0, 5.0])
    (a, b), = out["support"]
    assert a == pytest.approx((1 - c**0.5) ** 2, abs=1e-9) and b == pytest.approx((1 + c**0.5) ** 2, abs=1e-9)
    np.testing.assert_allclose(out["moments"][:3], [1, 1 + c, 1 + 3 * c + c**2], rtol=1e-6)
    assert out["mass"] == pytest.approx(1.0, abs=1e-6)
    x = np.array([0.5, 1.0])
    exact = np.sqrt((b - x) * (x - a)) / (2 * np.pi * c * x)
    np.testing.assert_allclose(out["density"][:2], exact, rtol=1e-9)
    assert out["cdf"][2] == pytest.approx(1.0, abs=1e-6)


def test_from_system_spectral_bad_input():
    s = _mp_system()
    with pytest.raises(ParameterError, match="kind"):
        from_system(s, "x", _simulate_mp, defaults={"c": 0.5}, kind="histogram")
    with pytest.raises(ParameterError, match="defaults"):
        from_system(s, "x", _simulate_mp)
    with pytest.raises(ParameterError, match="quantity"):
        from_system(s, "x", _simulate_mp, quantity="q", defaults={"c": 0.5})
    with pytest.raises(ParameterError, match="z"):
        from_system(_ridge_system(), "x", _simulate_mp, kind="spectral")
    with pytest.raises(ParameterError, match="window"):
        from_system(s, "x", _simulate_mp, defaults={"c": 0.5}, window=(2.0, 1.0))
    with pytest.raises(ParameterError, match="quantity"):
        from_system(_ridge_system(), "x", _simulate_ridge, kind="learning")


@pytest.mark.slow
def test_from_system_spectral_verifies_and_a_wrong_ratio_disagrees():
    """KS to the System's CDF, n in (100, 200, 400, 800), the spectral kind's trials (8 at the
    smallest size, ∝ 1/n), seed 0: the right System agrees (KS decays like n^-1); simulating
    ratio 0.6 against c = 0.5 leaves a plateau (disagrees).  The report carries the histogram panel."""
    d = from_system(_mp_system(), "my-mp", _simulate_mp, defaults={"c": 0.5}, sizes=(100, 200, 400, 800))
    rep = d.verify(seed=0)
    assert rep.verdict == "agrees", (rep, rep.reasons)
    assert d.plot_data(d.simulate(100, trials=1, seed=0), d.theory(), 100)["support"]
    wrong = from_system(_mp_system(), "wrong-mp", lambda n, t, s, dev, c: _simulate_mp(n, t, s, dev, 0.6),
                        defaults={"c": 0.5}, sizes=(100, 200, 400, 800))
    assert wrong.verify(seed=0).verdict == "disagrees"
