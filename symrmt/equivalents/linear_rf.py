"""Linear random features with ensembles (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592).

Input dimension D, N random features, P samples: ``F`` of size D×N with entries of variance
1/N, features ``z = Fᵀx``, loss ``(1/P)‖y − Za‖² + λ‖a‖²``; ``α = D/P``, ``β = D/N``;
``y = w̄·x + ε`` with ``‖w̄‖² = signal`` (isotropic), ``Var ε = noise``.

* κ: the S-transforms of the two free Wishart factors multiply,
  ``λ = κ(1 − α·df1)(1 − β·df1)`` (df of Σ at κ);
* infinite ensemble: ``E_∞ = [κ² signal t2 + σ²]/(1 − α·df2)``;
* one model: ``ρ = (1 − β df1)/(1 − β df2)``, ``γ₁ = α(df1 − ρ(df1 − df2))``,
  ``E_1 = [ρ κ² signal t2 + (1 − ρ) κ signal df1 + σ²]/(1 − γ₁)``;
* K models: ``E_K = E_∞ + (E_1 − E_∞)/K`` (test error on a fresh noisy point).

As β → 0 (infinitely many features) ρ → 1 and the equations reduce to :mod:`.ridge` with q = α.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..symbolic.system import System
from .._checks import broadcast, checked
from .spectrum import KAPPA, kappa_equation, population_spectrum

__all__ = ["linear_random_features_system", "solve_linear_random_features", "SYMBOLS"]

SYMBOLS = {name: sp.Symbol(name, positive=True) for name in ("alpha", "beta", "ridge", "noise", "signal")}
SYMBOLS["inv_ensemble"] = sp.Symbol("inv_ensemble", nonnegative=True)

def linear_random_features_system(spectrum: Any = None) -> System:
    """The linear-random-features equivalent as a :class:`~symrmt.symbolic.system.System`.

    Unknown ``kappa``; parameters ``alpha``, ``beta``, ``ridge``, ``noise``, ``signal``,
    ``inv_ensemble`` (= 1/K); observables ``df1``, ``df2``, ``test_error_inf``,
    ``test_error_single``, ``test_error``.
    """
    al, be, lam, s2, sig, ik = (SYMBOLS[k] for k in ("alpha", "beta", "ridge", "noise", "signal",
                                                      "inv_ensemble"))
    spec = population_spectrum(spectrum)
    k = KAPPA
    df1, df2, t2 = spec.df1, spec.df2, spec.t2
    eq = kappa_equation(df1, k, lam, [al, be])
    e_inf = (k**2 * sig * t2 + s2) / (1 - al * df2)
    rho = (1 - be * df1) / (1 - be * df2)
    g1 = al * (df1 - rho * (df1 - df2))
    e_1 = (rho * k**2 * sig * t2 + (1 - rho) * k * sig * df1 + s2) / (1 - g1)
    obs = {"df1": df1, "df2": df2, "test_error_inf": e_inf, "test_error_single": e_1,
           "test_error": e_inf + (e_1 - e_inf) * ik}
    k0 = lam + al + be
    initial = {k: k0, **(spec.initial(k0) if spec.initial else {})}
    return System([eq, *spec.equations], [k, *spec.unknowns], [al, be, lam, s2, sig, ik], observables=obs,
                  domains={k: "positive", **spec.domains}, initial=initial, name="linear_random_features")


def _inv_ensemble(ensemble: Any) -> np.ndarray:
    arr = np.asarray(ensemble, dtype=float)
    if np.any(np.isnan(arr)) or np.any(arr < 1) or np.any((arr != np.floor(arr)) & np.isfinite(arr)):
        raise ParameterError(f"ensemble: must be an integer >= 1 or inf, got {ensemble!r}")
    return np.where(np.isinf(arr), 0.0, 1.0 / np.where(np.isinf(arr), 1.0, arr))


def solve_linear_random_features(alpha: Any, beta: Any, ridge: Any, noise: Any = 0.0, signal: Any = 1.0,
                                 ensemble: Any = 1, spectrum: Any = None, strict: bool = False):
    """Solve the linear-random-features equivalent on a broadcast parameter grid.

    Parameters
    ----------
    alpha : > 0 (D/P);  beta : > 0 (D/N);  ridge : > 0 (λ);  noise : >= 0 (σ²);
    signal : >= 0 (‖w̄‖²);  ensemble : integer >= 1 or ``inf`` (K)
    spectrum : None (identity), a ``(points, weights)`` pair or AlgebraicLaw — the input covariance Σ.

    Returns
    -------
    SolveResult
        ``res["kappa"]``, ``res["test_error"]`` (ensemble of K), ``res["test_error_single"]``,
        ``res["test_error_inf"]``; non-converged points are flagged (``res.converged``).
    """
    vals = broadcast({"alpha": checked("alpha", alpha, "positive"), "beta": checked("beta", beta, "positive"),
                      "ridge": checked("ridge", ridge, "positive"),
                      "noise": checked("noise", noise, "nonnegative"),
                      "signal": checked("signal", signal, "nonnegative"),
                      "inv_ensemble": _inv_ensemble(ensemble)})
    return linear_random_features_system(spectrum).compile().solve(strict=strict, **vals)
