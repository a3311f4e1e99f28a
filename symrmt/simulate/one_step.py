"""Two-layer network after one large gradient step, then ridge on the readout (torch).

The setting of Cui et al. (arXiv 2402.04980) and Dandi et al. (arXiv 2410.18938), as in
:mod:`symrmt.equivalents.spiked`: ``x ~ N(0, I_d)``; ``W0`` (``p×d``) with i.i.d. Gaussian rows
normalized to unit norm; readout ``a0 = 1_p/√p`` fixed during the step; target
``y = σ*(⟨w*, x⟩)`` with ``w*`` uniform on the unit sphere; one full-batch gradient step of the
square loss on ``n0 = round(α0 d)`` fresh samples,

    W1 = W0 + η̃ (1/n0) Σ_μ (y_μ − f(x_μ)) σ′(W0 x_μ) x_μᵀ,   f(x) = a0ᵀσ(W0 x)/√p

(σ′ by automatic differentiation); then ``ŵ = argmin ‖y − Fw/√p‖² + λ‖w‖²`` with
``F = σ(X W1ᵀ)`` on ``n = round(α d)`` fresh samples, and the test error on ``n_test`` fresh points.

``model="spiked"`` replaces the step by its spiked random-features equivalent
``W1 = c W0 + (r/√d) 1_p vᵀ``, ``v = √d (γ w* + √(1−γ²) ζ)`` (ζ ⊥ w* unit) with given
``spike = (r, c, γ)`` (the theory's, :func:`symrmt.equivalents.spike_values`, passed in by the
caller) — to separate the error of the sRF equivalence from that of the readout's theory.
The simulation computes no theory.

Conventions: ``device=None`` means CUDA if available, else CPU; float64; an explicit seed per call.
"""
from __future__ import annotations

import math
from typing import Any

from .._checks import integer, nonnegative, positive
from .._progress import advance
from ..errors import ParameterError
from .activations import torch_activation, torch_target
from .device import seeded
from .measurement import Measurement

__all__ = ["simulate_one_step", "train_first_layer"]


def _grad_activation(act):
    """σ′ elementwise through autograd (works for every torch activation)."""
    import torch

    def d(u):
        with torch.enable_grad():
            v = u.detach().clone().requires_grad_(True)
            (g,) = torch.autograd.grad(act(v).sum(), v)
        return g
    return d


def _teacher(target):
    """``(k, y)``: ``y(X, ws)`` the target's values on the rows of ``X``; ``ws`` is ``w*`` (shape
    ``(d,)``) for a single-index target, the orthonormal rows ``w_a`` (shape ``(k, d)``) otherwise."""
    k, f = torch_target(target)
    if k == 1:
        return 1, lambda X, ws: f((X @ ws)[:, None])
    return k, lambda X, ws: f(X @ ws.T)


def _draw_teacher(k: int, d: int, gen, dev, dtype):
    """``w*`` uniform on the sphere (k = 1), or k orthonormal directions (rows) uniform on the
    Stiefel manifold (QR of a Gaussian d×k matrix, signs fixed by R's diagonal)."""
    import torch

    if k == 1:
        ws = torch.randn(d, generator=gen, device=dev, dtype=dtype)
        return ws / ws.norm()
    if k > d:
        raise ParameterError(f"target: reads {k} directions, more than d = {d}")
    Q, R = torch.linalg.qr(torch.randn(d, k, generator=gen, device=dev, dtype=dtype))
    return (Q * torch.sign(torch.diagonal(R))[None, :]).T.contiguous()


def _gradient_step(W0, ws, X0, eta: float, sig, y, dsig):
    """``W1 = W0 + η̃ (1/n0) Σ_μ (y_μ − f(x_μ)) σ′(W0 x_μ) x_μᵀ`` on the batch ``X0`` (n0×d)."""
    pre = X0 @ W0.T
    resid = y(X0, ws) - sig(pre).mean(dim=1)          # y − a0ᵀσ(W0x)/√p with a0 = 1/√p
    return W0 + eta * ((resid[:, None] * dsig(pre)).T @ X0) / X0.shape[0]


def _train(W0, ws, steps: int, n0: int, eta: float, sig, y, dsig, gen):
    """``steps`` full-batch steps, each on a fresh batch of ``n0`` samples (drawn from ``gen``)."""
    import torch

    W = W0
    for _ in range(steps):
        W = _gradient_step(W, ws, torch.randn(n0, W0.shape[1], generator=gen, device=W0.device, dtype=W0.dtype),
                           eta, sig, y, dsig)
    return W


def train_first_layer(d: int, alpha0: float, eta: float, width: float = 1.0, activation: Any = "tanh",
                      target: Any = "tanh", seed: int = 0, device: Any = None, steps: int = 1):
    """One draw of the first layer after the gradient step (no readout): ``(W0, W1, w_star)``.

    The same step as :func:`simulate_one_step` with ``model="network"`` (``W0`` with unit Gaussian
    rows, ``w*`` uniform on the sphere, one full-batch step of size ``eta`` on
    ``n0 = round(alpha0 d)`` fresh samples), returned as float64 numpy arrays: what
    :func:`symrmt.equivalents.solve_one_step_given_layer` reads the network's theory from.

    Parameters
    ----------
    d : int >= 2;  alpha0 : > 0;  eta : >= 0;  width : > 0 (``p = round(width d)``)
    activation, target : σ and σ* (names or SymPy expressions); ``target`` may read several
        directions (``"staircase2"``, ``"staircase3"`` or an expression in several indices,
        :mod:`symrmt.symbolic.targets`): then ``w_star`` is returned as k orthonormal rows (k×d)
    seed : int >= 0;  device : None/"cpu"/"cuda"
    steps : int >= 1, large steps, each on a fresh batch of ``n0`` samples (the readout stays ``a0``)
    """
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    steps = integer("steps", steps, low=1)
    alpha0, width, eta = positive("alpha0", alpha0), positive("width", width), nonnegative("eta", eta)
    p, n0 = max(1, round(width * d)), max(1, round(alpha0 * d))
    sig = torch_activation(activation)
    k, y = _teacher(target)
    f64 = torch.float64
    W0 = torch.randn(p, d, generator=gen, device=dev, dtype=f64)
    W0 /= W0.norm(dim=1, keepdim=True)
    ws = _draw_teacher(k, d, gen, dev, f64)
    W1 = _train(W0, ws, steps, n0, eta, sig, y, _grad_activation(sig), gen)
    return tuple(t.cpu().numpy() for t in (W0, W1, ws))


def _checked_spike(spike: Any, k: int) -> tuple:
    """``(r, c, gamma)`` of the spiked model; ``gamma`` a number (k = 1) or k cosines with the
    target's directions, ``|gamma| <= 1``."""
    what = "three finite numbers (r, c, gamma)" if k == 1 else f"(r, c, gamma) with gamma {k} cosines"
    try:
        r, c, g = spike
        r, c = float(r), float(c)
        g = [float(x) for x in (g if k > 1 else [g])]
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"spike: model='spiked' needs spike = {what}, e.g. from "
                             f"symrmt.equivalents.spike_values, got {spike!r}") from exc
    if len(g) != k or not all(math.isfinite(v) for v in (r, c, *g)):
        raise ParameterError(f"spike: expected {what}, got {spike!r}")
    if sum(x * x for x in g) > 1 + 1e-9:
        raise ParameterError(f"spike: gamma holds cosines with orthonormal directions, |gamma| <= 1, got {g}")
    return r, c, g


def simulate_one_step(d: int, alpha: float, alpha0: float, eta: float, ridge: float, width: float = 1.0,
                      activation: Any = "tanh", target: Any = "tanh", trials: int = 4, seed: int = 0,
                      device: Any = None, n_test: int | None = None, model: str = "network",
                      spectrum: bool = False, spike: Any = None, keep_draws: bool = False,
                      steps: int = 1) -> Measurement:
    """Train the network ``trials`` times at dimension ``d`` and measure it.

    Parameters
    ----------
    d : input dimension (>= 2); ``p = round(width d)``, ``n = round(alpha d)``, ``n0 = round(alpha0 d)``
    alpha, alpha0, eta, ridge, width : as in :func:`symrmt.equivalents.solve_one_step`
    activation, target : σ and σ* (names or SymPy expressions); a multi-index ``target``
        (:mod:`symrmt.symbolic.targets`) reads k orthonormal directions ``w_a`` drawn uniformly
    trials, seed, device : independent repetitions; base seed; None/"cpu"/"cuda"
    n_test : number of fresh test inputs (default ``max(4000, 4d)``)
    model : ``"network"`` (the actual gradient step) or ``"spiked"`` (the sRF equivalent)
    spectrum : also report the top eigenvalue of ``FᵀF/n`` divided by p (``outlier``)
    spike : ``(r, c, gamma)`` of the spiked model (required with ``model="spiked"``, else unused);
        for a k-index target ``gamma`` is k cosines with the target's directions (``|γ| <= 1``)
    steps : int >= 1, with ``model="network"``: that many large steps before the readout, each on
        a fresh batch of ``n0`` samples (Dandi et al.'s multi-step regime; ``r, c, gamma`` and
        ``direction`` then measure the total update ``W1 − W0``)
    keep_draws : also return each trial's draw (``Measurement.draws``): ``W0`` (p×d), ``w_star``,
        ``direction`` (the spike direction v: the drawn one of the spiked model, the mean row
        update of the network) and ``W1`` (the first layer the readout was trained on), numpy
        arrays — what a theory conditional on the draw needs
        (:func:`symrmt.equivalents.solve_one_step_conditional`,
        :func:`symrmt.equivalents.solve_one_step_given_layer`)

    Returns
    -------
    Measurement
        Per trial: ``test_error``; ``r``, ``c``, ``gamma`` measured on ``W1`` (the norm of the mean
        row update, the root-mean-square norm of the remaining rows, the cosine of the mean
        update with ``w*``; for a multi-index target ``gamma`` is the norm of its projection on the
        target's span and ``gamma_1, …, gamma_k`` the cosines with each direction); with
        ``spectrum``: ``outlier`` (``λ_max(FᵀF/n)/p``) and
        ``second`` (the second eigenvalue, unnormalized).  With ``keep_draws``, ``draws`` holds
        lists ``W0``, ``w_star``, ``direction``, ``W1`` (one array per trial).
    """
    if model not in ("network", "spiked"):
        raise ParameterError(f"model: expected 'network' or 'spiked', got {model!r}")
    torch, dev, gen = seeded(seed, device)
    d = integer("d", d, low=2)
    alpha, alpha0 = positive("alpha", alpha), positive("alpha0", alpha0)
    lam, width = positive("ridge", ridge), positive("width", width)
    eta = nonnegative("eta", eta)
    steps = integer("steps", steps, low=1)
    if steps > 1 and model != "network":
        raise ParameterError(f"steps: {steps} steps need model='network' (the spiked model is one step's)")
    trials = integer("trials", trials, low=1)
    n_test = integer("n_test", n_test if n_test is not None else max(4000, 4 * d), low=1)
    p, n, n0 = max(1, round(width * d)), max(2, round(alpha * d)), max(1, round(alpha0 * d))
    sig = torch_activation(activation)
    k, y_of = _teacher(target)
    dsig = _grad_activation(sig)
    if model == "spiked":
        spike = _checked_spike(spike, k)
    if not isinstance(keep_draws, bool):
        raise ParameterError(f"keep_draws: must be True or False, got {keep_draws!r}")
    f64 = torch.float64
    rows = []
    draws: dict = {"W0": [], "w_star": [], "direction": [], "W1": []}
    for _ in range(trials):
        W0 = torch.randn(p, d, generator=gen, device=dev, dtype=f64)
        W0 /= W0.norm(dim=1, keepdim=True)
        ws = _draw_teacher(k, d, gen, dev, f64)
        if model == "network":
            W1 = _train(W0, ws, steps, n0, eta, sig, y_of, dsig, gen)
        else:
            r, c, g = spike
            zeta = torch.randn(d, generator=gen, device=dev, dtype=f64)
            if k == 1:
                zeta -= (zeta @ ws) * ws
                zeta /= zeta.norm()
                v = g[0] * ws + math.sqrt(max(1 - g[0] * g[0], 0.0)) * zeta
            else:
                zeta -= ws.T @ (ws @ zeta)
                zeta /= zeta.norm()
                gv = torch.tensor(g, device=dev, dtype=f64)
                v = gv @ ws + math.sqrt(max(1 - float(gv @ gv), 0.0)) * zeta
            W1 = c * W0 + r * torch.ones(p, 1, device=dev, dtype=f64) * v[None, :]
        delta = W1 - W0
        mrow = delta.mean(dim=0)
        rest = W1 - mrow[None, :]
        row = {"r": float(mrow.norm()), "c": float(rest.norm(dim=1).pow(2).mean().sqrt())}
        moved = float(mrow.norm()) > 0
        if k == 1:
            row["gamma"] = float(mrow @ ws / mrow.norm()) if moved else 0.0
        else:  # the alignment with the target's subspace and with each of its directions
            cos = (ws @ mrow / mrow.norm()).tolist() if moved else [0.0] * k
            row["gamma"] = math.sqrt(sum(x * x for x in cos))
            row.update({f"gamma_{a + 1}": x for a, x in enumerate(cos)})
        if keep_draws:
            direc = v if model == "spiked" else mrow
            for key, val in (("W0", W0), ("w_star", ws), ("direction", direc), ("W1", W1)):
                draws[key].append(val.cpu().numpy())
        X = torch.randn(n, d, generator=gen, device=dev, dtype=f64)
        y = y_of(X, ws)
        F = sig(X @ W1.T) / math.sqrt(p)
        if n >= p:
            A = F.T @ F + lam * torch.eye(p, device=dev, dtype=f64)
            w = torch.linalg.solve(A, F.T @ y)
        else:
            A = F @ F.T + lam * torch.eye(n, device=dev, dtype=f64)
            w = F.T @ torch.linalg.solve(A, y)
        err = 0.0
        for lo in range(0, n_test, 4096):
            m = min(4096, n_test - lo)
            Xt = torch.randn(m, d, generator=gen, device=dev, dtype=f64)
            err += float(((y_of(Xt, ws) - (sig(Xt @ W1.T) / math.sqrt(p)) @ w) ** 2).sum())
        row["test_error"] = err / n_test
        if spectrum:
            # FᵀF/n with the unscaled features: (p/n)·(F/√p)ᵀ(F/√p)
            ev = torch.linalg.eigvalsh((F.T @ F) * (p / n))
            row["outlier"] = float(ev[-1]) / p
            row["second"] = float(ev[-2]) if p > 1 else float("nan")
            row["eigenvalues"] = ev.cpu().numpy()
        rows.append(row)
        advance(1)  # one trial done (moves a verification's progress bar, if any)
    return Measurement.from_rows(rows, draws=draws if keep_draws else None, sizes={"d": d, "n": n, "p": p})
