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
