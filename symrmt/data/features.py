"""Representations of a data set: feature matrices and kernel matrices built from a data matrix.

A representation is either a feature matrix ``Φ`` (M points × p features; ridge on it is kernel
ridge with the linear kernel ``ΦΦᵀ``) or a kernel matrix ``K`` (M × M, symmetric positive
semi-definite).  This module builds them from a data matrix ``X`` (M × d) and checks user-supplied
ones:

* :func:`digits` — scikit-learn's bundled 8×8 handwritten digits (1797 × 64, no download) with
  centred one-hot targets (:func:`one_hot`);
* :func:`standardize` — raw pixels with each column centred and scaled to unit variance;
* :func:`random_features` — ``φ(XW/√d)/√width`` with Gaussian weights ``W`` (NumPy, seeded);
* :func:`kernel_matrix` — an NNGP or NTK of :func:`symrmt.kernels.dot_product_kernel` on the
  rows scaled to norm √d (``K_ij = K(x_i·x_j/d)``);
* :func:`trained_features` — the penultimate layer of a small network trained in torch on a
  disjoint part of the data (:mod:`symrmt.simulate.trained_features`);
* :func:`check_features`, :func:`check_kernel`, :func:`check_targets` — validation of
  user-supplied arrays (ParameterError naming the argument).

Wei, Hu & Steinhardt, "More than a toy", arXiv 2203.06176 (kernels of real images);
Schröder et al., arXiv 2402.13999 (empirical feature covariances of trained networks).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import finite_array, integer, positive
from ..errors import ParameterError

__all__ = ["digits", "one_hot", "standardize", "random_features", "kernel_matrix", "trained_features",
           "check_features", "check_kernel", "check_targets", "ACTIVATIONS"]

#: activations of :func:`random_features`
ACTIVATIONS = ("relu", "tanh", "erf", "linear")

#: relative tolerance of the positive semi-definiteness check of a kernel matrix
PSD_TOLERANCE = 1e-8


def check_features(features: Any, name: str = "features") -> np.ndarray:
    """A finite 2-d float array of at least 2 rows and 1 column (``ParameterError`` otherwise)."""
    F = finite_array(name, features, ndim=2)
    if F.shape[0] < 2 or F.shape[1] < 1:
        raise ParameterError(f"{name}: need at least 2 rows (points) and 1 column, got shape {F.shape}")
    return F


def check_targets(targets: Any, points: int, name: str = "targets") -> np.ndarray:
    """Targets as a finite ``(points, outputs)`` array: a 1-d array is one output.

    Raises
    ------
    ParameterError
        Non-finite entries, more than 2 dimensions, or a number of rows other than ``points``.
    """
    Y = finite_array(name, targets)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2:
        raise ParameterError(f"{name}: must be a 1-d array (one output) or 2-d (points × outputs), "
                             f"got shape {Y.shape}")
    if Y.shape[0] != points:
        raise ParameterError(f"{name}: expected {points} rows (one per point of the representation), "
                             f"got {Y.shape[0]}")
    if Y.shape[1] < 1:
        raise ParameterError(f"{name}: need at least one output column, got shape {Y.shape}")
    return Y


def check_kernel(kernel: Any, name: str = "kernel") -> np.ndarray:
    """A symmetric positive semi-definite kernel matrix (symmetrized to rounding).

    Raises
    ------
    ParameterError
        Not square, non-finite, not symmetric (relative ``1e-8``), or an eigenvalue below
        ``−1e-8·λ_max`` (not positive semi-definite).
    """
    K = finite_array(name, kernel, ndim=2)
    if K.shape[0] != K.shape[1] or K.shape[0] < 2:
        raise ParameterError(f"{name}: must be a square matrix of size >= 2, got shape {K.shape}")
    scale = float(np.abs(K).max()) or 1.0
    asym = float(np.abs(K - K.T).max())
    if asym > PSD_TOLERANCE * scale:
        raise ParameterError(f"{name}: must be symmetric, got max |K - K^T| = {asym:.3g} "
                             f"(max |K| = {scale:.3g})")
    K = 0.5 * (K + K.T)
    lo = float(np.linalg.eigvalsh(K)[0])
    if lo < -PSD_TOLERANCE * scale * K.shape[0]:
        raise ParameterError(f"{name}: must be positive semi-definite, got the eigenvalue {lo:.3g} "
                             f"(allowed: >= -{PSD_TOLERANCE:g}·n·max|K|)")
    return K


def one_hot(labels: Any, center: bool = True) -> np.ndarray:
    """Integer class labels as a one-hot ``(points, classes)`` array, columns centred by default
    (ridge without intercept then fits the class indicators' deviations from their means)."""
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.size == 0 or lab.dtype.kind not in "iu":
        raise ParameterError(f"labels: must be a non-empty 1-d array of integer classes, got "
                             f"{lab.dtype} of shape {lab.shape}")
    classes, idx = np.unique(lab, return_inverse=True)
    Y = np.zeros((lab.size, classes.size))
    Y[np.arange(lab.size), idx] = 1.0
    return Y - Y.mean(axis=0) if center else Y


def standardize(data: Any) -> np.ndarray:
    """Columns centred and scaled to unit variance (constant columns left at 0)."""
    X = check_features(data, "data")
    X = X - X.mean(axis=0)
    sd = X.std(axis=0)
    return X / np.where(sd > 0, sd, 1.0)


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled handwritten digits: standardized pixels (1797 × 64) and the labels.

    Returns
    -------
    (X, labels)
        ``X`` from :func:`standardize`; integer labels 0–9 (:func:`one_hot` makes targets).

    Raises
    ------
    ParameterError
        scikit-learn is not installed (the optional extra ``symrmt[data]``).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ParameterError("digits: needs scikit-learn, the optional extra `pip install symrmt[data]`") from exc
    d = load_digits()
    return standardize(d.data), np.asarray(d.target, dtype=np.int64)


def _activation(name: str):
    if name == "relu":
        return lambda z: np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh
    if name == "erf":
        from scipy.special import erf
        return erf
    if name == "linear":
        return lambda z: z
    raise ParameterError(f"activation: must be one of {ACTIVATIONS}, got {name!r}")


def random_features(data: Any, width: int, activation: str = "relu", seed: int = 0) -> np.ndarray:
    """Random features ``φ(X W/√d)/√width``, ``W`` of shape d × width with i.i.d. N(0, 1) entries.

    Parameters
    ----------
    data : array (M, d)
    width : int >= 1
        Number of features.
    activation : {"relu", "tanh", "erf", "linear"}
    seed : int >= 0
        Seed of the NumPy generator drawing ``W``.

    Returns
    -------
    numpy.ndarray (M, width)

    Examples
    --------
    >>> import numpy as np
    >>> random_features(np.eye(3), 5, seed=1).shape
    (3, 5)
    """
    X = check_features(data, "data")
    width = integer("width", width, low=1)
    act = _activation(activation)
    rng = np.random.default_rng(integer("seed", seed, low=0))
    W = rng.standard_normal((X.shape[1], width))
    return act(X @ W / math.sqrt(X.shape[1])) / math.sqrt(width)


def kernel_matrix(data: Any, kernel: Any = "ntk", activation: str = "relu", depth: int = 1) -> np.ndarray:
    """The NNGP or NTK kernel matrix of a fully connected network on the rows of ``data``.

    Rows are scaled to norm √d (zero rows are refused) and ``K_ij = K(x_i·x_j/d)`` with ``K`` from
    :func:`symrmt.kernels.dot_product_kernel` (conventions there: unit-scale inputs, NTK
    parameterization).

    Parameters
    ----------
    data : array (M, d)
    kernel : "nngp", "ntk" or a callable ``K(c)`` on cosine arrays (e.g. a
        :class:`~symrmt.kernels.DotProductKernel`)
    activation : str
        The activation when ``kernel`` is a kind name.
    depth : int >= 1
        Hidden layers when ``kernel`` is a kind name.

    Returns
    -------
    numpy.ndarray (M, M)
        Symmetric positive semi-definite.

    Examples
    --------
    >>> import numpy as np
    >>> K = kernel_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]), "ntk")
    >>> bool(np.allclose(K, K.T)), round(float(K[0, 0]), 6)
    (True, 1.0)
    """
    from ..kernels import dot_product_kernel

    X = check_features(data, "data")
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise ParameterError(f"data: row {int(np.flatnonzero(norms == 0)[0])} is zero; a dot-product kernel needs "
                             "rows of positive norm")
    U = X / norms[:, None]
    c = np.clip(U @ U.T, -1.0, 1.0)
    if callable(kernel):
        kf = kernel
    elif isinstance(kernel, str):
        kf = dot_product_kernel(activation, kind=kernel, depth=integer("depth", depth, low=1))
    else:
        raise ParameterError(f"kernel: must be 'nngp', 'ntk' or a callable K(c), got {kernel!r}")
    K = np.asarray(kf(c), dtype=float)
    if K.shape != c.shape or not np.all(np.isfinite(K)):
        raise ParameterError(f"kernel: K(c) must return finite values of the cosines' shape {c.shape}")
    return 0.5 * (K + K.T)


def trained_features(data: Any, targets: Any, train: int, hidden: int = 128, epochs: int = 200,
                     learning_rate: float = 1e-2, seed: int = 0, device: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate-layer features of a two-hidden-layer ReLU network trained (torch, full-batch Adam
    on the squared loss) on the first ``train`` rows; the features of the *other* rows are returned,
    so that a ridge fitted on them is not evaluated on the network's own training data.

    Parameters
    ----------
    data : array (M, d);  targets : array (M,) or (M, k)
    train : int, 2 <= train < M - 1
        Rows used to train the network (the first ones; shuffle beforehand).
    hidden : int >= 1
        Width of both hidden layers (the feature dimension).
    epochs, learning_rate, seed, device
        Optimisation steps, Adam step size, torch seed, None/"cpu"/"cuda".

    Returns
    -------
    (features, rows)
        ``features`` of shape (M − train, hidden) and the indices ``rows`` of the data they belong to.
    """
    from ..simulate.trained_features import train_penultimate

    X = check_features(data, "data")
    Y = check_targets(targets, X.shape[0])
    train = integer("train", train, low=2, high=X.shape[0] - 2)
    phi = train_penultimate(X[:train], Y[:train], X[train:], hidden=hidden, epochs=epochs,
                            learning_rate=positive("learning_rate", learning_rate), seed=seed, device=device)
    return phi, np.arange(train, X.shape[0])
