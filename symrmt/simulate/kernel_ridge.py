"""Kernel ridge regression with a dot-product kernel, trained in torch: test error, GCV, and the
population sample the omniscient risk is estimated from.

Wei, Hu & Steinhardt, "More than a toy: random matrix models predict how real-world neural
representations generalize", ICML 2022 (arXiv 2203.06176).  Data ``x`` uniform on the sphere of
radius √d, a dot-product kernel ``k(x, x') = K(x·x'/d)``, target ``f(x) = tanh(2⟨β, x⟩/√d)``
(‖β‖ = 1) plus noise of variance σ², n training points, per-sample ridge λ̃ (predictor
``k(x)ᵀ(K + nλ̃ I)⁻¹y``).

Per trial the simulation draws β, an independent population sample of M points (returned, for
the omniscient risk of :func:`symrmt.equivalents.omniscient_risk`, which is conditional on it),
the training set and fresh test points; it measures

* GCV: ``(1/n)‖(I − S)y‖² / ((1/n) tr(I − S))²``, ``S = K(K + nλ̃ I)⁻¹`` — training data only;
* the test error: mean squared error on fresh noisy points; and the training error.

It computes no theory.  ``device=None`` means CUDA when available, else CPU; float64; an explicit
seed per call.
"""
from __future__ import annotations

import math
from typing import Any

from .._checks import integer, nonnegative, positive
from ..errors import ParameterError
from .device import seeded
from .learning import sphere_points
from .measurement import Measurement

__all__ = ["KERNELS", "simulate_kernel_ridge"]

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


def simulate_kernel_ridge(n: int, d: int = 8, ridge: float = 1e-3, noise: float = 0.1, kernel: str = "exp",
                          population: int = 3000, n_test: int = 2000, trials: int = 4, seed: int = 0,
                          device: Any = None, fits: int = 1) -> Measurement:
    """Train kernel ridge regression ``trials`` times and measure it.

    Parameters
    ----------
    n : int >= 2
        Training points.
    d : int >= 1
        Input dimension.
    ridge : float > 0
        Per-sample ridge λ̃.
    noise : float >= 0
        Label-noise variance σ².
    kernel : {"exp", "relu"}
        ``K(c) = e^c`` or the degree-1 arc-cosine kernel.
    population : int >= 2
        Size M of the population sample drawn per trial (returned, not used by the model).
    n_test : int >= 1
        Fresh test points.
    trials, seed, device
        Independent repetitions; base seed; None/"cpu"/"cuda".
    fits : int >= 1
        Independent training sets (and test sets) per trial, sharing the trial's β and population
        sample; the trial's values are their means.  The theory is conditional on the population
        sample, so averaging several cheap fits per population sample (one n×n solve each, against
        one M×M eigen-decomposition for the theory) reduces the trial-to-trial spread of a paired
        difference at almost no cost.

    Returns
    -------
    Measurement
        Per trial: ``test_error`` (fresh noisy points), ``gcv``, ``train_error`` (means over ``fits``).  ``draws``:
        ``population`` (M×d points) and ``beta`` (the target direction), NumPy arrays per trial.
        ``sizes``: ``n``, ``d``.
    """
    torch, dev, gen = seeded(seed, device)
    n, d, M = integer("n", n, low=2), integer("d", d, low=1), integer("population", population, low=2)
    lam, s2 = positive("ridge", ridge), nonnegative("noise", noise)
    n_test, trials = integer("n_test", n_test, low=1), integer("trials", trials, low=1)
    fits = integer("fits", fits, low=1)
    kf = _kernel(torch, kernel)
    rows, pops, betas = [], [], []
    for _ in range(trials):
        beta = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
        beta /= beta.norm()

        def f(x):
            return torch.tanh(2.0 * (x @ beta) / math.sqrt(d))

        gram = lambda A, B: kf(A @ B.T / d)  # noqa: E731
        pops.append(sphere_points(torch, M, d, gen, dev).cpu().numpy())
        betas.append(beta.cpu().numpy())
        acc = {"test_error": 0.0, "gcv": 0.0, "train_error": 0.0}
        for _ in range(fits):
            X = sphere_points(torch, n, d, gen, dev)
            y = f(X) + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
            K = gram(X, X)
            eye = torch.eye(n, device=dev, dtype=torch.float64)
            R = torch.linalg.solve(K + n * lam * eye, torch.cat([y[:, None], eye], 1))
            coef = R[:, 0]
            resid = y - K @ coef
            tr = float(n * lam * torch.trace(R[:, 1:]))  # tr(I - S)
            Xt = sphere_points(torch, n_test, d, gen, dev)
            pred = gram(Xt, X) @ coef
            train = float((resid**2).mean())
            acc["test_error"] += (float(((f(Xt) - pred) ** 2).mean()) + s2) / fits
            acc["train_error"] += train / fits
            acc["gcv"] += train / (tr / n) ** 2 / fits
        rows.append(acc)
    return Measurement.from_rows(rows, draws={"population": pops, "beta": betas}, sizes={"n": n, "d": d})
