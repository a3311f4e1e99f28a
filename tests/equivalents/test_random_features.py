"""Mei–Montanari random features (arXiv 1908.05355) and its Gaussian-equivalent form."""
import numpy as np
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.equivalents.linear_rf import solve_linear_random_features
from symrmt.equivalents.random_features import (_physical_root, feature_covariance_law,
                                                solve_random_features)


PSI1 = np.array([0.3, 0.8, 1.0, 1.5, 3.0])


@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_mei_montanari_equals_gaussian_equivalent(act):
    kw = dict(F1=1.0, Fstar=0.4, tau=0.3)
    a = solve_random_features(PSI1, 1.2, 0.03, act, method="mei-montanari", **kw)
    b = solve_random_features(PSI1, 1.2, 0.03, act, method="gaussian-equivalent", **kw)
    assert a.converged.all() and b.converged.all()
    np.testing.assert_allclose(a["risk"], b["risk"], rtol=1e-9)
    assert np.all(a["chi"] < 0)  # χ real and negative (MM)


def test_linear_activation_equals_linear_random_features():
    # σ(x) = x: the features are Gaussian, α = d/n = 1/ψ2, β = d/N = 1/ψ1, λ_AZP = λ/μ1² = λ
    psi1 = np.linspace(0.2, 5, 25)
    rf = solve_random_features(psi1, 1.3, 0.04, "linear", F1=1.0, tau=0.5)
    lrf = solve_linear_random_features(1 / 1.3, 1 / psi1, 0.04, noise=0.25, ensemble=1)
    assert rf.converged.all()
    np.testing.assert_allclose(rf["risk"], lrf["test_error"] - 0.25, rtol=1e-9)


def test_initial_root_is_the_stieltjes_branch():
    P = feature_covariance_law().polynomial.as_expr()
    k = sp.Symbol("k", positive=True)
    root = _physical_root(P, k)
    vals = {s: v for s in root.free_symbols for n, v in (("psi1", 2), ("mu1", sp.Rational(1, 2)), ("mustar", sp.Rational(1, 3))) if s.name == n}
    # below the support m(−κ) = ∫ρ/(x+κ) ~ 1/κ as κ → ∞
    assert float(root.subs(vals).subs(k, 10**6)) == pytest.approx(1e-6, rel=1e-3)


def test_bad_input():
    x = sp.Symbol("x")
    with pytest.raises(ParameterError, match="activation"):
        solve_random_features(1.0, 1.0, 0.1, sp.exp(x**2))
    with pytest.raises(ParameterError, match="psi1"):
        solve_random_features(0.0, 1.0, 0.1)
    with pytest.raises(ParameterError, match="ridge"):
        solve_random_features(1.0, 1.0, -0.1)
    with pytest.raises(ParameterError, match="method"):
        solve_random_features(1.0, 1.0, 0.1, "linear", method="mei-montanari")


def test_nonconvergence_is_flagged():
    from symrmt.equivalents.random_features import gaussian_equivalent_system

    cs = gaussian_equivalent_system().compile(maxit=1)
    res = cs.solve(psi1=3.0, psi2=1.2, ridge=1e-3, mu1=1.0, mustar=0.2, F1=1.0, Fstar=0.0, tau=0.0,
                   strict=False)
    assert not res.converged
    assert np.isnan(res["risk"])
