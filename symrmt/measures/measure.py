"""Measures as data: a probability measure on the real line held as arrays of atoms and weights.

A :class:`Measure` is what a population spectrum is in practice: the eigenvalues of a data
covariance (:func:`empirical`), a power law ``scale·k^-exponent`` for ``k = 1..size``
(:func:`power_law`), or the quadrature nodes of a continuous law (:func:`~symrmt.measures.from_law`).
Its arrays are never expanded into symbolic work: inside a System it enters through
:func:`symrmt.expect`, compiled as a loop over the atoms with the arrays as run-time inputs.

Examples
--------
>>> import numpy as np
>>> from symrmt.measures import empirical, power_law
>>> mu = empirical([1.0, 3.0], weights=[0.25, 0.75])
>>> float(mu.mean), [float(v) for v in mu.moments(2)]
(2.5, [2.5, 7.0])
>>> pl = power_law(1.5, size=1000)
>>> pl.size, pl.support()[-1][1]
(1000, 1.0)
"""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from .._checks import finite_array, integer, nonnegative, positive
from ..errors import ParameterError

__all__ = ["Measure", "empirical", "power_law"]

_WEIGHT_ATOL = 1e-9  # allowed deviation of the weights' sum from 1 (float data rarely sums exactly)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


class Measure:
    """A probability measure ``Σ_i w_i δ_{x_i}`` (atoms, or the nodes of a quadrature rule).

    Parameters
    ----------
    points, weights
        1-d float arrays of equal length (validated by the constructors :func:`empirical`,
        :func:`power_law`, :func:`~symrmt.measures.from_law`; use those).
    kind
        ``"empirical"``, ``"power_law"`` or ``"law"``: the generated solvers are shared by every
        measure (one module per System, whatever the measure and its size); ``kind`` names
        where the arrays came from.
    description
        A short text for messages and reports.
    law, exact_support
        For a law-backed measure: the law and its support intervals (the nodes only
        approximate it).

    Attributes
    ----------
    points, weights : numpy.ndarray
        Read-only arrays.
    size : int
        Number of atoms (or nodes).
    digest : str
        sha256 of the kind and the arrays: equal measures compare equal inside expressions.
    """

    def __init__(self, points: np.ndarray, weights: np.ndarray, kind: str, description: str = "",
                 law: Any = None, exact_support: list | None = None) -> None:
        self.points = _readonly(points)
        self.weights = _readonly(weights)
        self.kind = kind
        self.description = description or kind
        self.law = law
        self._support = exact_support
        h = hashlib.sha256(kind.encode())
        h.update(self.points.tobytes())
        h.update(self.weights.tobytes())
        self.digest = h.hexdigest()

    @property
    def size(self) -> int:
        return int(self.points.size)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"Measure({self.description}; {self.size} atoms, mean {self.mean:.6g})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Measure) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    # ------------------------------------------------------------------ summaries
    def moments(self, k: int) -> np.ndarray:
        """The first ``k`` moments ``[E x, E x², ..., E x^k]`` (a float array)."""
        k = integer("k", k, low=1)
        powers = self.points[None, :] ** np.arange(1, k + 1)[:, None]
        return powers @ self.weights

    @property
    def mean(self) -> float:
        """``E x``."""
        return float(self.points @ self.weights)

    @property
    def variance(self) -> float:
        """``E x² − (E x)²``."""
        m = self.mean
        return float(((self.points - m) ** 2) @ self.weights)

    def support(self) -> list[tuple[float, float]]:
        """Sorted support: intervals ``(a, b)`` of a law-backed measure, atoms as ``(x, x)``."""
        if self._support is not None:
            return list(self._support)
        xs = np.unique(self.points[self.weights > 0])
        return [(float(x), float(x)) for x in xs]

    def is_nonnegative(self) -> bool:
        """Whether every atom with positive weight is ``>= 0`` (a covariance spectrum)."""
        return bool(np.all(self.points[self.weights > 0] >= 0))

    def require_nonnegative(self, name: str) -> "Measure":
        """``self``, or :class:`ParameterError` naming ``name`` if it charges negative points."""
        if not self.is_nonnegative():
            bad = float(self.points[(self.weights > 0) & (self.points < 0)][0])
            raise ParameterError(f"{name}: a population spectrum must be supported on [0, inf) "
                                 f"(eigenvalues of a covariance), got the point {bad!r}")
        return self

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct sorted points with their total weights (duplicates merged)."""
        xs, inv = np.unique(self.points, return_inverse=True)
        ws = np.zeros(xs.size)
        np.add.at(ws, inv.ravel(), self.weights)
        keep = ws > 0
        return xs[keep], ws[keep]

    # ------------------------------------------------------------------ simulation model
    def population(self, d: int) -> np.ndarray:
        """``d`` eigenvalues whose empirical law approximates the measure (sorted, descending).

        The eigenvalue ``j`` is the quantile ``F⁻¹((j + ½)/d)`` of the measure: the diagonal of
        a population covariance with this spectrum (the simulations draw ``Σ = U diag(·) Uᵀ``
        or use the diagonal directly).  A measure of exactly ``d`` equal-weight atoms gives its
        own points.
        """
        d = integer("d", d, low=1)
        xs, ws = self.merged()
        if xs.size == d and np.allclose(ws, 1.0 / d, rtol=1e-9, atol=0):
            return xs[::-1].copy()
        cdf = np.cumsum(ws)
        cdf[-1] = 1.0
        u = (np.arange(d) + 0.5) / d
        return xs[np.minimum(np.searchsorted(cdf, u, side="left"), xs.size - 1)][::-1].copy()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(points, weights)`` (read-only float64 arrays)."""
        return self.points, self.weights


def _points(name: str, value: Any, allow_negative: bool) -> np.ndarray:
    if isinstance(value, Measure):
        raise ParameterError(f"{name}: already a Measure; pass it where a measure is expected")
    arr = finite_array(name, value)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ParameterError(f"{name}: must be a 1-dimensional array, got shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError(f"{name}: need at least one point, got an empty array")
    if not allow_negative and np.any(arr < 0):
        i = int(np.flatnonzero(arr < 0)[0])
        raise ParameterError(f"{name}: points must be >= 0 (eigenvalues of a covariance; pass "
                             f"allow_negative=True for a signed measure), got {name}[{i}] = {float(arr[i])!r}")
    return arr


def _weights(name: str, value: Any, size: int) -> np.ndarray:
    w = finite_array(name, value)
    if w.ndim != 1:
        raise ParameterError(f"{name}: must be a 1-dimensional array, got shape {w.shape}")
    if w.size == 0:
        raise ParameterError(f"{name}: need at least one weight, got an empty array")
    if w.size != size:
        raise ParameterError(f"{name}: expected {size} weights (one per point), got {w.size}")
    if np.any(w < 0):
        i = int(np.flatnonzero(w < 0)[0])
        raise ParameterError(f"{name}: weights must be >= 0, got {name}[{i}] = {float(w[i])!r}")
    total = float(w.sum())
    if not abs(total - 1.0) <= _WEIGHT_ATOL * max(1.0, np.sqrt(size)):
        raise ParameterError(f"{name}: weights must sum to 1, got a sum of {total!r}")
    return w / total


def empirical(points: Any, weights: Any = None, *, allow_negative: bool = False) -> Measure:
    """The measure ``Σ_i w_i δ_{x_i}`` of an array of points (e.g. eigenvalues of a covariance).

    Parameters
    ----------
    points
        Any 1-d array-like of finite real numbers (NumPy scalars and arrays of any float or int
        dtype included); duplicates are allowed.
    weights
        Non-negative weights summing to 1 (within ``1e-9·max(1, √n)``; then renormalized), one per
        point; default uniform ``1/n``.
    allow_negative
        Allow negative points (a signed spectrum; default False: a population covariance
        spectrum lives on ``[0, ∞)``).

    Raises
    ------
    ParameterError
        Empty, non-finite, non-numeric or (by default) negative points; weights of another
        length, negative, or not summing to 1.  The message names ``points`` or ``weights``.
    """
    x = _points("points", points, allow_negative)
    w = np.full(x.size, 1.0 / x.size) if weights is None else _weights("weights", weights, x.size)
    return Measure(x, w, "empirical", f"empirical measure of {x.size} points")


def power_law(exponent: Any, size: Any, scale: Any = 1) -> Measure:
    """The spectrum ``scale·k^(-exponent)``, ``k = 1..size``, with uniform weights ``1/size``.

    Parameters
    ----------
    exponent
        A finite real number ``>= 0`` (e.g. 1.5).
    size
        The number of eigenvalues, an integer ``>= 1``.
    scale
        The largest eigenvalue, ``> 0``.

    Raises
    ------
    ParameterError
        An invalid exponent, size or scale (the message names it).
    """
    a = nonnegative("exponent", exponent)
    n = integer("size", size, low=1)
    s = positive("scale", scale)
    k = np.arange(1, n + 1, dtype=np.float64)
    return Measure(s * k ** (-a), np.full(n, 1.0 / n), "power_law",
                   f"power law {s:g}·k^-{a:g}, k = 1..{n}")
