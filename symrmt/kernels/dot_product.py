"""NNGP and NTK dot-product kernels of fully connected networks, as functions of the cosine.

Convention (the "NTK parameterization" of Jacot, Gabriel & Hongler 2018 and of neural-tangents;
Simon, Anand & DeWeese, arXiv 2106.03186, §2).  Inputs have unit scale, ``‖x‖² = d``, and
``c = x·x′/d ∈ [−1, 1]``.  A network with ``L = depth`` hidden layers of width ``m → ∞``::

    h¹(x)     = w_std · W¹ x / √d + b_std · β¹
    hˡ⁺¹(x)   = w_std · Wˡ⁺¹ φ(hˡ(x)) / √m + b_std · βˡ⁺¹      (l = 1..L; readout width 1)

with all entries of ``W``, ``β`` i.i.d. ``N(0, 1)``.  Kernels (``(u, v)`` centred Gaussian with
covariance ``[[q_l, Σ_l], [Σ_l, q_l]]``, ``q_l = Σ_l(1)`` the common variance at layer l)::

    Σ_1(c) = w_std² c + b_std²,                       Θ_1 = Σ_1
    Σ_{l+1} = w_std² E[φ(u) φ(v)] + b_std²,           Θ_{l+1} = Σ_{l+1} + w_std² E[φ′(u) φ′(v)] Θ_l
    K_NNGP = Σ_{L+1},  K_NTK = Θ_{L+1}.

With one hidden layer, ``w_std = 1`` and ``b_std = 0``, writing ``φ = Σ_k b_k h_k`` in the
orthonormal Hermite basis (``h_k = He_k/√(k!)``) gives Simon et al.'s formulas (REFERENCES §7)::

    K_NNGP(c) = Σ_k b_k² c^k,      K_NTK(c) = Σ_k (k + 1) b_k² c^k.

The expectations ("dual activations", Daniely, Frostig & Singer 2016) are in closed form for
ReLU (arc-cosine kernels of Cho & Saul 2009), erf (Williams 1997 arcsin kernel) and sign; for
any other activation they are the Hermite series ``Σ_k b_k(q)² ρ^k`` of ``φ(√q ·)``, exact for
polynomial activations and truncated at ``hermite_order`` otherwise.
"""
from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from .._checks import integer
from ..errors import DerivationError, ParameterError
from ..symbolic.hermite import activation_expr, hermite_series
from ..symbolic.parsing import safe_sympify
from .cosine_series import ExactField, MpField, NumpyOps, Series, SeriesOps, SympyOps
from .exact import exact_dual

__all__ = ["DotProductKernel", "dot_product_kernel", "KINDS", "CONVENTIONS", "check_order"]

KINDS = ("nngp", "ntk")
_c = sp.Symbol("c", real=True)


def check_order(order: Any, name: str = "order") -> int:
    """An order is an integer >= 0 (returned as an ``int``)."""
    return integer(name, order, low=0)


def _std(value: Any, name: str, positive: bool) -> sp.Expr:
    if isinstance(value, str):
        raise ParameterError(f"{name}: expected a number, got the string {value!r}")
    try:
        v = sp.nsimplify(value, rational=True) if isinstance(value, float) else safe_sympify(value, name)
    except (sp.SympifyError, TypeError) as exc:
        raise ParameterError(f"{name}: expected a real number, got {value!r}") from exc
    if not (v.is_number and v.is_real and v.is_finite) or v.is_negative or (positive and v.is_zero):
        raise ParameterError(f"{name}: expected a real number {'> 0' if positive else '>= 0'}, got {value!r}")
    return v


# ---------------------------------------------------------------------- dual activations
class _Dual:
    """``E[φ(u)φ(v)]`` and ``E[φ′(u)φ′(v)]`` for ``(u, v)`` with variances ``q`` and correlation ρ."""

    closed_form = True
    jump = False
    name = ""

    def value(self, ops, q, rho, q2=None):
        raise NotImplementedError

    def deriv(self, ops, q, rho, q2=None):
        raise NotImplementedError

    def variance(self, ops, q):
        raise NotImplementedError


class _ReLU(_Dual):
    """Arc-cosine kernels of degree 1 and 0 (Cho & Saul 2009): with θ = arccos ρ,
    ``E[φφ] = q (sin θ + (π − θ) ρ)/(2π)``, ``E[φ′φ′] = (π − θ)/(2π)``."""

    name = "relu"

    def value(self, ops, q, rho, q2=None):
        s = q if q2 is None else ops.sqrt(q * q2)
        return (ops.sqrt_one_minus_square(rho) + (-ops.acos(rho) + ops.pi) * rho) * (s * ops.inv_pi * ops.rat(1, 2))

    def deriv(self, ops, q, rho, q2=None):
        return (-ops.acos(rho) + ops.pi) * (ops.inv_pi * ops.rat(1, 2))

    def variance(self, ops, q):
        return q * ops.rat(1, 2)


class _Erf(_Dual):
    """Arcsin kernel (Williams 1997): ``E[erf u erf v] = (2/π) asin(2qρ/(1 + 2q))`` and
    ``E[erf′u erf′v] = (4/π) ((1 + 2q)² − 4q²ρ²)^{-1/2}``."""

    name = "erf"

    def _s(self, ops, q, rho, q2=None):
        if q2 is None:
            return rho * (q * 2 * ops.inv(q * 2 + 1))
        return rho * (ops.sqrt(q * q2) * 2 * ops.inv(ops.sqrt((q * 2 + 1) * (q2 * 2 + 1))))

    def value(self, ops, q, rho, q2=None):
        return ops.asin(self._s(ops, q, rho, q2)) * (ops.inv_pi * 2)

    def deriv(self, ops, q, rho, q2=None):
        norm = ops.inv(q * 2 + 1) if q2 is None else ops.inv(ops.sqrt((q * 2 + 1) * (q2 * 2 + 1)))
        return ops.inv_sqrt_one_minus_square(self._s(ops, q, rho, q2)) * (ops.inv_pi * 4 * norm)

    def variance(self, ops, q):
        return ops.asin(q * 2 * ops.inv(q * 2 + 1)) * (ops.inv_pi * 2)


class _Sign(_Dual):
    """``E[sign u sign v] = (2/π) asin ρ``; φ′ is a Dirac delta, so there is no NTK."""

    name = "sign"

    jump = True

    def value(self, ops, q, rho, q2=None):
        return ops.asin(rho) * (ops.inv_pi * 2)

    def deriv(self, ops, q, rho, q2=None):  # pragma: no cover - rejected up front
        raise ParameterError("activation: sign has a jump, E[φ′(u)φ′(v)] is infinite; no NTK")

    def variance(self, ops, q):
        return ops.rat(1)


class _Hermite(_Dual):
    """Any square-integrable activation: ``E[φ(u)φ(v)] = Σ_k b_k(q)² ρ^k`` with ``b_k(q)`` the
    Hermite coefficients of ``φ(√q x)``, and ``E[φ′(u)φ′(v)] = q^{-1} Σ_k k b_k(q)² ρ^{k−1}``."""

    closed_form = False

    def __init__(self, expr: sp.Expr, var: sp.Symbol, order: int):
        self.expr, self.var, self.order = expr, var, order
        self.name = str(expr)
        poly = expr.is_polynomial(var)
        self.degree = int(sp.degree(expr, var)) if poly else None

    @property
    def finite(self) -> bool:
        """Whether the Hermite series is finite (a polynomial activation): then exact at any depth."""
        return self.degree is not None

    def coefficients(self, q: sp.Expr, exact: bool):
        """``b_k(q)²`` for ``k = 0..order`` (SymPy; exact or Floats)."""
        return _scaled_squares(self.expr, self.var, sp.sympify(q), self.degree if self.finite else self.order,
                               "exact" if exact else ("auto" if self.finite else "quadrature"))

    def _q(self, ops, q):
        if isinstance(ops, SeriesOps):
            return ops.field.to_sympy(q) if isinstance(ops.field, ExactField) else sp.Float(str(q), 30)
        return sp.sympify(q) if isinstance(ops, SympyOps) else sp.Float(float(q))

    def _exact(self, ops) -> bool:
        return isinstance(ops, SympyOps) or (isinstance(ops, SeriesOps) and isinstance(ops.field, ExactField))

    def value(self, ops, q, rho, q2=None):
        if q2 is not None:
            return self._mixed(q, q2, rho, derivative=False)
        return ops.polyval(rho, self.coefficients(self._q(ops, q), self._exact(ops)))

    def deriv(self, ops, q, rho, q2=None):
        if q2 is not None:
            return self._mixed(q, q2, rho, derivative=True)
        sq = self.coefficients(self._q(ops, q), self._exact(ops))
        d = [k * sq[k] for k in range(1, len(sq))] or [sp.Integer(0)]
        return ops.polyval(rho, d) * ops.inv(q)

    def _signed(self, q: float) -> np.ndarray:
        order = self.degree if self.finite else self.order
        hs = _scaled(self.expr, self.var, sp.Float(float(q)), order, "auto" if self.finite else "quadrature")
        return hs.as_floats()

    def _mixed(self, qx, qy, rho, derivative: bool):
        """Unequal variances (numpy only): ``Σ_k b_k(q_x) b_k(q_y) ρ^k`` and
        ``(q_x q_y)^{-1/2} Σ_k k b_k(q_x) b_k(q_y) ρ^{k−1}``, per distinct pair of variances."""
        qx, qy, rho = np.broadcast_arrays(np.asarray(qx, float), np.asarray(qy, float), np.asarray(rho, float))
        out = np.empty(rho.shape)
        for key in {(float(a), float(b)) for a, b in zip(qx.ravel(), qy.ravel())}:
            mask = (qx == key[0]) & (qy == key[1])
            prod = self._signed(key[0]) * self._signed(key[1])
            if derivative:
                d = np.arange(1, len(prod)) * prod[1:]
                out[mask] = np.polynomial.polynomial.polyval(rho[mask], d) / math.sqrt(key[0] * key[1]) if d.size else 0.0
            else:
                out[mask] = np.polynomial.polynomial.polyval(rho[mask], prod)
        return out

    def variance(self, ops, q):
        hs = _scaled(self.expr, self.var, self._q(ops, q), 0, "exact" if self._exact(ops) else "auto")
        return ops.const(hs.second_moment)


@lru_cache(maxsize=128)
def _scaled(expr: sp.Expr, var: sp.Symbol, q: sp.Expr, order: int, method: str):
    return hermite_series(expr.xreplace({var: sp.sqrt(q) * var}), order, method=method)


def _scaled_squares(expr, var, q, order, method):
    try:
        hs = _scaled(expr, var, q, order, method)
    except ParameterError as exc:
        if method == "exact":
            raise DerivationError(f"no exact series: {exc}") from exc
        raise
    return [b**2 for b in hs.coefficients]


_CLOSED = {"relu": _ReLU, "erf": _Erf, "sign": _Sign}


def _select_dual(expr: sp.Expr, var: sp.Symbol, hermite_order: int):
    """The named closed forms, then polynomials (finite Hermite series), then the closed-form
    families of :mod:`symrmt.kernels.exact`, else the truncated Hermite series."""
    name = _closed_name(expr, var)
    if name:
        return _CLOSED[name]()
    herm = _Hermite(expr, var, hermite_order)
    if herm.finite:
        return herm
    exact = exact_dual(expr, var)
    return exact if exact is not None else herm


def _closed_name(expr: sp.Expr, var: sp.Symbol) -> str | None:
    for name in _CLOSED:
        ref, rv = activation_expr(name)
        if ref.xreplace({rv: var}) == expr:
            return name
    return None


# ---------------------------------------------------------------------- the kernel object
class DotProductKernel:
    """The NNGP or NTK of a fully connected network as a function of the cosine ``c``.

    Build with :func:`dot_product_kernel` (conventions there and in the module docstring).

    Attributes
    ----------
    activation : sympy.Expr
        ``φ`` in its variable :attr:`variable`.
    kind : {"nngp", "ntk"}
    depth : int
        Number of hidden layers ``L >= 1``.
    w_std, b_std : sympy.Expr
        Weight and bias scales (exact numbers).
    closed_form : bool
        Whether the dual activation is in closed form (ReLU, erf, sign).
    """

    def __init__(self, expr: sp.Expr, var: sp.Symbol, kind: str, depth: int, w_std: sp.Expr, b_std: sp.Expr,
                 hermite_order: int, readout_w_std: sp.Expr | None = None, readout_b_std: sp.Expr | None = None,
                 tolerance: float = 1e-6, dual: Any = None):
        self.activation, self.variable = expr, var
        self.kind, self.depth, self.w_std, self.b_std = kind, depth, w_std, b_std
        self.readout_w_std = w_std if readout_w_std is None else readout_w_std
        self.readout_b_std = b_std if readout_b_std is None else readout_b_std
        self.hermite_order = hermite_order
        self.tolerance = float(tolerance)
        self._dual = dual if dual is not None else _select_dual(expr, var, hermite_order)
        self.closed_form = self._dual.closed_form
        self.family = self._dual.name if self.closed_form else (
            "polynomial (finite Hermite series)" if self._dual.finite else f"Hermite series truncated at order {hermite_order}")
        self._cache: dict = {}
        self.error_bound = 0.0 if (self.closed_form or self._dual.finite) else self._hermite_error_bound()
        if self.error_bound > self.tolerance:
            warnings.warn(
                f"dot_product_kernel: φ = {expr} has no closed-form dual; its {kind.upper()} at depth {depth} uses the "
                f"Hermite series truncated at hermite_order = {hermite_order}, with error up to {self.error_bound:.3g} "
                f"(> tolerance {self.tolerance:g}) for cosines in [-1, 1]; raise hermite_order or write the "
                "activation in a closed-form family (see symrmt.kernels.exact)", UserWarning, stacklevel=3)

    def __repr__(self) -> str:
        return (f"<DotProductKernel {self.kind.upper()} of φ = {self.activation}, depth {self.depth}, "
                f"w_std = {self.w_std}, b_std = {self.b_std}>")

    # ---------------------------------------------------------- the recursion (any operation set)
    def _layer_scales(self, ops, layer: int):
        """``(w², b²)`` of the weights that act on hidden layer ``layer`` (0-based; the last is the readout)."""
        if layer == self.depth - 1:
            return ops.const(self.readout_w_std**2), ops.const(self.readout_b_std**2)
        return ops.const(self.w_std**2), ops.const(self.b_std**2)

    def _evaluate(self, ops, c):
        w2, b2 = ops.const(self.w_std**2), ops.const(self.b_std**2)
        q = w2 + b2
        sigma = c * w2 + b2
        theta = sigma
        dual = self._dual
        for layer in range(self.depth):
            lw2, lb2 = self._layer_scales(ops, layer)
            # true division on floats: ρ = 1 exactly on the diagonal (acos is √-sensitive at 1)
            rho = sigma / q if ops is NumpyOps else sigma * ops.inv(q)
            new = dual.value(ops, q, rho) * lw2 + lb2
            if self.kind == "ntk":
                theta = new + theta * dual.deriv(ops, q, rho) * lw2
            sigma = new
            q = dual.variance(ops, q) * lw2 + lb2
        return theta if self.kind == "ntk" else sigma

    def _hermite_error_bound(self) -> float:
        """Sup over ``c ∈ [−1, 1]`` of the truncation error (:mod:`symrmt.kernels.truncation`)."""
        from .truncation import gaussian_square_moments, propagate_bound

        ops, dual = NumpyOps, self._dual
        w2, b2 = float(self.w_std**2), float(self.b_std**2)
        q, sigma1 = w2 + b2, w2 + b2
        theta1 = sigma1
        layers = []
        for layer in range(self.depth):
            lw2, lb2 = (float(v) for v in self._layer_scales(ops, layer))
            (m0, e0), (m1, e1), (m2, _) = gaussian_square_moments(self.activation, self.variable, float(q))
            sq = [float(v) for v in dual.coefficients(sp.Float(float(q)), False)]
            layers.append({"q": q, "w2": lw2, "m0": m0, "m1": m1, "m2": m2, "e0": e0, "e1": e1,
                           "s0": float(sum(sq)), "s1": float(sum(k * v for k, v in enumerate(sq))), "theta1": theta1})
            rho = sigma1 / q
            new = float(dual.value(ops, q, rho)) * lw2 + lb2
            theta1 = new + theta1 * float(dual.deriv(ops, q, rho)) * lw2
            sigma1 = new
            q = float(dual.variance(ops, q)) * lw2 + lb2
        return propagate_bound(layers, self.kind)

    def on_inputs(self, x_norm_sq: Any, y_norm_sq: Any, dot: Any) -> np.ndarray:
        """``K(x, x′)`` for inputs of any norm, from ``‖x‖²/d``, ``‖x′‖²/d`` and ``x·x′/d``.

        Parameters
        ----------
        x_norm_sq, y_norm_sq : array_like
            ``‖x‖²/d`` and ``‖x′‖²/d`` (``>= 0``; broadcast together with ``dot``).
        dot : array_like
            ``x·x′/d``, with ``(x·x′)² <= ‖x‖² ‖x′‖²``.

        Returns
        -------
        numpy.ndarray
            The kernel, broadcast shape.  ``on_inputs(1, 1, c) == K(c)``.

        Raises
        ------
        ParameterError
            Negative or non-finite norms, or a dot product outside the Cauchy–Schwarz range.

        Notes
        -----
        The first layer has ``Σ_1(x, x′) = w_std² x·x′/d + b_std²`` and the per-input variances
        ``q_x = w_std² ‖x‖²/d + b_std²``; each later layer uses the dual activation at unequal
        variances, e.g. ReLU ``E[φ(u)φ(v)] = √(q_x q_y) J_1(θ)/(2π)`` (neural-tangents' kernels of
        ``(‖x‖, ‖x′‖, x·x′)``).  The Hermite fallback uses ``Σ_k b_k(q_x) b_k(q_y) ρ^k``;
        :attr:`error_bound` is stated for unit-scale inputs only.

        Examples
        --------
        >>> k = dot_product_kernel("relu", "ntk", depth=2)
        >>> float(k.on_inputs(4.0, 4.0, 2.0)) == float(4 * k(0.5))   # ReLU is 1-homogeneous
        True
        """
        xx, yy, xy = (np.asarray(v, dtype=float) for v in (x_norm_sq, y_norm_sq, dot))
        xx, yy, xy = np.broadcast_arrays(xx, yy, xy)
        for name, v in (("x_norm_sq", xx), ("y_norm_sq", yy)):
            if not np.all(np.isfinite(v)) or np.any(v < 0):
                raise ParameterError(f"{name}: squared norms (divided by d) must be finite and >= 0, got {v}")
        if not np.all(np.isfinite(xy)) or np.any(xy**2 > xx * yy * (1 + 1e-12) + 1e-300):
            raise ParameterError("dot: x·x′/d must be finite with (x·x′)² <= ‖x‖²‖x′‖² (Cauchy–Schwarz)")
        ops, dual = NumpyOps, self._dual
        w2, b2 = float(self.w_std**2), float(self.b_std**2)
        qx, qy = w2 * xx + b2, w2 * yy + b2
        sigma = w2 * xy + b2
        theta = sigma
        for layer in range(self.depth):
            lw2, lb2 = (float(v) for v in self._layer_scales(ops, layer))
            with np.errstate(invalid="ignore", divide="ignore"):
                root = np.sqrt(qx * qy)
                rho = np.clip(np.where(root > 0, sigma / np.where(root > 0, root, 1.0), 0.0), -1.0, 1.0)
            new = np.asarray(dual.value(ops, qx, rho, qy), dtype=float) * lw2 + lb2
            if self.kind == "ntk":
                theta = new + theta * np.asarray(dual.deriv(ops, qx, rho, qy), dtype=float) * lw2
            sigma = new
            qx = self._variance_array(qx) * lw2 + lb2
            qy = self._variance_array(qy) * lw2 + lb2
        return np.asarray(theta if self.kind == "ntk" else sigma, dtype=float)

    def _variance_array(self, q: np.ndarray) -> np.ndarray:
        if self.closed_form:
            return np.asarray(self._dual.variance(NumpyOps, q), dtype=float) * np.ones_like(q)
        out = np.empty_like(q)
        for v in np.unique(q):
            out[q == v] = float(self._dual.variance(NumpyOps, float(v)))
        return out

    @property
    def exact_series(self) -> bool:
        """Whether :meth:`coefficients` with ``exact=True`` is available: closed-form duals,
        polynomial activations, or one hidden layer without bias (then ``ρ = c`` and the Hermite
        series gives the coefficients exactly)."""
        d = self._dual
        if not getattr(d, "symbolic", True):  # Φ₂ (kinks away from 0): 40-digit series only
            return False
        return d.closed_form or d.finite or (self.depth == 1 and self.b_std == 0)

    def __call__(self, c: Any) -> np.ndarray:
        """``K(c)`` for cosines ``c ∈ [−1, 1]`` (numpy array of the same shape)."""
        arr = np.asarray(c, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > 1.0 + 1e-12):
            raise ParameterError("c: cosines must be finite and in [-1, 1]")
        arr = np.clip(arr, -1.0, 1.0)
        out = self._evaluate(NumpyOps, arr)
        return np.asarray(out, dtype=float) * np.ones_like(arr)

    def coefficients(self, order: int, exact: bool = False) -> list:
        """Taylor coefficients ``a_0..a_order`` of ``K(c) = Σ_k a_k c^k``.

        Parameters
        ----------
        order : int
            Highest power, ``>= 0``.
        exact : bool
            ``True``: exact SymPy numbers (expressions grow quickly beyond one hidden layer);
            ``False``: Python floats from 40-digit arithmetic.

        Raises
        ------
        DerivationError
            ``exact=True`` where no exact series exists (see :attr:`exact_series`).
        """
        order = check_order(order)
        key = (order, bool(exact))
        if key in self._cache:
            return list(self._cache[key])
        if exact and not self.exact_series:
            why = ("its dual involves the bivariate normal distribution function Φ₂"
                   if not getattr(self._dual, "symbolic", True) else
                   "its dual activation has no closed form and the correlation has a constant term")
            raise DerivationError(
                f"no exact series for φ = {self.activation} at depth {self.depth} with b_std = {self.b_std}: "
                f"{why}; use exact=False")
        if exact and not self._dual.closed_form and self.depth == 1 and self.b_std == 0 and not self._dual.finite:
            # one layer, no bias: ρ = c, so a_k = w² b_k(w²)² (NNGP), w² (k+1) b_k(w²)² (NTK)
            order_h = order
            w2 = self.w_std**2
            sq = _scaled_squares(self.activation, self.variable, w2, order_h, "exact")
            out = [sp.simplify(w2 * (k + 1 if self.kind == "ntk" else 1) * a) for k, a in enumerate(sq)]
        else:
            field = ExactField() if exact else MpField()
            ser = self._evaluate(SeriesOps(field), Series.variable(max(order, 1), field))
            if not isinstance(ser, Series):
                ser = Series([ser] + [field.zero] * max(order, 1), field)
            out = [(field.to_sympy if exact else field.to_float)(v) for v in ser.c[: order + 1]]
            if exact:
                out = [sp.simplify(v) if sp.count_ops(v) < 200 else v for v in out]
        self._cache[key] = tuple(out)
        return list(out)

    def series(self, order: int) -> sp.Expr:
        """The exact truncated series ``Σ_{k ≤ order} a_k c^k`` as a SymPy polynomial in ``c``."""
        return sp.Add(*[a * _c**k for k, a in enumerate(self.coefficients(order, exact=True))])

    def expression(self) -> sp.Expr:
        """``K(c)`` as a SymPy expression in ``c`` (closed-form duals and polynomial activations;
        otherwise the dual is the Hermite series truncated at ``hermite_order``)."""
        return self._evaluate(SympyOps, _c)

    @property
    def symbol(self) -> sp.Symbol:
        """The SymPy symbol ``c`` used by :meth:`series` and :meth:`expression`."""
        return _c

    def truncation_error(self, order: int, c: Any) -> np.ndarray:
        """``K(c) − Σ_{k ≤ order} a_k c^k`` (numerical)."""
        a = np.array(self.coefficients(order), dtype=float)
        arr = np.asarray(c, dtype=float)
        return self(arr) - np.polynomial.polynomial.polyval(arr, a)


#: readout conventions: ``"symrmt"`` — the readout layer has the hidden layers' ``w_std``, ``b_std``;
#: ``"stax"`` — neural-tangents' ``stax.Dense(1)`` readout with its defaults ``W_std = 1`` and no bias.
CONVENTIONS = ("symrmt", "stax")


def dot_product_kernel(activation: str | sp.Expr, kind: str = "nngp", depth: int = 1, w_std: Any = 1,
                       b_std: Any = 0, hermite_order: int = 48, readout_w_std: Any = None,
                       readout_b_std: Any = None, convention: str = "symrmt",
                       tolerance: float = 1e-6) -> DotProductKernel:
    """The NNGP or NTK dot-product kernel ``K(c)`` of a fully connected network.

    Parameters
    ----------
    activation : str or sympy.Expr
        ``"relu"``, ``"erf"``, ``"sign"``, ``"tanh"``, ``"linear"`` or a SymPy expression in one
        variable with ``E φ(G)² < ∞``.  Exact at any depth (closed-form dual) for ReLU, erf, sign,
        polynomials and the families of :mod:`symrmt.kernels.exact`: piecewise linear with the kink
        at 0 (``a·Max(x, 0) + b·x + c``, LeakyReLU, ``Abs``, steps), rectified monomials
        ``Max(x, 0)**n``, ``Σ α_j exp(a_j x)``, ``Σ α_j exp(−g_j x²)``, sums of ``cos``/``sin`` and
        ``α erf(βx) + c`` (neural-tangents' ``Sigmoid_like``), Gabor sums ``Σ α_j exp(−g_j x²) cos/sin(ω_j x)``,
        GELU ``x (1 + erf(x/√2))/2`` and piecewise-linear activations with kinks anywhere
        (``Max(x - 1, 0)``, ``Max(-1, Min(1, x))``; :mod:`symrmt.kernels.kinked`).
    kind : {"nngp", "ntk"}
        Neural-network Gaussian-process kernel, or neural tangent kernel.
    depth : int
        Number of hidden layers ``L >= 1``.
    w_std, b_std : number
        Weight and bias scales of the hidden layers (``w_std > 0``, ``b_std >= 0``; exact numbers
        are kept exact).
    hermite_order : int
        Truncation of the Hermite series of the dual activation when it has no closed form.
    readout_w_std, readout_b_std : number, optional
        Scales of the readout layer (default: those of ``convention``).
    convention : {"symrmt", "stax"}
        ``"symrmt"`` (default): the readout reuses ``w_std`` and ``b_std``.  ``"stax"``:
        neural-tangents' ``stax.serial(Dense(m, W_std, b_std), φ, ..., Dense(1))`` — a readout with
        ``Dense``'s defaults ``W_std = 1`` and ``b_std = None`` (no bias).
    tolerance : float
        A ``UserWarning`` is issued when the truncation's :attr:`~DotProductKernel.error_bound`
        exceeds it.

    Returns
    -------
    DotProductKernel
        Callable on numpy arrays of cosines; ``.on_inputs(x_norm_sq, y_norm_sq, dot)``,
        ``.coefficients(order, exact)``, ``.series(order)``, ``.expression()``, ``.error_bound``
        (0 for closed forms), ``.family``.

    Raises
    ------
    ParameterError
        Unknown ``kind`` or ``convention``, ``depth < 1``, bad scales, an unknown activation,
        ``E φ(G)² = ∞``, or ``kind="ntk"`` with an activation that has a jump (e.g. sign).

    Warns
    -----
    UserWarning
        When no closed form applies and the truncation error bound exceeds ``tolerance``.

    Notes
    -----
    Conventions in the module docstring: unit-scale inputs ``‖x‖² = d``, ``c = x·x′/d``, NTK
    parameterization.  One hidden layer, ``w_std = 1``, ``b_std = 0``: ``K_NNGP = Σ b_k² c^k``,
    ``K_NTK = Σ (k + 1) b_k² c^k`` (Simon, Anand & DeWeese, arXiv 2106.03186).  The neural-tangents
    recursion (Novak et al., arXiv 1912.02803) is the same layer by layer (``Dense``:
    ``Σ ← W_std² Σ + b_std²``, ``Θ ← Σ + W_std² Θ``; nonlinearity: ``Θ ← Θ·E[φ′φ′]``), so
    ``convention="stax"`` reproduces its ``Dense(1)`` readout.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> float(dot_product_kernel(sp.Abs(x), kind="ntk", depth=1)(1.0))
    2.0
    """
    if not isinstance(kind, str) or kind.lower() not in KINDS:
        raise ParameterError(f"kind: expected one of {KINDS}, got {kind!r}")
    kind = kind.lower()
    if not isinstance(convention, str) or convention.lower() not in CONVENTIONS:
        raise ParameterError(f"convention: expected one of {CONVENTIONS}, got {convention!r}")
    convention = convention.lower()
    depth = integer("depth (number of hidden layers)", depth, low=1)
    hermite_order = check_order(hermite_order, "hermite_order")
    w, b = _std(w_std, "w_std", positive=True), _std(b_std, "b_std", positive=False)
    default_w, default_b = (w, b) if convention == "symrmt" else (sp.Integer(1), sp.Integer(0))
    rw = default_w if readout_w_std is None else _std(readout_w_std, "readout_w_std", positive=True)
    rb = default_b if readout_b_std is None else _std(readout_b_std, "readout_b_std", positive=False)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.floating)) or not tolerance > 0:
        raise ParameterError(f"tolerance: expected a number > 0, got {tolerance!r}")
    expr, var = activation_expr(activation)
    dual = _select_dual(expr, var, int(hermite_order))
    if not dual.closed_form:
        hermite_series(expr, 1)  # validates E φ(G)² < ∞ (raises ParameterError otherwise)
    if kind == "ntk" and (sp.diff(expr, var).has(sp.DiracDelta) or getattr(dual, "jump", False)):
        raise ParameterError(f"activation: φ = {expr} has a jump, so E[φ′(u)φ′(v)] is infinite and the NTK "
                             "does not exist; allowed for kind='ntk': continuous activations (φ′ square-integrable)")
    return DotProductKernel(expr, var, kind, int(depth), w, b, int(hermite_order), rw, rb, float(tolerance), dual)
