"""Torch simulations of deep structured random features (Schröder, Dmitriev, Cui & Loureiro,
arXiv 2402.13999): draw the network, compute features, fit the ridge readout in closed form,
measure the test error on fresh data; and compare the closed-form feature covariance Ω_L with a
Monte-Carlo estimate.

Conventions: ``device=None`` means CUDA when available, else CPU; float64; every call takes an
explicit ``seed`` (one :class:`torch.Generator` per call).  The network, target and readout are
those of :mod:`symrmt.equivalents.deep`; activations are centred by their Gaussian mean ``κ0_ℓ``
at the layer's variance ``r_ℓ`` (zero for odd activations).

**What is conditional on the weights.**  Each trial draws new weights; the *theory* reported for a
trial (``theory`` in the measurement) is the deterministic equivalent computed from that trial's
own closed-form ``Ω_L``, ``ψ_L`` — conditional on its weights — and only the train/test data is
random around it.  :func:`simulate_deep_linear_rf` instead compares with the weight-averaged limit.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..equivalents.simulate import Measurement, _nonneg, _pos, _setup, _size, _stack

__all__ = ["simulate_deep_features", "simulate_deep_linear_rf", "compare_feature_covariance", "draw_network"]


def draw_network(torch, arch, d: int, gen, dev):
    """Weights ``W_ℓ`` (rows ``N(0, C_ℓ/k_{ℓ−1})``), the teacher direction β and Σ's diagonal, as
    float64 tensors on ``dev``."""
    k = arch.sizes(d)
    Ws = []
    for ell, c in enumerate(arch.row_diagonals(d)):
        scale = torch.as_tensor(np.sqrt(c / k[ell]), dtype=torch.float64, device=dev)
        Ws.append(torch.randn(k[ell + 1], k[ell], generator=gen, device=dev, dtype=torch.float64) * scale)
    beta = torch.randn(d, generator=gen, device=dev, dtype=torch.float64)
    sig = torch.as_tensor(arch.data_diagonal(d), dtype=torch.float64, device=dev)
    return Ws, beta, sig


def _features(torch, X, Ws, acts, kappa0s):
    h = X
    for W, act, k0 in zip(Ws, acts, kappa0s):
        h = act(h @ W.T) - k0
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
                           device: Any = None, n_test: int | None = None, batch: int = 4096) -> Measurement:
    """Train ridge readouts on deep structured random features and measure their test error.

    Per trial: draw the weights and a teacher direction, ``n = round(α d)`` samples
    ``x ~ N(0, Σ)``, ``y = √signal f*(βᵀx/√(βᵀΣβ)) + ε``, features ``φ_L``, readout ``a`` minimizing
    ``(1/n)‖y − Φa‖² + λ‖a‖²``; test error ``E(y − aᵀφ_L(x))²`` on a fresh noisy point (the noise
    part ``noise`` exactly, the rest averaged over ``n_test`` fresh points, default ``max(2000, 8d)``;
    exact when every activation and the target are linear).

    Returns
    -------
    Measurement
        ``test_error`` per trial, ``theory`` — the deterministic equivalent for that trial's drawn
        weights (conditional on them) — and ``kappa``.  Attributes: ``spectral`` (per trial,
        :class:`~symrmt.equivalents.deep.SpectralData` at unit signal), ``d``, ``n``.
    """
    from ..equivalents.deep import architecture, conditional_test_error, feature_covariance, spectral_data
    from ..symbolic.hermite import torch_activation

    torch, dev, gen = _setup(seed, device)
    d = _size("d", d, 2)
    alpha, lam = _pos("alpha", alpha), _pos("ridge", ridge)
    s2, sig2 = _nonneg("noise", noise), _nonneg("signal", signal)
    arch = architecture(widths, activations, row_covariances, data_covariance, target)
    acts = [torch_activation(a) for a in arch.activations]
    fstar = torch_activation(arch.target)
    linear = all(isinstance(a, str) and a.strip().lower() == "linear" for a in (*arch.activations, arch.target))
    n = max(2, int(round(alpha * d)))
    n_test = max(2000, 8 * d) if n_test is None else _size("n_test", n_test)
    rows, spectra = [], []
    for _ in range(_size("trials", trials)):
        Ws, beta, sig = draw_network(torch, arch, d, gen, dev)
        fc = feature_covariance(Ws, arch, beta, signal=1.0)   # closed form, conditional on Ws
        spec = spectral_data(fc)
        th = conditional_test_error(spec, n, lam, s2, sig2)
        k0s = [c.kappa0 for c in fc.coefficients]
        bnorm = float((beta * sig * beta).sum()).__pow__(0.5)
        root_sig = sig.sqrt()

        def draw(m: int):
            X = torch.randn(m, d, generator=gen, device=dev, dtype=torch.float64) * root_sig
            return X, math.sqrt(sig2) * fstar(X @ beta / bnorm)

        X, f = draw(n)
        y = f + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        a = _ridge(torch, _features(torch, X, Ws, acts, k0s), y, lam)
        if linear:   # exact: the predictor is linear in x, w = W_1ᵀ⋯W_Lᵀ a
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
                total += float(((ft - _features(torch, Xt, Ws, acts, k0s) @ a) ** 2).sum())
                done += m
            excess = total / n_test
        rows.append({"test_error": excess + s2, "theory": float(th["test_error"]), "kappa": float(th["kappa"])})
        spectra.append(spec)
    out = _stack(rows)
    out.spectral, out.d, out.n = spectra, d, n
    return out


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
        ``test_error`` per trial.
    """
    from ..equivalents.deep import architecture

    torch, dev, gen = _setup(seed, device)
    d = _size("d", d, 2)
    alpha, lam = _pos("alpha", alpha), _pos("ridge", ridge)
    s2, sig2 = _nonneg("noise", noise), _nonneg("signal", signal)
    arch = architecture(widths, "linear", None, data_covariance, "linear")
    n = max(2, int(round(alpha * d)))
    rows = []
    for _ in range(_size("trials", trials)):
        Ws, beta, sig = draw_network(torch, arch, d, gen, dev)
        beta = beta * (math.sqrt(sig2) / float(beta.norm()))
        X = torch.randn(n, d, generator=gen, device=dev, dtype=torch.float64) * sig.sqrt()
        y = X @ beta + math.sqrt(s2) * torch.randn(n, generator=gen, device=dev, dtype=torch.float64)
        F = Ws[0]
        for W in Ws[1:]:
            F = W @ F
        a = _ridge(torch, X @ F.T, y, lam)
        e = F.T @ a - beta
        rows.append({"test_error": float((e * sig * e).sum()) + s2})
    return _stack(rows)


def _ks_two_sample(a: np.ndarray, b: np.ndarray) -> float:
    from ..verify.stats import ks_distance

    sb = np.sort(np.asarray(b, dtype=float))
    return float(ks_distance(np.asarray(a, dtype=float),
                             lambda x: np.searchsorted(sb, x, side="right") / sb.size)[0])


def compare_feature_covariance(d: int, widths: Any = (2.0, 1.5), activations: Any = "tanh",
                               row_covariances: Any = None, data_covariance: Any = None, n_samples: int | None = None,
                               seed: int = 0, device: Any = None, batch: int = 4096) -> dict:
    """Closed-form Ω_L vs the Monte-Carlo covariance of the network's features (one drawn network).

    ``n_samples`` inputs (default ``20 k_L``) give the empirical covariance ``Ω̂ = ΦᵀΦ/N`` of the
    centred features.  Since ``Ω̂`` of N samples is itself random (MP-distorted), it is compared
    with ``Ω̂_G``, the empirical covariance of N *Gaussian* vectors with covariance Ω_L (the
    Gaussian-equivalent features), at the same N: if Ω_L is right the two have the same spectrum
    up to O(1/k) and the same Frobenius distance to Ω_L up to fluctuations.

    Returns
    -------
    dict
        ``ks_mc_vs_gaussian`` (KS distance between the spectra of Ω̂ and Ω̂_G),
        ``ks_mc_vs_closed_form`` (Ω̂ vs Ω_L itself, includes the sampling distortion),
        ``frobenius_mc`` = ‖Ω̂ − Ω_L‖_F/‖Ω_L‖_F, ``frobenius_gaussian`` (same for Ω̂_G),
        ``moments`` (``tr Ω^j``, j = 1, 2 for Ω_L, Ω̂ and Ω̂_G), ``eig_closed_form``, ``eig_mc``,
        ``eig_gaussian``, ``coefficients``, ``k``, ``n_samples``.  Conditional on the drawn weights.
    """
    from ..equivalents.deep import architecture, feature_covariance
    from ..symbolic.hermite import torch_activation

    torch, dev, gen = _setup(seed, device)
    d = _size("d", d, 2)
    arch = architecture(widths, activations, row_covariances, data_covariance, "linear")
    acts = [torch_activation(a) for a in arch.activations]
    Ws, beta, sig = draw_network(torch, arch, d, gen, dev)
    fc = feature_covariance(Ws, arch, beta)
    Om = fc.omega
    k = Om.shape[0]
    N = 20 * k if n_samples is None else _size("n_samples", n_samples, 2)
    k0s = [c.kappa0 for c in fc.coefficients]
    emp = torch.zeros(k, k, device=dev, dtype=torch.float64)
    gau = torch.zeros(k, k, device=dev, dtype=torch.float64)
    w, U = torch.linalg.eigh(Om)
    root = U * w.clamp(min=0).sqrt()            # Ω_L = root rootᵀ
    done = 0
    while done < N:
        m = min(batch, N - done)
        X = torch.randn(m, d, generator=gen, device=dev, dtype=torch.float64) * sig.sqrt()
        Phi = _features(torch, X, Ws, acts, k0s)
        emp += Phi.T @ Phi
        G = torch.randn(m, k, generator=gen, device=dev, dtype=torch.float64) @ root.T
        gau += G.T @ G
        done += m
    emp /= N
    gau /= N
    eo, ee, eg = (torch.linalg.eigvalsh(M).cpu().numpy() for M in (Om, emp, gau))
    nrm = float(torch.linalg.norm(Om))
    mom = {name: [float(torch.trace(M)) / k, float((M * M).sum()) / k] for name, M in
           (("closed_form", Om), ("mc", emp), ("gaussian", gau))}
    return {"ks_mc_vs_gaussian": _ks_two_sample(ee, eg), "ks_mc_vs_closed_form": _ks_two_sample(ee, eo),
            "frobenius_mc": float(torch.linalg.norm(emp - Om)) / nrm,
            "frobenius_gaussian": float(torch.linalg.norm(gau - Om)) / nrm, "moments": mom,
            "eig_closed_form": eo, "eig_mc": ee, "eig_gaussian": eg, "coefficients": fc.coefficients,
            "k": int(k), "n_samples": int(N)}
