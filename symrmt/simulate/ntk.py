"""Empirical NNGP / NTK of a wide fully connected network at initialization (torch), any depth.

The network (NTK parameterization; conventions of :mod:`symrmt.kernels.dot_product`)::

    f(x) = w_std · Σ_a v_a φ(h_a(x)) / √m + b_std · β_out,    h_a(x) = w_std · w_a·x / √d + b_std · β_a

with ``w_a ∈ R^d``, ``v_a``, ``β_a``, ``β_out`` i.i.d. ``N(0, 1)``.  Its empirical NTK is the sum over
all parameters θ of ``∂f(x)/∂θ · ∂f(x′)/∂θ``; for this architecture the sum is, exactly::

    Θ̂(x, x′) = (w²/m) Σ_a φ(h_a)φ(h′_a) + b²                         (readout weights and bias)
              + (w²/m) Σ_a v_a² φ′(h_a)φ′(h′_a) · (w² x·x′/d + b²)     (first-layer weights and biases)

and the empirical NNGP (the readout kernel) is its first line.  Both are averages of m i.i.d.
terms, so they converge to the infinite-width kernel with fluctuations of order ``m^{-1/2}``
(Jacot, Gabriel & Hongler 2018; Simon, Anand & DeWeese, arXiv 2106.03186).

Deeper networks (``depth = L`` hidden layers of width m, the architecture of
:func:`symrmt.kernels.dot_product_kernel`)::

    h¹ = w_std W¹ x/√d + b_std β¹,   hˡ⁺¹ = w_std Wˡ⁺¹ φ(hˡ)/√m + b_std βˡ⁺¹,
    f  = w_out v·φ(hᴸ)/√m + b_out β_out

(``w_out``, ``b_out`` the readout scales; by default ``w_std``, ``b_std``).  With the backpropagated
vectors ``δᴸ = (w_out/√m) v ⊙ φ′(hᴸ)``, ``δˡ = φ′(hˡ) ⊙ (w_std/√m) Wˡ⁺¹ᵀ δˡ⁺¹`` and the layer inputs
``a⁰ = x``, ``aˡ = φ(hˡ)`` (width ``n_0 = d``, ``n_l = m``), the sum over all parameters is, exactly::

    Θ̂(x, x′) = Σ_l [ (w_std²/n_{l−1}) (aˡ⁻¹·a′ˡ⁻¹) + b_std² ] (δˡ·δ′ˡ) + (w_out²/m) aᴸ·a′ᴸ + b_out²

and the empirical NNGP is its last two terms.  For one hidden layer this is the formula above.

Inputs: per trial, a random orthonormal pair ``u1, u2`` in ``R^d``, ``x = √d u1`` and
``x′_j = √d (c_j u1 + √(1 − c_j²) u2)``, so that ``‖x‖² = ‖x′_j‖² = d`` and ``x·x′_j/d = c_j``
exactly.  Every trial (a fresh initialization and input pair) has its own seed
``derive_seed(seed, t)``; ``device=None`` means CUDA when available; float64 by default.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .._checks import integer
from .._progress import advance
from ..errors import ParameterError
from .device import (batch_size, check_seed, check_trials, derive_seed, make_generator, resolve_device,
                     resolve_dtype)

__all__ = ["NTKSample", "empirical_kernel", "chunked_one_layer_kernel", "ntk_from_parameters",
           "deep_ntk_from_parameters", "hermite_activation"]


@dataclass
class NTKSample:
    """Empirical kernels ``values[t, j]`` of trial t at cosine ``cosines[j]``.

    Attributes
    ----------
    cosines : numpy.ndarray
    values : numpy.ndarray, shape (trials, len(cosines))
    width, trials, seed : int
    kind, device, dtype : str
    """

    cosines: np.ndarray
    values: np.ndarray
    width: int
    trials: int
    seed: int
    kind: str
    device: str
    dtype: str

    def ci(self, level: float = 0.95) -> list[dict]:
        """Mean over trials with a Student-t confidence interval, per cosine."""
        from .measurement import student_interval

        return [student_interval(self.values[:, j], level) for j in range(self.values.shape[1])]


def hermite_activation(coefficients: Sequence[float]) -> tuple[Callable, Callable]:
    """``φ = Σ_k b_k h_k`` and ``φ′ = Σ_k b_k √k h_{k−1}`` as torch callables, evaluated by the stable
    recurrence ``h_{k+1} = (x h_k − √k h_{k−1})/√(k+1)`` (``h_k = He_k/√(k!)``)."""
    b = [float(v) for v in coefficients]
    if not b or not all(math.isfinite(v) for v in b):
        raise ParameterError("hermite: expected a non-empty sequence of finite coefficients b_0..b_K")

    def both(x):
        import torch

        h_prev, h = torch.zeros_like(x), torch.ones_like(x)
        phi = b[0] * h
        dphi = torch.zeros_like(x)
        for k in range(1, len(b)):
            dphi = dphi + b[k] * math.sqrt(k) * h  # h is h_{k-1} here
            h_prev, h = h, (x * h - math.sqrt(k - 1) * h_prev) / math.sqrt(k)
            phi = phi + b[k] * h
        return phi, dphi

    return (lambda x: both(x)[0]), (lambda x: both(x)[1])


def _activation_pair(activation: Any, kind: str) -> tuple[Callable, Callable]:
    """``(φ, φ′)`` torch callables for a named or SymPy activation (φ′ by autograd)."""
    import sympy as sp

    from ..symbolic.hermite import activation_expr
    from .activations import torch_activation

    expr, var = activation_expr(activation)
    if kind == "ntk" and sp.diff(expr, var).has(sp.DiracDelta):
        raise ParameterError(f"activation: φ = {expr} has a jump, so its NTK is infinite; use kind='nngp' or a "
                             "continuous activation")
    phi = torch_activation(activation)

    def dphi(x):
        import torch

        with torch.enable_grad():
            z = x.detach().clone().requires_grad_(True)
            (g,) = torch.autograd.grad(phi(z).sum(), z)
        return g

    return phi, dphi


def ntk_from_parameters(phi: Callable, dphi: Callable, W, beta, v, X, Y, w_std: float = 1.0, b_std: float = 0.0,
                        kind: str = "ntk"):
    """Empirical kernel between the rows of ``X`` and ``Y`` (``(..., n_x, d)``, ``(..., n_y, d)``) of the
    network with first-layer weights ``W`` (``(..., m, d)``), biases ``beta`` and readout ``v``
    (``(..., m)``); returns an ``(..., n_x, n_y)`` tensor (formula in the module docstring).  Leading
    dimensions are a batch of independent networks."""
    return deep_ntk_from_parameters(phi, dphi, [W], [beta], v, X, Y, w_std, b_std, None, None, kind)


def deep_ntk_from_parameters(phi: Callable, dphi: Callable, weights: Sequence, biases: Sequence, v, X, Y,
                             w_std: float = 1.0, b_std: float = 0.0, readout_w_std: float | None = None,
                             readout_b_std: float | None = None, kind: str = "ntk"):
    """Empirical kernel between the rows of ``X`` and ``Y`` of a network with ``len(weights)`` hidden
    layers (``weights[0]``: ``(..., m, d)``, later ones ``(..., m, m)``; ``biases[l]``, ``v``:
    ``(..., m)``); formula in the module docstring.  Returns ``(..., n_x, n_y)``."""
    rw = w_std if readout_w_std is None else readout_w_std
    rb = b_std if readout_b_std is None else readout_b_std
    nx = X.shape[-2]
    Z = _rows(X, Y)
    acts, pre = [Z], []
    for W, beta in zip(weights, biases):
        h = w_std * (acts[-1] @ W.transpose(-1, -2)) / math.sqrt(W.shape[-1]) + b_std * beta.unsqueeze(-2)
        pre.append(h)
        acts.append(phi(h))
    m = weights[-1].shape[-2]
    last = acts[-1]
    out = (rw**2 / m) * (last[..., :nx, :] @ last[..., nx:, :].transpose(-1, -2)) + rb**2
    if kind != "ntk":
        return out
    delta = (rw / math.sqrt(m)) * v.unsqueeze(-2) * dphi(pre[-1])
    for layer in range(len(weights) - 1, -1, -1):
        a = acts[layer]
        first = w_std**2 * (a[..., :nx, :] @ a[..., nx:, :].transpose(-1, -2)) / a.shape[-1] + b_std**2
        out = out + first * (delta[..., :nx, :] @ delta[..., nx:, :].transpose(-1, -2))
        if layer:
            W = weights[layer]
            delta = dphi(pre[layer - 1]) * ((w_std / math.sqrt(W.shape[-1])) * (delta @ W))
    return out


def _rows(X, Y):
    """The rows of ``X`` then those of ``Y`` (one forward pass for both sets of inputs)."""
    import torch

    return torch.cat([X, Y], dim=-2)


def empirical_kernel(activation: Any = None, cosines: Sequence[float] = (0.0, 0.5), width: int = 1024,
                     trials: int = 1, seed: int = 0, device: Any = None, dtype: Any = None, d: int = 8,
                     w_std: float = 1.0, b_std: float = 0.0, kind: str = "ntk",
                     hermite: Sequence[float] | None = None, depth: int = 1, readout_w_std: float | None = None,
                     readout_b_std: float | None = None) -> NTKSample:
    """Empirical NTK (or NNGP) of ``trials`` independently initialized fully connected networks with
    ``depth`` hidden layers of width ``width``, between ``x`` and ``x′_j`` with ``x·x′_j/d = cosines[j]``.

    Parameters
    ----------
    activation : str or sympy.Expr, optional
        ``"relu"``, ``"tanh"``, ``"erf"``, ... or a SymPy expression (φ′ by autograd).
    hermite : sequence of float, optional
        Instead of ``activation``: ``b_0..b_K`` of ``φ = Σ_k b_k h_k`` (evaluated by the Hermite
        recurrence, φ′ in closed form) — e.g. from :func:`symrmt.kernels.activation_from_kernel`.
    cosines : sequence of float in [−1, 1]
    width : int >= 1
        Hidden width m.
    trials, seed : int
        Independent initializations; trial t uses ``derive_seed(seed, t)``.
    device, dtype
        ``None`` → CUDA if available else CPU; float64.
    d : int >= 2
        Input dimension (the kernel does not depend on it).
    w_std, b_std : float
        Weight and bias scales.
    kind : {"ntk", "nngp"}
    depth : int >= 1
        Hidden layers L (the ``depth`` of :func:`symrmt.kernels.dot_product_kernel`).
    readout_w_std, readout_b_std : float, optional
        Readout scales (default ``w_std``, ``b_std``; neural-tangents' ``stax`` readout is
        ``readout_w_std=1, readout_b_std=0``).

    Returns
    -------
    NTKSample
        Its infinite-width limit is ``dot_product_kernel(activation, kind, depth, w_std, b_std,
        readout_w_std=..., readout_b_std=...)`` at the cosines; fluctuations are ``O(width^{-1/2})``.

    Examples
    --------
    >>> s = empirical_kernel("relu", [0.0, 1.0], width=64, trials=2, depth=2, device="cpu")
    >>> s.values.shape
    (2, 2)
    """
    import torch

    kind = _activation_and_kind(activation, hermite, kind)
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ParameterError(f"width: expected an integer >= 1, got {width!r}")
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 2:
        raise ParameterError(f"d: expected an integer >= 2 (input dimension), got {d!r}")
    cs = np.asarray(cosines, dtype=float).ravel()
    if cs.size == 0 or not np.all(np.isfinite(cs)) or np.any(np.abs(cs) > 1):
        raise ParameterError(f"cosines: expected a non-empty sequence of numbers in [-1, 1], got {cosines!r}")
    for name, val, pos in (("w_std", w_std, True), ("b_std", b_std, False)):
        if not (isinstance(val, (int, float, np.floating)) and math.isfinite(val) and (val > 0 if pos else val >= 0)):
            raise ParameterError(f"{name}: expected a finite number {'> 0' if pos else '>= 0'}, got {val!r}")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or not 1 <= depth <= 64:
        raise ParameterError(f"depth: expected an integer number of hidden layers in [1, 64], got {depth!r}")
    for name, val, pos in (("readout_w_std", readout_w_std, True), ("readout_b_std", readout_b_std, False)):
        if val is not None and not (isinstance(val, (int, float, np.floating)) and not isinstance(val, bool)
                                    and math.isfinite(val) and (val > 0 if pos else val >= 0)):
            raise ParameterError(f"{name}: expected a finite number {'> 0' if pos else '>= 0'} or None, got {val!r}")
    trials, seed = check_trials(trials), check_seed(seed)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    phi, dphi = hermite_activation(hermite) if hermite is not None else _activation_pair(activation, kind)
    m, d = int(width), int(d)
    c = torch.as_tensor(cs, dtype=dt, device=dev)
    out = np.empty((trials, cs.size))
    elem = 8 if dt == torch.float64 else 4
    L = int(depth)
    chunk = batch_size(trials, elem * m * (d + (L - 1) * m + 2 * L + 1 + 6 * L * (cs.size + 1)), dev)
    with torch.no_grad():
        for start in range(0, trials, chunk):
            stop = min(trials, start + chunk)
            X, Y, W, beta, v = [], [], [], [], []
            for t in range(start, stop):  # each trial from its own seed: independent of the chunking
                gen = make_generator(derive_seed(seed, t), dev)
                g = torch.randn(2, d, generator=gen, device=dev, dtype=dt)
                u1 = g[0] / torch.linalg.vector_norm(g[0])  # Gram–Schmidt: a uniformly random orthonormal pair
                u2 = g[1] - (u1 @ g[1]) * u1
                u2 = u2 / torch.linalg.vector_norm(u2)
                X.append(math.sqrt(d) * u1[None, :])
                Y.append(math.sqrt(d) * (c[:, None] * u1[None, :] + torch.sqrt(1 - c[:, None] ** 2) * u2[None, :]))
                layers = [(torch.randn(m, d if layer == 0 else m, generator=gen, device=dev, dtype=dt),
                           torch.randn(m, generator=gen, device=dev, dtype=dt)) for layer in range(L)]
                W.append([w for w, _ in layers])
                beta.append([b for _, b in layers])
                v.append(torch.randn(m, generator=gen, device=dev, dtype=dt))
            Ws = [torch.stack([w[layer] for w in W]) for layer in range(L)]
            Bs = [torch.stack([b[layer] for b in beta]) for layer in range(L)]
            rw = None if readout_w_std is None else float(readout_w_std)
            rb = None if readout_b_std is None else float(readout_b_std)
            k = deep_ntk_from_parameters(phi, dphi, Ws, Bs, torch.stack(v), torch.stack(X), torch.stack(Y),
                                         float(w_std), float(b_std), rw, rb, kind)
            out[start:stop] = k[:, 0, :].detach().cpu().numpy()
            advance(stop - start)  # a chunk of trials done (moves a verification's progress bar)
    if not np.all(np.isfinite(out)):
        raise ParameterError("activation: the empirical kernel is not finite (activation overflows)")
    return NTKSample(cosines=cs, values=out, width=m, trials=trials, seed=seed, kind=kind, device=str(dev),
                     dtype=str(dt).replace("torch.", ""))


def chunked_one_layer_kernel(cosines: Sequence[float] = (0.0, 0.5), hermite: Sequence[float] | None = None,
                             activation: Any = None, chunk: int = 2**16, chunks: int = 16, seed: int = 0,
                             device: Any = None, dtype: Any = None, kind: str = "ntk",
                             proposal_std: float = 1.0) -> NTKSample:
    """Empirical NTK (or NNGP) of one very wide one-hidden-layer network, computed in chunks of neurons.

    The network has ``chunk · chunks`` hidden neurons (``w_std = 1``, ``b_std = 0``) on inputs in
    ``R²``: ``x = √2 (1, 0)`` and ``x′_j = √2 (c_j, √(1 − c_j²))``, so ``x·x′_j/2 = c_j`` and
    ``c = 1`` is ``x′ = x``.  Its empirical kernel is the average over neurons of i.i.d.
    per-neuron terms, so the average of the chunk kernels ``values[t]`` *is* the whole network's
    kernel, and their spread gives its standard error without holding the whole width at once.

    Parameters
    ----------
    cosines : sequence of float in [−1, 1]
    hermite : sequence of float, optional
        ``b_0..b_K`` of ``φ = Σ_k b_k h_k`` (see :func:`empirical_kernel`).
    activation : str or sympy.Expr, optional
        Instead of ``hermite``: a named or SymPy activation.
    chunk : int >= 1
        Neurons per chunk.
    chunks : int >= 2
        Independent chunks; chunk t is drawn from ``derive_seed(seed, t)``.
    seed : int
    device, dtype
        ``None`` → CUDA if available else CPU; float64.
    kind : {"ntk", "nngp"}
    proposal_std : float >= 1
        ``1``: first-layer weights ``N(0, I)``, the plain network.  ``s > 1``: weights drawn from
        ``N(0, s² I)`` and neuron a's output multiplied by the fixed factor ``√ρ_a``,
        ``ρ_a = s² exp(−‖w_a‖²(1 − s⁻²)/2)`` (the density ratio), which leaves every expected
        per-neuron term, hence the infinite-width kernel, unchanged (importance sampling) while
        sampling pre-activations ``s`` times wider: a polynomial activation of degree K has the
        mass of its top Hermite terms at ``|h| ≈ 2√K``, which a plain network of any feasible width
        never reaches (:mod:`symrmt.kernels.reverse`).

    Returns
    -------
    NTKSample
        ``values[t, j]``: the kernel of chunk t (a width-``chunk`` network) at ``cosines[j]``;
        ``width`` is ``chunk``, ``trials`` is ``chunks``; the whole network's kernel is
        ``values.mean(0)``.

    Examples
    --------
    >>> s = chunked_one_layer_kernel([0.0, 1.0], hermite=[0.0, 1.0], chunk=64, chunks=2, device="cpu")
    >>> s.values.shape
    (2, 2)
    """
    import torch

    kind = _activation_and_kind(activation, hermite, kind)
    cs = np.asarray(cosines, dtype=float).ravel()
    if cs.size == 0 or not np.all(np.isfinite(cs)) or np.any(np.abs(cs) > 1):
        raise ParameterError(f"cosines: expected a non-empty sequence of numbers in [-1, 1], got {cosines!r}")
    m = integer("chunk", chunk, low=1, high=2**26)
    n_chunks = integer("chunks", chunks, low=2, high=10**6)
    if isinstance(proposal_std, bool) or not isinstance(proposal_std, (int, float, np.floating)) \
            or not math.isfinite(proposal_std) or proposal_std < 1:
        raise ParameterError(f"proposal_std: expected a finite number >= 1, got {proposal_std!r}")
    s = float(proposal_std)
    seed = check_seed(seed)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    phi, dphi = hermite_activation(hermite) if hermite is not None else _activation_pair(activation, kind)
    c = torch.as_tensor(cs, dtype=dt, device=dev)
    X = math.sqrt(2.0) * torch.tensor([[1.0, 0.0]], dtype=dt, device=dev)
    Y = math.sqrt(2.0) * torch.stack([c, torch.sqrt(torch.clamp(1 - c**2, min=0))], dim=1)
    out = np.empty((n_chunks, cs.size))
    with torch.no_grad():
        for t in range(n_chunks):
            gen = make_generator(derive_seed(seed, t), dev)
            W = s * torch.randn(m, 2, generator=gen, device=dev, dtype=dt)
            v = torch.randn(m, generator=gen, device=dev, dtype=dt)
            if s == 1.0:
                phi_t, dphi_t = phi, dphi
            else:
                scale = s * torch.exp(-0.25 * (1 - s**-2) * (W**2).sum(1))  # √ρ_a
                phi_t = lambda z, f=phi, a=scale: a * f(z)  # noqa: E731 - a fixed output factor per neuron
                dphi_t = lambda z, f=dphi, a=scale: a * f(z)  # noqa: E731
            k = ntk_from_parameters(phi_t, dphi_t, W, torch.zeros(m, dtype=dt, device=dev), v, X, Y, 1.0, 0.0, kind)
            out[t] = k[0].detach().cpu().numpy()
            advance(1)
    if not np.all(np.isfinite(out)):
        raise ParameterError("activation: the empirical kernel is not finite (activation overflows)")
    return NTKSample(cosines=cs, values=out, width=m, trials=n_chunks, seed=seed, kind=kind, device=str(dev),
                     dtype=str(dt).replace("torch.", ""))


def _activation_and_kind(activation: Any, hermite: Any, kind: Any) -> str:
    """Check that exactly one of ``activation``/``hermite`` is given; the lower-cased ``kind``."""
    if (activation is None) == (hermite is None):
        raise ParameterError("give exactly one of activation= (a name or SymPy expression) and hermite= "
                             "(Hermite coefficients)")
    if not isinstance(kind, str) or kind.lower() not in ("ntk", "nngp"):
        raise ParameterError(f"kind: expected 'ntk' or 'nngp', got {kind!r}")
    return kind.lower()
