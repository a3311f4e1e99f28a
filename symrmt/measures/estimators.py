"""Estimators of a large matrix's spectral functionals from its limit law (freealg's
``trace``, ``slogdet``, ``cond``, ``norm``, edges).

For an ``n × n`` symmetric matrix ``A`` whose spectral law converges to ``μ``:

* :func:`trace` — ``Tr f(A) ≈ n ∫ f dμ``; :func:`logdet` — ``log det A ≈ n ∫ log x dμ``.
  Linear spectral statistics have O(1) errors: ``Tr f(A) − n ∫ f dμ`` converges in law (a
  Gaussian with O(1) mean and variance, Bai & Silverstein 2004, Ann. Probab. 32; Lytova &
  Pastur 2009) for ``f`` smooth on a neighbourhood of the support, so the *relative* error is
  ``O(1/n)``.  E.g. white Wishart ``XᵀX/T`` (``X`` of shape ``T × n``, ratio ``γ = n/T``):
  ``E Tr A² − n ∫ x² dμ = γ`` exactly, and ``log det A`` has mean offset ``½ log(1 − γ)`` and
  standard deviation ``√(−2 log(1 − γ))``.
* :func:`edges`, :func:`norm`, :func:`cond` — the extreme eigenvalues converge to the support's
  edges at the rate ``n^{−2/3}`` (Tracy–Widom fluctuations at a soft, square-root edge; Johnstone
  2001 for Wishart), so these carry relative errors ``O(n^{−2/3})``; near a hard edge or an atom
  the rate is different (e.g. ``n^{−2}`` at the hard edge of a square Wishart's smallest
  eigenvalue) and ``cond`` of a law with mass at 0 is infinite.

The integrals use :func:`symrmt.measures.from_law` (Gauss–Legendre per support interval in a
variable smooth at square-root and hard edges, atoms as nodes): spectrally accurate in
``nodes`` for smooth ``f``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._checks import integer
from ..errors import ParameterError
from .law_measure import from_law

__all__ = ["trace", "logdet", "edges", "norm", "cond"]


def _size(n: Any) -> int:
    return integer("n", n, low=1)


def _integral(law: Any, f: Callable, nodes: int, params: dict, what: str) -> float:
    mu = from_law(law, nodes=nodes, **params)
    x, w = mu.arrays()
    try:
        with np.errstate(all="ignore"):   # a non-finite value is reported below, by name
            vals = np.asarray(f(x), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{what}: f must map an array of eigenvalues to real numbers ({exc})") from None
    if vals.shape != x.shape:
        raise ParameterError(f"{what}: f must act elementwise (array in, same-shape array out), got shape "
                             f"{vals.shape} for input shape {x.shape}")
    if not np.all(np.isfinite(vals)):
        raise ParameterError(f"{what}: f is not finite on the law's support {mu.support()}")
    return float(np.dot(w, vals))


def trace(law: Any, f: Callable[[np.ndarray], np.ndarray], n: int, nodes: int = 256, **params: Any) -> float:
    """``Tr f(A)`` of an ``n × n`` matrix with spectral law ``law``: ``n ∫ f dμ``.

    Parameters
    ----------
    law : AlgebraicLaw
        The limit law (parameters bound, or given in ``params``).
    f : callable
        Elementwise on a NumPy array of eigenvalues (e.g. ``np.log1p``, ``lambda x: x**2``);
        finite on the support.
    n : int, >= 1
        The matrix size.
    nodes : int
        Quadrature nodes per support interval (:func:`symrmt.measures.from_law`).
    **params
        The law's free parameters, by name.

    Returns
    -------
    float
        The estimate; its error is ``O(1)`` in absolute terms, ``O(1/n)`` relative (module
        docstring), for ``f`` smooth near the support.
    """
    return _size(n) * _integral(law, f, nodes, params, "trace")


def logdet(law: Any, n: int, nodes: int = 256, **params: Any) -> float:
    """``log det A = n ∫ log x dμ`` for a law on ``(0, ∞)``; error ``O(1)`` (relative ``O(1/n)``).

    Raises
    ------
    ParameterError
        The law puts mass at or below 0 (``log det`` is then not a smooth statistic: use
        :func:`trace` with ``np.log(np.abs(x))`` at your own risk).
    """
    lo, _ = edges(law, **params)
    if lo <= 0:
        raise ParameterError(f"law: logdet needs a law on (0, inf); {law.name} reaches {lo:.6g}")
    return _size(n) * _integral(law, np.log, nodes, params, "logdet")


def edges(law: Any, **params: Any) -> tuple[float, float]:
    """``(λ_min, λ_max)`` limits: the smallest and largest point of the support, atoms included.

    The extreme eigenvalues of a size-``n`` matrix deviate by ``O(n^{−2/3})`` at a soft edge.
    """
    from ..symbolic.algebraic_law import AlgebraicLaw

    if not isinstance(law, AlgebraicLaw):
        raise ParameterError(f"law: expected an AlgebraicLaw, got {type(law).__name__}")
    sol = law.compile()
    support = sol.support(**params)
    if not support:
        raise ParameterError(f"law: {law.name} has no support at {params}")
    return float(min(a for a, _ in support)), float(max(b for _, b in support))


def norm(law: Any, **params: Any) -> float:
    """Operator norm ``max |λ|`` limit, ``max(|λ_min|, |λ_max|)``; error ``O(n^{−2/3})``."""
    lo, hi = edges(law, **params)
    return max(abs(lo), abs(hi))


def cond(law: Any, **params: Any) -> float:
    """Condition number ``λ_max/λ_min`` limit of a law on ``(0, ∞)``; relative error ``O(n^{−2/3})``
    at soft edges.

    Raises
    ------
    ParameterError
        The law puts mass at or below 0 (the condition number diverges with ``n``).
    """
    lo, hi = edges(law, **params)
    if lo <= 0:
        raise ParameterError(f"law: cond needs a law on (0, inf); {law.name} reaches {lo:.6g}")
    return hi / lo
