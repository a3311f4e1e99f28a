"""Risk of ridge on a representation of real data: measured spectrum, deterministic equivalent,
GCV and held-out risk.

The data set's M points with their representation (a feature matrix Φ, or a kernel matrix K) are
taken as the population (Wei, Hu & Steinhardt, arXiv 2203.06176, §3; Schröder et al., arXiv
2402.13999 for empirical feature covariances):

* the **spectrum**: eigenvalues ``ω_i`` of ``K/M`` (``K = ΦΦᵀ`` for features; computed from the
  p × p covariance ``ΦᵀΦ/M`` when p < M), as a :func:`symrmt.measures.empirical` measure;
* the **source**: the target's squared coefficients ``c_i² = (u_iᵀy)²/M`` on the unit-norm
  eigenvectors ``u_i`` (mean over the outputs of a multi-output target), the weights of the source
  measure; the target power outside the kept modes, ``rest``, acts as noise;
* the **deterministic-equivalent ("omniscient") risk** of ridge with n samples and per-sample
  ridge λ̃ (predictor ``k(x)ᵀ(K_n + nλ̃ I)⁻¹y``): the κ equation ``λ̃ = κ(1 − df1(κ)/n)`` — the
  ridge equation ``λ = κ(1 − q·df1)`` of :mod:`symrmt.equivalents.ridge` with q·df1 written as a
  sum over modes — and ``E = [rest + κ² Σ c_i²/(ω_i + κ)²]/(1 − df2(κ)/n)``, solved by
  :func:`symrmt.equivalents.solve_discrete`.  It is the risk on a fresh draw from the M points,
  which is a training point with probability n/M; the **held-out** prediction removes that part,
  ``E_held = (E − (n/M)·E_train)/(1 − n/M)`` with ``E_train = (λ̃/κ)² E``;
* **held-out risk** and **GCV** by repeated subsampling (:func:`subsample_risk`): n training
  points drawn without replacement, the mean squared error on the other M − n points, and
  ``GCV = (1/n)‖(I − S)y‖² / ((1/n) tr(I − S))²`` with ``S = K_n(K_n + nλ̃ I)⁻¹`` from the training
  points alone; means with Student-t 95 % intervals over the subsamples (i.i.d. given the data set).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .._checks import finite_array, integer, probability_weights
from ..errors import ParameterError
from ..equivalents import solve_discrete
from ..measures import Measure, empirical
from ..simulate.measurement import student_interval
from .features import check_features, check_kernel, check_targets

__all__ = ["DataSpectrum", "spectral_data", "SubsampleRisk", "subsample_risk", "risk_table", "EIGEN_CUTOFF"]

#: eigenvalues below this fraction of the largest are dropped (their target power goes into ``rest``)
EIGEN_CUTOFF = 1e-12


@dataclass(frozen=True)
class DataSpectrum:
    """The population spectrum and source of a representation with its target.

    Attributes
    ----------
    eigenvalues : numpy.ndarray
        ``ω_i`` of ``K/M`` in decreasing order (those above ``EIGEN_CUTOFF·ω_1``).
    coef2 : numpy.ndarray
        ``c_i²`` (mean over the outputs), one per eigenvalue.
    rest : float
        Target power ``(1/M)‖y‖² − Σ c_i²`` (mean over outputs) outside the kept modes.
    points : int
        M, the number of data points.
    outputs : int
        Number of target columns.
    """

    eigenvalues: np.ndarray
    coef2: np.ndarray
    rest: float
    points: int
    outputs: int
    power: float = field(default=0.0)

    def measure(self) -> Measure:
        """The empirical spectrum: the eigenvalues with equal weights."""
        return empirical(self.eigenvalues)

    def source(self) -> Measure:
        """The source measure: the eigenvalues weighted by ``c_i²/Σ c_j²``."""
        total = float(self.coef2.sum())
        if total <= 0:
            raise ParameterError("targets: the target has no power on the representation's modes")
        return empirical(self.eigenvalues, probability_weights("coef2", self.coef2 / total))

    def risk(self, n: Any, ridge: Any, heldout: bool = True, noise: Any = 0.0) -> dict:
        """The deterministic-equivalent risk at ``n`` samples and per-sample ridge ``ridge``.

        Parameters
        ----------
        n : int or array, 1 <= n < M (held-out) or n >= 1
        ridge : float or array, > 0
            λ̃ (arrays broadcast with ``n``).
        heldout : bool
            Return the held-out prediction (default) rather than the risk on a fresh draw from the
            M points.
        noise : float >= 0
            Extra label-noise variance on the test point (0 for a fixed data set).

        Returns
        -------
        dict
            ``test_error`` (held-out if ``heldout``), ``population_error``, ``train_error``,
            ``kappa``, ``df1``, ``df2``, ``converged`` — arrays of the broadcast shape.

        Raises
        ------
        ParameterError
            ``n`` out of range, ``ridge <= 0``.
        """
        nn = np.asarray(finite_array("n", n), dtype=float)
        if np.any(nn < 1) or (heldout and np.any(nn >= self.points)):
            bad = float(nn[(nn < 1) | ((nn >= self.points) if heldout else False)].ravel()[0])
            raise ParameterError(f"n: training samples must be in [1, {self.points - 1}] (fewer than the "
                                 f"{self.points} data points, leaving held-out points), got {bad:g}")
        lam = np.asarray(finite_array("ridge", ridge), dtype=float)
        nn, lam = (np.array(a) for a in np.broadcast_arrays(nn, lam))   # writable copies for the solver
        res = solve_discrete(self.eigenvalues, self.coef2, nn, lam, noise, self.rest)
        pop = np.asarray(res["test_error"])
        train = (lam / res["kappa"]) ** 2 * pop
        frac = np.broadcast_to(nn, pop.shape) / self.points
        held = (pop - frac * train) / (1 - frac) if heldout else pop
        return {"test_error": held, "population_error": pop, "train_error": train, "kappa": res["kappa"],
                "df1": res["df1"], "df2": res["df2"], "converged": res.converged}


def _targets_power(Y: np.ndarray) -> float:
    return float((Y**2).sum(axis=0).mean() / Y.shape[0])


def spectral_data(targets: Any, features: Any = None, kernel: Any = None) -> DataSpectrum:
    """The spectrum and source of a representation (a feature matrix or a kernel matrix).

    Parameters
    ----------
    targets : array (M,) or (M, k)
        Labels (e.g. centred one-hot, :func:`~symrmt.data.one_hot`).
    features : array (M, p), optional
        Feature matrix Φ (the linear kernel ``ΦΦᵀ``).
    kernel : array (M, M), optional
        Symmetric positive semi-definite kernel matrix.  Exactly one of ``features``, ``kernel``.

    Returns
    -------
    DataSpectrum

    Raises
    ------
    ParameterError
        Both or neither representation; NaN/inf; targets with another number of rows; a kernel
        that is not symmetric positive semi-definite (each naming the argument).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
    >>> s = spectral_data(X[:, 0] + 2 * X[:, 1], features=X)
    >>> s.eigenvalues.size, round(s.rest, 12)
    (2, 0.0)
    """
    M, V, omega = _decompose(features, kernel)
    Y = check_targets(targets, M)
    C = V.T @ Y / np.sqrt(M)                    # c_i per output, on unit-norm eigenvectors
    coef2 = (C**2).mean(axis=1)
    power = _targets_power(Y)
    rest = max(power - float(coef2.sum()), 0.0)
    return DataSpectrum(omega, coef2, rest, M, Y.shape[1], power)


def _decompose(features: Any, kernel: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """``(M, U, ω)``: unit-norm eigenvectors (M × r) of ``K/M`` and its kept eigenvalues, decreasing."""
    if (features is None) == (kernel is None):
        raise ParameterError("features, kernel: pass exactly one representation (a feature matrix or a kernel matrix)")
    if kernel is not None:
        K = check_kernel(kernel)
        M = K.shape[0]
        w, U = np.linalg.eigh(K / M)
    else:
        F = check_features(features)
        M, p = F.shape
        if p < M:
            w, Vp = np.linalg.eigh(F.T @ F / M)
            keep = w > EIGEN_CUTOFF * max(w.max(), 0.0)
            w, Vp = w[keep], Vp[:, keep]
            U = F @ Vp / np.sqrt(M * w)
        else:
            w, U = np.linalg.eigh(F @ F.T / M)
    if not w.size or w.max() <= 0:
        raise ParameterError("features, kernel: the representation is identically zero")
    keep = w > EIGEN_CUTOFF * w.max()
    order = np.argsort(w[keep])[::-1]
    return M, U[:, keep][:, order], w[keep][order]


def _gram(features: Any, kernel: Any) -> np.ndarray:
    if (features is None) == (kernel is None):
        raise ParameterError("features, kernel: pass exactly one representation (a feature matrix or a kernel matrix)")
    if kernel is not None:
        return check_kernel(kernel)
    F = check_features(features)
    return F @ F.T


@dataclass
class SubsampleRisk:
    """Held-out risk, GCV and training error of ridge over repeated subsamples.

    Attributes
    ----------
    sizes, ridges : numpy.ndarray
        The n and λ̃ grids.
    heldout, gcv, train : numpy.ndarray
        Shape (len(sizes), len(ridges), subsamples): per subsample, mean over outputs.
    subsamples, seed, points : int
    """

    sizes: np.ndarray
    ridges: np.ndarray
    heldout: np.ndarray
    gcv: np.ndarray
    train: np.ndarray
    subsamples: int
    seed: int
    points: int

    def _values(self, name: str) -> np.ndarray:
        if name not in ("heldout", "gcv", "train"):
            raise ParameterError(f"name: must be 'heldout', 'gcv' or 'train', got {name!r}")
        return getattr(self, name)

    def mean(self, name: str = "heldout") -> np.ndarray:
        """Mean over subsamples, shape (sizes, ridges)."""
        return self._values(name).mean(axis=-1)

    def interval(self, name: str = "heldout", level: float = 0.95) -> np.ndarray:
        """Student-t interval of the mean over subsamples: shape (sizes, ridges, 2) (low, high)."""
        v = self._values(name)
        out = np.empty(v.shape[:2] + (2,))
        for i in range(v.shape[0]):
            for j in range(v.shape[1]):
                e = student_interval(v[i, j], level)
                out[i, j] = e["low"], e["high"]
        return out


def subsample_risk(targets: Any, sizes: Sequence[int], ridges: Sequence[float], features: Any = None,
                   kernel: Any = None, subsamples: int = 20, seed: int = 0) -> SubsampleRisk:
    """Held-out risk and GCV of ridge by repeated subsampling.

    Parameters
    ----------
    targets : array (M,) or (M, k)
    sizes : sequence of int
        Training-set sizes n, ``2 <= n <= M − 1``.
    ridges : sequence of float > 0
        Per-sample ridges λ̃ (predictor ``k(x)ᵀ(K_n + nλ̃ I)⁻¹y``).
    features, kernel
        The representation (exactly one; see :func:`spectral_data`).
    subsamples : int >= 2
        Independent training sets per size (NumPy generator seeded with ``seed``).
    seed : int >= 0

    Returns
    -------
    SubsampleRisk

    Raises
    ------
    ParameterError
        A size above M − 1 ("fewer samples than the requested n"), bad ridges, bad representation
        or targets (naming the argument).
    """
    K = _gram(features, kernel)
    M = K.shape[0]
    Y = check_targets(targets, M)
    ns = np.atleast_1d(finite_array("sizes", sizes)).ravel()
    if ns.size == 0:
        raise ParameterError("sizes: need at least one training-set size")
    for v in ns:
        if v != int(v) or v < 2 or v > M - 1:
            raise ParameterError(f"sizes: each n must be an integer in [2, {M - 1}] (the data set has {M} points and "
                                 f"needs at least one held out), got n = {v:g}")
    lams = np.atleast_1d(finite_array("ridges", ridges)).ravel()
    if lams.size == 0 or np.any(lams <= 0):
        raise ParameterError(f"ridges: need one or more values > 0, got {lams.tolist()}")
    R = integer("subsamples", subsamples, low=2)
    rng = np.random.default_rng(integer("seed", seed, low=0))
    shape = (ns.size, lams.size, R)
    held, gcv, train = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, n in enumerate(ns.astype(int)):
        for r in range(R):
            perm = rng.permutation(M)
            tr, te = perm[:n], perm[n:]
            e, V = np.linalg.eigh(K[np.ix_(tr, tr)])
            e = np.clip(e, 0.0, None)
            A = V.T @ Y[tr]
            B = K[np.ix_(te, tr)] @ V
            for j, lam in enumerate(lams):
                shrink = n * lam / (e + n * lam)        # eigenvalues of I − S
                resid = V @ (shrink[:, None] * A)
                pred = B @ (A / (e + n * lam)[:, None])
                held[i, j, r] = float(((Y[te] - pred) ** 2).mean())
                tr_mse = float((resid**2).mean())
                train[i, j, r] = tr_mse
                gcv[i, j, r] = tr_mse / (shrink.sum() / n) ** 2
    return SubsampleRisk(ns.astype(int), lams, held, gcv, train, R, int(seed), M)


def risk_table(spectrum: DataSpectrum, measured: SubsampleRisk) -> list[dict]:
    """One row per (n, λ̃): held-out mean with its 95 % interval, mean GCV, the deterministic
    equivalent (held-out prediction), and whether each lies inside the held-out interval; the
    relative deviations ``(x − held-out)/held-out``."""
    de = spectrum.risk(measured.sizes[:, None], measured.ridges[None, :])["test_error"]
    mean, ci = measured.mean("heldout"), measured.interval("heldout")
    g = measured.mean("gcv")
    rows = []
    for i, n in enumerate(measured.sizes):
        for j, lam in enumerate(measured.ridges):
            lo, hi = ci[i, j]
            m = mean[i, j]
            rows.append({"n": int(n), "ridge": float(lam), "heldout": float(m), "ci95": [float(lo), float(hi)],
                         "gcv": float(g[i, j]), "de": float(de[i, j]),
                         "gcv_in_ci": bool(lo <= g[i, j] <= hi), "de_in_ci": bool(lo <= de[i, j] <= hi),
                         "gcv_rel": float((g[i, j] - m) / m), "de_rel": float((de[i, j] - m) / m)})
    return rows
