"""Joint measures: atoms in ``R^k`` with weights, for expectations of several coupled quantities.

A population is sometimes a family of *tuples*: a covariance eigenvalue with the target's weight
in its eigendirection (``(ω_i, θ_i)``), or the Gauss–Hermite nodes of a conditional Gaussian
equivalent with the feature coefficients at each node (``(μ1(κ_j)², μ2(κ_j)²)`` with the
Gauss–Hermite weights).  :func:`joint` holds such a family as data; inside a System it enters
through ``sr.expect(expr, (x1, ..., xk), mu)`` and is compiled, like a one-dimensional measure,
as a loop over the atoms whose arrays are run-time inputs: neither the number of atoms nor their
values reach the generated source.

Examples
--------
>>> import sympy as sp
>>> from symrmt.measures import joint
>>> mu = joint([[1.0, 0.5], [2.0, 0.25]], weights=[0.5, 0.5])
>>> mu.size, mu.dim, [float(v) for v in mu.mean]
(2, 2, [1.5, 0.375])
>>> mu.marginal(0).moments(2).tolist()
[1.5, 2.5]
"""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from .._checks import finite_array
from ..errors import ParameterError
from .measure import Measure, _readonly, _weights

__all__ = ["JointMeasure", "joint"]


class JointMeasure:
    """A probability measure ``Σ_i w_i δ_{x_i}`` with atoms ``x_i ∈ R^k`` (``k >= 2``).

    Build it with :func:`joint`.

    Attributes
    ----------
    points : numpy.ndarray
        Read-only ``(size, dim)`` float64 array, one row per atom.
    weights : numpy.ndarray
        Read-only ``(size,)`` float64 array summing to 1.
    size, dim : int
        Number of atoms; coordinates per atom.
    names : tuple of str
        A name per coordinate (for messages and reports).
    kind : str
        ``"joint"``.
    digest : str
        sha256 of the kind, the shape and the arrays: equal measures compare equal inside
        expressions.
    """

    kind = "joint"

    def __init__(self, points: np.ndarray, weights: np.ndarray, names: tuple[str, ...], description: str = "") -> None:
        self.points = _readonly(points)
        self.weights = _readonly(weights)
        self.names = tuple(names)
        self.description = description or f"joint measure of {self.size} atoms in R^{self.dim}"
        h = hashlib.sha256(f"{self.kind}:{self.points.shape}".encode())
        h.update(self.points.tobytes())
        h.update(self.weights.tobytes())
        self.digest = h.hexdigest()

    @property
    def size(self) -> int:
        return int(self.points.shape[0])

    @property
    def dim(self) -> int:
        return int(self.points.shape[1])

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"JointMeasure({self.description}; coordinates {list(self.names)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JointMeasure) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def mean(self) -> np.ndarray:
        """The mean vector ``E x`` (shape ``(dim,)``)."""
        return self.weights @ self.points

    def marginal(self, coordinate: int | str) -> Measure:
        """The law of one coordinate (by index or name) as a one-dimensional :class:`Measure`."""
        j = self.names.index(coordinate) if isinstance(coordinate, str) and coordinate in self.names else coordinate
        if not (isinstance(j, (int, np.integer)) and not isinstance(j, bool) and 0 <= int(j) < self.dim):
            raise ParameterError(f"coordinate: expected an index in [0, {self.dim}) or one of {list(self.names)}, "
                                 f"got {coordinate!r}")
        return Measure(self.points[:, int(j)], self.weights, "empirical",
                       f"marginal {self.names[int(j)]} of a {self.description}")

    def population(self, d: int) -> np.ndarray:
        """``d`` atoms (rows of shape ``(d, dim)``) whose empirical law approximates the measure:
        row ``j`` is the atom where the cumulative weight, in the atoms' order, first reaches
        ``(j + ½)/d`` — the diagonals of a commuting family of deterministic matrices with this
        joint spectrum (:func:`symrmt.matrices.deterministic`).  A measure of exactly ``d``
        equal-weight atoms gives its own points."""
        from .._checks import integer

        d = integer("d", d, low=1)
        if self.size == d and np.allclose(self.weights, 1.0 / d, rtol=1e-9, atol=0):
            return np.array(self.points)
        cdf = np.cumsum(self.weights)
        cdf[-1] = 1.0
        u = (np.arange(d) + 0.5) / d
        return np.array(self.points[np.minimum(np.searchsorted(cdf, u, side="left"), self.size - 1)])

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(points, weights)`` (read-only float64 arrays of shapes ``(size, dim)`` and ``(size,)``)."""
        return self.points, self.weights


def joint(points: Any, weights: Any = None, names: Any = None) -> JointMeasure:
    """The measure ``Σ_i w_i δ_{x_i}`` of an ``(n, k)`` array of atoms ``x_i ∈ R^k``, ``k >= 2``.

    Parameters
    ----------
    points
        A 2-d array-like of finite real numbers, one row per atom (signed values allowed).
    weights
        Non-negative weights summing to 1 (within ``1e-9·max(1, √n)``; then renormalized), one per
        atom; default uniform ``1/n``.
    names
        Optional names of the ``k`` coordinates (strings); default ``x0, x1, ...``.

    Returns
    -------
    JointMeasure

    Raises
    ------
    ParameterError
        Points that are not a 2-d array with at least one row and two columns, non-finite values,
        weights of another length, negative or not summing to 1, names of the wrong number.
        The message names ``points``, ``weights`` or ``names``.

    See Also
    --------
    symrmt.measures.empirical : a measure on the real line (one coordinate).
    """
    x = finite_array("points", points)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise ParameterError(f"points: expected a 2-d array of shape (atoms, coordinates) with at least one "
                             f"atom and two coordinates (one coordinate: use symrmt.measures.empirical), got shape {x.shape}")
    w = np.full(x.shape[0], 1.0 / x.shape[0]) if weights is None else _weights("weights", weights, x.shape[0])
    if names is None:
        labels = tuple(f"x{j}" for j in range(x.shape[1]))
    else:
        labels = tuple(names) if isinstance(names, (list, tuple)) else ()
        if len(labels) != x.shape[1] or not all(isinstance(n, str) and n for n in labels):
            raise ParameterError(f"names: expected {x.shape[1]} non-empty strings, got {names!r}")
    return JointMeasure(x, w, labels)
