"""Torch simulations that train the actual estimators whose learning curves the equivalents predict.

Conventions: ``device=None`` means CUDA when available, else CPU; float64 throughout; each call
takes an explicit ``seed`` (a :class:`torch.Generator` per call).  Every function returns a
:class:`Measurement`: per-trial values of each measured quantity, with means and Student-t
confidence intervals.  Linear models (ridge, linear random features, power-law ridge) report
the exact expected error on a fresh noisy point given the trained weights (a Gaussian
expectation in closed form, ``(ŵ − w̄)ᵀΣ(ŵ − w̄) + σ²``); nonlinear ones (random features,
kernels) average over ``n_test`` fresh points.  torch is imported lazily.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import _checks
from ..errors import ParameterError

__all__ = ["Measurement", "simulate_ridge", "simulate_linear_random_features",
           "simulate_random_features", "simulate_powerlaw_ridge", "simulate_kernel_gcv"]


@dataclass
class Measurement:
    """Per-trial measurements ``{name: array of shape (trials,)}`` with summary statistics."""

    values: dict

    def mean(self, name: str) -> float:
        return float(np.mean(self.values[name]))

    def stderr(self, name: str) -> float:
        v = np.asarray(self.values[name], dtype=float)
        return float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else 0.0

    def ci(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Student-t confidence interval of the mean of ``name``."""
        from ..verify.stats import mean_ci

        est = mean_ci(self.values[name], level)
        return est.low, est.high

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def _setup(seed: int, device: Any):
    import torch

    from ..simulate.device import check_seed, make_generator, resolve_device

    dev = resolve_device(device)
    return torch, dev, make_generator(check_seed(seed), dev)


def _size(name: str, v: Any, low: int = 1) -> int:
    return _checks.integer(name, v, low=low)


def _nonneg(name: str, v: Any) -> float:
    return _checks.nonnegative(name, v)


def _pos(name: str, v: Any) -> float:
    return _checks.positive(name, v)


def _stack(rows: list[dict]) -> Measurement:
    return Measurement({k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]})


def _spectrum_eigs(spectrum: Any, N: int) -> np.ndarray:
    """N population eigenvalues with the given atoms' proportions (identity by default)."""
    if spectrum is None:
        return np.ones(N)
    try:
        points, weights = spectrum
    except (TypeError, ValueError) as exc:
        raise ParameterError("spectrum: simulations take None (identity) or (points, weights)") from exc
    w = np.asarray(weights, dtype=float)
    counts = np.floor(w * N).astype(int)
    counts[np.argmax(w)] += N - counts.sum()
    return np.repeat(np.asarray(points, dtype=float), counts)


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
    torch, dev, gen = _setup(seed, device)
    N = _size("N", N, 2)
    q, lam, s2, sig = _pos("q", q), _pos("ridge", ridge), _nonneg("noise", noise), _nonneg("signal", signal)
    P = max(2, int(round(N / q)))
    eig = torch.as_tensor(_spectrum_eigs(spectrum, N), dtype=torch.float64, device=dev)
    rows = []
    for _ in range(_size("trials", trials)):
        X = torch.randn(P, N, generator=gen, device=dev, dtype=torch.float64) * eig.sqrt()
        wbar = torch.randn(N, generator=gen, device=dev, dtype=torch.float64)
        wbar *= math.sqrt(sig) / wbar.norm()
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
    return _stack(rows)


def simulate_linear_random_features(D: int, alpha: float, beta: float, ridge: float, noise: float = 0.0,
                                    signal: float = 1.0, ensemble: int = 1, trials: int = 4, seed: int = 0,
                                    device: Any = None) -> Measurement:
    """Linear random-feature ridge regression with an ensemble of K independent feature maps.

    AZP's setting (arXiv 2405.00592): ``x ~ N(0, I_D)``, ``P = D/α`` samples, ``N = D/β``
    features ``z = Fᵀx`` with F of shape D×N, entries ``N(0, 1/N)``; each member fits
    ``â = (ZᵀZ/P + λ)⁻¹ Zᵀy/P``; the ensemble predicts with the average of ``F â``.

    Returns
    -------
    Measurement
        ``test_error`` (fresh noisy point, exact Gaussian expectation) of the ensemble, and
        ``test_error_single`` of its first member.
    """
    torch, dev, gen = _setup(seed, device)
    D = _size("D", D, 2)
    alpha, beta, lam = _pos("alpha", alpha), _pos("beta", beta), _pos("ridge", ridge)
    s2, sig, K = _nonneg("noise", noise), _nonneg("signal", signal), _size("ensemble", ensemble)
    P, N = max(2, int(round(D / alpha))), max(1, int(round(D / beta)))
    rows = []
    for _ in range(_size("trials", trials)):
        X = torch.randn(P, D, generator=gen, device=dev, dtype=torch.float64)
        wbar = torch.randn(D, generator=gen, device=dev, dtype=torch.float64)
        wbar *= math.sqrt(sig) / wbar.norm()
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
                single = float(((w - wbar) ** 2).sum()) + s2
        rows.append({"test_error": float(((total / K - wbar) ** 2).sum()) + s2, "test_error_single": single})
    return _stack(rows)


def _sphere(torch, n: int, d: int, gen, dev):
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
    from ..symbolic.hermite import torch_activation

    torch, dev, gen = _setup(seed, device)
    d = _size("d", d, 2)
    psi1, psi2, lam = _pos("psi1", psi1), _pos("psi2", psi2), _pos("ridge", ridge)
    F1, Fs, tau = _nonneg("F1", F1), _nonneg("Fstar", Fstar), _nonneg("tau", tau)
    act: Callable = torch_activation(activation)
    N, n = max(1, int(round(psi1 * d))), max(2, int(round(psi2 * d)))
    n_test = _size("n_test", n_test)
    rows = []
    for _ in range(_size("trials", trials)):
        theta = _sphere(torch, N, d, gen, dev)
        beta = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
        beta *= F1 / beta.norm()
        uvec = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
        uvec /= uvec.norm()

        def target(x):
            g = x @ uvec
            return x @ beta + Fs * (g**2 - 1) / math.sqrt(2)

        X = _sphere(torch, n, d, gen, dev)
        y = target(X) + tau * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        Phi = act(X @ theta.T / math.sqrt(d))
        A = Phi.T @ Phi / n + (N * lam / d) * torch.eye(N, device=dev, dtype=torch.float64)
        a = torch.linalg.solve(A, Phi.T @ y / n)
        Xt = _sphere(torch, n_test, d, gen, dev)
        pred = act(Xt @ theta.T / math.sqrt(d)) @ a
        rows.append({"risk": float(((target(Xt) - pred) ** 2).mean())})
    return _stack(rows)


def simulate_powerlaw_ridge(n: int, p: int, a: float, b: float, noise: float, ridge: float, trials: int = 4,
                            seed: int = 0, device: Any = None) -> Measurement:
    """Ridge on Gaussian features with covariance ``diag(i^{-a})`` and target ``θ_i = i^{-b}``.

    Loss ``Σ_μ (y_μ − w·x_μ)² + n λ̃ ‖w‖²``; ``y = θ·x + ε``, ``Var ε = noise``.

    Returns
    -------
    Measurement
        ``test_error`` (exact expectation on a fresh noisy point), ``train_error``, and
        ``gcv = (1/n)‖(I − S)y‖² / ((1/n) tr(I − S))²``, ``S = X(XᵀX + nλ̃)⁻¹Xᵀ``
        (Wei, Hu & Steinhardt, arXiv 2203.06176).
    """
    torch, dev, gen = _setup(seed, device)
    n, p = _size("n", n, 2), _size("p", p)
    a, b, s2, lam = _pos("a", a), _nonneg("b", b), _nonneg("noise", noise), _pos("ridge", ridge)
    i = torch.arange(1, p + 1, device=dev, dtype=torch.float64)
    omega, theta = i ** (-a), i ** (-b)
    rows = []
    for _ in range(_size("trials", trials)):
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
    return _stack(rows)


def simulate_kernel_gcv(*args: Any, **kwargs: Any) -> Measurement:
    """Kernel ridge regression with a dot-product kernel: see :mod:`symrmt.equivalents.kernel`."""
    from .kernel import simulate_kernel

    return simulate_kernel(*args, **kwargs)
