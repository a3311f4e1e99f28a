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

__all__ = ["FiniteSizeFit", "finite_size_scaling", "VERDICTS"]

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

    def to_dict(self) -> dict:
        return asdict(self)

    def predict(self, n) -> np.ndarray:
        """Power-law fit ``exp(a) n^b`` at sizes ``n``."""
        return np.exp(self.intercept) * np.asarray(n, dtype=float) ** self.slope


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


def _plateau_fit(n, e, s, p, log_correction):
    sig = np.sqrt(s**2 + (0.05 * e) ** 2)
    X = np.column_stack([np.ones_like(n), n ** (-p) * (np.log(n) if log_correction else 1.0)])
    W = 1.0 / sig**2
    A = X.T @ (X * W[:, None])
    coef = np.linalg.solve(A, X.T @ (W * e))
    cov = np.linalg.inv(A)
    k = len(n)
    chi2 = float((W * (e - X @ coef) ** 2).sum())
    if k > 2:
        cov = cov * max(1.0, chi2 / (k - 2))
    return float(coef[0]), float(math.sqrt(cov[0, 0]))


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
    n = np.asarray(sizes, dtype=float)
    e = np.asarray(errors, dtype=float)
    s = np.zeros_like(e) if stderrs is None else np.asarray(stderrs, dtype=float)
    if n.ndim != 1 or n.size < 2 or e.shape != n.shape or s.shape != n.shape:
        raise ParameterError("sizes, errors, stderrs: need equal-length 1-d sequences with at least 2 sizes")
    if len(set(n.tolist())) != n.size or np.any(n <= 0):
        raise ParameterError(f"sizes: must be distinct positive numbers, got {list(sizes)}")
    if np.any(~np.isfinite(e)) or np.any(e <= 0):
        raise ParameterError(f"errors: must be finite and > 0, got {list(errors)}")
    if np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ParameterError(f"stderrs: must be finite and >= 0, got {list(s)}")
    if not expected_rate > 0:
        raise ParameterError(f"expected_rate: must be > 0, got {expected_rate}")
    order = np.argsort(n)
    n, e, s = n[order], e[order], s[order]
    p = float(expected_rate)
    b, b_se, a = _power_fit(n, e, s)
    delta, delta_se = _plateau_fit(n, e, s, p, log_correction)
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
