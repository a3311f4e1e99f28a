"""Finite-size scaling of a theory-vs-simulation error, and the verdict it supports.

A limit theorem says the error ``e(n)`` between the simulation at size n and the theory tends to
0; the finite-size correction decays like ``n^{-p}`` (``p = 1`` for the Kolmogorov–Smirnov
distance of a bulk-regular spectrum, by eigenvalue rigidity — Erdős, Yau & Yin 2012,
arXiv 1007.4652 — up to a log factor; ``p = 1/2`` for a Monte-Carlo average dominated by
fluctuations).  A wrong formula instead leaves an error that does not vanish: a plateau.

So on a ladder of sizes we fit two models and decide between them:

1. a power law ``log e = a + b log n`` (ordinary least squares); its slope b with a standard error
   combining the fit residuals and the trial-to-trial uncertainty of each point;
2. a plateau model ``e = δ + C n^{-p}`` — or ``δ + C n^{-p} log n`` with ``log_correction``,
   the form rigidity predicts for the KS distance of a spectrum — (weighted least squares,
   weights from each point's standard error plus a 5 % model floor, standard errors inflated by
   the reduced χ² when it exceeds 1); δ is the part of the error that does not vanish as n → ∞.
   Without the log factor, a log-corrected decay would leak into δ as a spurious plateau.

Verdict:

* **disagrees** — the error has a plateau: ``δ > 3 SE(δ)`` and ``δ ≥ ½ e(n_max)`` (most of
  the error at the largest size is not finite-size); or the slope is flat (``b > −p/4``) while
  the error at the largest size is significant (``> 3`` of its standard errors).
* **agrees** — the error decays: ``b + 2 SE(b) < −p/4`` and ``b < −p/2``, and no significant
  plateau (``δ < ½ e(n_max)`` or ``δ ≤ 3 SE(δ)``).
* **inconclusive** — anything else (too few sizes, noisy slope, a partial plateau); the reasons
  name what failed.

With fewer than 3 sizes the verdict is inconclusive: two points cannot separate a decay from a
plateau with an uncertainty.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from ..errors import ParameterError

__all__ = ["FiniteSizeFit", "finite_size_scaling", "bias_scaling", "pooled_stderrs", "VERDICTS"]

VERDICTS = ("agrees", "disagrees", "inconclusive")


@dataclass
class FiniteSizeFit:
    """Result of :func:`finite_size_scaling` (all numbers plain floats, JSON-ready)."""

    sizes: list
    errors: list
    stderrs: list
    expected_rate: float
    slope: float
    slope_se: float
    intercept: float
    plateau: float
    plateau_se: float
    verdict: str
    reasons: list = field(default_factory=list)
    model: str = "power"
    amplitude: float = float("nan")

    def to_dict(self) -> dict:
        return asdict(self)

    def predict(self, n) -> np.ndarray:
        """The fitted curve at sizes ``n``: ``exp(a) n^b`` (model "power") or ``δ + C n^{-p}`` ("bias")."""
        n = np.asarray(n, dtype=float)
        if self.model == "bias":
            return self.plateau + self.amplitude * n ** (-self.expected_rate)
        return np.exp(self.intercept) * n ** self.slope


def _power_fit(n, e, s):
    x, y = np.log(n), np.log(e)
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    b = float(((x - xm) * (y - y.mean())).sum() / sxx)
    a = float(y.mean() - b * xm)
    k = len(n)
    resid = y - (a + b * x)
    var_fit = float((resid**2).sum() / (k - 2) / sxx) if k > 2 else 0.0
    c = (x - xm) / sxx
    var_noise = float((c**2 * (s / e) ** 2).sum())
    return b, math.sqrt(var_fit + var_noise), a


def _plateau_fit(n, e, s, p, log_correction, floor=0.05):
    """Weighted least squares of ``e = δ + C n^{-p}`` (times log n with ``log_correction``); returns
    δ, SE(δ), C.  Weights: each point's standard error plus a relative model floor."""
    sig = np.sqrt(s**2 + (floor * e) ** 2 + 1e-300)
    X = np.column_stack([np.ones_like(n), n ** (-p) * (np.log(n) if log_correction else 1.0)])
    W = 1.0 / sig**2
    A = X.T @ (X * W[:, None])
    coef = np.linalg.solve(A, X.T @ (W * e))
    cov = np.linalg.inv(A)
    k = len(n)
    chi2 = float((W * (e - X @ coef) ** 2).sum())
    if k > 2:
        cov = cov * max(1.0, chi2 / (k - 2))
    return float(coef[0]), float(math.sqrt(cov[0, 0])), float(coef[1])


def finite_size_scaling(sizes: Sequence[int], errors: Sequence[float], stderrs: Sequence[float] | None = None,
                        expected_rate: float = 1.0, log_correction: bool = False) -> FiniteSizeFit:
    """Fit the error-vs-size ladder and return slope, plateau and verdict (see the module docstring).

    Parameters
    ----------
    sizes : increasing positive integers (at least 2 distinct)
    errors : positive mean errors at each size
    stderrs : their standard errors over trials (default 0)
    expected_rate : p > 0, the decay ``n^{-p}`` a correct theory shows
    log_correction : the finite-size term is ``n^{-p} log n`` (KS distance of a spectrum)
    """
    n, e, s = _check_ladder(sizes, errors, stderrs, expected_rate, positive=True)
    p = float(expected_rate)
    b, b_se, a = _power_fit(n, e, s)
    delta, delta_se, _ = _plateau_fit(n, e, s, p, log_correction)
    e_last, s_last = float(e[-1]), float(s[-1])
    reasons: list[str] = []
    plateau_sig = delta > 3 * delta_se
    plateau_big = delta >= 0.5 * e_last
    flat = b > -p / 4
    last_sig = s_last > 0 and e_last > 3 * s_last
    decays = b + 2 * b_se < -p / 4 and b < -p / 2
    reasons.append(f"log-log slope {b:.3f} ± {b_se:.3f} (a correct theory gives about {-p:g})")
    reasons.append(f"plateau δ = {delta:.3g} ± {delta_se:.3g} vs error {e_last:.3g} at n = {int(n[-1])}")
    if n.size < 3:
        verdict = "inconclusive"
        reasons.append("fewer than 3 sizes: a decay cannot be told from a plateau")
    elif plateau_sig and plateau_big:
        verdict = "disagrees"
        reasons.append("the error does not vanish as n grows: a significant plateau carries at least half "
                       "of the error at the largest size")
    elif flat and last_sig:
        verdict = "disagrees"
        reasons.append("the error is flat in n while significantly non-zero at the largest size")
    elif decays and not (plateau_sig and plateau_big):
        verdict = "agrees"
        reasons.append(f"the error decays like n^{b:.2f}, consistent with finite-size effects, and no "
                       "significant plateau remains")
    else:
        verdict = "inconclusive"
        if not decays:
            reasons.append("the slope is not clearly negative enough to show a decay (more sizes or trials needed)")
        if plateau_sig:
            reasons.append("a small but significant plateau is present")
    return FiniteSizeFit(sizes=[int(x) for x in n], errors=e.tolist(), stderrs=s.tolist(), expected_rate=p,
                         slope=b, slope_se=b_se, intercept=a, plateau=delta, plateau_se=delta_se,
                         verdict=verdict, reasons=reasons)


def _check_ladder(sizes, values, stderrs, rate, positive: bool):
    n = np.asarray(sizes, dtype=float)
    e = np.asarray(values, dtype=float)
    s = np.zeros_like(e) if stderrs is None else np.asarray(stderrs, dtype=float)
    if n.ndim != 1 or n.size < 2 or e.shape != n.shape or s.shape != n.shape:
        raise ParameterError("sizes, errors, stderrs: need equal-length 1-d sequences with at least 2 sizes")
    if len(set(n.tolist())) != n.size or np.any(n <= 0):
        raise ParameterError(f"sizes: must be distinct positive numbers, got {list(sizes)}")
    if np.any(~np.isfinite(e)) or (positive and np.any(e <= 0)):
        raise ParameterError(f"errors: must be finite{' and > 0' if positive else ''}, got {list(values)}")
    if np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ParameterError(f"stderrs: must be finite and >= 0, got {list(s)}")
    if not rate > 0:
        raise ParameterError(f"expected_rate: must be > 0, got {rate}")
    order = np.argsort(n)
    return n[order], e[order], s[order]


def pooled_stderrs(sizes: Sequence[int], samples: Sequence[Sequence[float]], fluctuation_rate: float = 0.5
                   ) -> np.ndarray:
    """Standard errors of per-size means when the trial-to-trial spread scales like ``n^{-r}``.

    A self-averaging observable fluctuates by ``σ0 n^{-r}`` (``r = 1/2`` by the central limit
    theorem); pooling all sizes estimates σ0 with ``Σ (T_i − 1)`` degrees of freedom instead of
    ``T_i − 1`` per size, so that a handful of trials per size does not give a spuriously small
    standard error.  Returns ``σ0 n_i^{-r} / √T_i``.
    """
    n = np.asarray(sizes, dtype=float)
    if len(samples) != n.size:
        raise ParameterError("samples: need one sequence of trials per size")
    xs = [np.asarray(x, dtype=float).ravel() for x in samples]
    dof = sum(x.size - 1 for x in xs)
    if dof < 1:
        raise ParameterError("samples: need at least 2 trials at some size to estimate the spread")
    ss = sum(float(((x - x.mean()) ** 2).sum()) * ni ** (2 * fluctuation_rate) for x, ni in zip(xs, n))
    sigma0 = math.sqrt(ss / dof)
    return np.array([sigma0 * ni ** (-fluctuation_rate) / math.sqrt(x.size) for x, ni in zip(xs, n)])


def bias_scaling(sizes: Sequence[int], deviations: Sequence[float], stderrs: Sequence[float],
                 bias_rate: float = 1.0, resolution: float = 0.05) -> FiniteSizeFit:
    """Verdict for a scalar observable from its *signed* relative deviation from theory at each size.

    At size n the simulation estimates ``E_sim(n)`` with a standard error over trials; the signed
    relative deviation ``d(n) = (E_sim(n) − E_theory)/E_theory`` of a correct deterministic
    equivalent is a finite-size bias ``C n^{-q}`` (``q = bias_rate``, 1 for the leading correction of
    a self-averaging quantity) plus Monte-Carlo noise of known standard error.  A wrong formula
    leaves ``d(∞) = δ ≠ 0``.  We fit ``d = δ + C n^{-q}`` by weighted least squares (standard errors
    inflated by the reduced χ² when it exceeds 1) and decide:

    * **disagrees** — ``|δ| > 3 SE(δ)``: a significant deviation survives the extrapolation n → ∞;
    * **agrees** — ``|δ| ≤ 3 SE(δ)`` and ``3 SE(δ) ≤ resolution``: no deviation, and the ladder was
      precise enough to have detected a relative error of ``resolution``;
    * **inconclusive** — otherwise (too noisy to tell; more trials or sizes needed), or fewer than
      3 sizes.

    This is more powerful than fitting the decay of ``|E_trial − E_theory|``, whose mean is
    dominated by trial-to-trial fluctuations (``n^{-1/2}``) and hides a small systematic error.

    Parameters
    ----------
    sizes : increasing positive sizes
    deviations : signed relative deviations ``d(n)`` (mean over trials)
    stderrs : their standard errors over trials
    bias_rate : q > 0 in the finite-size bias ``C n^{-q}``
    resolution : relative error the verification must be able to detect to say "agrees"

    Returns
    -------
    FiniteSizeFit
        with ``model = "bias"``, ``plateau = δ``, ``amplitude = C``; ``slope`` is the log–log slope
        of ``|d(n)|`` for information (undefined, NaN, if some ``d(n) = 0``).
    """
    n, d, s = _check_ladder(sizes, deviations, stderrs, bias_rate, positive=False)
    if not resolution > 0:
        raise ParameterError(f"resolution: must be > 0, got {resolution}")
    q = float(bias_rate)
    if np.all(d != 0):
        b, b_se, a = _power_fit(n, np.abs(d), s)
    else:
        b = b_se = a = float("nan")
    delta, delta_se, amp = _plateau_fit(n, d, s, q, False, floor=0.0)
    reasons = [f"extrapolated relative deviation δ = d(∞) = {delta:.3g} ± {delta_se:.2g} from d(n) = δ + C n^-{q:g} "
               f"(C = {amp:.3g})",
               f"relative deviation at n = {int(n[-1])}: {d[-1]:.3g} ± {s[-1]:.2g}"]
    if n.size < 3:
        verdict = "inconclusive"
        reasons.append("fewer than 3 sizes: the finite-size bias cannot be extrapolated with an uncertainty")
    elif abs(delta) > 3 * delta_se:
        verdict = "disagrees"
        reasons.append(f"the deviation does not vanish as n grows: |δ| > 3 SE(δ) = {3 * delta_se:.2g}")
    elif 3 * delta_se <= resolution:
        verdict = "agrees"
        reasons.append(f"δ is consistent with 0, and a relative error above 3 SE(δ) = {3 * delta_se:.2g} "
                       f"(resolution {resolution:g}) would have been detected")
    else:
        verdict = "inconclusive"
        reasons.append(f"δ is consistent with 0 but 3 SE(δ) = {3 * delta_se:.2g} exceeds the resolution "
                       f"{resolution:g}: more trials or sizes needed")
    return FiniteSizeFit(sizes=[int(x) for x in n], errors=d.tolist(), stderrs=s.tolist(), expected_rate=q,
                         slope=b, slope_se=b_se, intercept=a, plateau=delta, plateau_se=delta_se,
                         verdict=verdict, reasons=reasons, model="bias", amplitude=amp)
