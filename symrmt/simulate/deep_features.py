"""Torch simulations of deep structured random features (Schröder, Dmitriev, Cui & Loureiro,
arXiv 2402.13999): draw the network, compute features, fit the ridge readout in closed form,
measure the test error on fresh data; and sample the features' covariance.

The network (the "Gaussian rainbow"), for ``x ~ N(0, Σ)`` in dimension ``d = k_0``:
``φ_0 = x``, ``φ_ℓ = σ_ℓ(W_ℓ φ_{ℓ−1}) − m_ℓ``, ``W_ℓ`` of shape ``k_ℓ × k_{ℓ−1}`` with rows
``N(0, C_ℓ/k_{ℓ−1})`` (``C_ℓ`` diagonal: identity or given atoms), ``k_ℓ = round(γ_ℓ d)``.  The
centring constants ``m_ℓ`` are the model's: zero by default (exact for odd activations), or given
by a ``centring`` function of the drawn weights (the theory's Gaussian means κ0_ℓ, e.g.
:func:`symrmt.equivalents.feature_means`).  The target is ``y = √signal f*(βᵀx/√(βᵀΣβ)) + ε``.

**A simulation returns what it drew and measured.**  The theory of
:mod:`symrmt.equivalents.deep` is conditional on the drawn weights, so every trial's weights and
teacher direction are returned (NumPy arrays in ``Measurement.draws``) for the theory code to
evaluate; nothing here computes theory.

Conventions: ``device=None`` means CUDA when available, else CPU; float64; every call takes an
explicit ``seed`` (one :class:`torch.Generator` per call).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from .._checks import atom_diagonal, atoms, integer, layer_widths, nonnegative, per_layer, positive
from ..errors import ParameterError
from .activations import torch_activation
from .device import seeded
from .measurement import Measurement

__all__ = ["Network", "network", "draw_network", "simulate_deep_features", "simulate_deep_linear_rf",
           "sample_feature_covariance", "sample_gaussian_covariance"]


@dataclass(frozen=True)
class Network:
    """A validated network description for the simulations (see the module docstring).

    Attributes
    ----------
    widths : tuple of float
        ``γ_ℓ = k_ℓ/d``.
    activations : tuple of callables
        torch activations, one per layer.
    row_covariances : tuple
        Per layer ``None`` or ``(points, weights)``.
    data_covariance : None or a ``(points, weights)`` pair
    target : callable
        torch ``f*``.
    linear : bool
        Every activation and the target are the identity.
    """

    widths: tuple
    activations: tuple
    row_covariances: tuple
    data_covariance: Any
    target: Callable
    linear: bool

    def sizes(self, d: int) -> list[int]:
        """``[k_0 = d, k_1, ..., k_L]`` with ``k_ℓ = max(1, round(γ_ℓ d))``."""
        return [int(d)] + [max(1, int(round(g * d))) for g in self.widths]

    def data_diagonal(self, d: int) -> np.ndarray:
        return atom_diagonal(self.data_covariance, d)

    def row_diagonals(self, d: int) -> list[np.ndarray]:
        k = self.sizes(d)
        return [atom_diagonal(c, k[i]) for i, c in enumerate(self.row_covariances)]


def _is_linear(a: Any) -> bool:
    return isinstance(a, str) and a.strip().lower() == "linear"


def network(widths: Any = (2.0, 1.5), activations: Any = "tanh", row_covariances: Any = None,
            data_covariance: Any = None, target: Any = "linear") -> Network:
    """Validate a network description (ParameterError naming the argument otherwise)."""
    ws = layer_widths("widths", widths)
    L = len(ws)
    names = per_layer("activations", activations, L, lambda v: isinstance(v, (str, sp.Basic)))
    rows = per_layer("row_covariances", row_covariances, L, lambda v: v is None)
    rows = tuple(atoms(f"row_covariances[{i}]", c) for i, c in enumerate(rows))
    return Network(ws, tuple(torch_activation(a) for a in names), rows, atoms("data_covariance", data_covariance),
                   torch_activation(target), all(_is_linear(a) for a in (*names, target)))


def draw_network(torch, net: Network, d: int, gen, dev):
    """Weights ``W_ℓ`` (rows ``N(0, C_ℓ/k_{ℓ−1})``), the teacher direction β and Σ's diagonal, as
    float64 tensors on ``dev``."""
    k = net.sizes(d)
    Ws = []
    for ell, c in enumerate(net.row_diagonals(d)):
        scale = torch.as_tensor(np.sqrt(c / k[ell]), dtype=torch.float64, device=dev)
        Ws.append(torch.randn(k[ell + 1], k[ell], generator=gen, device=dev, dtype=torch.float64) * scale)
    beta = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
    sig = torch.as_tensor(net.data_diagonal(d), dtype=torch.float64, device=dev)
    return Ws, beta, sig


def _numpy(tensors: Sequence[Any]) -> list[np.ndarray]:
    """The draw, handed back as NumPy arrays (host copies)."""
    out = []
    for t in tensors:
        out.append(t.cpu().numpy())
    return out


def _centring(centring: Callable | None, weights: list[np.ndarray], depth: int) -> list[float]:
    if centring is None:
        return [0.0] * depth
    out = [float(v) for v in centring(weights)]
    if len(out) != depth or not all(math.isfinite(v) for v in out):
        raise ParameterError(f"centring: must return {depth} finite numbers (one per layer), got {out!r}")
    return out


def _features(X, Ws, acts, means):
    h = X
    for W, act, m in zip(Ws, acts, means):
        h = act(h @ W.T) - m
    return h


def _ridge(torch, Phi, y, lam: float):
    """``argmin (1/n)‖y − Φa‖² + λ‖a‖²`` in its primal or dual form, whichever is smaller."""
    n, k = Phi.shape
    if k <= n:
        A = Phi.T @ Phi / n
        A.diagonal().add_(lam)
        return torch.linalg.solve(A, Phi.T @ y / n)
    K = Phi @ Phi.T / n
    K.diagonal().add_(lam)
    return Phi.T @ torch.linalg.solve(K, y) / n


def simulate_deep_features(d: int, alpha: float, ridge: float, noise: float = 0.0, signal: float = 1.0,
                           widths: Any = (2.0, 1.5), activations: Any = "tanh", row_covariances: Any = None,
                           data_covariance: Any = None, target: Any = "linear", trials: int = 4, seed: int = 0,
                           device: Any = None, n_test: int | None = None, batch: int = 4096,
                           centring: Callable | None = None) -> Measurement:
    """Train ridge readouts on deep structured random features and measure their test error.

    Per trial: draw the weights and a teacher direction, ``n = round(α d)`` samples
    ``x ~ N(0, Σ)``, ``y = √signal f*(βᵀx/√(βᵀΣβ)) + ε``, features ``φ_L``, readout ``a`` minimizing
    ``(1/n)‖y − Φa‖² + λ‖a‖²``; test error ``E(y − aᵀφ_L(x))²`` on a fresh noisy point (the noise
    part ``noise`` exactly, the rest averaged over ``n_test`` fresh points, default ``max(2000, 8d)``;
    exact when every activation and the target are linear).

    Parameters
    ----------
    centring : callable or None
        ``centring(weights) -> [m_1, ..., m_L]``, the constants subtracted from each layer's
        activations, from the trial's drawn weights (NumPy arrays); None: no centring.

    Returns
    -------
    Measurement
        ``test_error`` per trial.  ``draws``: ``weights`` (per trial, the list of ``W_ℓ``) and
        ``beta`` (per trial), NumPy arrays.  ``sizes``: ``d``, ``n``.
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    alpha, lam = positive("alpha", alpha), positive("ridge", ridge)
    s2, sig2 = nonnegative("noise", noise), nonnegative("signal", signal)
    net = network(widths, activations, row_covariances, data_covariance, target)
    n = max(2, int(round(alpha * d)))
    n_test = max(2000, 8 * d) if n_test is None else integer("n_test", n_test, low=1)
    rows, weights, betas = [], [], []
    for _ in range(integer("trials", trials, low=1)):
        Ws, beta, sig = draw_network(torch, net, d, gen, dev)
        weights.append(_numpy(Ws))
        betas.append(beta.cpu().numpy())
        means = _centring(centring, weights[-1], len(Ws))
        bnorm = float((beta * sig * beta).sum()) ** 0.5
        root_sig = sig.sqrt()

        def draw(m: int):
            X = torch.randn(m, d, generator=gen, device=dev, dtype=torch.float64) * root_sig
            return X, math.sqrt(sig2) * net.target(X @ beta / bnorm)

        X, f = draw(n)
        y = f + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        a = _ridge(torch, _features(X, Ws, net.activations, means), y, lam)
        if net.linear and not any(means):   # exact: the predictor is linear in x, w = W_1ᵀ⋯W_Lᵀ a
            w = a
            for W in reversed(Ws):
                w = W.T @ w
            e = w - math.sqrt(sig2) * beta / bnorm
            excess = float((e * sig * e).sum())
        else:
            total, done = 0.0, 0
            while done < n_test:
                m = min(batch, n_test - done)
                Xt, ft = draw(m)
                total += float(((ft - _features(Xt, Ws, net.activations, means) @ a) ** 2).sum())
                done += m
            excess = total / n_test
        rows.append({"test_error": excess + s2})
    return Measurement.from_rows(rows, draws={"weights": weights, "beta": betas}, sizes={"d": d, "n": n})


def simulate_deep_linear_rf(d: int, alpha: float, ridge: float, noise: float = 0.0, signal: float = 1.0,
                            widths: Any = (2.0, 1.5), data_covariance: Any = None, trials: int = 4, seed: int = 0,
                            device: Any = None) -> Measurement:
    """Depth-L linear random features (:mod:`symrmt.equivalents.deep_linear` setting), trained exactly.

    ``φ = W_L⋯W_1 x`` (entries of ``W_ℓ`` ``N(0, 1/k_{ℓ−1})``), ``x ~ N(0, Σ)``, ``y = βᵀx + ε``
    with ``β`` uniform on the sphere of radius ``√signal``; ``a`` minimizes
    ``(1/n)‖y − Φa‖² + λ‖a‖²``.  The test error is exact given the trained weights:
    ``(Fᵀa − β)ᵀΣ(Fᵀa − β) + noise``.  Weights and data are redrawn every trial, so the trials
    scatter around the weight-averaged limit.

    Returns
    -------
    Measurement
        ``test_error`` per trial.  ``sizes``: ``d``, ``n``.
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    alpha, lam = positive("alpha", alpha), positive("ridge", ridge)
    s2, sig2 = nonnegative("noise", noise), nonnegative("signal", signal)
    net = network(widths, "linear", None, data_covariance, "linear")
    n = max(2, int(round(alpha * d)))
    rows = []
    for _ in range(integer("trials", trials, low=1)):
        Ws, beta, sig = draw_network(torch, net, d, gen, dev)
        beta = beta * (math.sqrt(sig2) / float(beta.norm()))
        X = torch.randn(n, d, generator=gen, device=dev, dtype=torch.float64) * sig.sqrt()
        y = X @ beta + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        F = Ws[0]
        for W in Ws[1:]:
            F = W @ F
        a = _ridge(torch, X @ F.T, y, lam)
        e = F.T @ a - beta
        rows.append({"test_error": float((e * sig * e).sum()) + s2})
    return Measurement.from_rows(rows, sizes={"d": d, "n": n})


def sample_feature_covariance(d: int, widths: Any = (2.0, 1.5), activations: Any = "tanh",
                              row_covariances: Any = None, data_covariance: Any = None,
                              n_samples: int | None = None, seed: int = 0, device: Any = None, batch: int = 4096,
                              centring: Callable | None = None) -> dict:
    """The empirical covariance ``Ω̂ = ΦᵀΦ/N`` of one drawn network's features on N inputs.

    Returns
    -------
    dict
        ``empirical`` (Ω̂, k_L × k_L), ``weights`` (the drawn ``W_ℓ``), ``beta``, ``k``,
        ``n_samples`` (default ``20 k_L``) — NumPy arrays and ints.
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    net = network(widths, activations, row_covariances, data_covariance, "linear")
    Ws, beta, sig = draw_network(torch, net, d, gen, dev)
    weights = _numpy(Ws)
    means = _centring(centring, weights, len(Ws))
    k = int(Ws[-1].shape[0])
    N = 20 * k if n_samples is None else integer("n_samples", n_samples, low=2)
    emp = torch.zeros(k, k, device=dev, dtype=torch.float64)
    done = 0
    while done < N:
        m = min(integer("batch", batch, low=1), N - done)
        X = torch.randn(m, d, generator=gen, device=dev, dtype=torch.float64) * sig.sqrt()
        Phi = _features(X, Ws, net.activations, means)
        emp += Phi.T @ Phi
        done += m
    return {"empirical": (emp / N).cpu().numpy(), "weights": weights, "beta": beta.cpu().numpy(), "k": k,
            "n_samples": int(N)}


def sample_gaussian_covariance(omega: Any, n_samples: int, seed: int = 0, device: Any = None,
                               batch: int = 4096) -> np.ndarray:
    """The empirical covariance of ``n_samples`` Gaussian vectors ``N(0, Ω)`` (NumPy array)."""
    from .._checks import finite_array

    Om = finite_array("omega", omega, ndim=2)
    if Om.shape[0] != Om.shape[1]:
        raise ParameterError(f"omega: expected a square matrix, got shape {Om.shape}")
    torch, dev, gen = seeded(seed, device)
    N = integer("n_samples", n_samples, low=2)
    k = Om.shape[0]
    w, U = torch.linalg.eigh(torch.as_tensor(Om, dtype=torch.float64, device=dev))
    root = U * w.clamp(min=0).sqrt()            # Ω = root rootᵀ
    gau = torch.zeros(k, k, device=dev, dtype=torch.float64)
    done = 0
    while done < N:
        m = min(integer("batch", batch, low=1), N - done)
        G = torch.randn(m, k, generator=gen, device=dev, dtype=torch.float64) @ root.T
        gau += G.T @ G
        done += m
    return (gau / N).cpu().numpy()
