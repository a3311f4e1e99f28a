"""Kernel ridge regression with a dot-product kernel: the omniscient risk (theory, NumPy).

Wei, Hu & Steinhardt, "More than a toy: random matrix models predict how real-world neural
representations generalize", ICML 2022 (arXiv 2203.06176).  Data ``x`` uniform on the sphere of
radius √d, a dot-product kernel ``k(x, x') = K(x·x'/d)``, target ``f(x) = tanh(2⟨β, x⟩/√d)``
(‖β‖ = 1) plus noise of variance σ², n training points, per-sample ridge λ̃.

Omniscient risk: the Gaussian-equivalent learning curve (:mod:`.discrete`) with the kernel
operator's eigenvalues ``ω_i`` and the target's squared coefficients ``c_i²`` in its eigenbasis,
both estimated from a population sample of M points (eigen-decomposition of ``K_M/M``;
``c_i = u_iᵀ f(X_M)/√M``); the target power outside the estimated modes enters as extra noise.
The kernel operator's spectrum is not known in closed form, so the risk is conditional on the
population sample: :func:`omniscient_risk` takes it (a simulation's draw, or one drawn by
:func:`draw_population`).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _checks
from ..errors import ParameterError
from .discrete import solve_discrete

__all__ = ["KERNELS", "kernel_function", "draw_population", "kernel_spectrum", "omniscient_risk"]

KERNELS = ("exp", "relu")


def kernel_function(name: str):
    """``K(c)`` as a NumPy function: ``"exp"`` (``e^c``) or ``"relu"`` (the degree-1 arc-cosine
    kernel, the ReLU NNGP for inputs of norm √d)."""
    if name == "exp":
        return np.exp
    if name == "relu":
        def k(c):
            c = np.clip(c, -1.0, 1.0)
            return (np.sqrt(1 - c * c) + (math.pi - np.arccos(c)) * c) / math.pi
        return k
    raise ParameterError(f"kernel: must be one of {KERNELS}, got {name!r}")


def draw_population(d: int, population: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A population sample (``population`` points uniform on the sphere of radius √d) and a target
    direction β (uniform on the unit sphere), drawn with NumPy from ``seed``.

    This generator is not the simulation's (torch): a solve and a simulated trial with the same
    seed draw different populations.
    """
    d, M = _checks.integer("d", d, low=1), _checks.integer("population", population, low=2)
    rng = np.random.default_rng(_checks.integer("population_seed", seed, low=0))
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    x = rng.standard_normal((M, d))
    return x * (math.sqrt(d) / np.linalg.norm(x, axis=1, keepdims=True)), beta


def kernel_spectrum(points: Any, beta: Any, kernel: str = "exp") -> tuple[np.ndarray, np.ndarray, float]:
    """``(ω, c², rest)`` estimated from a population sample: eigenvalues of ``K_M/M`` (those above
    ``1e-12·max``), the target's squared coefficients in their eigenbasis, and the target power
    the kept modes miss."""
    X = _checks.finite_array("points", points, ndim=2)
    b = _checks.finite_array("beta", beta, ndim=1)
    M, d = X.shape
    if b.size != d:
        raise ParameterError(f"beta: expected {d} entries (the points' dimension), got {b.size}")
    kf = kernel_function(kernel)
    fx = np.tanh(2.0 * (X @ b) / math.sqrt(d))
    evals, evecs = np.linalg.eigh(kf(X @ X.T / d) / M)
    keep = evals > 1e-12 * evals.max()
    om = evals[keep]
    c = evecs[:, keep].T @ fx / math.sqrt(M)
    rest = max(float((fx**2).mean()) - float((c**2).sum()), 0.0)
    return om, c**2, rest


def omniscient_risk(points: Any, beta: Any, n: Any, ridge: Any, noise: Any = 0.1, kernel: str = "exp"):
    """The omniscient risk for ``n`` training points, conditional on the population sample.

    Parameters
    ----------
    points : array (M, d)
        Population sample (uniform on the sphere of radius √d).
    beta : array (d,)
        Target direction (unit norm).
    n, ridge, noise
        Training points, per-sample ridge λ̃ > 0, label-noise variance >= 0 (arrays broadcast).
    kernel : {"exp", "relu"}

    Returns
    -------
    The result of :func:`~symrmt.equivalents.discrete.solve_discrete` (``test_error``, ``kappa``,
    ..., ``converged``).
    """
    om, c2, rest = kernel_spectrum(points, beta, kernel)
    return solve_discrete(om, c2, n, ridge, noise, rest)
