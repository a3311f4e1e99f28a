"""Torch simulations of the learning models whose curves the deterministic equivalents predict.

Ridge regression, linear random features with ensembles, Mei–Montanari random features and ridge
on a power-law spectrum, each trained exactly (a linear solve).  Conventions: ``device=None``
means CUDA when available, else CPU; float64 throughout; each call takes an explicit ``seed``
(a :class:`torch.Generator` per call).  Every function returns a
:class:`~symrmt.simulate.measurement.Measurement`: per-trial values of each measured quantity.
Linear models (ridge, linear random features, power-law ridge) report the exact expected error on
a fresh noisy point given the trained weights (a Gaussian expectation in closed form,
``(ŵ − w̄)ᵀΣ(ŵ − w̄) + σ²``); random features average over ``n_test`` fresh points.  The
simulations compute no theory.  torch is imported lazily.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .._checks import atom_diagonal, integer, nonnegative, positive
from ..errors import ParameterError
from .activations import torch_activation
from .device import seeded
from .measurement import Measurement

__all__ = ["simulate_ridge", "simulate_linear_random_features", "simulate_random_features",
           "simulate_powerlaw_ridge", "sphere_points"]


def _spectrum_eigs(spectrum: Any, N: int) -> np.ndarray:
    """N population eigenvalues (identity by default): a few atoms in their proportions, any other
    population (a measure, an AlgebraicLaw, many atoms, an array) by its simulation model, the
    measure's quantiles (:meth:`symrmt.measures.Measure.population`)."""
    from ..measures import Measure, as_measure

    if spectrum is None:
        return np.ones(N)
    if not isinstance(spectrum, Measure) and isinstance(spectrum, tuple) and len(spectrum) == 2:
        try:
            points, weights = (list(v) for v in spectrum)
        except TypeError as exc:
            raise ParameterError("spectrum: expected None (identity), a measure, an AlgebraicLaw, "
                                 f"(points, weights) or an array of eigenvalues, got {spectrum!r}") from exc
        if 0 < len(points) <= 8 and len(points) == len(weights):
            as_measure(spectrum, "spectrum", nonnegative=True)  # validation
            return atom_diagonal((points, weights), N)
    return as_measure(spectrum, "spectrum", nonnegative=True).population(N)


def simulate_ridge(N: int, q: float, ridge: float, noise: float = 0.0, signal: float = 1.0,
                   spectrum: Any = None, trials: int = 4, seed: int = 0, device: Any = None) -> Measurement:
    """Ridge regression on Gaussian data, trained by a linear solve (arXiv 2405.00592 setting).

    ``P = round(N/q)`` samples ``x ~ N(0, Σ)`` (Σ diagonal with the spectrum's proportions),
    ``w̄`` uniform on the sphere of radius ``√signal``; ``ŵ = (XᵀX/P + λ)⁻¹ Xᵀy/P``.

    Returns
    -------
    Measurement
        ``test_error`` (``(ŵ − w̄)ᵀΣ(ŵ − w̄) + σ²``), ``train_error`` (``‖y − Xŵ‖²/P``),
        ``gcv`` (``train_error/(1 − Tr Σ̂(Σ̂+λ)⁻¹/P)²``), ``bias`` (same error with noiseless
        labels), ``variance`` (error of the noise-driven part of ŵ).
    """
    torch, dev, gen = seeded(seed, device)
    N = integer("N", N, low=2)
    q, lam, s2, sig = positive("q", q), positive("ridge", ridge), nonnegative("noise", noise), nonnegative("signal", signal)
    P = max(2, int(round(N / q)))
    eig = torch.as_tensor(_spectrum_eigs(spectrum, N), dtype=torch.float64, device=dev)
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        X, wbar = _draw_data(torch, gen, dev, P, eig, sig)
        eps = math.sqrt(s2) * torch.randn(P, generator=gen, device=dev, dtype=torch.float64)
        A = X.T @ X / P + lam * torch.eye(N, device=dev, dtype=torch.float64)
        rhs = torch.stack([X.T @ (X @ wbar), X.T @ eps], 1) / P
        sol = torch.linalg.solve(A, rhs)
        w0, wv = sol[:, 0], sol[:, 1]
        w = w0 + wv
        y = X @ wbar + eps
        err = lambda v: float(((v * eig) * v).sum())  # noqa: E731
        train = float(((y - X @ w) ** 2).mean())
        df_hat = float(torch.trace(torch.linalg.solve(A, X.T @ X / P))) / P
        rows.append({"test_error": err(w - wbar) + s2, "train_error": train,
                     "gcv": train / (1 - df_hat) ** 2, "bias": err(w0 - wbar), "variance": err(wv)})
    return Measurement.from_rows(rows, sizes={"N": N, "P": P})


def simulate_linear_random_features(D: int, alpha: float, beta: float, ridge: float, noise: float = 0.0,
                                    signal: float = 1.0, ensemble: int = 1, trials: int = 4, seed: int = 0,
                                    device: Any = None, spectrum: Any = None) -> Measurement:
    """Linear random-feature ridge regression with an ensemble of K independent feature maps.

    AZP's setting (arXiv 2405.00592): ``x ~ N(0, Σ)`` (Σ diagonal from ``spectrum``, default
    identity; a measure's population model), ``P = D/α`` samples, ``N = D/β``
    features ``z = Fᵀx`` with F of shape D×N, entries ``N(0, 1/N)``; each member fits
    ``â = (ZᵀZ/P + λ)⁻¹ Zᵀy/P``; the ensemble predicts with the average of ``F â``.

    Returns
    -------
    Measurement
        ``test_error`` (fresh noisy point, exact Gaussian expectation) of the ensemble, and
        ``test_error_single`` of its first member.
    """
    torch, dev, gen = seeded(seed, device)
    D = integer("D", D, low=2)
    alpha, beta, lam = positive("alpha", alpha), positive("beta", beta), positive("ridge", ridge)
    s2, sig, K = nonnegative("noise", noise), nonnegative("signal", signal), integer("ensemble", ensemble, low=1)
    P, N = max(2, int(round(D / alpha))), max(1, int(round(D / beta)))
    eig = torch.as_tensor(_spectrum_eigs(spectrum, D), dtype=torch.float64, device=dev)
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        X, wbar = _draw_data(torch, gen, dev, P, eig, sig)
        y = X @ wbar + math.sqrt(s2) * torch.randn(P, generator=gen, device=dev, dtype=torch.float64)
        total = torch.zeros(D, device=dev, dtype=torch.float64)
        single = None
        for k in range(K):
            F = torch.randn(D, N, generator=gen, device=dev, dtype=torch.float64) / math.sqrt(N)
            Z = X @ F
            A = Z.T @ Z / P + lam * torch.eye(N, device=dev, dtype=torch.float64)
            w = F @ torch.linalg.solve(A, Z.T @ y / P)
            total += w
            if k == 0:
                single = float((eig * (w - wbar) ** 2).sum()) + s2
        rows.append({"test_error": float((eig * (total / K - wbar) ** 2).sum()) + s2, "test_error_single": single})
    return Measurement.from_rows(rows, sizes={"D": D, "P": P, "N": N})


def sphere_points(torch, n: int, d: int, gen, dev):
    x = torch.randn(n, d, generator=gen, device=dev, dtype=torch.float64)
    return x * (math.sqrt(d) / x.norm(dim=1, keepdim=True))


def simulate_random_features(d: int, psi1: float, psi2: float, ridge: float, activation: Any = "relu",
                             F1: float = 1.0, Fstar: float = 0.0, tau: float = 0.0, trials: int = 4,
                             seed: int = 0, device: Any = None, n_test: int = 2000) -> Measurement:
    """Mei–Montanari random-features ridge regression (arXiv 1908.05355, §2), trained exactly.

    ``x`` and ``θ_a`` uniform on the sphere of radius √d, ``N = ψ1 d`` features
    ``σ(⟨θ_a, x⟩/√d)``, ``n = ψ2 d`` samples, ``y = ⟨β1, x⟩ + f_NL(x) + ε`` with ``‖β1‖ = F1``,
    ``f_NL(x) = F* He₂(⟨u, x⟩)/√2`` (‖u‖ = 1; variance F*², orthogonal to linear functions) and
    ``Var ε = τ²``; ``â`` minimizes ``(1/n)Σ(y_i − Σ_a a_a σ_a(x_i))² + (Nλ/d)‖a‖²``.

    Returns
    -------
    Measurement
        ``risk``: excess test risk ``E(f(x) − f̂(x))²`` over ``n_test`` fresh points.
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    psi1, psi2, lam = positive("psi1", psi1), positive("psi2", psi2), positive("ridge", ridge)
    F1, Fs, tau = nonnegative("F1", F1), nonnegative("Fstar", Fstar), nonnegative("tau", tau)
    act: Callable = torch_activation(activation)
    N, n = max(1, int(round(psi1 * d))), max(2, int(round(psi2 * d)))
    n_test = integer("n_test", n_test, low=1)
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        theta = sphere_points(torch, N, d, gen, dev)
        beta = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
        beta *= F1 / beta.norm()
        uvec = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
        uvec /= uvec.norm()

        def target(x):
            g = x @ uvec
            return x @ beta + Fs * (g**2 - 1) / math.sqrt(2)

        X = sphere_points(torch, n, d, gen, dev)
        y = target(X) + tau * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        Phi = act(X @ theta.T / math.sqrt(d))
        A = Phi.T @ Phi / n + (N * lam / d) * torch.eye(N, device=dev, dtype=torch.float64)
        a = torch.linalg.solve(A, Phi.T @ y / n)
        Xt = sphere_points(torch, n_test, d, gen, dev)
        pred = act(Xt @ theta.T / math.sqrt(d)) @ a
        rows.append({"risk": float(((target(Xt) - pred) ** 2).mean())})
    return Measurement.from_rows(rows, sizes={"d": d, "N": N, "n": n})


def simulate_powerlaw_ridge(n: int, p: int, a: float, b: float, noise: float, ridge: float, trials: int = 4,
                            seed: int = 0, device: Any = None, omega: Any = None) -> Measurement:
    """Ridge on Gaussian features with covariance ``diag(i^{-a})`` and target ``θ_i = i^{-b}``.

    Loss ``Σ_μ (y_μ − w·x_μ)² + n λ̃ ‖w‖²``; ``y = θ·x + ε``, ``Var ε = noise``.  With ``omega``
    (the eigenvalues ``ω_i > 0`` of another covariance, ``p = len(omega)``) the target is the
    source ``θ_i = ω_i^{b/a}``, which is ``i^{-b}`` on the power law itself.

    Returns
    -------
    Measurement
        ``test_error`` (exact expectation on a fresh noisy point), ``train_error``, and
        ``gcv = (1/n)‖(I − S)y‖² / ((1/n) tr(I − S))²``, ``S = X(XᵀX + nλ̃)⁻¹Xᵀ``
        (Wei, Hu & Steinhardt, arXiv 2203.06176).
    """
    torch, dev, gen = seeded(seed, device)
    a, b, s2, lam = positive("a", a), nonnegative("b", b), nonnegative("noise", noise), positive("ridge", ridge)
    n = integer("n", n, low=2)
    if omega is None:
        p = integer("p", p, low=1)
        i = torch.arange(1, p + 1, device=dev, dtype=torch.float64)
        omega, theta = i ** (-a), i ** (-b)
    else:
        eig = np.asarray(omega, dtype=float)
        if eig.ndim != 1 or eig.size == 0 or not np.all(np.isfinite(eig)) or np.any(eig <= 0):
            raise ParameterError("omega: need a non-empty 1-dimensional array of finite eigenvalues > 0")
        p = eig.size
        omega = torch.as_tensor(eig, device=dev, dtype=torch.float64)
        theta = omega ** (b / a)
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        X = torch.randn(n, p, generator=gen, device=dev, dtype=torch.float64) * omega.sqrt()
        y = X @ theta + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        # kernel form (n×n): S = K (K + nλ̃)⁻¹ with K = X Xᵀ
        K = X @ X.T
        R = torch.linalg.solve(K + n * lam * torch.eye(n, device=dev, dtype=torch.float64),
                               torch.cat([y[:, None], torch.eye(n, device=dev, dtype=torch.float64)], 1))
        alpha_ = R[:, 0]
        w = X.T @ alpha_
        resid = y - K @ alpha_
        tr_i_minus_s = float(n * lam * torch.trace(R[:, 1:]))
        train = float((resid**2).mean())
        rows.append({"test_error": float((omega * (w - theta) ** 2).sum()) + s2, "train_error": train,
                     "gcv": train / (tr_i_minus_s / n) ** 2})
    return Measurement.from_rows(rows, sizes={"n": n, "p": p})


def _draw_data(torch, gen, dev, P: int, eig, signal: float):
    """One trial's Gaussian data ``X`` (P × N, population eigenvalues ``eig``) and a target
    ``w̄`` of norm² ``signal`` uniform on its sphere, drawn in this order from ``gen``."""
    X = torch.randn(P, eig.numel(), generator=gen, device=dev, dtype=torch.float64) * eig.sqrt()
    wbar = torch.randn(eig.numel(), generator=gen, device=dev, dtype=torch.float64)
    wbar *= math.sqrt(signal) / wbar.norm()
    return X, wbar
