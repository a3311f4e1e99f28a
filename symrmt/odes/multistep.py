"""Linear multistep methods and their IMDE: the field a neural ODE trained with a multistep loss learns.

A ``k``-step method ``Σ_{j=0}^{k} α_j y_{n+j} = h Σ_{j=0}^{k} β_j f(y_{n+j})`` (Hairer, Nørsett &
Wanner I, III.2) is held by :class:`LinearMultistep` with exact coefficients; :func:`multistep`
gives the Adams–Bashforth, Adams–Moulton and BDF methods and the leapfrog rule.

Training a field ``f_θ`` with the multistep loss ``‖Σ_j α_j y_j − h Σ_j β_j f_θ(y_j)‖²`` on exact
trajectories ``y_j = φ_{jh}(y)`` makes ``f_θ`` approach the field ``f_h`` with

    Σ_j α_j φ_{jh}(y) = h Σ_j β_j f_h(φ_{jh}(y))     for all y,

i.e. the field whose underlying one-step method is the exact flow (the IMDE of the multistep
method; Zhu, Jin, Zhu & Tang, arXiv 2206.07335, and its multistep follow-up).  With the Lie
derivative ``L g = (∂g/∂y) f`` and ``g(φ_t(y)) = Σ_r t^r/r! L^r g``, the coefficient of ``h^m``
gives, for ``f_h = Σ_k h^k f_k`` (``σ(1) = Σ β_j``),

    σ(1) f_{m−1} = (Σ_j α_j j^m/m!) L^{m−1} f − Σ_{k<m−1} (Σ_j β_j j^{m−1−k}/(m−1−k)!) L^{m−1−k} f_k,

so each term follows from the previous ones by differentiation alone (exact, rational in ``y``).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import Any

import sympy as sp

from .._checks import integer
from ..errors import ParameterError
from ..symbolic.parsing import to_exact
from .field_args import normalize_field, polynomial_in_h

__all__ = ["LinearMultistep", "multistep", "MULTISTEP_NAMES", "lmm_imde", "lmm_imde_terms"]


@dataclass(frozen=True)
class LinearMultistep:
    """``Σ_j α_j y_{n+j} = h Σ_j β_j f(y_{n+j})``, ``j = 0..k``, exact coefficients.

    Parameters
    ----------
    alpha, beta
        ``k + 1`` coefficients each (``α_k ≠ 0``); consistency ``Σ α_j = 0`` and
        ``Σ j α_j = Σ β_j ≠ 0`` is required.
    name
        A label.
    """

    alpha: tuple
    beta: tuple
    name: str = "custom"

    def __post_init__(self) -> None:
        a = tuple(to_exact(v, f"alpha[{i}]") for i, v in enumerate(self.alpha))
        b = tuple(to_exact(v, f"beta[{i}]") for i, v in enumerate(self.beta))
        if len(a) < 2 or len(a) != len(b):
            raise ParameterError(f"alpha, beta: expected k + 1 >= 2 coefficients each, got {len(a)} and {len(b)}")
        if a[-1] == 0:
            raise ParameterError("alpha: the leading coefficient alpha[k] must be non-zero")
        if sp.simplify(sum(a)) != 0 or sp.simplify(sum(j * v for j, v in enumerate(a)) - sum(b)) != 0 or sum(b) == 0:
            raise ParameterError("alpha, beta: not consistent (need Σ α_j = 0 and Σ j α_j = Σ β_j ≠ 0)")
        object.__setattr__(self, "alpha", a)
        object.__setattr__(self, "beta", b)

    @property
    def steps(self) -> int:
        return len(self.alpha) - 1

    @property
    def is_explicit(self) -> bool:
        return self.beta[-1] == 0

    def error_constant(self, m: int) -> sp.Expr:
        """``C_m = Σ_j α_j j^m/m! − Σ_j β_j j^(m−1)/(m−1)!`` (``C_0 = Σ α_j``): the method has order
        ``p`` iff ``C_0 = … = C_p = 0`` (HNW I, III.2)."""
        m = integer("m", m, low=0)
        lhs = sum(a * sp.Integer(j) ** m for j, a in enumerate(self.alpha)) / factorial(m)
        rhs = 0 if m == 0 else sum(b * sp.Integer(j) ** (m - 1) for j, b in enumerate(self.beta)) / factorial(m - 1)
        return sp.nsimplify(lhs - rhs)

    def order(self, max_order: int = 12) -> int:
        """The classical order (largest ``p <= max_order`` with ``C_0 = … = C_p = 0``)."""
        for m in range(integer("max_order", max_order, low=1) + 1):
            if self.error_constant(m) != 0:
                return m - 1
        return max_order


def _catalogue() -> dict[str, tuple[tuple, tuple]]:
    R = sp.Rational
    return {
        "ab2": ((0, -1, 1), (R(-1, 2), R(3, 2), 0)),
        "ab3": ((0, 0, -1, 1), (R(5, 12), R(-16, 12), R(23, 12), 0)),
        "ab4": ((0, 0, 0, -1, 1), (R(-9, 24), R(37, 24), R(-59, 24), R(55, 24), 0)),
        "am1": ((-1, 1), (R(1, 2), R(1, 2))),                       # the trapezoidal rule
        "am2": ((0, -1, 1), (R(-1, 12), R(8, 12), R(5, 12))),
        "am3": ((0, 0, -1, 1), (R(1, 24), R(-5, 24), R(19, 24), R(9, 24))),
        "bdf1": ((-1, 1), (0, 1)),                                   # implicit Euler
        "bdf2": ((R(1, 3), R(-4, 3), 1), (0, 0, R(2, 3))),
        "bdf3": ((R(-2, 11), R(9, 11), R(-18, 11), 1), (0, 0, 0, R(6, 11))),
        "leapfrog": ((-1, 0, 1), (0, 2, 0)),                         # explicit midpoint, two steps
    }


#: Names accepted by :func:`multistep`, with the classical order of each method.
MULTISTEP_NAMES: dict[str, int] = {"ab2": 2, "ab3": 3, "ab4": 4, "am1": 2, "am2": 3, "am3": 4,
                                   "bdf1": 1, "bdf2": 2, "bdf3": 3, "leapfrog": 2}


def multistep(name: str | LinearMultistep) -> LinearMultistep:
    """A catalogue method: Adams–Bashforth ``ab2..ab4`` (explicit), Adams–Moulton ``am1`` (the
    trapezoidal rule) ``..am3``, ``bdf1`` (implicit Euler) ``..bdf3``, ``leapfrog``."""
    if isinstance(name, LinearMultistep):
        return name
    if not isinstance(name, str) or name.lower() not in MULTISTEP_NAMES:
        raise ParameterError(f"method: unknown multistep method {name!r}; choose one of {sorted(MULTISTEP_NAMES)}")
    a, b = _catalogue()[name.lower()]
    return LinearMultistep(a, b, name.lower())


def lmm_imde_terms(f: Any, y: Any, method: str | LinearMultistep, order: int) -> list:
    """``[f_0, f_1, …, f_order]`` of the multistep IMDE ``f_h = Σ_k h^k f_k`` (``f_0 = f``); each
    shaped like ``f`` (module docstring for the recursion)."""
    lmm = multistep(method)
    K = integer("order", order, low=0, high=12)
    fl, ys, scalar = normalize_field(f, y)
    sigma1 = sum(lmm.beta)

    def lie(g: list[sp.Expr]) -> list[sp.Expr]:
        return [sp.cancel(sum(sp.diff(gi, yj) * fj for yj, fj in zip(ys, fl))) for gi in g]

    # L^r f_k for all needed r, k (L^r f_k is needed for r + k <= K)
    Lf = [fl]                     # L^m f, m = 0..K
    for _ in range(K):
        Lf.append(lie(Lf[-1]))
    terms: list[list[sp.Expr]] = []
    lie_of: list[list[list[sp.Expr]]] = []   # lie_of[k][r] = L^r f_k
    for m in range(1, K + 2):     # the coefficient of h^m gives f_{m-1}
        lhs_c = sum(a * sp.Integer(j) ** m for j, a in enumerate(lmm.alpha)) / factorial(m)
        acc = [lhs_c * v for v in Lf[m - 1]]
        for k in range(m - 1):
            r = m - 1 - k
            c = sum(b * sp.Integer(j) ** r for j, b in enumerate(lmm.beta)) / factorial(r)
            if c != 0:
                acc = [a_ - c * v for a_, v in zip(acc, lie_of[k][r])]
        fk = [sp.cancel(v / sigma1) for v in acc]
        terms.append(fk)
        chain = [fk]
        for _ in range(K - (m - 1)):
            chain.append(lie(chain[-1]))
        lie_of.append(chain)
    return [t[0] for t in terms] if scalar else terms


def lmm_imde(f: Any, y: Any, method: str | LinearMultistep, order: int, h: sp.Symbol | None = None):
    """The IMDE of a linear multistep method for ``y' = f(y)``, to ``h^order``.

    Parameters
    ----------
    f, y
        The field (SymPy expression or list) and the state symbol(s), as in :func:`symrmt.odes.imde`.
    method
        A :class:`LinearMultistep` or a catalogue name (:data:`MULTISTEP_NAMES`).
    order
        The highest power of ``h`` kept (``0 <= order <= 12``).
    h
        The step symbol (default ``Symbol("h")``).

    Returns
    -------
    sympy.Expr or list of sympy.Expr
        ``f_h = f + h f_1 + … + h^order f_order`` with ``Σ_j α_j φ_{jh} = h Σ_j β_j f_h(φ_{jh}) +
        O(h^(order+2))``: what a neural ODE trained with the multistep loss on exact trajectories
        learns.  A one-step method (``k = 1``) gives the Runge–Kutta IMDE of the same scheme.
    """
    terms = lmm_imde_terms(f, y, method, order)
    _, _, scalar = normalize_field(f, y)
    rows = [[t] for t in terms] if scalar else terms
    return polynomial_in_h(rows, scalar, h)

