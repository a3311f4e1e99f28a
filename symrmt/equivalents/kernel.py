"""Kernel ridge regression with a dot-product kernel: omniscient risk vs test error vs GCV.

Wei, Hu & Steinhardt, "More than a toy: random matrix models predict how real-world neural
representations generalize", ICML 2022 (arXiv 2203.06176).  Data ``x`` uniform on the sphere of
radius √d, a dot-product kernel ``k(x, x') = K(x·x'/d)``, target ``f(x) = tanh(2⟨β, x⟩/√d)``
(‖β‖ = 1) plus noise of variance σ², n training points, per-sample ridge λ̃ (predictor
``k(x)ᵀ(K + nλ̃ I)⁻¹y``).

* Omniscient risk: the Gaussian-equivalent learning curve (:mod:`.discrete`) with the kernel
  operator's eigenvalues ``ω_i`` and the target's squared coefficients ``c_i²`` in its
  eigenbasis, both estimated from a large independent population sample of M points
  (eigen-decomposition of ``K_M/M``; ``c_i = u_iᵀ f(X_M)/√M``); the target power outside the
  estimated modes enters as extra noise.
* GCV: ``(1/n)‖(I − S)y‖² / ((1/n) tr(I − S))²``, ``S = K(K + nλ̃ I)⁻¹`` — training data only.
* Measured test error: mean squared error on fresh noisy points.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["KERNELS", "simulate_kernel"]

KERNELS = ("exp", "relu")


def _kernel(torch, name: str):
    if name == "exp":
        return lambda c: torch.exp(c)
    if name == "relu":  # arc-cosine kernel of degree 1 (ReLU NNGP), inputs of norm √d
        def k(c):
            c = c.clamp(-1.0, 1.0)
            return (torch.sqrt(1 - c * c) + (math.pi - torch.arccos(c)) * c) / math.pi
        return k
    raise ParameterError(f"kernel: must be one of {KERNELS}, got {name!r}")


def simulate_kernel(n: int, d: int = 8, ridge: float = 1e-3, noise: float = 0.1, kernel: str = "exp",
                    population: int = 3000, n_test: int = 2000, trials: int = 4, seed: int = 0,
                    device: Any = None):
    """Train kernel ridge regression and return omniscient risk, measured test error and GCV.

    Returns
    -------
    Measurement
        Per trial: ``omniscient`` (theory from the estimated spectrum), ``test_error``
        (fresh noisy points), ``gcv``, ``train_error``.
    """
    from .discrete import solve_discrete
    from .simulate import Measurement, _nonneg, _pos, _setup, _size, _sphere

    torch, dev, gen = _setup(seed, device)
    n, d, M = _size("n", n, 2), _size("d", d, 1), _size("population", population, 2)
    lam, s2 = _pos("ridge", ridge), _nonneg("noise", noise)
    kf = _kernel(torch, kernel)
    rows = []
    for _ in range(_size("trials", trials)):
        beta = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
        beta /= beta.norm()

        def f(x):
            return torch.tanh(2.0 * (x @ beta) / math.sqrt(d))

        gram = lambda A, B: kf(A @ B.T / d)  # noqa: E731
        Xm = _sphere(torch, M, d, gen, dev)
        evals, evecs = torch.linalg.eigh(gram(Xm, Xm) / M)
        keep = evals > 1e-12 * evals.max()
        om = evals[keep].cpu().numpy()
        c = (evecs[:, keep].T @ f(Xm) / math.sqrt(M)).cpu().numpy()
        fm2 = float((f(Xm) ** 2).mean())
        rest = max(fm2 - float((c**2).sum()), 0.0)
        theory = solve_discrete(om, c**2, n, lam, s2, rest)
        X = _sphere(torch, n, d, gen, dev)
        y = f(X) + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        K = gram(X, X)
        eye = torch.eye(n, device=dev, dtype=torch.float64)
        R = torch.linalg.solve(K + n * lam * eye, torch.cat([y[:, None], eye], 1))
        coef = R[:, 0]
        resid = y - K @ coef
        tr = float(n * lam * torch.trace(R[:, 1:]))  # tr(I - S)
        Xt = _sphere(torch, _size("n_test", n_test), d, gen, dev)
        pred = gram(Xt, X) @ coef
        test = float(((f(Xt) - pred) ** 2).mean()) + s2
        train = float((resid**2).mean())
        rows.append({"omniscient": float(theory["test_error"]), "test_error": test,
                     "gcv": train / (tr / n) ** 2, "train_error": train})
    return Measurement({k: np.array([r[k] for r in rows]) for k in rows[0]})
