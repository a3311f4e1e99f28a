"""Power-law fits of a measured spectrum and source, and the scaling of the risk with n.

For a spectrum ``ω_k ≈ A k^{-α}`` and a source ``c_k² ≈ B k^{-β}`` (squared target coefficients on
the unit-norm eigenvectors, :mod:`symrmt.data.spectrum`):

* α is the negative slope of ``log ω_k`` against ``log k`` on a fit range ``[k_min, k_max]``;
* β is fitted on the tail sums ``T(k) = Σ_{j>k} c_j² ≈ B (k + ½)^{1−β}/(β − 1)``, which average
  the large mode-to-mode fluctuations of single coefficients;
* the default fit range starts at ``k_min = 2`` and ends at the last k with
  ``ω_k >= 10 Σ_j ω_j / M`` (at most M/10): below that level the finite sample of M points
  distorts the eigenvalues (Marchenko–Pastur spreading) by more than a few per cent;
* uncertainties: the standard deviation of the exponents over a bootstrap of the data rows
  (:func:`fit_exponents`; the fit range is held fixed), or OLS residual errors for a single array
  (:func:`fit_power_law`, which ignores the correlation of neighbouring eigenvalues and
  underestimates the error);
* for ridge with a small ridge and no label noise, the risk decays like ``n^{-min(β − 1, 2α)}``
  (Bordelon, Canatar & Pehlevan, arXiv 2002.02561; Cui et al., arXiv 2105.15004):
  :func:`predicted_risk_exponent`; :func:`fit_risk_exponent` fits a measured curve.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .._checks import finite_array, integer
from ..errors import ParameterError
from .spectrum import DataSpectrum, spectral_data

__all__ = ["PowerLawFit", "fit_power_law", "default_fit_range", "SpectrumFit", "fit_spectrum", "fit_exponents",
           "predicted_risk_exponent", "fit_risk_exponent"]


@dataclass(frozen=True)
class PowerLawFit:
    """``values_k ≈ amplitude · k^{-exponent}`` on ``k_min <= k <= k_max`` (k from 1).

    ``stderr`` is the exponent's standard error (``method`` says how it was obtained)."""

    exponent: float
    stderr: float
    amplitude: float
    k_min: int
    k_max: int
    method: str = "ols"

    def __call__(self, k: Any) -> np.ndarray:
        """The fitted power law at ``k``."""
        return self.amplitude * np.asarray(k, dtype=float) ** (-self.exponent)


def _check_range(k_range: Any, size: int) -> tuple[int, int]:
    try:
        lo, hi = k_range
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"k_range: must be a pair (k_min, k_max), got {k_range!r}") from exc
    lo = integer("k_range[0]", lo, low=1)
    hi = integer("k_range[1]", hi, low=lo + 2, high=size)
    return lo, hi


def fit_power_law(values: Any, k_range: Any, shift: float = 0.0) -> PowerLawFit:
    """Least-squares line through ``(log(k + shift), log values_k)`` for ``k_min <= k <= k_max``.

    Parameters
    ----------
    values : 1-d array, > 0 on the fit range (``values[0]`` is k = 1)
    k_range : (k_min, k_max), ``1 <= k_min``, ``k_max >= k_min + 2``, ``k_max <= len(values)``
    shift : float > -1
        Offset of the abscissa (``1/2`` for tail sums: ``Σ_{j>k} j^{-β} = (k + ½)^{1−β}/(β − 1)``
        up to a relative ``O(k^{-2})``).

    Returns
    -------
    PowerLawFit
        With the OLS standard error of the slope (``method="ols"``).

    Examples
    --------
    >>> import numpy as np
    >>> f = fit_power_law(3.0 * np.arange(1, 51) ** -1.5, (1, 50))
    >>> round(f.exponent, 10), round(f.amplitude, 10)
    (1.5, 3.0)
    """
    v = finite_array("values", values, ndim=1)
    lo, hi = _check_range(k_range, v.size)
    seg = v[lo - 1:hi]
    if np.any(seg <= 0):
        raise ParameterError(f"values: must be > 0 on the fit range k = {lo}..{hi}")
    if not shift > -1:
        raise ParameterError(f"shift: must be > -1, got {shift!r}")
    x, y = np.log(np.arange(lo, hi + 1, dtype=float) + shift), np.log(seg)
    A = np.stack([np.ones_like(x), x], 1)
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ coef
    dof = max(x.size - 2, 1)
    s2 = float(resid @ resid) / dof
    se = math.sqrt(s2 / float(((x - x.mean()) ** 2).sum()))
    return PowerLawFit(float(-coef[1]), se, float(math.exp(coef[0])), lo, hi, "ols")


def default_fit_range(spectrum: DataSpectrum) -> tuple[int, int]:
    """``(2, k_max)``: ``k_max`` the last k with ``ω_k >= 10 Σ ω / M``, capped at M/10 and at the
    number of modes (at least 4)."""
    om = spectrum.eigenvalues
    level = 10.0 * float(om.sum()) / spectrum.points
    k_max = int(np.count_nonzero(om >= level))
    k_max = min(k_max, spectrum.points // 10, om.size)
    if k_max < 4:
        raise ParameterError(f"spectrum: too few reliable modes for a power-law fit (k_max = {k_max}; need >= 4)")
    return 2, k_max


def _tail_sums(coef2: np.ndarray) -> np.ndarray:
    """``T(k) = Σ_{j>k} c_j²`` for k = 1..len (the last is 0)."""
    c = np.cumsum(coef2[::-1])[::-1]
    return np.append(c[1:], 0.0)


@dataclass(frozen=True)
class SpectrumFit:
    """Power-law fits of a spectrum (``alpha``) and of its source (``beta``, via the tail sums)."""

    spectrum: PowerLawFit
    tail: PowerLawFit
    bootstrap: int = 0

    @property
    def alpha(self) -> float:
        return self.spectrum.exponent

    @property
    def beta(self) -> float:
        """``β = 1 + (tail-sum exponent)``."""
        return 1.0 + self.tail.exponent

    @property
    def alpha_stderr(self) -> float:
        return self.spectrum.stderr

    @property
    def beta_stderr(self) -> float:
        return self.tail.stderr

    def k_range(self) -> tuple[int, int]:
        return self.spectrum.k_min, self.spectrum.k_max


def fit_spectrum(spectrum: DataSpectrum, k_range: Any = None) -> SpectrumFit:
    """α and β of a :class:`~symrmt.data.spectrum.DataSpectrum` with OLS errors on ``k_range``
    (default :func:`default_fit_range`)."""
    if not isinstance(spectrum, DataSpectrum):
        raise ParameterError(f"spectrum: must be a DataSpectrum (symrmt.data.spectral_data), got {type(spectrum).__name__}")
    rng = default_fit_range(spectrum) if k_range is None else _check_range(k_range, spectrum.eigenvalues.size)
    return SpectrumFit(fit_power_law(spectrum.eigenvalues, rng), fit_power_law(_tail_sums(spectrum.coef2), rng, 0.5))


def fit_exponents(targets: Any, features: Any, k_range: Any = None, bootstrap: int = 100,
                  seed: int = 0) -> SpectrumFit:
    """α and β of a feature matrix's spectrum and source, with bootstrap standard errors.

    Parameters
    ----------
    targets : array (M,) or (M, k);  features : array (M, p)
    k_range : (k_min, k_max) or None
        Fit range, held fixed over the bootstrap (default: :func:`default_fit_range` of the data).
    bootstrap : int >= 2
        Resamples of the M rows (with replacement).
    seed : int >= 0
        NumPy seed of the resampling.

    Returns
    -------
    SpectrumFit
        Exponents fitted on the data themselves; ``stderr`` the bootstrap standard deviations
        (``method="bootstrap"``).
    """
    F = np.asarray(features)
    spec = spectral_data(targets, features=features)
    base = fit_spectrum(spec, k_range)
    rng_k = base.k_range()
    B = integer("bootstrap", bootstrap, low=2)
    rng = np.random.default_rng(integer("seed", seed, low=0))
    Y = np.asarray(targets, dtype=float)
    al, be = [], []
    for _ in range(B):
        idx = rng.integers(0, spec.points, spec.points)
        s = spectral_data(Y[idx], features=F[idx])
        if s.eigenvalues.size < rng_k[1]:
            continue
        f = fit_spectrum(s, rng_k)
        al.append(f.alpha)
        be.append(f.beta)
    if len(al) < 2:
        raise ParameterError("bootstrap: fewer than 2 resamples kept the fit range's modes")
    sp_fit = PowerLawFit(base.alpha, float(np.std(al, ddof=1)), base.spectrum.amplitude, *rng_k, "bootstrap")
    tl_fit = PowerLawFit(base.tail.exponent, float(np.std(be, ddof=1)), base.tail.amplitude, *rng_k, "bootstrap")
    return SpectrumFit(sp_fit, tl_fit, B)


def predicted_risk_exponent(alpha: float, beta: float, alpha_stderr: float = 0.0,
                            beta_stderr: float = 0.0) -> tuple[float, float]:
    """``(r, se)`` with ``risk ∝ n^{-r}``, ``r = min(β − 1, 2α)`` (small ridge, no label noise)."""
    if beta - 1 <= 2 * alpha:
        return float(beta - 1), float(beta_stderr)
    return float(2 * alpha), float(2 * alpha_stderr)


def fit_risk_exponent(sizes: Sequence[float], risks: Sequence[float], stderrs: Sequence[float]) -> tuple[float, float]:
    """``(r, se)`` of ``risk ≈ C n^{-r}``: weighted least squares in log–log (weights from the
    relative standard errors), the error inflated by the reduced χ² when it exceeds 1."""
    n = finite_array("sizes", sizes, ndim=1)
    r = finite_array("risks", risks, ndim=1)
    s = finite_array("stderrs", stderrs, ndim=1)
    if not (n.size == r.size == s.size) or n.size < 3:
        raise ParameterError(f"sizes, risks, stderrs: need equal lengths >= 3, got {n.size}, {r.size}, {s.size}")
    if np.any(n <= 0) or np.any(r <= 0) or np.any(s <= 0):
        raise ParameterError("sizes, risks, stderrs: must be > 0")
    x, y, w = np.log(n), np.log(r), (r / s) ** 2
    A = np.stack([np.ones_like(x), x], 1)
    Aw = A * w[:, None]
    cov = np.linalg.inv(A.T @ Aw)
    coef = cov @ (Aw.T @ y)
    chi2 = float(((y - A @ coef) ** 2 * w).sum()) / max(n.size - 2, 1)
    return float(-coef[1]), float(math.sqrt(cov[1, 1] * max(chi2, 1.0)))
