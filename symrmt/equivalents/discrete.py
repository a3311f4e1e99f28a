"""Gaussian-equivalent learning curve for a discrete spectrum: power-law ridge and kernels.

Features with population covariance eigenvalues ``ω_i`` (i = 1..p), target coefficients
``θ_i`` in that eigenbasis (``y = Σ θ_i x_i + ε``, ``Var ε = σ²``), n samples, per-sample ridge
``λ̃`` (loss ``Σ_μ (y_μ − w·x_μ)² + nλ̃‖w‖²``).  Loureiro et al. 2021 (arXiv 2102.08127);
Wei, Hu & Steinhardt 2022 (arXiv 2203.06176) for kernels:

    κ − λ̃ = (κ/n) Σ_i ω_i/(ω_i + κ),     df2 = Σ_i ω_i²/(ω_i + κ)²,
    E_test = [σ² + R + Σ_i ω_i θ_i² κ²/(ω_i + κ)²] / (1 − df2/n),

``R`` the part of the target outside the p modes (0 for a power law).  The equation is stated
in SymPy (:func:`powerlaw_equations`, with symbolic sums); since p runs to 10⁴–10⁵ terms, the
sums are evaluated by a numba kernel rather than expanded: ``g(κ) = 1 − λ̃/κ − df1(κ)/n`` is
increasing in κ from −∞ to 1, so the root is unique and a safeguarded Newton–bisection in
``log κ`` finds it; a point where it fails is flagged (``converged`` False, NaN values).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from .. import _checks
from ..errors import ParameterError
from .._checks import broadcast, checked

__all__ = ["powerlaw_equations", "solve_discrete", "DiscreteResult"]


def powerlaw_equations() -> list[tuple[str, sp.Basic]]:
    """The power-law deterministic equivalent in SymPy (symbolic sums over i = 1..p)."""
    i = sp.Symbol("i", integer=True, positive=True)
    n, p, a, b, s2, lam, k = sp.symbols("n p a b noise ridge kappa", positive=True)
    om, th = i ** (-a), i ** (-b)
    df1 = sp.Sum(om / (om + k), (i, 1, p))
    df2 = sp.Sum(om**2 / (om + k) ** 2, (i, 1, p))
    bias = sp.Sum(om * th**2 * k**2 / (om + k) ** 2, (i, 1, p))
    return [("kappa equation", sp.Eq(k - lam, k * df1 / n)),
            ("test error", sp.Eq(sp.Symbol("E_test"), (s2 + bias) / (1 - df2 / n)))]


def _kernel():
    from numba import njit

    @njit(cache=True)
    def sums(omega, c2, kappa):
        d1 = 0.0
        d1p = 0.0
        d2 = 0.0
        bias = 0.0
        for j in range(omega.size):
            t = omega[j] + kappa
            d1 += omega[j] / t
            d1p -= omega[j] / (t * t)
            d2 += omega[j] * omega[j] / (t * t)
            bias += c2[j] / (t * t)
        return d1, d1p, d2, bias

    @njit(cache=True)
    def solve(omega, c2, n, lam, noise, rest, kappa, test, df1, df2, conv):
        for q in range(n.size):
            lo = lam[q]              # g(λ̃) < 0
            hi = lam[q] + omega.sum() / n[q] + 1.0
            k = lo * 2.0 if lo * 2.0 < hi else 0.5 * (lo + hi)
            ok = False
            for _ in range(200):
                d1, d1p, d2, bias = sums(omega, c2, k)
                g = 1.0 - lam[q] / k - d1 / n[q]
                if g > 0:
                    hi = k
                else:
                    lo = k
                if abs(g) < 1e-14 or (hi - lo) <= 1e-15 * hi:
                    ok = True
                    break
                dg = lam[q] / (k * k) - d1p / n[q]
                kn = k - g / dg
                if not (kn > lo and kn < hi):
                    kn = 0.5 * (lo + hi)
                k = kn
            d1, d1p, d2, bias = sums(omega, c2, k)
            denom = 1.0 - d2 / n[q]
            if ok and denom > 0:
                kappa[q] = k
                df1[q] = d1
                df2[q] = d2
                test[q] = (noise[q] + rest[q] + k * k * bias) / denom
                conv[q] = True
            else:
                kappa[q] = np.nan
                df1[q] = np.nan
                df2[q] = np.nan
                test[q] = np.nan
                conv[q] = False

    return solve


_SOLVER: list = []


class DiscreteResult(dict):
    """``{"kappa", "test_error", "df1", "df2", "gcv"}`` arrays plus a ``converged`` flag array."""

    converged: np.ndarray


def solve_discrete(omega: Any, coef2: Any, n: Any, ridge: Any, noise: Any = 0.0, rest: Any = 0.0) -> DiscreteResult:
    """Gaussian-equivalent test error for eigenvalues ``omega`` and weights ``coef2 = ω_i θ_i²``.

    Parameters
    ----------
    omega : 1-d array, > 0
    coef2 : 1-d array, >= 0 (same length): ``ω_i θ_i²`` (= squared target coefficient on the
        normalized eigenfunction)
    n : float or array, > 0 (samples);  ridge : > 0 (λ̃);  noise : >= 0 (σ²);
    rest : >= 0, target power outside the p modes

    Returns
    -------
    DiscreteResult
        Arrays of the broadcast shape; ``gcv`` equals ``test_error`` in this limit
        (``train_error = (λ̃/κ)² E_test`` and ``1 − df1_Σ̂/n = λ̃/κ``).
    """
    om = np.ascontiguousarray(checked("omega", omega, "positive"), dtype=float).ravel()
    c2 = np.ascontiguousarray(checked("coef2", coef2, "nonnegative"), dtype=float).ravel()
    if om.shape != c2.shape:
        raise ParameterError(f"coef2: must have the length of omega ({om.size}), got {c2.size}")
    vals = broadcast({"n": checked("n", n, "positive"), "ridge": checked("ridge", ridge, "positive"),
                      "noise": checked("noise", noise, "nonnegative"), "rest": checked("rest", rest, "nonnegative")})
    shape = vals["n"].shape
    flat = {k: np.ascontiguousarray(v, dtype=float).ravel() for k, v in vals.items()}
    if not _SOLVER:
        _SOLVER.append(_kernel())
    size = flat["n"].size
    kappa, test, df1, df2 = (np.empty(size) for _ in range(4))
    conv = np.zeros(size, dtype=np.bool_)
    _SOLVER[0](om, c2, flat["n"], flat["ridge"], flat["noise"], flat["rest"], kappa, test, df1, df2, conv)
    out = DiscreteResult(kappa=kappa.reshape(shape), test_error=test.reshape(shape), df1=df1.reshape(shape),
                         df2=df2.reshape(shape), gcv=test.reshape(shape).copy())
    out.converged = conv.reshape(shape)
    return out
