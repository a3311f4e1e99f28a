"""Deterministic equivalents derived from pencils reproduce the catalogue's solvers (to 1e-10).

Each expression is a trace of declared matrices; the catalogue's solver (a law's Stieltjes
transform, Silverstein's equation, the ridge κ equation) was written by hand from the papers,
independently of the pencil route.  Conventions: docs/architecture.md (m(z) = ∫ρ(x)/(x − z) dx,
XᵀX/n with X of shape n × γn).
"""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt import matrices as mx

G = sp.Symbol("gamma", positive=True)
Q = sp.Symbol("q", positive=True)
Z = sp.Symbol("z")
LAM = sp.Symbol("lambda", positive=True)
S2, SIG = sp.symbols("sigma2 signal", positive=True)
ZS = np.array([0.5 + 0.1j, 1.3 + 0.01j, -1.0 + 0.5j, 2.0 + 1e-3j, 4.0 + 0.2j])
ATOMS = ([0.5, 1.0, 3.0], [0.2, 0.5, 0.3])


def _close(a, b, tol=1e-10):
    a, b = np.asarray(a), np.asarray(b)
    assert np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b))), (a, b)


def test_marchenko_pastur_stieltjes():
    X = mx.gaussian("X", 1, G)
    sys = sr.deterministic_equivalent(mx.tr((X.T * X / mx.N - Z * mx.identity(G)) ** -1))
    assert len(sys.unknowns) == 1
    for g in (0.5, 2.0):
        got = sys.compile().solve(z=ZS, gamma=g)["value"]
        _close(got, sr.laws.marchenko_pastur(ratio=G).compile().stieltjes(ZS, gamma=g))


def test_silverstein_three_atoms():
    h = sr.measures.empirical(*ATOMS)
    S = mx.deterministic("S", G, h)
    X = mx.gaussian("X", 1, G)
    half = S ** sp.Rational(1, 2)
    sys = sr.matrices.deterministic_equivalent(mx.tr((half * X.T * X * half / mx.N - Z * mx.identity(G)) ** -1))
    assert len(sys.unknowns) == 1     # one Silverstein-type equation with an expectation over H
    got = sys.compile().solve(z=ZS, gamma=0.5)["value"]
    _close(got, sr.sample_covariance(h, 0.5).compile().stieltjes(ZS))


@pytest.mark.slow
def test_semicircle_plus_marchenko_pastur():
    W = mx.wigner("W", G)
    X = mx.gaussian("X", 1, G)
    sys = sr.deterministic_equivalent(mx.tr((W + X.T * X / mx.N - Z * mx.identity(G)) ** -1))
    law = sr.free_add(sr.laws.semicircle(variance=1), sr.laws.marchenko_pastur(ratio=G)).compile()
    _close(sys.compile().solve(z=ZS, gamma=0.5)["value"], law.stieltjes(ZS, gamma=0.5))


def _ridge(spectrum):
    """Test and train error of ridge, ŵ = (Σ̂ + λ)⁻¹Xᵀy/n, Σ̂ = XᵀX/n, X = Z Σ^{1/2} (n × qn),
    y = Xw̄ + ε, w̄ isotropic with ‖w̄‖² = signal, Var ε = σ²:
    test = σ² + signal λ² tr(RΣR) + σ² q tr(RΣRΣ̂);  train = λ²[signal tr(XᵀQ²X/n) + σ² tr(Q²)]."""
    Zm = mx.gaussian("Z", 1, Q)
    if spectrum is None:
        X, Sig = Zm, mx.identity(Q)
    else:
        S = mx.deterministic("S", Q, spectrum)
        X, Sig = Zm * S ** sp.Rational(1, 2), S
    Sh = X.T * X / mx.N
    R = (Sh + LAM * mx.identity(Q)) ** -1
    Qm = (X * X.T / mx.N + LAM * mx.identity(1)) ** -1
    test = S2 + SIG * LAM**2 * mx.tr(R * Sig * R) + S2 * Q * mx.tr(R * Sig * R * Sh)
    train = LAM**2 * (SIG * mx.tr(X.T * Qm * Qm * X / mx.N) + S2 * mx.tr(Qm * Qm))
    return {"test_error": test, "train_error": train}


QS = np.array([0.3, 0.7, 1.5, 2.5])
LS = np.array([0.05, 0.1, 0.5, 0.01])


@pytest.mark.slow
@pytest.mark.parametrize("atoms", [False, True])
@pytest.mark.parametrize("quantity", ["test_error", "train_error"])
def test_ridge_errors(quantity, atoms):
    spectrum = sr.measures.empirical(*ATOMS) if atoms else None
    sys = sr.deterministic_equivalent(_ridge(spectrum)[quantity])
    got = sys.compile().solve(q=QS, **{"lambda": LS}, sigma2=0.25, signal=1.0)["value"]
    ref = sr.load("ridge").solve(q=QS, ridge=LS, noise=0.25, signal=1.0, spectrum=spectrum)[quantity]
    _close(got, ref)


def test_ridge_train_error_identity_fast():
    sys = sr.deterministic_equivalent(_ridge(None)["train_error"])
    got = sys.compile().solve(q=QS, **{"lambda": LS}, sigma2=0.25, signal=1.0)["value"]
    _close(got, sr.load("ridge").solve(q=QS, ridge=LS, noise=0.25, signal=1.0)["train_error"])


def test_derivative_in_lambda_matches_the_resolvent_square():
    # tr((XᵀX/n + λ)⁻²) = −d/dλ tr((XᵀX/n + λ)⁻¹): from MP, m(z) at z = −λ, derivative by
    # central differences of the law's solver (an independent route)
    X = mx.gaussian("X", 1, Q)
    t = mx.tr((X.T * X / mx.N + LAM * mx.identity(Q)) ** -1)
    sys = sr.deterministic_equivalent(-sp.diff(t, LAM))
    mp = sr.laws.marchenko_pastur(ratio=Q).compile()
    for q, lam in [(0.5, 0.3), (2.5, 0.05)]:
        h = 1e-5
        fd = (mp.stieltjes(-(lam + h) + 0j, q=q) - mp.stieltjes(-(lam - h) + 0j, q=q)) / (2 * h)
        got = sys.compile().solve(q=q, **{"lambda": lam})["value"]
        assert abs(got + fd.real) <= 1e-6 * abs(fd), (got, fd)


def test_derivative_by_implicit_differentiation_matches_the_pencil_of_the_derivative():
    # mx.derivative differentiates the Dyson equation of tr(R) (one resolvent); sp.diff
    # linearizes −R·R (two): two independent derivations of tr(R²)
    X = mx.gaussian("X", 1, Q)
    t = mx.tr((X.T * X / mx.N + LAM * mx.identity(Q)) ** -1)
    implicit = sr.deterministic_equivalent(-mx.derivative(t, LAM))
    pencil = sr.deterministic_equivalent(-sp.diff(t, LAM))
    pts = dict(q=QS, **{"lambda": LS})
    _close(implicit.compile().solve(**pts)["value"], pencil.compile().solve(**pts)["value"])


def test_linear_random_features_single_model():
    """AZP's linear random features, K = 1 (arXiv 2405.00592; the catalogue's linear-random-features):
    D = n, P = D/α samples X = Z₀ (Σ = I), N = D/β features Fᵀx with F = F₀/√n (entries of
    variance β/n = 1/N), â = (ZᵀZ/P + λ)⁻¹Zᵀy/P, w = Fâ, y = Xw̄ + ε.  With C = XᵀX/P,
    A = FᵀCF + λ and B = FA⁻¹FᵀC: test = σ² + signal·tr_D((B − I)ᵀ(B − I)) + σ²(N/P) tr_N(A⁻¹FᵀFA⁻¹FᵀCF)."""
    A_, B_ = sp.symbols("alpha beta", positive=True)
    Z0 = mx.gaussian("Z0", 1 / A_, 1)
    F = mx.gaussian("F", 1, 1 / B_, variance=B_)
    C = Z0.T * Z0 * A_ / mx.N
    Ai = (F.T * C * F / mx.N + LAM * mx.identity(1 / B_)) ** -1
    B = F * Ai * F.T * C / mx.N
    test = (S2 + SIG * (mx.tr(B.T * B) - 2 * mx.tr(B) + 1)
            + S2 * (A_ / B_) * mx.tr(Ai * F.T * F / mx.N * Ai * F.T * C * F / mx.N))
    sys = sr.deterministic_equivalent(test)
    al, be = np.array([0.5, 2.0, 1.2, 0.3]), np.array([0.7, 0.4, 1.5, 2.0])
    got = sys.compile().solve(alpha=al, beta=be, **{"lambda": LS}, sigma2=0.25, signal=1.0)["value"]
    ref = sr.load("linear-random-features").solve(alpha=al, beta=be, ridge=LS, noise=0.25, signal=1.0,
                                                 ensemble=1)["test_error"]
    _close(got, ref)


def mei_montanari_risk():
    """Mei–Montanari's random-features risk (arXiv 1908.05355) through the Gaussian-equivalent
    linear model, as traces.  Reference size d; X (n × d, n = ψ₂d) data, Θ (N × d, N = ψ₁d)
    weights, Ξ (n × N) independent: features Z̃ = μ₁X̃Θ̃ᵀ + μ*Ξ̃ (tildes: divided by √d), ridge
    a = A⁻¹Z̃ᵀy/√d with A = Z̃ᵀZ̃ + ψ₁ψ₂λ, y = Xβ + e, ‖β‖² = F₁², Var e = F*² + τ² =: σ².
    With B = μ₁Θ̃ᵀA⁻¹Z̃ᵀX̃ the risk ‖β − μ₁Θ̃ᵀa‖² + μ*²‖a‖² + F*² is
    F₁²(1 − 2 tr B + tr BᵀB) + σ²μ₁²ψ₁ tr(A⁻¹Z̃ᵀZ̃A⁻¹Θ̃Θ̃ᵀ) + μ*²(F₁² tr(X̃ᵀZ̃A⁻²Z̃ᵀX̃) + σ²ψ₁ tr(A⁻²Z̃ᵀZ̃)) + F*²;
    the products of two resolvents are derivatives of one (A⁻¹Z̃ᵀZ̃A⁻¹ = A⁻¹ − κA⁻², κ = ψ₁ψ₂λ,
    and A⁻¹MA⁻¹ = ∂ₛ(A − sM)⁻¹ at s = 0), derived by implicit differentiation."""
    p1, p2, lam, m1, ms, F1, Fs, tau, s = sp.symbols("psi1 psi2 lambda mu1 mustar F1 Fstar tau s", positive=True)
    X, T, Xi = mx.gaussian("X", p2, 1), mx.gaussian("T", p1, 1), mx.gaussian("Xi", p2, p1)
    rt = sp.sqrt(mx.N)
    Zt, Xt, Tt = m1 * X * T.T / mx.N + ms * Xi / rt, X / rt, T / rt
    kappa = p1 * p2 * lam
    A = Zt.T * Zt + kappa * mx.identity(p1)
    As = A - s * Tt * Tt.T
    Ai = A ** -1
    se2 = Fs**2 + tau**2
    tr_b = m1 * mx.tr(Tt.T * Ai * Zt.T * Xt)
    tr_bb = m1**2 * mx.derivative(mx.tr(Xt.T * Zt * As ** -1 * Zt.T * Xt), s, 0)
    noise_b = mx.tr(Ai * Tt * Tt.T) - kappa * mx.derivative(mx.tr(As ** -1), s, 0)
    norm_noise = mx.tr(Ai) + lam * mx.derivative(mx.tr(Ai), lam)
    norm_signal = -mx.derivative(mx.tr(Xt.T * Zt * Ai * Zt.T * Xt), lam) / (p1 * p2)
    return (F1**2 * (1 - 2 * tr_b + tr_bb) + se2 * m1**2 * p1 * noise_b
            + ms**2 * (F1**2 * norm_signal + se2 * p1 * norm_noise) + Fs**2)


@pytest.mark.slow
def test_mei_montanari_random_features():
    # ≈ 70 s on 2 cores, most of it numba compiling the generated solver (80 unknowns after
    # elimination, every Dyson matrix in linear form)
    from symrmt.equivalents import solve_random_features
    from symrmt.symbolic.hermite import hermite_coefficients

    sys = sr.deterministic_equivalent(mei_montanari_risk())
    _, mu1, mus = hermite_coefficients("relu").as_floats()
    psi1 = np.array([0.3, 0.8, 1.5, 3.0, 1.2, 2.0])
    lam = np.array([0.01, 0.05, 0.2, 0.1, 0.02, 0.15])
    got = sys.compile().solve(psi1=psi1, psi2=1.2, **{"lambda": lam}, mu1=mu1, mustar=mus, F1=1.0,
                              Fstar=0.3, tau=0.4)["value"]
    ref = solve_random_features(psi1, 1.2, lam, "relu", 1.0, 0.3, 0.4)["risk"]
    _close(got, ref)
