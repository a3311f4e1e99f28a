"""Reverse engineering: the activation whose one-hidden-layer kernel is a given dot-product kernel.

Simon, Anand & DeWeese (arXiv 2106.03186, §3): a one-hidden-layer network (``w_std = 1``,
``b_std = 0``, conventions of :mod:`symrmt.kernels.dot_product`) with activation
``φ = Σ_k b_k h_k`` has ``K_NNGP(c) = Σ_k b_k² c^k`` and ``K_NTK(c) = Σ_k (k + 1) b_k² c^k``.  So
any positive semi-definite dot-product kernel ``K(c) = Σ_k a_k c^k`` (all ``a_k ≥ 0``, by
Schoenberg's theorem in high dimension) is realised by

    b_k = ± √(a_k / (k + 1))   (NTK),        b_k = ± √a_k   (NNGP),

each sign free: the kernel only sees ``b_k²``.
"""
from __future__ import annotations

from fractions import Fraction
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import sympy as sp

from .._checks import nonnegative
from ..errors import ParameterError
from ..symbolic.parsing import safe_sympify
from ..symbolic.hermite import probabilists_hermite
from .dot_product import KINDS

__all__ = ["KernelActivation", "activation_from_kernel"]


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
    """

    expr: sp.Expr
    coefficients: tuple
    variable: sp.Symbol
    kind: str

    def __iter__(self):
        return iter((self.expr, self.coefficients))

    def as_floats(self) -> np.ndarray:
        """``b_0..b_K`` as a float array."""
        return np.array([float(b) for b in self.coefficients], dtype=float)


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


def activation_from_kernel(coefficients: Sequence[Any], kind: str = "ntk", signs: Sequence[int] | None = None,
                           variable: sp.Symbol | None = None, atol: float = 0.0) -> KernelActivation:
    """The activation ``φ = Σ_k b_k h_k`` whose one-hidden-layer kernel is ``Σ_k a_k c^k``.

    Parameters
    ----------
    coefficients : sequence of numbers
        ``a_0..a_K`` of the target kernel ``K(c) = Σ_k a_k c^k`` (exact SymPy numbers, integers,
        fractions or floats), e.g. ``dot_product_kernel("relu", "ntk", depth=3).coefficients(12)``.
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

    Returns
    -------
    KernelActivation
        ``(expr, coefficients, variable, kind)``.

    Raises
    ------
    ParameterError
        A negative coefficient (the kernel is not PSD: no real activation realises it), an empty
        or non-numeric sequence, bad ``signs``, unknown ``kind``.

    Notes
    -----
    Simon, Anand & DeWeese, arXiv 2106.03186: conventions ``h_k = He_k/√(k!)``, unit-scale inputs,
    ``w_std = 1``, ``b_std = 0`` (see :func:`~symrmt.kernels.dot_product_kernel`).
    """
    if not isinstance(kind, str) or kind.lower() not in KINDS:
        raise ParameterError(f"kind: expected one of {KINDS}, got {kind!r}")
    kind = kind.lower()
    if isinstance(coefficients, (str, bytes)) or not hasattr(coefficients, "__len__"):
        raise ParameterError("coefficients: expected a sequence of numbers a_0..a_K")
    a = [_number(v, k) for k, v in enumerate(list(np.asarray(coefficients, dtype=object).ravel())
                                             if isinstance(coefficients, np.ndarray) else coefficients)]
    if not a:
        raise ParameterError("coefficients: need at least one coefficient a_0")
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
    return KernelActivation(expr, tuple(b), var, kind)
