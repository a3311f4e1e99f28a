"""Truncated power series in the cosine ``c``, over an exact or a high-precision number field.

The dual kernels of a deep network are compositions ``g_L(ρ_L(c))`` in which the inner series
``ρ_l(c)`` has a non-zero constant term, so truncating the outer Taylor series does not give the
inner coefficients exactly.  Instead the elementary functions that the closed-form duals are made
of are composed with a series directly:

* ``F = (1 − s²)^{-1/2}`` solves the linear ODE ``(1 − s²) F′ = s s′ F`` — solved term by term;
* ``acos s = acos s_0 − ∫ s′ F``, ``asin s = asin s_0 + ∫ s′ F``, ``(1 − s²)^{1/2} = (1 − s²) F``;
* ``E = exp s`` solves ``E′ = s′ E`` (the exponential, Gaussian and trigonometric duals).

Two fields carry the coefficients:

* :class:`MpField` — mpmath numbers with 40 significant digits (fast, for ``exact=False``);
* :class:`ExactField` — polynomials over ℚ in ``π``, ``1/π`` and one placeholder generator per
  transcendental constant met (``acos ρ_0``, ``(1 − ρ_0²)^{-1/2}``, ...), turned into SymPy
  expressions at the end.  Exact, but the expressions grow quickly with depth and order.

Only integer divisions and the field's own ``inv``/``inv_sqrt`` are used, so both fields work.
"""
from __future__ import annotations

from typing import Any, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import DerivationError

__all__ = ["Series", "MpField", "ExactField", "NumpyOps", "SeriesOps", "SympyOps"]


# ---------------------------------------------------------------------- fields
class MpField:
    """mpmath numbers at ``dps`` significant digits."""

    def __init__(self, dps: int = 40):
        self.ctx = mpmath.mp.clone()
        self.ctx.dps = dps
        self.zero = self.ctx.mpf(0)
        self.one = self.ctx.mpf(1)
        self.pi = +self.ctx.pi
        self.inv_pi = 1 / self.pi

    def rat(self, p: int, q: int = 1):
        return self.ctx.mpf(p) / q

    def from_value(self, v: Any):
        return self.ctx.mpf(str(sp.N(sp.sympify(v), self.ctx.dps + 5)))

    def sqrt(self, x):
        return self.ctx.sqrt(x)

    def inv_sqrt(self, x):
        return 1 / self.ctx.sqrt(x)

    def inv(self, x):
        return 1 / x

    def acos(self, x):
        return self.ctx.acos(x)

    def asin(self, x):
        return self.ctx.asin(x)

    def exp(self, x):
        return self.ctx.exp(x)

    def normal_cdf(self, x):
        return self.ctx.ncdf(x)

    def normal_pdf(self, x):
        return self.ctx.npdf(x)

    def bivariate_normal_cdf(self, h, k, rho):
        from .bivariate_normal import bivariate_normal_cdf_mp

        return bivariate_normal_cdf_mp(h, k, rho, self.ctx)

    def conditional_tail(self, h, k, rho):
        """``P(Y > k | X = h) = Φ((ρh − k)/√(1 − ρ²))``, with its limits at ``ρ = ±1``."""
        num, den = rho * h - k, 1 - rho * rho
        if den <= 0:
            return self.one if num > 0 else (self.zero if num < 0 else self.rat(1, 2))
        return self.ctx.ncdf(num / self.ctx.sqrt(den))

    def to_sympy(self, x) -> sp.Expr:
        return sp.Float(str(x), self.ctx.dps)

    def to_float(self, x) -> float:
        return float(x)


class ExactField:
    """Polynomials over ℚ in ``π``, ``1/π`` and placeholder generators for transcendental constants.

    A placeholder stands for ``sqrt(a)``, ``1/sqrt(a)``, ``1/a``, ``acos(a)``, ``asin(a)`` of an
    element ``a`` met during the computation, or for an irrational input value; no algebraic
    relation between generators is used, so results are exact but not simplified.
    """

    _KINDS = {"sqrt": lambda a: sp.sqrt(a), "inv_sqrt": lambda a: 1 / sp.sqrt(a), "inv": lambda a: 1 / a,
              "acos": sp.acos, "asin": sp.asin, "exp": sp.exp}

    def __init__(self, generators: int = 96):
        names = ["PI", "IPI"] + [f"g{i}" for i in range(generators)]
        self.ring, *gens = sp.ring(names, sp.QQ)
        self.gens = gens
        self.symbols = [sp.Symbol(n) for n in names]
        self.pi, self.inv_pi = gens[0], gens[1]
        self.zero, self.one = self.ring.zero, self.ring.one
        self._defs: list[tuple[str, Any]] = []  # generator g_i = kind(arg)
        self._memo: dict[tuple, Any] = {}
        self._values: dict[int, sp.Expr] = {}

    def rat(self, p: int, q: int = 1):
        return self.ring(sp.QQ(p, q))

    def _new(self, kind: str, arg: Any):
        key = (kind, arg if kind == "value" else tuple(sorted(arg.items())))
        if key in self._memo:
            return self._memo[key]
        i = len(self._defs)
        if i + 2 >= len(self.gens):
            raise DerivationError("exact series: too many transcendental constants; use exact=False")
        self._defs.append((kind, arg))
        g = self.gens[i + 2]
        self._memo[key] = g
        return g

    def _rational(self, x):
        return x.coeff(1) if x.is_ground else None

    def from_value(self, v: Any):
        v = sp.nsimplify(v) if isinstance(v, float) else sp.sympify(v)
        if v.is_Rational:
            return self.ring(sp.QQ(int(v.p), int(v.q)))
        if v == sp.pi:
            return self.pi
        return self._new("value", v)

    def sqrt(self, x):
        r = self._rational(x)
        if r is not None and r >= 0:
            s = sp.sqrt(sp.Rational(int(r.numerator), int(r.denominator)))
            if s.is_Rational:
                return self.ring(sp.QQ(int(s.p), int(s.q)))
        return self._new("sqrt", x)

    def inv_sqrt(self, x):
        r = self._rational(x)
        if r is not None and r > 0:
            s = 1 / sp.sqrt(sp.Rational(int(r.numerator), int(r.denominator)))
            if s.is_Rational:
                return self.ring(sp.QQ(int(s.p), int(s.q)))
        return self._new("inv_sqrt", x)

    def inv(self, x):
        r = self._rational(x)
        if r is not None and r != 0:
            return self.ring(1 / r)
        if x == self.pi:
            return self.inv_pi
        if x == self.inv_pi:
            return self.pi
        return self._new("inv", x)

    def acos(self, x):
        if not x:
            return self.pi * sp.QQ(1, 2)
        return self._new("acos", x)

    def asin(self, x):
        if not x:
            return self.zero
        return self._new("asin", x)

    def exp(self, x):
        if not x:
            return self.one
        return self._new("exp", x)

    def _no_exact(self, *args):
        raise DerivationError("no exact series: the dual involves the normal distribution functions Φ and Φ₂; "
                              "use exact=False")

    normal_cdf = normal_pdf = bivariate_normal_cdf = conditional_tail = _no_exact

    def _value(self, i: int) -> sp.Expr:
        if i not in self._values:
            kind, arg = self._defs[i]
            self._values[i] = arg if kind == "value" else self._KINDS[kind](self.to_sympy(arg))
        return self._values[i]

    def to_sympy(self, x) -> sp.Expr:
        expr = x.as_expr(*self.symbols)
        rep = {self.symbols[0]: sp.pi, self.symbols[1]: 1 / sp.pi}
        for i in range(len(self._defs)):
            if expr.has(self.symbols[i + 2]):
                rep[self.symbols[i + 2]] = self._value(i)
        return expr.xreplace(rep)

    def to_float(self, x) -> float:
        return float(sp.N(self.to_sympy(x), 30))


# ---------------------------------------------------------------------- series
class Series:
    """``Σ_{k ≤ N} s_k c^k`` (coefficients in a field); operations truncate at order N."""

    __slots__ = ("c", "field")

    def __init__(self, coeffs: Sequence[Any], field: Any):
        self.c = list(coeffs)
        self.field = field

    @classmethod
    def variable(cls, order: int, field: Any) -> "Series":
        return cls([field.zero, field.one] + [field.zero] * (order - 1), field) if order >= 1 else \
            cls([field.zero], field)

    @property
    def order(self) -> int:
        return len(self.c) - 1

    def _lift(self, other: Any) -> "Series":
        if isinstance(other, Series):
            return other
        return Series([other] + [self.field.zero] * self.order, self.field)

    def __add__(self, other: Any) -> "Series":
        o = self._lift(other)
        return Series([a + b for a, b in zip(self.c, o.c)], self.field)

    __radd__ = __add__

    def __neg__(self) -> "Series":
        return Series([-a for a in self.c], self.field)

    def __sub__(self, other: Any) -> "Series":
        return self + (-self._lift(other))

    def __rsub__(self, other: Any) -> "Series":
        return self._lift(other) + (-self)

    def __mul__(self, other: Any) -> "Series":
        if not isinstance(other, Series):
            return Series([a * other for a in self.c], self.field)
        n = self.order
        out = []
        for k in range(n + 1):
            s = self.field.zero
            for j in range(k + 1):
                s = s + self.c[j] * other.c[k - j]
            out.append(s)
        return Series(out, self.field)

    __rmul__ = __mul__

    def derivative(self) -> "Series":
        return Series([self.c[k] * k for k in range(1, self.order + 1)] + [self.field.zero], self.field)

    def integral(self, constant: Any) -> "Series":
        return Series([constant] + [self.c[k] * self.field.rat(1, k + 1) for k in range(self.order)], self.field)

    def polyval(self, coeffs: Sequence[Any]) -> "Series":
        """``Σ_k coeffs[k] · self^k`` (Horner)."""
        out = self._lift(self.field.zero)
        for a in reversed(list(coeffs)):
            out = out * self + a
        return out

    # elementary functions through F = (1 − s²)^{-1/2}
    def _one_minus_square(self) -> "Series":
        return (-(self * self)) + self.field.one

    def inv_sqrt_one_minus_square(self) -> "Series":
        """``(1 − s²)^{-1/2}`` by ``(1 − s²) F′ = s s′ F`` (needs ``|s_0| < 1``)."""
        f = self.field
        p = self._one_minus_square()
        q = self * self.derivative()
        inv_p0 = f.inv(p.c[0])
        out = [f.inv_sqrt(p.c[0])]
        for n in range(self.order):
            num = f.zero
            for j in range(n + 1):
                num = num + q.c[j] * out[n - j]
            for j in range(1, n + 1):
                num = num - p.c[j] * out[n - j + 1] * (n - j + 1)
            out.append(num * inv_p0 * f.rat(1, n + 1))
        return Series(out, f)

    def sqrt_one_minus_square(self) -> "Series":
        return self._one_minus_square() * self.inv_sqrt_one_minus_square()

    def acos(self) -> "Series":
        return (-(self.derivative() * self.inv_sqrt_one_minus_square())).integral(self.field.acos(self.c[0]))

    def asin(self) -> "Series":
        return (self.derivative() * self.inv_sqrt_one_minus_square()).integral(self.field.asin(self.c[0]))

    def normal_cdf(self) -> "Series":
        """``Φ(s) = Φ(s_0) + ∫ s′ φ(s)`` with ``φ(s) = exp(−s²/2)/√(2π)``."""
        f = self.field
        dens = (self * self * f.rat(-1, 2)).exp() * f.inv_sqrt(f.pi * 2)
        return (self.derivative() * dens).integral(f.normal_cdf(self.c[0]))

    def exp(self) -> "Series":
        """``exp s`` by ``F′ = s′ F`` solved term by term."""
        f = self.field
        ds = self.derivative()
        out = [f.exp(self.c[0])]
        for n in range(self.order):
            num = f.zero
            for j in range(n + 1):
                num = num + ds.c[j] * out[n - j]
            out.append(num * f.rat(1, n + 1))
        return Series(out, f)


# ---------------------------------------------------------------------- operation sets
class NumpyOps:
    """Numerical evaluation on float arrays."""

    pi = np.pi
    inv_pi = 1.0 / np.pi

    @staticmethod
    def rat(p: int, q: int = 1) -> float:
        return p / q

    @staticmethod
    def const(v: Any) -> float:
        return float(v)

    @staticmethod
    def inv(x):
        return 1.0 / x

    @staticmethod
    def acos(x):
        return np.arccos(np.clip(x, -1.0, 1.0))

    @staticmethod
    def asin(x):
        return np.arcsin(np.clip(x, -1.0, 1.0))

    @staticmethod
    def sqrt(x):
        return np.sqrt(x)

    @staticmethod
    def exp(x):
        return np.exp(x)

    @staticmethod
    def sqrt_one_minus_square(x):
        return np.sqrt(np.clip(1.0 - np.asarray(x) ** 2, 0.0, None))

    @staticmethod
    def inv_sqrt_one_minus_square(x):
        with np.errstate(divide="ignore"):
            return 1.0 / np.sqrt(np.clip(1.0 - np.asarray(x) ** 2, 0.0, None))

    @staticmethod
    def polyval(x, coeffs):
        out = np.zeros_like(np.asarray(x, dtype=float))
        for a in reversed(list(coeffs)):
            out = out * x + float(a)
        return out

    @staticmethod
    def normal_cdf(x):
        from scipy.special import ndtr

        return ndtr(x)

    @staticmethod
    def normal_pdf(x):
        return np.exp(-0.5 * np.asarray(x) ** 2) / np.sqrt(2 * np.pi)

    @staticmethod
    def bivariate_normal_cdf(h, k, rho):
        from .bivariate_normal import bivariate_normal_cdf

        return bivariate_normal_cdf(h, k, rho)

    @staticmethod
    def conditional_tail(h, k, rho):
        """``P(Y > k | X = h) = Φ((ρh − k)/√(1 − ρ²))`` for standard normals with correlation ρ;
        ``ρh − k`` and ``1 − ρ²`` are formed without cancellation near ``ρ = ±1``, where the limit
        is the step ``1{ρh > k}`` (``1/2`` on the line)."""
        from scipy.special import ndtr

        h, k, rho = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (h, k, rho)))
        num = np.where(rho >= 0, (h - k) + (rho - 1) * h, (rho + 1) * h - (h + k))
        den = np.sqrt(np.clip((1 - rho) * (1 + rho), 0.0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = num / den
        return np.where(den > 0, ndtr(z), np.where(num > 0, 1.0, np.where(num < 0, 0.0, 0.5)))

    @staticmethod
    def bivariate_density_term(h, k, rho):
        """``(1 − ρ²) φ₂(h, k; ρ) = √(1 − ρ²) exp(−(h² − 2ρhk + k²)/(2(1 − ρ²)))/(2π)`` (0 at ``ρ = ±1``)."""
        h, k, rho = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (h, k, rho)))
        one_m, one_p = np.clip(1 - rho, 0.0, None), np.clip(1 + rho, 0.0, None)
        # h² − 2ρhk + k² = (h − k)² + 2(1 − ρ)hk = (h + k)² − 2(1 + ρ)hk
        quad = np.where(rho >= 0, (h - k) ** 2 + 2 * one_m * h * k, (h + k) ** 2 - 2 * one_p * h * k)
        den = one_m * one_p
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            val = np.sqrt(den) * np.exp(-np.clip(quad, 0.0, None) / (2 * den)) / (2 * np.pi)
        return np.where(den > 0, val, 0.0)


class SeriesOps:
    """Power-series composition over a field (``x`` a :class:`Series`, scalars field elements)."""

    def __init__(self, field: Any):
        self.field = field
        self.pi = field.pi
        self.inv_pi = field.inv_pi

    def rat(self, p: int, q: int = 1):
        return self.field.rat(p, q)

    def const(self, v: Any):
        return self.field.from_value(v)

    def inv(self, x):
        return self.field.inv(x)

    def acos(self, x):
        return x.acos() if isinstance(x, Series) else self.field.acos(x)

    def asin(self, x):
        return x.asin() if isinstance(x, Series) else self.field.asin(x)

    def sqrt(self, x):
        return self.field.sqrt(x)

    def exp(self, x):
        return x.exp() if isinstance(x, Series) else self.field.exp(x)

    def sqrt_one_minus_square(self, x):
        if isinstance(x, Series):
            return x.sqrt_one_minus_square()
        return self.field.sqrt(self.field.one - x * x)

    def inv_sqrt_one_minus_square(self, x):
        if isinstance(x, Series):
            return x.inv_sqrt_one_minus_square()
        return self.field.inv_sqrt(self.field.one - x * x)

    def polyval(self, x, coeffs):
        coeffs = [self.field.from_value(a) for a in coeffs]
        if isinstance(x, Series):
            return x.polyval(coeffs)
        out = self.field.zero
        for a in reversed(coeffs):
            out = out * x + a
        return out

    # normal distribution functions: h, k are constants, ρ may be a series (|ρ_0| < 1)
    def normal_cdf(self, x):
        return x.normal_cdf() if isinstance(x, Series) else self.field.normal_cdf(x)

    def normal_pdf(self, x):
        return self.field.normal_pdf(x)

    def _gauss_exponent(self, h, k, rho):
        """``(F, exp(−(h² − 2ρhk + k²) F²/2))`` with ``F = (1 − ρ²)^{-1/2}``."""
        F = rho.inv_sqrt_one_minus_square()
        quad = (rho * (h * k * (-2))) + (h * h + k * k)
        return F, (quad * F * F * self.field.rat(-1, 2)).exp()

    def bivariate_normal_cdf(self, h, k, rho):
        """``Φ₂(h, k; ρ) = Φ₂(h, k; ρ_0) + ∫ ρ′ φ₂(h, k; ρ)`` (Plackett's identity)."""
        f = self.field
        if not isinstance(rho, Series):
            return f.bivariate_normal_cdf(h, k, rho)
        F, e = self._gauss_exponent(h, k, rho)
        return (rho.derivative() * (e * F * f.inv(f.pi * 2))).integral(f.bivariate_normal_cdf(h, k, rho.c[0]))

    def bivariate_density_term(self, h, k, rho):
        f = self.field
        if not isinstance(rho, Series):
            den = f.one - rho * rho
            if den == f.zero:
                return f.zero
            quad = h * h + k * k - rho * h * k * 2
            return f.sqrt(den) * f.exp(-quad * f.inv(den * 2)) * f.inv(f.pi * 2)
        _, e = self._gauss_exponent(h, k, rho)
        return rho.sqrt_one_minus_square() * e * f.inv(f.pi * 2)

    def conditional_tail(self, h, k, rho):
        if not isinstance(rho, Series):
            return self.field.conditional_tail(h, k, rho)
        return ((rho * h - k) * rho.inv_sqrt_one_minus_square()).normal_cdf()


class SympyOps:
    """Closed-form SymPy expressions (``x`` a SymPy expression in the cosine)."""

    pi = sp.pi
    inv_pi = 1 / sp.pi

    @staticmethod
    def rat(p: int, q: int = 1) -> sp.Expr:
        return sp.Rational(p, q)

    @staticmethod
    def const(v: Any) -> sp.Expr:
        return sp.sympify(v)

    @staticmethod
    def inv(x):
        return 1 / x

    acos = staticmethod(sp.acos)
    asin = staticmethod(sp.asin)
    sqrt = staticmethod(sp.sqrt)
    exp = staticmethod(sp.exp)

    @staticmethod
    def sqrt_one_minus_square(x):
        return sp.sqrt(1 - x**2)

    @staticmethod
    def inv_sqrt_one_minus_square(x):
        return 1 / sp.sqrt(1 - x**2)

    @staticmethod
    def polyval(x, coeffs):
        return sp.Add(*[sp.sympify(a) * x**k for k, a in enumerate(coeffs)])

    @staticmethod
    def normal_cdf(x):
        return (1 + sp.erf(x / sp.sqrt(2))) / 2

    @staticmethod
    def normal_pdf(x):
        return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)

    @staticmethod
    def _no_closed_form(*args):
        raise DerivationError("no SymPy closed form: the dual involves the bivariate normal distribution "
                              "function Φ₂; evaluate the kernel numerically or use coefficients(order)")

    bivariate_normal_cdf = bivariate_density_term = conditional_tail = _no_closed_form
