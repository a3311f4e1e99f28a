"""Reverse engineering: the activation whose one-hidden-layer kernel is a given dot-product kernel.

Simon, Anand & DeWeese (arXiv 2106.03186, §3): a one-hidden-layer network (``w_std = 1``,
``b_std = 0``, conventions of :mod:`symrmt.kernels.dot_product`) with activation
``φ = Σ_k b_k h_k`` has ``K_NNGP(c) = Σ_k b_k² c^k`` and ``K_NTK(c) = Σ_k (k + 1) b_k² c^k``.  So
any positive semi-definite dot-product kernel ``K(c) = Σ_k a_k c^k`` (all ``a_k ≥ 0``, by
Schoenberg's theorem in high dimension) is realised by

    b_k = ± √(a_k / (k + 1))   (NTK),        b_k = ± √a_k   (NNGP),

each sign free: the kernel only sees ``b_k²``.

Two ways to get the ``a_k`` of a target kernel (``method``):

* ``"taylor"`` — its Taylor coefficients, truncated at ``order``: exact at ``c = 0``, but for a
  kernel with a singularity at ``c = 1`` (every deep ReLU kernel: ``√(1 − c)`` terms) the tail
  ``Σ_{k>K} a_k`` decays slowly, so the mimic is low near ``c = 1`` (0.086 for the depth-2 ReLU
  NTK at order 6).
* ``"nnls"`` — the recipe of Simon, Anand & DeWeese's own code: a least-squares fit of
  ``Σ_{k≤K} a_k c^k`` to ``K(c)`` sampled on a cosine interval, under ``a_k ≥ 0`` (non-negative
  least squares).  Here the samples are Chebyshev nodes of the interval and both endpoints, and
  ``lawson`` rounds of Lawson's reweighting (weights multiplied by the current absolute error)
  turn the least-squares fit into the non-negative minimax fit; ``lawson=0`` is plain NNLS.  The
  fit's sup and RMS errors on a fine grid are reported on the result.  The fit reaches the
  ``√(1 − c)`` singularity with its top powers (order 16, depth-2 ReLU NTK: ``a_15 + a_16 ≈ 0.115``),
  i.e. Hermite terms ``h_k`` of high degree, whose square has its Gaussian mass near
  ``|h| ≈ 2√k``: the mimic's kernel is exact, but a plain network samples those pre-activations
  only at astronomical widths (see :func:`symrmt.simulate.ntk.chunked_one_layer_kernel`).
"""
from __future__ import annotations

import math
from fractions import Fraction
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import sympy as sp

from .._checks import integer, nonnegative
from ..errors import ParameterError
from ..symbolic.parsing import safe_sympify
from ..symbolic.hermite import probabilists_hermite
from .dot_product import KINDS

__all__ = ["KernelActivation", "activation_from_kernel", "fit_kernel_coefficients", "METHODS"]

#: the ways to turn a target kernel into coefficients ``a_k``
METHODS = ("taylor", "nnls")

#: equispaced cosines on which a fit's residual is measured
_CHECK_POINTS = 2001


@dataclass(frozen=True)
class KernelActivation:
    """An activation built from kernel coefficients; unpacks as ``expr, coefficients = ...``.

    Attributes
    ----------
    expr : sympy.Expr
        ``φ(x) = Σ_k b_k h_k(x)``, a polynomial in :attr:`variable`.
    coefficients : tuple of sympy.Expr
        ``b_0..b_K`` (exact when the kernel coefficients were exact).
    variable : sympy.Symbol
    kind : str
        ``"ntk"`` or ``"nngp"``: the kernel the coefficients were matched to.
    method : str
        ``"taylor"`` or ``"nnls"``.
    kernel_coefficients : tuple
        ``a_0..a_K`` of the realised one-hidden-layer kernel ``Σ_k a_k c^k``.
    residual : float
        ``sup |Σ_k a_k c^k − K(c)|`` over 2001 equispaced cosines of :attr:`interval`
        (0 when the coefficients were given: the kernel is then realised exactly).
    residual_rms : float
        The root-mean-square of the same differences.
    interval : tuple of float
        The cosine interval of the fit (``(−1, 1)`` by default).
    """

    expr: sp.Expr
    coefficients: tuple
    variable: sp.Symbol
    kind: str
    method: str = "taylor"
    kernel_coefficients: tuple = ()
    residual: float = 0.0
    residual_rms: float = 0.0
    interval: tuple = (-1.0, 1.0)

    def __iter__(self):
        return iter((self.expr, self.coefficients))

    def as_floats(self) -> np.ndarray:
        """``b_0..b_K`` as a float array."""
        return np.array([float(b) for b in self.coefficients], dtype=float)

    def kernel(self, c: Any) -> np.ndarray:
        """The realised one-hidden-layer kernel ``Σ_k a_k c^k`` at cosines ``c`` (numpy)."""
        a = np.array([float(v) for v in self.kernel_coefficients], dtype=float)
        return np.polynomial.polynomial.polyval(np.asarray(c, dtype=float), a)


def _interval(interval: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in interval)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"interval: expected a pair (low, high) of cosines, got {interval!r}") from exc
    if not (-1.0 <= lo < hi <= 1.0):
        raise ParameterError(f"interval: expected -1 <= low < high <= 1, got {interval!r}")
    return lo, hi


def _sample(kernel: Any, c: np.ndarray) -> np.ndarray:
    """``K(c)`` of a callable target, checked to be finite and of the right shape."""
    try:
        y = np.asarray(kernel(c), dtype=float)
    except ParameterError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user callable: report, do not leak its traceback
        raise ParameterError(f"coefficients: the target kernel could not be evaluated on cosines "
                             f"({type(exc).__name__}: {exc})") from None
    if y.shape != c.shape or not np.all(np.isfinite(y)):
        raise ParameterError("coefficients: the target kernel must return finite values, one per cosine "
                             "(a vectorised K(c) on numpy arrays)")
    return y


def fit_kernel_coefficients(kernel: Any, order: int, interval: Any = (-1.0, 1.0), points: int = 400,
                            lawson: int = 50) -> tuple[np.ndarray, float, float]:
    """Non-negative least-squares (optionally minimax) fit ``K(c) ≈ Σ_{k≤order} a_k c^k``, ``a_k ≥ 0``.

    Parameters
    ----------
    kernel : callable
        ``K(c)`` on numpy arrays of cosines (e.g. a :class:`symrmt.kernels.DotProductKernel`).
    order : int
        Highest power ``K >= 0``.
    interval : tuple of float
        The cosines ``[low, high] ⊂ [−1, 1]`` of the fit.
    points : int
        Number of Chebyshev nodes of the interval (both endpoints are added), ``> order``.
    lawson : int
        Rounds of Lawson's reweighting (``0``: plain NNLS).

    Returns
    -------
    tuple
        ``(a, residual, residual_rms)``: the coefficients and the sup and RMS errors of the fit on
        2001 equispaced cosines of the interval.

    Notes
    -----
    Simon, Anand & DeWeese (arXiv 2106.03186) fit a non-negative polynomial by least squares on
    sampled cosines; Lawson's algorithm (Lawson 1961; Rice & Usow 1968) multiplies the weights by
    the current absolute error each round, which converges to the best uniform fit.
    """
    from scipy.optimize import nnls

    order = integer("order", order, low=0, high=200)
    lo, hi = _interval(interval)
    points = integer("points", points, low=order + 1, high=100_000)
    lawson = integer("lawson", lawson, low=0, high=10_000)
    t = np.cos(np.pi * (np.arange(points) + 0.5) / points)
    c = np.concatenate([lo + (hi - lo) * (t + 1) / 2, [lo, hi]])
    y = _sample(kernel, c)
    V = np.vander(c, order + 1, increasing=True)
    w = np.full(c.size, 1.0 / c.size)
    best, best_err = None, math.inf
    for _ in range(lawson + 1):
        r = np.sqrt(w)
        a, _ = nnls(V * r[:, None], y * r, maxiter=50 * (order + 1) + 1000)
        err = np.abs(V @ a - y)
        if err.max() < best_err:
            best, best_err = a, float(err.max())
        if err.max() == 0:
            break
        w = w * (err / err.max() + 1e-6)
        w = w / w.sum()
    check = np.linspace(lo, hi, _CHECK_POINTS)
    diff = np.polynomial.polynomial.polyval(check, best) - _sample(kernel, check)
    return best, float(np.max(np.abs(diff))), float(np.sqrt(np.mean(diff**2)))


def _number(a: Any, k: int) -> sp.Expr:
    if isinstance(a, (str, bytes)) or isinstance(a, bool):
        raise ParameterError(f"coefficients[{k}]: expected a number, got {a!r}")
    if isinstance(a, Fraction):
        a = sp.Rational(a.numerator, a.denominator)
    elif isinstance(a, (float, np.floating)):
        a = sp.Float(float(a))
    elif isinstance(a, np.integer):
        a = sp.Integer(int(a))
    v = safe_sympify(a, f"coefficients[{k}]")
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or v.is_real is False:
        raise ParameterError(f"coefficients[{k}]: expected a finite real number, got {a!r}")
    return v


def activation_from_kernel(coefficients: Any, kind: str = "ntk", signs: Sequence[int] | None = None,
                           variable: sp.Symbol | None = None, atol: float = 0.0, method: str = "taylor",
                           order: int | None = None, interval: Any = (-1.0, 1.0), points: int = 400,
                           lawson: int = 50) -> KernelActivation:
    """The activation ``φ = Σ_k b_k h_k`` whose one-hidden-layer kernel is ``Σ_k a_k c^k``.

    Parameters
    ----------
    coefficients : sequence of numbers, or callable
        The target: ``a_0..a_K`` of ``K(c) = Σ_k a_k c^k`` (exact SymPy numbers, integers,
        fractions or floats), e.g. ``dot_product_kernel("relu", "ntk", depth=3).coefficients(12)``;
        or the kernel itself, a callable ``K(c)`` on numpy arrays of cosines (a
        :class:`symrmt.kernels.DotProductKernel` or any vectorised function).  A callable needs
        ``order``; with ``method="taylor"`` it must be a ``DotProductKernel`` (its series is used).
    kind : {"ntk", "nngp"}
        Which one-hidden-layer kernel must equal K: ``b_k = ±√(a_k/(k+1))`` (NTK) or ``±√a_k``
        (NNGP).
    signs : sequence of ±1, optional
        The sign of each ``b_k`` (default all +1); the kernel does not depend on them.
    variable : sympy.Symbol, optional
        The activation's variable (default a real ``x``).
    atol : float
        Coefficients in ``[−atol, 0)`` (round-off of a numerical series) are set to 0; below
        ``−atol`` the kernel is not positive semi-definite and the call fails.
    method : {"taylor", "nnls"}
        ``"taylor"``: the target's Taylor coefficients up to ``order``.  ``"nnls"``: the
        non-negative least-squares fit on ``interval`` (module docstring; see
        :func:`fit_kernel_coefficients`), whose residual is reported on the result.
    order : int, optional
        Highest power ``K``.  Default: all given coefficients, or 16 for ``"nnls"`` on a callable.
    interval : tuple of float
        Cosines ``[low, high] ⊂ [−1, 1]`` of the fit and of the reported residual.
    points : int
        Chebyshev nodes of the fit (``"nnls"``).
    lawson : int
        Rounds of Lawson reweighting towards the minimax fit (``"nnls"``; 0: plain NNLS).

    Returns
    -------
    KernelActivation
        ``(expr, coefficients, variable, kind)`` with ``.method``, ``.kernel_coefficients``
        (``a_k``), ``.residual`` (sup error of ``Σ a_k c^k`` against the target on the interval),
        ``.residual_rms`` and ``.kernel(c)``.

    Raises
    ------
    ParameterError
        A negative coefficient (the kernel is not PSD: no real activation realises it), an empty
        or non-numeric sequence, bad ``signs``, unknown ``kind`` or ``method``, a callable target
        without ``order`` or one that does not return finite values, a bad ``interval``.

    Notes
    -----
    Simon, Anand & DeWeese, arXiv 2106.03186: conventions ``h_k = He_k/√(k!)``, unit-scale inputs,
    ``w_std = 1``, ``b_std = 0`` (see :func:`symrmt.kernels.dot_product_kernel`).  The NNLS fit of
    the kernel on ``[−1, 1]`` is their code's recipe; it trades the exactness at ``c = 0`` of the
    Taylor series for a small error everywhere, ``c = 1`` included.

    Examples
    --------
    >>> from symrmt.kernels import dot_product_kernel
    >>> deep = dot_product_kernel("relu", "ntk", depth=2)
    >>> fit = activation_from_kernel(deep, method="nnls", order=16)
    >>> fit.residual < 1e-2 < activation_from_kernel(deep, order=16).residual
    True
    """
    if not isinstance(kind, str) or kind.lower() not in KINDS:
        raise ParameterError(f"kind: expected one of {KINDS}, got {kind!r}")
    kind = kind.lower()
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ParameterError(f"method: expected one of {METHODS}, got {method!r}")
    method = method.lower()
    lo, hi = _interval(interval)
    target = None
    if callable(coefficients) and not isinstance(coefficients, (list, tuple, np.ndarray)):
        target = coefficients
        if order is None:
            if method == "taylor":
                raise ParameterError("order: a callable target needs the truncation order of its Taylor series")
            order = 16
        order = integer("order", order, low=0, high=200)
        if method == "taylor":
            if not hasattr(target, "coefficients"):
                raise ParameterError("coefficients: method='taylor' needs coefficients a_k or a DotProductKernel "
                                     "(a plain callable has no series; use method='nnls')")
            coefficients = target.coefficients(order)
    if target is None:
        if isinstance(coefficients, (str, bytes)) or not hasattr(coefficients, "__len__"):
            raise ParameterError("coefficients: expected a sequence of numbers a_0..a_K or a callable kernel K(c)")
    if method == "nnls":
        if target is None:
            given = [float(_number(v, k)) for k, v in enumerate(list(coefficients))]
            if not given:
                raise ParameterError("coefficients: need at least one coefficient a_0")
            order = len(given) - 1 if order is None else integer("order", order, low=0, high=200)
            target = lambda c, g=np.array(given): np.polynomial.polynomial.polyval(c, g)  # noqa: E731
        fitted, residual, rms = fit_kernel_coefficients(target, order, (lo, hi), points, lawson)
        coefficients = [float(v) for v in fitted]
    a = [_number(v, k) for k, v in enumerate(list(np.asarray(coefficients, dtype=object).ravel())
                                             if isinstance(coefficients, np.ndarray) else coefficients)]
    if not a:
        raise ParameterError("coefficients: need at least one coefficient a_0")
    if method == "taylor" and order is not None and target is None:
        a = a[: integer("order", order, low=0) + 1]
    atol = nonnegative("atol", atol)
    if signs is None:
        s = [1] * len(a)
    else:
        s = list(signs)
        if len(s) != len(a) or any(isinstance(v, bool) or v not in (1, -1) for v in s):
            raise ParameterError(f"signs: expected {len(a)} entries, each +1 or -1, got {signs!r}")
    var = variable if variable is not None else sp.Symbol("x", real=True)
    if not isinstance(var, sp.Symbol):
        raise ParameterError(f"variable: expected a SymPy Symbol, got {variable!r}")
    b = []
    for k, ak in enumerate(a):
        neg = ak.is_negative
        if neg is None:
            neg = float(ak) < 0
        if neg:
            if float(ak) >= -atol:
                ak = sp.Integer(0)
                a[k] = ak
            else:
                raise ParameterError(
                    f"coefficients[{k}] = {ak} < 0: the kernel is not positive semi-definite (a dot-product "
                    "kernel on spheres of every dimension needs all a_k >= 0), so no activation realises it")
        bk = sp.sqrt(ak / (k + 1)) if kind == "ntk" else sp.sqrt(ak)
        b.append(int(s[k]) * bk)
    expr = sp.Add(*[bk * probabilists_hermite(k, var) / sp.sqrt(sp.factorial(k)) for k, bk in enumerate(b)])
    expr = sp.expand(expr)
    if any(bk.has(sp.Float) for bk in b):  # numerical input: a polynomial with Float coefficients
        expr = sp.expand(sp.N(expr, 17))
    if method == "taylor":
        residual = rms = 0.0
        if target is not None:
            check = np.linspace(lo, hi, _CHECK_POINTS)
            realised = np.polynomial.polynomial.polyval(check, np.array([float(v) for v in a]))
            diff = realised - _sample(target, check)
            residual, rms = float(np.max(np.abs(diff))), float(np.sqrt(np.mean(diff**2)))
    return KernelActivation(expr, tuple(b), var, kind, method, tuple(a), residual, rms, (lo, hi))
