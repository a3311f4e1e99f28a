"""Deterministic equivalent of linear ridge regression (Atanasov, Zavatone-Veth & Pehlevan,
arXiv 2405.00592, §2–3).

Model: P samples ``x ~ N(0, Σ)`` in dimension N, ``q = N/P``, ``y = w̄·x + ε``, ``Var ε = σ²``
(``noise``), ``‖w̄‖² = signal`` with w̄ isotropic (so ``w̄ᵀ A w̄ → signal · tr A``; exact for
Σ = I).  Estimator ``ŵ = (Σ̂ + λ)⁻¹ Xᵀy/P``, ``Σ̂ = XᵀX/P`` (loss ``(1/P)‖y − Xw‖² + λ‖w‖²``).

* κ from the S-transform route ``κ = λ S_W(df1)``, ``S_W(df) = 1/(1 − q·df)``, i.e.
  ``λ = κ(1 − q·df1(κ))`` (see :mod:`symrmt.equivalents.spectrum`); ``γ = q·df2(κ)``;
* ``test_error = [κ² signal t2(κ) + σ²]/(1 − γ)`` on a fresh noisy point;
* ``bias = κ² signal t2/(1 − γ)``, ``variance = γσ²/(1 − γ)``, so
  ``test_error = bias + variance + σ²``;
* ``train_error = (λ/κ)² test_error``; ``gcv = train_error/(1 − q·df1_Σ̂(λ))²`` with
  ``df1_Σ̂(λ) = df1_Σ(κ)``, which therefore equals ``test_error`` in the limit.  It is evaluated
  as ``train_error·(κ/λ)²``, using ``1 − q·df1(κ) = λ/κ`` on the solution: the difference
  ``1 − q·df1`` loses all its digits when ``λ ≪ κ`` (large q, small λ).
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from ..symbolic.system import System
from .._checks import broadcast, checked
from .spectrum import KAPPA, kappa_equation, population_spectrum

__all__ = ["ridge_system", "solve_ridge", "SYMBOLS"]

SYMBOLS = {name: sp.Symbol(name, positive=True) for name in ("q", "ridge", "noise", "signal")}

def ridge_system(spectrum: Any = None) -> System:
    """The ridge deterministic equivalent as a :class:`~symrmt.symbolic.system.System`.

    Parameters
    ----------
    spectrum : None, a ``(points, weights)`` pair or AlgebraicLaw
        Σ's spectrum (default identity).

    Returns
    -------
    System
        Unknown ``kappa`` (domain positive; plus ``m_pop`` for a law), parameters ``q``, ``ridge``,
        ``noise``, ``signal``; observables ``df1``, ``df2``, ``test_error``, ``train_error``,
        ``bias``, ``variance``, ``gcv``.  The κ equation is derived from the Wishart S-transform.
    """
    q, lam, s2, sig = (SYMBOLS[k] for k in ("q", "ridge", "noise", "signal"))
    spec = population_spectrum(spectrum)
    k = KAPPA
    eq = kappa_equation(spec.df1, k, lam, [q])
    gamma = q * spec.df2
    bias = k**2 * sig * spec.t2 / (1 - gamma)
    variance = gamma * s2 / (1 - gamma)
    test = (k**2 * sig * spec.t2 + s2) / (1 - gamma)
    train = (lam / k) ** 2 * test
    # GCV = train/(1 − q·df1)²; on the solution 1 − q·df1(κ) = λ/κ (the κ equation), and that
    # form is stable: 1 − q·df1 cancels catastrophically when λ ≪ κ (e.g. q = 1e3, λ = 1e-10).
    obs = {"df1": spec.df1, "df2": spec.df2, "test_error": test, "train_error": train,
           "bias": bias, "variance": variance, "gcv": train * (k / lam) ** 2}
    k0 = lam + q
    initial = {k: k0, **(spec.initial(k0) if spec.initial else {})}
    return System([eq, *spec.equations], [k, *spec.unknowns], [q, lam, s2, sig], observables=obs,
                  domains={k: "positive", **spec.domains}, initial=initial, name="ridge")


def _compiled(spectrum: Any):
    return ridge_system(spectrum).compile()   # System.compile is memoized on the system's fingerprint


def solve_ridge(q: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0, spectrum: Any = None,
                strict: bool = False):
    """Solve the ridge deterministic equivalent on a broadcast grid of parameters.

    Parameters
    ----------
    q : float or array, > 0
        N/P (dimension over samples).
    ridge : float or array, > 0
        λ in ``(1/P)‖y − Xw‖² + λ‖w‖²``.
    noise : float or array, >= 0
        σ², the label-noise variance.
    signal : float or array, >= 0
        ``‖w̄‖²``.
    spectrum : None, a ``(points, weights)`` pair or AlgebraicLaw
        Σ's spectrum (default identity).
    strict : bool
        Raise :class:`~symrmt.errors.ConvergenceError` if a point does not converge
        (default: the point is flagged in ``converged`` and its values are NaN).

    Returns
    -------
    SolveResult
        ``res["kappa"]``, ``res["test_error"]``, ... (see :func:`ridge_system`), ``res.converged``.
    """
    vals = broadcast({"q": checked("q", q, "positive"), "ridge": checked("ridge", ridge, "positive"),
                      "noise": checked("noise", noise, "nonnegative"),
                      "signal": checked("signal", signal, "nonnegative")})
    return _compiled(spectrum).solve(strict=strict, **vals)
