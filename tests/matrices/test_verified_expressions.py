"""Deterministic equivalents of expressions the catalogue does not have, verified against simulation.

Each expression is derived (pencil → block Dyson equation → System) and simulated (the declared
matrices drawn at size n, the expression evaluated in torch) from the same SymPy object by
``sr.registry.from_expression``; ``verify`` fits the signed relative deviation
d(n) = δ + C/n over the ladder n ∈ (100, 200, 400, 800) with 16 trials per size, seed 0, and says
"agrees" when δ is consistent with 0 (its 3-SE bound stays below the 5 % resolution).  A wrong
pencil (one block dropped) must come out "disagrees" under the same ladder.

The compared part of a complex trace is the well-conditioned one: the spectrum of XᵀWX/n is
symmetric about 0 (W and −W have one law), so Re m(z) is small near the imaginary axis
(Re m = −0.196 against Im m = 0.844 at z = 0.3 + 0.8i) and its relative deviation carries 3× the
Monte-Carlo noise (per-trial relative spread 0.023 against 0.007 at n = 200); the imaginary part
gives SE(δ) ≈ 0.001, 3 SE(δ) ≈ 0.003, far inside the 5 % resolution.
"""
import pytest
import sympy as sp

import symrmt as sr
from symrmt import matrices as mx

G, RHO = sp.symbols("gamma rho", positive=True)
Z = sp.Symbol("z")
LAM = sp.Symbol("lambda", positive=True)
SIZES, TRIALS = (100, 200, 400, 800), 16


def _wishart_wigner():
    """tr((XᵀWX/n − z)⁻¹): a Wigner matrix sandwiched by a Gaussian one."""
    X, W = mx.gaussian("X", 1, G), mx.wigner("W", 1)
    return mx.tr((X.T * W * X / mx.N - Z * mx.identity(G)) ** -1), {"gamma": 0.5, "z": 0.3 + 0.8j}, "imag"


def _two_sources():
    """tr((X₁ᵀX₁/n + X₂ᵀX₂/m + λ)⁻¹): two data sources of n and m = ρn samples."""
    X1, X2 = mx.gaussian("X1", 1, G), mx.gaussian("X2", RHO, G, variance=2)
    A = X1.T * X1 / mx.N + X2.T * X2 / (RHO * mx.N) + LAM * mx.identity(G)
    return mx.tr(A ** -1), {"gamma": 1.5, "rho": 0.5, "lambda": 0.1}, "real"


def _weighted_plus_wigner():
    """tr((XᵀSX/n + W − z)⁻¹) with S deterministic (2 atoms) and W Wigner."""
    S = mx.deterministic("S", 1, sr.measures.empirical([0.5, 2.0], [0.7, 0.3]))
    X, W = mx.gaussian("X", 1, G), mx.wigner("W", G)
    return mx.tr((X.T * S * X / mx.N + W - Z * mx.identity(G)) ** -1), {"gamma": 0.7, "z": 0.5 + 1.0j}, "real"


def _deep_linear_ridge():
    """Test error of ridge on the features F₂ᵀF₁ᵀx of two Gaussian layers, x ~ N(0, Σ) with a
    power-law Σ (eigenvalues k⁻¹, k = 1..8): the reference size is d, n = αd samples,
    F₁ (d × κd) and F₂ (κd × γd) with entries of variance 1/d, y = xᵀβ + ε, ‖β‖² = signal,
    Var ε = σ², â = (FᵀΣ̂F + λ)⁻¹FᵀXᵀy/n with F = F₁F₂ and Σ̂ = XᵀX/n.  Then
    test = σ² + signal·(tr Σ − 2 tr(ΣFRFᵀΣ̂) + tr(Σ̂FRMRFᵀΣ̂)) + (σ²/α) tr(Σ̂FRMRFᵀ),
    R = (FᵀΣ̂F + λ)⁻¹, M = FᵀΣF; the products R M R are ∂ₛ(R⁻¹ − sM)⁻¹ at s = 0."""
    a, k, g, s = sp.symbols("alpha k gamma s", positive=True)
    s2, signal = sp.symbols("sigma2 signal", positive=True)
    spectrum = sr.measures.power_law(1.0, 8)
    S = mx.deterministic("S", 1, spectrum)
    Zm, F1, F2 = mx.gaussian("Z", a, 1), mx.gaussian("F1", 1, k), mx.gaussian("F2", k, g)
    Xt = Zm * S ** sp.Rational(1, 2) / sp.sqrt(mx.N)
    Sh = Xt.T * Xt / a
    F = F1 * F2 / mx.N
    K = F.T * Sh * F + LAM * mx.identity(g)
    Rs = (K - s * F.T * S * F) ** -1
    bias = (float(spectrum.mean) - 2 * mx.tr(S * F * K ** -1 * F.T * Sh)
            + mx.derivative(mx.tr(Sh * F * Rs * F.T * Sh), s, 0))
    test = s2 + signal * bias + s2 * mx.derivative(mx.tr(Sh * F * Rs * F.T), s, 0) / a
    return test, {"alpha": 2.0, "k": 1.5, "gamma": 0.8, "lambda": 0.1, "sigma2": 0.25, "signal": 1.0}, "real"


@pytest.mark.parametrize("build", [_wishart_wigner, pytest.param(_two_sources, marks=pytest.mark.slow),
                                   pytest.param(_weighted_plus_wigner, marks=pytest.mark.slow),
                                   pytest.param(_deep_linear_ridge, marks=pytest.mark.slow)])
def test_new_expression_agrees_with_simulation(build):
    expr, defaults, part = build()
    d = sr.registry.from_expression(expr, build.__name__.strip("_"), defaults, sizes=SIZES, part=part)
    rep = d.verify(trials=TRIALS, seed=0, device="cpu")
    assert rep.verdict == "agrees", (rep, rep.reasons)


def test_a_pencil_with_a_dropped_block_disagrees():
    expr, defaults, part = _wishart_wigner()
    (_, p), = mx.pencils(expr)[1]
    W = next(t[0] for e in p.entries.values() for t in e if t[0] is not None and t[0].kind == "wigner")
    wrong = p.drop(*next(k for k, e in p.entries.items() if any(t[0] == W for t in e)))
    system = sr.deterministic_equivalent(expr, pencil=wrong)
    d = sr.registry.from_expression(expr, "wishart-wigner-dropped", defaults, system=system, sizes=SIZES,
                                    part=part)
    assert d.verify(trials=TRIALS, seed=0, device="cpu").verdict == "disagrees"
