"""Torch simulation of a composed learning model: data, target, weight chain, ridge readout.

The model arrives as plain arrays (a theory library builds them:
``symrmt.learning.LearningModel.simulation_inputs``), so this module knows nothing of how its
equations are derived.  One trial: Σ = diag(eigenvalues) in dimension D; the target
``w̄_i = s_i √(signal · target_i / D)`` with random signs; layer ℓ's weights
``W_ℓ = Z_ℓ C_ℓ^{1/2}`` with ``Z_ℓ`` i.i.d. ``N(0, 1/N_{ℓ−1})`` and ``C_ℓ`` the given spectrum in a
Haar-random basis (first layer) or diagonal (deeper layers: ``Z_{ℓ−1}`` is already rotation
invariant); P samples; ridge readout ``a = argmin (1/P)‖y − Φa‖² + λ‖a‖²`` by a linear solve
(primal or dual, whichever is smaller); K members with independent weights and the same data.
Conventions as in :mod:`symrmt.simulate.learning`: float64, explicit seeds, ``device=None`` is
CUDA when available; errors are exact Gaussian expectations given the trained weights.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._checks import integer, nonnegative, positive
from ..errors import ParameterError
from .device import seeded
from .measurement import Measurement

__all__ = ["simulate_learning_model", "model_shapes"]


def model_shapes(d: int, samples: float, widths: Sequence[float], ensemble: float = 1) -> list[tuple[float, float]]:
    """Matrices (rows, cols) one trial holds at once, for cost estimates (one member)."""
    P = samples * d
    dims = [float(d)] + [w * d for w in widths]
    out = [(P, d), (d, d)]
    for a, b in zip(dims[:-1], dims[1:]):
        out += [(b, a), (P, b)]
    last = min(P, dims[-1])
    return out + [(last, last)]


def _orthogonal(torch, n: int, gen, dev):
    g = torch.randn(n, n, generator=gen, device=dev, dtype=torch.float64)
    q, r = torch.linalg.qr(g)
    return q * torch.sign(torch.diagonal(r))


def _ridge_fit(torch, Phi, y, lam: float):
    P, N = Phi.shape
    if N <= P:
        A = Phi.T @ Phi / P + lam * torch.eye(N, device=Phi.device, dtype=Phi.dtype)
        return torch.linalg.solve(A, Phi.T @ y / P)
    A = Phi @ Phi.T / P + lam * torch.eye(P, device=Phi.device, dtype=Phi.dtype)
    return Phi.T @ torch.linalg.solve(A, y) / P


def simulate_learning_model(d: int, samples: float, ridge: float, noise: float, signal: float,
                            eigenvalues: Any, target: Any, widths: Sequence[float] = (),
                            weights: Sequence[Any] = (), ensemble: float = 1, trials: int = 1, seed: int = 0,
                            device: Any = None) -> Measurement:
    """Train ``trials`` instances of the model at input dimension ``d``.

    Parameters
    ----------
    d : int
        Input dimension D (``P = round(samples·d)``, ``N_ℓ = round(width_ℓ·d)``).
    samples, ridge, noise, signal : float
        ``P/D``, λ, ``Var ε``, ``‖w̄‖²``.
    eigenvalues, target : arrays of length d
        Σ's eigenvalues and the target's source weights (mean 1).
    widths : sequence of float
        ``N_ℓ/D`` for each layer.
    weights : sequence of None or arrays
        Per layer, None (isotropic) or the ``N_{ℓ−1}`` eigenvalues of ``C_ℓ``.
    ensemble : int or inf
        Members averaged; ``inf`` is refused (a simulation needs a finite ensemble).

    Returns
    -------
    Measurement
        ``test_error`` (the ensemble's ``(v̄ − w̄)ᵀΣ(v̄ − w̄) + noise``), ``test_error_single``
        (its first member), ``train_error`` (first member, ``‖y − Xv‖²/P``), ``mean_predictor``
        (the ensemble's error with noiseless labels, for the bias terms) and, for K ≥ 2,
        ``variance_features`` (the spread of the members about their mean, ``E_1 − E_K`` scaled
        to K: ``(mean over members of the error of v_k − v̄)/(K − 1)``, an unbiased estimate of
        the feature variance of one member divided by K).
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    sa, lam = positive("samples", samples), positive("ridge", ridge)
    s2, sig = nonnegative("noise", noise), nonnegative("signal", signal)
    if not (isinstance(ensemble, (int, float)) and math.isfinite(ensemble) and ensemble >= 1):
        raise ParameterError(f"ensemble: a simulation needs a finite positive integer, got {ensemble!r}")
    K = int(ensemble)
    eig = np.asarray(eigenvalues, dtype=float)
    tgt = np.asarray(target, dtype=float)
    if eig.shape != (d,) or tgt.shape != (d,):
        raise ParameterError(f"eigenvalues, target: need arrays of length d = {d}")
    widths = tuple(positive(f"widths[{i}]", w) for i, w in enumerate(widths))
    weights = tuple(weights) if weights else (None,) * len(widths)
    if len(weights) != len(widths):
        raise ParameterError("weights: one entry (None or an array) per layer")
    P = max(2, int(round(sa * d)))
    dims = [d] + [max(1, int(round(w * d))) for w in widths]
    for i, c in enumerate(weights):
        if c is not None and np.shape(c) != (dims[i],):
            raise ParameterError(f"weights[{i}]: need {dims[i]} eigenvalues, got shape {np.shape(c)}")
    f64 = torch.float64
    ev = torch.as_tensor(eig, dtype=f64, device=dev)
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        signs = torch.randint(0, 2, (d,), generator=gen, device=dev).to(f64) * 2 - 1
        wbar = signs * torch.as_tensor(np.sqrt(sig * tgt / d), dtype=f64, device=dev)
        X = torch.randn(P, d, generator=gen, device=dev, dtype=f64) * ev.sqrt()
        eps = math.sqrt(s2) * torch.randn(P, generator=gen, device=dev, dtype=f64)
        y0 = X @ wbar
        y = y0 + eps
        vs, vs0 = [], []
        for _k in range(K):
            F = torch.eye(d, device=dev, dtype=f64)
            for ell, c in enumerate(weights):
                n_in, n_out = dims[ell], dims[ell + 1]
                W = torch.randn(n_out, n_in, generator=gen, device=dev, dtype=f64) / math.sqrt(n_in)
                if c is not None:
                    root = torch.as_tensor(np.sqrt(np.asarray(c, dtype=float)), dtype=f64, device=dev)
                    if ell == 0:
                        O = _orthogonal(torch, n_in, gen, dev)
                        W = W @ (O * root) @ O.T
                    else:
                        W = W * root
                F = W @ F
            Phi = X @ F.T
            a = _ridge_fit(torch, Phi, torch.stack([y, y0], 1), lam)
            v = F.T @ a
            vs.append(v[:, 0])
            vs0.append(v[:, 1])
        V = torch.stack(vs)
        vbar = V.mean(0)
        vbar0 = torch.stack(vs0).mean(0)
        err = lambda u: float(((u * ev) * u).sum())  # noqa: E731
        row = {"test_error": err(vbar - wbar) + s2, "test_error_single": err(vs[0] - wbar) + s2,
               "train_error": float(((y - X @ vs[0]) ** 2).mean()), "mean_predictor": err(vbar0 - wbar)}
        if K >= 2:
            row["variance_features"] = sum(err(vk - vbar) for vk in vs) / (K * (K - 1))
        rows.append(row)
    return Measurement.from_rows(rows, sizes={"d": d, "P": P, **{f"N{i + 1}": n for i, n in enumerate(dims[1:])}})
