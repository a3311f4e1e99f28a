"""Deep structured random features (arXiv 2402.13999) and deep linear random features.

Every check uses an independent reference: direct numerical integration (scipy.quad) written here,
an independent implementation of the Gaussian-equivalent formula (REFERENCES §3, root by brentq),
the existing Gaussian-equivalent random-features and linear-random-features solvers, exact moments
of free products from non-crossing partitions (tests/symbolic/noncrossing.py), and simulations of
trained networks with tolerances from their 1/√n statistical error (n, trials and seeds stated).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, optimize

from symrmt.equivalents import (solve_deep_linear_rf, solve_deep_structured_rf, solve_linear_random_features,
                                solve_random_features, solve_ridge)
from symrmt.equivalents.deep import architecture, draw_weights, feature_covariance, linearization_coefficients
from symrmt.equivalents.deep_linear import input_space_law, linear_feature_law, resize
from symrmt.errors import ParameterError

from ..symbolic.noncrossing import product_moments

ACTS = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, 0.0), "sign": np.sign,
        "erf": lambda x: np.vectorize(math.erf)(x)}


def _quad_coefficients(f, r):
    """κ0, κ1, κ* of f at variance r by direct quadrature (the paper's definitions)."""
    dens = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    s = math.sqrt(r)
    e = [sum(integrate.quad(lambda x: float(g(x)) * dens(x), lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
             for lo, hi in ((-np.inf, 0), (0, np.inf)))
         for g in (lambda x: f(s * x), lambda x: x * f(s * x), lambda x: f(s * x) ** 2)]
    k0, k1 = e[0], e[1] / s
    return k0, k1, math.sqrt(max(e[2] - k0**2 - r * k1**2, 0.0))


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("r", [0.37, 1.0, 2.5])
def test_linearization_coefficients_vs_direct_integration(name, r):
    c = linearization_coefficients(name, r)
    ref = _quad_coefficients(ACTS[name], r)
    assert c.variance == r
    assert np.allclose([c.kappa0, c.kappa1, c.kappastar], ref, atol=1e-9)


def test_linearization_closed_forms_and_exact_variance():
    # ReLU: κ0 = √(r/2π), κ1 = 1/2, κ*² = r(1/2 − 1/(2π) − 1/4) for every r (positive homogeneity)
    for r in (0.2, 3.0):
        c = linearization_coefficients("relu", r)
        assert c.kappa0 == pytest.approx(math.sqrt(r / (2 * math.pi)), rel=1e-13)
        assert c.kappa1 == pytest.approx(0.5, rel=1e-13)
        assert c.kappastar**2 == pytest.approx(r * (0.25 - 1 / (2 * math.pi)), rel=1e-12)
    # erf: E[ξ erf(aξ)] = (2a/√π)/√(1 + 2a²)  ⇒ κ1 = 2/√(π(1 + 2r))
    assert linearization_coefficients("erf", 1.5).kappa1 == pytest.approx(2 / math.sqrt(4 * math.pi), rel=1e-10)
    # a SymPy expression: σ = x³ ⇒ κ1 = 3r, κ*² = 15r³ − 9r³ = 6r³; exact (SymPy) at r = 3/2, quadrature at 0.8
    x = sp.Symbol("x")
    exact = linearization_coefficients(x**3, sp.Rational(3, 2))
    assert exact.kappa1 == pytest.approx(4.5, rel=1e-14) and exact.kappastar**2 == pytest.approx(6 * 1.5**3, rel=1e-13)
    c = linearization_coefficients(x**3, 0.8)
    assert c.kappa1 == pytest.approx(3 * 0.8, rel=1e-10) and c.kappastar**2 == pytest.approx(6 * 0.8**3, rel=1e-9)


def test_bad_input_raises_parameter_error():
    x = sp.Symbol("x")
    cases = [dict(widths=(2.0, 0.0)), dict(widths=(-1.0,)), dict(widths=()), dict(widths=(2.0, float("nan"))),
             dict(widths=(2.0, 1.5), activations=("tanh", "relu", "erf")),
             dict(widths=(2.0, 1.5), row_covariances=[None]),
             dict(activations=sp.exp(x**2)), dict(activations="softplusx"),
             dict(target=sp.exp(x**2)), dict(data_covariance=([1.0, -2.0], [0.5, 0.5])),
             dict(row_covariances=[([1.0, 2.0], [0.3, 0.3]), None])]
    for kw in cases:
        with pytest.raises(ParameterError):
            architecture(**kw)
    with pytest.raises(ParameterError, match="activations"):
        solve_deep_structured_rf(1.5, 0.1, widths=(2, 1), activations=["tanh"] * 3, d=20)
    with pytest.raises(ParameterError, match="alpha"):
        solve_deep_structured_rf(-1.0, 0.1, d=20)
    with pytest.raises(ParameterError, match="widths"):
        solve_deep_linear_rf(1.5, 0.1, widths=(1.0, 0.0))
    with pytest.raises(ParameterError):
        linearization_coefficients("tanh", 0.0)


def _ge_reference(Omega, psi, sy2, n, lam, noise):
    """REFERENCES §3 written out directly: κ − λ = (κ/n)Σ ω/(ω+κ) by brentq, then E_test."""
    w, U = np.linalg.eigh(Omega)
    pt = U.T @ psi
    kappa = optimize.brentq(lambda k: k - lam - k / n * np.sum(w / (w + k)), lam, lam + w.sum() / n + 10,
                            xtol=1e-15, rtol=1e-14)
    df2 = np.sum(w**2 / (w + kappa) ** 2)
    return (sy2 + noise - np.sum(pt**2 * (w + 2 * kappa) / (w + kappa) ** 2)) / (1 - df2 / n)


@pytest.mark.parametrize("acts", ["tanh", ("relu", "erf")])
def test_conditional_theory_vs_direct_formula(acts):
    """The solver's per-draw answer equals the §3 formula evaluated in the test on Ω built here."""
    d, widths, alpha, lam, noise = 60, (1.5, 0.8), np.array([0.5, 1.2, 2.5]), 0.07, 0.2
    arch = architecture(widths, acts)
    Ws, beta = draw_weights(arch, d, seed=3)
    Om, psi = np.eye(d), beta / np.linalg.norm(beta)
    for W, a in zip(Ws, arch.activations):
        c = linearization_coefficients(a, float(np.trace(Om)) / Om.shape[0])
        Om, psi = c.kappa1**2 * W @ Om @ W.T + c.kappastar**2 * np.eye(W.shape[0]), c.kappa1 * W @ psi
    res = solve_deep_structured_rf(alpha, lam, noise, widths=widths, activations=acts, d=d, weight_seed=3)
    ref = [_ge_reference(Om, psi, 1.0, a * d, lam, noise) for a in alpha]
    assert res.converged.all()
    assert np.allclose(res["test_error"], ref, rtol=1e-9)


def test_one_layer_reduces_to_gaussian_equivalent_random_features():
    """L = 1: Ω = κ1²WWᵀ + κ*²I is the random-features Gaussian equivalent (REFERENCES §3) with
    ψ1 = k/d, ψ2 = n/d, MM's λ = λ/ψ1, F1² = signal, τ² = noise; risk = E_test − τ².  With the
    teacher direction averaged out, the per-draw theory differs from the d → ∞ value by the O(1/d)
    fluctuation of spectral statistics: d = 1000, one draw, tolerance 0.5 %.  (For one teacher
    direction the quadratic form ψᵀg(Ω)ψ fluctuates by O(1/√d), a few % at d = 1000.)"""
    psi1, alphas, lam, noise = 1.5, np.array([0.6, 1.3, 3.0]), 0.1, 0.15
    for act in ("tanh", "relu"):
        ref = solve_random_features(psi1, alphas, lam / psi1, act, F1=1.0, Fstar=0.0, tau=math.sqrt(noise),
                                    method="gaussian-equivalent")
        vals = solve_deep_structured_rf(alphas, lam, noise, widths=(psi1,), activations=act, d=1000,
                                        teacher_average=True)["test_error"]
        assert np.allclose(vals - noise, ref["risk"], rtol=0.005), (act, vals - noise, ref["risk"])


# ---------------------------------------------------------------------- linear activations: free probability
def _mp_cumulants(q, c, n):
    return [1] + [Fraction(q) ** (k - 1) * Fraction(c) ** k for k in range(1, n + 1)]


@pytest.mark.parametrize("widths,spectrum", [((2, Fraction(3, 2)), None),
                                              ((2, Fraction(4, 5), Fraction(3, 2)), ([1, 3], [Fraction(1, 2)] * 2))])
def test_linear_recursion_law_moments_exact(widths, spectrum):
    """Layer-by-layer free convolution (free_multiply + resize) vs the product of S-transforms
    (input_space_law) vs non-crossing partitions: moments of Ω_L agree exactly."""
    R = [sp.Rational(w.numerator, w.denominator) if isinstance(w, Fraction) else sp.Integer(w) for w in widths]
    spec = None if spectrum is None else (spectrum[0], [sp.Rational(w.numerator, w.denominator) for w in spectrum[1]])
    law = linear_feature_law(R, spec)
    mom = [sp.nsimplify(x) for x in law.moments(4)]
    other = [sp.nsimplify(x) for x in resize(input_space_law(R, spec), 1 / R[-1]).moments(4)]
    assert mom == other
    # independent: moments of Σ ⊠ γ_L MP(1/γ_1) ⊠ ... in dimension d, then × d/k_L = 1/γ_L
    pts, wts = (spectrum if spectrum is not None else ([1], [1]))
    m = [1] + [sum(Fraction(w) * Fraction(p) ** j for p, w in zip(pts, wts)) for j in range(1, 5)]
    for ell, g in enumerate(widths):
        kap = _mp_cumulants(1 / Fraction(g), Fraction(widths[-1]) if ell == 0 else 1, 4)
        m = [1] + product_moments(kap, m, 4)
    ref = [sp.Rational(x.numerator, x.denominator) / R[-1] for x in m[1:]]
    assert mom == ref


def test_linear_recursion_spectrum_vs_free_law():
    """Closed-form Ω_L of a drawn linear network (d = 400) vs the free law's density: the law's
    continuous mass plus the zero fraction 1 − min_ℓ γ_ℓ/γ_L is 1; the KS distance of the non-zero
    spectrum to the density's CDF is O(log d/d) by rigidity (< 0.02); the first two moments agree
    within O(1/d) (2 %).  (The atom is taken from the rank, not from the compiled law's CDF.)"""
    from symrmt.verify.stats import ks_distance

    widths = (2.0, 0.8, 1.5)
    law = linear_feature_law([sp.Integer(2), sp.Rational(4, 5), sp.Rational(3, 2)])
    cl = law.compile()
    (lo, hi), = [(a, b) for a, b in cl.support() if b > a]
    t = np.linspace(0, 1, 40001)
    x = lo + (hi - lo) * (1 - np.cos(np.pi * t)) / 2           # clustered at the square-root edges
    cdf = np.concatenate([[0], np.cumsum(np.diff(x) * (cl.density(x[1:]) + cl.density(x[:-1])) / 2)])
    zero = 1 - min(widths) / widths[-1]
    assert cdf[-1] + zero == pytest.approx(1, abs=1e-4)
    exact = [float(v) for v in law.moments(2)]
    arch = architecture(widths, "linear")
    Ws, beta = draw_weights(arch, 400, seed=5)
    eig = np.linalg.eigvalsh(feature_covariance(Ws, arch, beta).omega)
    nonzero = eig[eig > 1e-9 * eig.max()]
    assert nonzero.size == round(0.8 * 400)
    ks = float(ks_distance(nonzero, lambda v: np.interp(v, x, cdf / cdf[-1]))[0])
    assert ks < 0.02, ks
    assert np.allclose([eig.mean(), (eig**2).mean()], exact, rtol=0.02)


# ---------------------------------------------------------------------- deep linear random features
# L = 1 against AZP's closed form for linear random features, and deeper chains against the
# subordination formula written in numpy: tests/learning/test_model.py (both are learning models)


def test_deep_linear_wide_layers_reduce_to_ridge():
    """γ_ℓ → ∞: FᵀF → γ_L I, so the network is ridge on √γ_L·x with ridge λ/γ_L (AZP ridge)."""
    al = np.array([0.4, 1.5, 4.0])
    ours = solve_deep_linear_rf(al, 0.2, 0.1, 1.0, widths=(1e5, 3e5))    # corrections O(1/γ)
    ref = solve_ridge(1 / al, 0.2 / 3e5, 0.1, 1.0)
    assert np.allclose(ours["test_error"], ref["test_error"], rtol=1e-5)


def test_deep_linear_equals_weight_average_of_conditional_theory():
    """The S-transform answer (weights averaged) vs the closed-form recursion with linear
    activations (per draw, teacher averaged, d = 500, 2 draws): agree within the O(1/d)
    draw-to-draw spread (1 %)."""
    widths, al = (2.0, 0.8, 1.5), np.array([0.7, 1.5, 3.0])
    th = solve_deep_linear_rf(al, 0.05, 0.1, 1.0, widths=widths)["test_error"]
    cond = np.mean([solve_deep_structured_rf(al, 0.05, 0.1, widths=widths, activations="linear", d=500,
                                             weight_seed=s, teacher_average=True)["test_error"] for s in range(2)],
                   axis=0)
    assert np.allclose(cond, th, rtol=0.01), (cond, th)


def test_deep_linear_broadcasts_parameter_arrays():
    res = solve_deep_linear_rf(np.array([[0.5], [2.0]]), np.array([0.01, 0.1, 1.0]), widths=(0.5, 2.0))
    assert res["test_error"].shape == (2, 3) and res.converged.all()
    assert np.all(np.diff(res["test_error"][1]) != 0)


# ---------------------------------------------------------------------- the registry derivations
def test_registry_solve_accepts_arrays():
    from symrmt.registry import load

    d = load("deep-structured-rf")
    res = d.solve(alpha=np.array([0.5, 1.0, 2.0]), d=80)
    assert res["test_error"].shape == (3,) and res.converged.all()
    assert np.all(np.diff(res["test_error"]) < 0)
    lin = load("deep-linear-rf")
    r2 = lin.solve(alpha=np.array([0.5, 2.0]), widths=(1.5,))
    assert r2["test_error"].shape == (2,)
    assert "kappa equation" in " ".join(lab for lab, _ in lin.equations())
