"""symrmt.data.spectrum: measured spectrum and source, the deterministic equivalent from them,
GCV and held-out risk by subsampling -- against independent NumPy/SciPy formulas and against
subsampled ridge on Gaussian data."""
import numpy as np
import pytest
from scipy.optimize import brentq

from symrmt.data import check_kernel, one_hot, risk_table, spectral_data, subsample_risk
from symrmt.errors import ParameterError
from symrmt.measures import Measure, power_law


def gaussian(M, p, a, b, seed):
    om = power_law(a, size=p).points
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((M, p)) * np.sqrt(om)
    return X, X @ np.arange(1, p + 1) ** (-b / 2)


def test_features_and_linear_kernel_agree_and_power_is_conserved():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((60, 8)), rng.standard_normal((60, 3))
    a, b = spectral_data(Y, features=X), spectral_data(Y, kernel=X @ X.T)
    np.testing.assert_allclose(a.eigenvalues, np.sort(np.linalg.eigvalsh(X.T @ X / 60))[::-1], rtol=1e-10)
    np.testing.assert_allclose(a.eigenvalues, b.eigenvalues[:8], rtol=1e-9)
    np.testing.assert_allclose(a.coef2, b.coef2[:8], rtol=1e-8, atol=1e-14)
    # Σ c_i² + rest is the mean target power per output
    assert a.coef2.sum() + a.rest == pytest.approx((Y**2).sum(0).mean() / 60, rel=1e-12)
    assert isinstance(a.measure(), Measure) and a.measure().size == 8
    src = a.source()
    np.testing.assert_allclose(src.weights, a.coef2 / a.coef2.sum(), rtol=1e-12)


def test_risk_is_the_ridge_kappa_equation():
    """κ from λ̃ = κ(1 − Σ ω/(ω+κ)/n) by brentq, E = [rest + κ² Σ c²/(ω+κ)²]/(1 − Σ ω²/(ω+κ)²/n),
    and the held-out conversion, written here independently."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 12)) * np.linspace(0.3, 2, 12)
    y = np.tanh(X[:, 0]) + 0.3 * X[:, 1]
    s = spectral_data(y, features=X)
    om, c2, rest = s.eigenvalues, s.coef2, s.rest
    for n, lam in [(30, 1e-3), (80, 0.1), (150, 1.0)]:
        k = brentq(lambda k: k * (1 - (om / (om + k)).sum() / n) - lam, lam, lam + om.sum() / n + 1, xtol=1e-15)
        pop = (rest + k**2 * (c2 / (om + k) ** 2).sum()) / (1 - (om**2 / (om + k) ** 2).sum() / n)
        train = (lam / k) ** 2 * pop
        held = (pop - n / 200 * train) / (1 - n / 200)
        r = s.risk(n, lam)
        assert float(r["kappa"]) == pytest.approx(k, rel=1e-9)
        assert float(r["population_error"]) == pytest.approx(pop, rel=1e-9)
        assert float(r["test_error"]) == pytest.approx(held, rel=1e-9)


def test_gcv_and_heldout_match_direct_formulas():
    """One subsample recomputed with explicit inverses: predictor k(x)ᵀ(K + nλ̃)⁻¹y, GCV =
    (1/n)‖(I−S)y‖²/((1/n)tr(I−S))²; the subsample is the generator's first permutation."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((50, 5))
    Y = one_hot(rng.integers(0, 3, 50))
    K = np.exp(X @ X.T / 5)
    m = subsample_risk(Y, [20], [1e-2, 0.5], kernel=K, subsamples=2, seed=7)
    perm = np.random.default_rng(7).permutation(50)
    tr, te = perm[:20], perm[20:]
    for j, lam in enumerate([1e-2, 0.5]):
        inv = np.linalg.inv(K[np.ix_(tr, tr)] + 20 * lam * np.eye(20))
        S = K[np.ix_(tr, tr)] @ inv
        resid = Y[tr] - S @ Y[tr]
        gcv = (resid**2).mean() / (np.trace(np.eye(20) - S) / 20) ** 2
        held = ((Y[te] - K[np.ix_(te, tr)] @ inv @ Y[tr]) ** 2).mean()
        assert m.gcv[0, j, 0] == pytest.approx(gcv, rel=1e-8)
        assert m.heldout[0, j, 0] == pytest.approx(held, rel=1e-8)
        assert m.train[0, j, 0] == pytest.approx((resid**2).mean(), rel=1e-8)
    ci = m.interval("heldout")
    assert ci.shape == (1, 2, 2) and np.all(ci[..., 0] <= m.mean("heldout")) and np.all(m.mean("heldout") <= ci[..., 1])


def test_gaussian_power_law_heldout_within_ci():
    """Gaussian data, Σ = diag(k^-1.5) (p = 60), M = 1500 points, n = 100 and 300, λ̃ = 1e-2 and 0.1,
    30 subsamples, seed 3: the DE (held-out form) lies within 3 standard errors of the held-out mean
    plus 3 % (the DE's finite-n error, O(1/n) relative)."""
    X, y = gaussian(1500, 60, 1.5, 0.5, 3)
    y = y + 0.1 * np.random.default_rng(4).standard_normal(y.size)
    s = spectral_data(y, features=X)
    m = subsample_risk(y, [100, 300], [1e-2, 0.1], features=X, subsamples=30, seed=3)
    se = m.heldout.std(axis=-1, ddof=1) / np.sqrt(30)
    de = s.risk(np.array([[100], [300]]), np.array([[1e-2, 0.1]]))["test_error"]
    assert np.all(np.abs(de - m.mean()) <= 3 * se + 0.03 * m.mean()), (de, m.mean(), se)
    rows = risk_table(s, m)
    assert len(rows) == 4 and {"n", "ridge", "heldout", "ci95", "gcv", "de", "de_in_ci", "gcv_in_ci"} <= set(rows[0])


def test_bad_input_names_the_argument():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((40, 4)), rng.standard_normal(40)
    with pytest.raises(ParameterError, match="targets"):          # mismatched lengths
        spectral_data(y[:30], features=X)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ParameterError, match="features"):         # NaN in the features
        spectral_data(y, features=bad)
    with pytest.raises(ParameterError, match="sizes"):            # fewer samples than n
        subsample_risk(y, [40], [0.1], features=X)
    with pytest.raises(ParameterError, match="n"):
        spectral_data(y, features=X).risk(40, 0.1)
    K = X @ X.T
    K[0, 0] = -50.0                                               # not PSD
    with pytest.raises(ParameterError, match="kernel.*positive semi-definite"):
        spectral_data(y, kernel=K)
    with pytest.raises(ParameterError, match="kernel.*symmetric"):
        check_kernel(np.triu(X @ X.T))
    with pytest.raises(ParameterError, match="features, kernel"):
        spectral_data(y)
    with pytest.raises(ParameterError, match="ridges"):
        subsample_risk(y, [10], [0.0], features=X)
    with pytest.raises(ParameterError, match="subsamples"):
        subsample_risk(y, [10], [0.1], features=X, subsamples=1)
