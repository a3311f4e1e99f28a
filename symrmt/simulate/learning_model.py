"""Torch simulation of a composed learning model: data, target, weight chain, ridge readout.

The model arrives as plain arrays (a theory library builds them:
``symrmt.learning.LearningModel.simulation_inputs``), so this module knows nothing of how its
equations are derived.  One trial: Σ = diag(eigenvalues) in dimension D; the target
``w̄_i = s_i √(signal · target_i / D)`` with random signs; layer ℓ's weights
``W_ℓ = Z_ℓ C_ℓ^{1/2}`` with ``Z_ℓ`` i.i.d. ``N(0, 1/N_{ℓ−1})`` and ``C_ℓ`` the given spectrum in a
Haar-random basis (first layer) or diagonal (deeper layers: ``Z_{ℓ−1}`` is already rotation
invariant); P samples; ridge readout ``a = argmin (1/P)‖y − Φa‖² + λ‖a‖²`` by a linear solve
(primal or dual, whichever is smaller); K members with independent weights and the same data.
With activations, layer ℓ's features are ``σ_ℓ(h) − κ0_ℓ`` (h its preactivation, κ0 the
Gaussian mean given with the model) and the test error is measured on fresh inputs.
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

__all__ = ["simulate_learning_model", "simulate_layer_variance", "model_shapes"]


def model_shapes(d: int, samples: float, widths: Sequence[float], ensemble: float = 1,
                 n_test: int = 0) -> list[tuple[float, float]]:
    """Matrices (rows, cols) one trial holds at once, for cost estimates (one member);
    ``n_test`` fresh inputs for a nonlinear model."""
    P = samples * d
    dims = [float(d)] + [w * d for w in widths]
    out = [(P, d), (d, d)]
    for a, b in zip(dims[:-1], dims[1:]):
        out += [(b, a), (P, b)]
    last = min(P, dims[-1])
    out.append((last, last))
    if n_test:
        out += [(n_test, d), (n_test, dims[-1])]
    return out


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


def _draw_layer(torch, ell: int, dims: Sequence[int], c: Any, gen, dev):
    """Layer ℓ's random parts: ``Z_ℓ`` (i.i.d. N(0, 1/N_{ℓ−1})) and, for a structured first
    layer, the Haar basis of ``C_1``."""
    n_in, n_out = dims[ell], dims[ell + 1]
    Z = torch.randn(n_out, n_in, generator=gen, device=dev, dtype=torch.float64) / math.sqrt(n_in)
    O = _orthogonal(torch, n_in, gen, dev) if (c is not None and ell == 0) else None
    return Z, O


def _compose(torch, d: int, weights: Sequence[Any], draws: Sequence[Any], dev):
    """``F = W_L ⋯ W_1`` from the draws, ``W_ℓ = Z_ℓ C_ℓ^{1/2}`` (``C_1`` in its Haar basis)."""
    f64 = torch.float64
    F = torch.eye(d, device=dev, dtype=f64)
    for c, (Z, O) in zip(weights, draws):
        W = Z
        if c is not None:
            root = torch.as_tensor(np.sqrt(np.asarray(c, dtype=float)), dtype=f64, device=dev)
            W = Z @ (O * root) @ O.T if O is not None else Z * root
        F = W @ F
    return F


def _chain(torch, d: int, dims: Sequence[int], weights: Sequence[Any], gen, dev):
    """One draw of ``F = W_L ⋯ W_1`` (N_L × d)."""
    draws = [_draw_layer(torch, ell, dims, c, gen, dev) for ell, c in enumerate(weights)]
    return _compose(torch, d, weights, draws, dev)


def _simulate_nonlinear(torch, dev, gen, d, P, dims, lam, s2, sig, ev, tgt, weights, fns, shifts, n_test, trials):
    """Trials of a nonlinear chain: ``φ_ℓ = σ_ℓ(W_ℓ φ_{ℓ−1}) − κ0_ℓ`` (linear where σ_ℓ is None),
    the ridge readout, the test error averaged over ``n_test`` fresh inputs (noise added exactly)."""
    f64 = torch.float64
    root = ev.sqrt()

    def features(Xin, Ws):
        H = Xin
        for W, fn, shift in zip(Ws, fns, shifts):
            H = H @ W.T
            if fn is not None:
                H = fn(H) - shift
        return H

    rows = []
    for _ in range(trials):
        signs = torch.randint(0, 2, (d,), generator=gen, device=dev).to(f64) * 2 - 1
        wbar = signs * torch.as_tensor(np.sqrt(sig * tgt / d), dtype=f64, device=dev)
        X = torch.randn(P, d, generator=gen, device=dev, dtype=f64) * root
        y = X @ wbar + math.sqrt(s2) * torch.randn(P, generator=gen, device=dev, dtype=f64)
        draws = [_draw_layer(torch, ell, dims, c, gen, dev) for ell, c in enumerate(weights)]
        Ws = [_compose(torch, dims[ell], [c], [draw], dev) for ell, (c, draw) in enumerate(zip(weights, draws))]
        Phi = features(X, Ws)
        a = _ridge_fit(torch, Phi, y[:, None], lam)[:, 0]
        Xt = torch.randn(n_test, d, generator=gen, device=dev, dtype=f64) * root
        test = float(((Xt @ wbar - features(Xt, Ws) @ a) ** 2).mean()) + s2
        rows.append({"test_error": test, "test_error_single": test,
                     "train_error": float(((y - Phi @ a) ** 2).mean())})
    return Measurement.from_rows(rows, sizes={"d": d, "P": P, **{f"N{i + 1}": n for i, n in enumerate(dims[1:])}})


def simulate_learning_model(d: int, samples: float, ridge: float, noise: float, signal: float,
                            eigenvalues: Any, target: Any, widths: Sequence[float] = (),
                            weights: Sequence[Any] = (), ensemble: float = 1, trials: int = 1, seed: int = 0,
                            device: Any = None, activations: Sequence[Any] = (),
                            activation_shifts: Sequence[float] = (), n_test: int = 4000) -> Measurement:
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
    activations : sequence of None, str or sympy.Expr
        Per layer (empty: all linear): σ_ℓ applied to that layer's preactivation
        (:func:`~symrmt.simulate.activations.torch_activation`); any σ needs ``ensemble = 1``.
    activation_shifts : sequence of float
        Per layer, κ0 subtracted from ``σ_ℓ(h)`` (features centred by their Gaussian mean).
    n_test : int
        Fresh inputs on which the test error of a nonlinear model is averaged (its Monte Carlo
        error, about ``E·√(2/n_test)`` per trial, is part of the trial-to-trial spread).

    Returns
    -------
    Measurement
        ``test_error`` (the ensemble's ``(v̄ − w̄)ᵀΣ(v̄ − w̄) + noise``), ``test_error_single``
        (its first member), ``train_error`` (first member, ``‖y − Xv‖²/P``), ``mean_predictor``
        (the ensemble's error with noiseless labels, for the bias terms) and, for K ≥ 2,
        ``variance_features`` (the spread of the members about their mean, ``E_1 − E_K`` scaled
        to K: ``(mean over members of the error of v_k − v̄)/(K − 1)``, an unbiased estimate of
        the feature variance of one member divided by K).  With an activation: ``test_error``,
        ``test_error_single`` (the same) and ``train_error``.
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
    acts = tuple(activations) if activations else (None,) * len(widths)
    shifts = tuple(float(v) for v in activation_shifts) if activation_shifts else (0.0,) * len(widths)
    if len(acts) != len(widths) or len(shifts) != len(widths):
        raise ParameterError("activations, activation_shifts: one entry per layer")
    if any(a is not None for a in acts):
        from .activations import torch_activation

        if K != 1:
            raise ParameterError(f"ensemble: a nonlinear model is simulated with ensemble = 1, got {ensemble!r}")
        fns = tuple(None if a is None else torch_activation(a) for a in acts)
        n_test = integer("n_test", n_test, low=1)
        return _simulate_nonlinear(torch, dev, gen, d, P, dims, lam, s2, sig, ev, tgt, weights, fns, shifts,
                                   n_test, integer("trials", trials, low=1))
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
            F = _chain(torch, d, dims, weights, gen, dev)
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


def simulate_layer_variance(d: int, samples: float, ridge: float, noise: float, signal: float,
                            eigenvalues: Any, target: Any, widths: Sequence[float], weights: Sequence[Any] = (),
                            layer: int = 1, members: int = 4, trials: int = 1, seed: int = 0,
                            device: Any = None) -> Measurement:
    """The variance of one trained model over layer ``layer``'s draws, the rest fixed.

    Per trial: the data, the target and every layer but ``layer`` are drawn once; ``Z_layer`` is
    drawn ``members`` times (``C_layer`` and its basis kept), giving readouts ``v_1..v_K`` in
    input space.  Arguments as in :func:`simulate_learning_model` (linear chains).

    Parameters
    ----------
    layer : int
        ℓ in ``1..len(widths)``.
    members : int, >= 2
        Draws of ``Z_ℓ`` per trial.

    Returns
    -------
    Measurement
        ``variance_layer``: ``(1/(K − 1)) Σ_k (v_k − v̄)ᵀΣ(v_k − v̄)``, an unbiased estimate of
        ``E‖v − E_{Z_ℓ} v‖²_Σ`` given the rest; ``test_error_single`` (the first member's).
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    sa, lam = positive("samples", samples), positive("ridge", ridge)
    s2, sig = nonnegative("noise", noise), nonnegative("signal", signal)
    widths = tuple(positive(f"widths[{i}]", w) for i, w in enumerate(widths))
    if not widths:
        raise ParameterError("widths: the layer variance needs at least one layer")
    ell = integer("layer", layer, low=1)
    if ell > len(widths):
        raise ParameterError(f"layer: must be in 1..{len(widths)}, got {layer!r}")
    K = integer("members", members, low=2)
    weights = tuple(weights) if weights else (None,) * len(widths)
    if len(weights) != len(widths):
        raise ParameterError("weights: one entry (None or an array) per layer")
    eig, tgt = np.asarray(eigenvalues, dtype=float), np.asarray(target, dtype=float)
    if eig.shape != (d,) or tgt.shape != (d,):
        raise ParameterError(f"eigenvalues, target: need arrays of length d = {d}")
    P = max(2, int(round(sa * d)))
    dims = [d] + [max(1, int(round(w * d))) for w in widths]
    f64 = torch.float64
    ev = torch.as_tensor(eig, dtype=f64, device=dev)
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        signs = torch.randint(0, 2, (d,), generator=gen, device=dev).to(f64) * 2 - 1
        wbar = signs * torch.as_tensor(np.sqrt(sig * tgt / d), dtype=f64, device=dev)
        X = torch.randn(P, d, generator=gen, device=dev, dtype=f64) * ev.sqrt()
        y = X @ wbar + math.sqrt(s2) * torch.randn(P, generator=gen, device=dev, dtype=f64)
        draws = [_draw_layer(torch, i, dims, c, gen, dev) for i, c in enumerate(weights)]
        vs = []
        for _k in range(K):
            if _k:
                Z, _ = _draw_layer(torch, ell - 1, dims, None, gen, dev)
                draws[ell - 1] = (Z, draws[ell - 1][1])
            F = _compose(torch, d, weights, draws, dev)
            vs.append(F.T @ _ridge_fit(torch, X @ F.T, y[:, None], lam)[:, 0])
        V = torch.stack(vs)
        dv = V - V.mean(0)
        rows.append({"variance_layer": float(((dv * ev) * dv).sum()) / (K - 1),
                     "test_error_single": float((((vs[0] - wbar) * ev) * (vs[0] - wbar)).sum()) + s2})
    return Measurement.from_rows(rows, sizes={"d": d, "P": P, **{f"N{i + 1}": n for i, n in enumerate(dims[1:])}})
