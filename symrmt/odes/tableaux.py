"""Butcher tableaux of Runge--Kutta methods, with exact coefficients.

Convention: an ``s``-stage Runge--Kutta method for ``y' = f(y)`` is

    Y_i = y + h Σ_j A[i, j] f(Y_j),    y_1 = y + h Σ_i b[i] f(Y_i),

with nodes ``c = A·1`` (only autonomous fields are treated, so ``c`` is informative).
Coefficients are exact SymPy numbers (``√3`` of the Gauss methods stays ``sqrt(3)``), or SymPy
expressions in parameters for a user family of methods.  Sources: Hairer, Nørsett & Wanner,
*Solving Ordinary Differential Equations I* (II.1, II.7) and Hairer & Wanner, *II* (IV.5).
"""
from __future__ import annotations

from functools import cached_property
from typing import Any, Sequence, Union

import sympy as sp

from ..errors import ParameterError
from ..symbolic.parsing import to_exact

__all__ = ["Tableau", "tableau", "TABLEAU_NAMES", "as_tableau", "MethodLike", "ees25", "ees27"]


class Tableau:
    """A Runge--Kutta method ``(A, b, c)`` with exact coefficients.

    Parameters
    ----------
    A : sequence of sequences, shape (s, s)
        Stage matrix.  Floats are converted to the rational of their shortest decimal.
    b : sequence, length s
        Weights.
    c : sequence, length s, optional
        Nodes; default ``A·1``.  If given they must equal the row sums of ``A`` (the methods
        here act on autonomous fields, for which only ``A`` and ``b`` matter).
    name : str, optional
        Label used in reports.

    Raises
    ------
    ParameterError
        Ragged or mismatched shapes, non-numeric entries, or ``c ≠ A·1``.
    """

    def __init__(self, A: Sequence[Sequence[Any]], b: Sequence[Any],
                 c: Sequence[Any] | None = None, name: str = "custom") -> None:
        try:
            rows = [list(r) for r in A]
            bl = list(b)
        except TypeError as exc:
            raise ParameterError("A must be a square nested sequence and b a sequence") from exc
        s = len(bl)
        if s == 0:
            raise ParameterError("b: a Runge-Kutta method needs at least one stage")
        if len(rows) != s or any(len(r) != s for r in rows):
            raise ParameterError(f"A: expected shape ({s}, {s}) to match len(b) = {s}")
        self.A = sp.Matrix([[to_exact(x, f"A[{i}][{j}]") for j, x in enumerate(r)]
                            for i, r in enumerate(rows)])
        self.b = sp.Matrix([to_exact(x, f"b[{i}]") for i, x in enumerate(bl)])
        rowsum = [sp.simplify(sum(self.A.row(i))) for i in range(s)]
        if c is None:
            self.c = sp.Matrix(rowsum)
        else:
            cl = list(c)
            if len(cl) != s:
                raise ParameterError(f"c: expected length {s}, got {len(cl)}")
            self.c = sp.Matrix([to_exact(x, f"c[{i}]") for i, x in enumerate(cl)])
            for i in range(s):
                if sp.simplify(self.c[i] - rowsum[i]) != 0:
                    raise ParameterError(f"c[{i}] = {self.c[i]} must equal the row sum of A, {rowsum[i]}")
        self.name = str(name)

    # -- structure -------------------------------------------------------------------------
    @property
    def stages(self) -> int:
        """Number of stages ``s``."""
        return self.b.shape[0]

    @property
    def is_explicit(self) -> bool:
        """True when ``A`` is strictly lower triangular."""
        return all(self.A[i, j] == 0 for i in range(self.stages) for j in range(i, self.stages))

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """Free symbols of the coefficients, sorted by name."""
        syms = set(self.A.free_symbols) | set(self.b.free_symbols)
        return tuple(sorted(syms, key=lambda x: x.name))

    def stability_function(self, z: sp.Symbol | None = None) -> sp.Expr:
        """``R(z) = 1 + z bᵀ(I − zA)⁻¹ 1``, the one-step map of the method on ``y' = λy`` (z = hλ)."""
        z = sp.Symbol("z") if z is None else z
        s = self.stages
        M = sp.eye(s) - z * self.A
        x = M.LUsolve(sp.ones(s, 1))
        return sp.cancel(sp.together(1 + z * (self.b.T * x)[0, 0]))

    @cached_property
    def domain(self):
        """``(K, A, b)``: the smallest SymPy domain holding the coefficients and them as elements.

        ``K`` is ``QQ``, an algebraic field ``QQ<θ>``, or a field of fractions in the parameters.
        """
        from sympy.polys.constructor import construct_domain
        entries = list(self.A) + list(self.b)
        K, elems = construct_domain(entries, extension=True) if not self.parameters else \
            construct_domain(entries, field=True)
        if not K.is_Field:
            K = K.get_field()
            elems = [K.convert(e) for e in elems]
        s = self.stages
        A = [elems[i * s:(i + 1) * s] for i in range(s)]
        b = elems[s * s:]
        return K, A, b

    def __repr__(self) -> str:
        return f"Tableau(name={self.name!r}, stages={self.stages})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tableau) and self.A == other.A and self.b == other.b

    def __hash__(self) -> int:
        return hash((tuple(self.A), tuple(self.b)))


def _catalogue() -> dict[str, tuple[list, list]]:
    R = sp.Rational
    r3, r6, r15 = sp.sqrt(3), sp.sqrt(6), sp.sqrt(15)
    return {
        "euler": ([[0]], [1]),
        "midpoint": ([[0, 0], [R(1, 2), 0]], [0, 1]),
        "heun": ([[0, 0], [1, 0]], [R(1, 2), R(1, 2)]),
        "ralston": ([[0, 0], [R(2, 3), 0]], [R(1, 4), R(3, 4)]),
        "rk4": ([[0, 0, 0, 0], [R(1, 2), 0, 0, 0], [0, R(1, 2), 0, 0], [0, 0, 1, 0]],
                [R(1, 6), R(1, 3), R(1, 3), R(1, 6)]),
        "rk38": ([[0, 0, 0, 0], [R(1, 3), 0, 0, 0], [-R(1, 3), 1, 0, 0], [1, -1, 1, 0]],
                 [R(1, 8), R(3, 8), R(3, 8), R(1, 8)]),
        "implicit_midpoint": ([[R(1, 2)]], [1]),
        "gauss4": ([[R(1, 4), R(1, 4) - r3 / 6], [R(1, 4) + r3 / 6, R(1, 4)]], [R(1, 2), R(1, 2)]),
        "gauss6": ([[R(5, 36), R(2, 9) - r15 / 15, R(5, 36) - r15 / 30],
                    [R(5, 36) + r15 / 24, R(2, 9), R(5, 36) - r15 / 24],
                    [R(5, 36) + r15 / 30, R(2, 9) + r15 / 15, R(5, 36)]],
                   [R(5, 18), R(4, 9), R(5, 18)]),
        "radau_iia3": ([[R(5, 12), -R(1, 12)], [R(3, 4), R(1, 4)]], [R(3, 4), R(1, 4)]),
        "radau_iia5": ([[(88 - 7 * r6) / 360, (296 - 169 * r6) / 1800, (-2 + 3 * r6) / 225],
                        [(296 + 169 * r6) / 1800, (88 + 7 * r6) / 360, (-2 - 3 * r6) / 225],
                        [(16 - r6) / 36, (16 + r6) / 36, R(1, 9)]],
                       [(16 - r6) / 36, (16 + r6) / 36, R(1, 9)]),
    }


#: Names accepted by :func:`tableau`, with the classical order of each method.
TABLEAU_NAMES: dict[str, int] = {
    "euler": 1, "midpoint": 2, "heun": 2, "ralston": 2, "rk4": 4, "rk38": 4,
    "implicit_midpoint": 2, "gauss4": 4, "gauss6": 6, "radau_iia3": 3, "radau_iia5": 5,
}

_CACHE: dict[str, Tableau] = {}


def tableau(name: str) -> Tableau:
    """The catalogue tableau called ``name`` (see :data:`TABLEAU_NAMES`).

    ``"euler"`` is explicit Euler, ``"midpoint"`` the explicit midpoint rule, ``"heun"`` the
    explicit trapezoidal rule, ``"ralston"`` Ralston's second-order method, ``"rk4"`` the classical
    method, ``"rk38"`` Kutta's 3/8 rule, ``"gauss4"``/``"gauss6"`` the Gauss--Legendre collocation
    methods of order 4/6, ``"radau_iia3"``/``"radau_iia5"`` the Radau IIA methods of order 3/5.
    """
    if not isinstance(name, str) or name.lower() not in TABLEAU_NAMES:
        raise ParameterError(f"method: unknown tableau {name!r}; choose one of {sorted(TABLEAU_NAMES)}")
    key = name.lower()
    if key not in _CACHE:
        A, b = _catalogue()[key]
        _CACHE[key] = Tableau(A, b, name=key)
    return _CACHE[key]


MethodLike = Union[str, Tableau]


def as_tableau(method: MethodLike) -> Tableau:
    """Accept a catalogue name or a :class:`Tableau`."""
    if isinstance(method, Tableau):
        return method
    if isinstance(method, str):
        return tableau(method)
    raise ParameterError(f"method: expected a tableau name or a Tableau, got {type(method).__name__}")


def ees25(x: Any) -> Tableau:
    """The explicit, effectively symmetric scheme EES(2,5; x) (Shmelev et al., arXiv 2507.21006).

    Three explicit stages, classical order 2, and a B-series that equals its adjoint's on every
    tree of order ``<= 5`` (its antisymmetric part starts at ``h^6``): it behaves like a symmetric
    method to that order at the cost of an explicit one.  ``x`` is the family's free parameter
    (a number or a SymPy symbol; the weights are ``x, 1/2, 1/2 − x``), ``x ∉ {1, ±1/2}``.
    """
    x = to_exact(x, "x")
    if x in (1, sp.Rational(1, 2), -sp.Rational(1, 2)):
        raise ParameterError(f"x: EES(2,5; x) is undefined at x = {x} (allowed: any other number)")
    A = [[0, 0, 0],
         [(1 + 2 * x) / (4 * (1 - x)), 0, 0],
         [(4 * x - 1) ** 2 / (4 * (x - 1) * (1 - 4 * x ** 2)), (1 - x) / (1 - 4 * x ** 2), 0]]
    return Tableau(A, [x, sp.Rational(1, 2), sp.Rational(1, 2) - x], name=f"ees25({x})")


def ees27(x: Any, plus: bool = True) -> Tableau:
    """The explicit, effectively symmetric scheme EES(2,7; x) (Shmelev et al., arXiv 2507.21006).

    Four explicit stages, classical order 2, symmetric to order 7 (B-series equal to its adjoint's
    on every tree of order ``<= 7``).  ``plus`` picks the sign of ``√2`` in the tableau.
    """
    x = to_exact(x, "x")
    r = sp.sqrt(2) if plus else -sp.sqrt(2)
    alpha = (-2 * x + r + 1) * (2 * x + r) / ((2 * x - 1) * (4 * x ** 2 - 4 * x - 1))
    beta = (1 + r - 2 * x) * (2 + r - 2 * x) / ((2 * x - 1) * (2 * x ** 2 - 4 * x + 1) * (4 * x ** 2 - 4 * x - 1))
    poly = -40 * x ** 4 + (80 - 40 * r) * x ** 3 - (88 - 60 * r) * x ** 2 + (48 - 34 * r) * x + 7 * r - 10
    A = [[0, 0, 0, 0],
         [(-2 + r * (1 - 2 * x)) / (4 * (x - 1)), 0, 0, 0],
         [(2 * x + r - 2) * (4 * x + r - 2) * alpha / (4 * r * (x - 1)), (r - 1) * alpha / 2, 0, 0],
         [beta * (2 * x - r) * poly / (8 * (x - 1) * (2 * x ** 2 - 1)),
          (2 - r) * x * (x - 1) * (4 * x + r - 2) * beta / 2,
          (2 - r) * (2 * x - r) * (2 + r - 2 * x) * (x - 1) * (2 * x - 1) / (4 * (2 * x ** 2 - 1) * (2 * x ** 2 - 4 * x + 1)),
          0]]
    b = [x, (2 - r) / 2 - (1 - r) * x, (1 - r) * (x - 1), (2 - r) / 2 - x]
    bad = [e for e in (x - 1, 2 * x - 1, 2 * x ** 2 - 1, 2 * x ** 2 - 4 * x + 1, 4 * x ** 2 - 4 * x - 1)
           if sp.simplify(e) == 0]
    if bad:
        raise ParameterError(f"x: EES(2,7; x) is undefined at x = {x} (a denominator vanishes)")
    return Tableau([[sp.radsimp(sp.simplify(e)) for e in row] for row in A], [sp.simplify(e) for e in b],
                   name=f"ees27({x})")

