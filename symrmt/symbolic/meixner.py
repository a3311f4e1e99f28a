"""Free Meixner laws (freealg ``Meixner``): the free analogues of the Meixner class.

The standardized free Meixner law ``μ_{a,b}`` (mean 0, variance 1, ``b ≥ -1``) has Jacobi
parameters ``α_0 = 0, α_k = a`` and ``ω_1 = 1, ω_k = 1 + b`` (k ≥ 1), so its Cauchy transform
``G = -m`` solves ``G = 1/(z - G_ν(z))``, ν the semicircle of mean a and variance ``1 + b``:

    (b z² + a z + 1) m² + ((1 + 2b) z + a) m + (1 + b) = 0.

a = b = 0: the semicircle; b = 0: a centred free Poisson law (jump a, rate 1/a²); ``a² = 4b > 0``:
a standardized inverse Marchenko–Pastur law (free gamma); ``a² > 4b > 0``: a standardized
``W₁^{1/2} W₂^{-1} W₁^{1/2}`` (free Pascal / free F law); ``-1 ≤ b < 0``: free binomial
laws.  References: Bożejko & Bryc 2006, "On a class of free Lévy laws related to a regression
problem", J. Funct. Anal. 236:59-77; Anshelevich 2003, "Free martingale polynomials",
J. Funct. Anal. 201:228-261.  Stieltjes convention ``m(z) = ∫ ρ(x)/(x - z) dx``.
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from .algebraic_law import AlgebraicLaw, Construction, constraint
from .free import _make
from .operations import _at
from .parsing import to_exact
from .symbols import m, z

__all__ = ["free_meixner"]


def free_meixner(a: Any = 0, b: Any = 0) -> AlgebraicLaw:
    """The standardized free Meixner law ``μ_{a,b}`` (mean 0, variance 1).

    Parameters
    ----------
    a : number or SymPy expression
        Real; the third moment (the skewness).
    b : number or SymPy expression, >= -1
        ``m₄ = a² + b + 2``.

    Returns
    -------
    AlgebraicLaw
        ``(b z² + a z + 1) m² + ((1 + 2b) z + a) m + (1 + b) = 0``; construction
        ``free_meixner``.  Its random-matrix model (:mod:`symrmt.simulate.models`) is a
        standardized Wigner, free Poisson (b = 0), inverse Wishart (``a² = 4b``) or
        ``W₁^{1/2} W₂^{-1} W₁^{1/2}`` (``a² > 4b > 0``) matrix, a compressed Haar projection
        (``b < 0``, free binomial) or a Wigner matrix plus Gaussian rank-one jumps
        (``0 < a² < 4b``); see :func:`symrmt.simulate.structured_models.meixner_model`.

    Raises
    ------
    ParameterError
        ``b < -1`` or non-real parameters.

    Examples
    --------
    >>> import symrmt as sr
    >>> sr.laws.free_meixner(0, 0) == sr.laws.semicircle()
    True
    >>> sr.laws.free_meixner(1, 2).moments(4)
    [0, 1, 1, 5]

    References: Bożejko & Bryc 2006 (J. Funct. Anal. 236:59-77).
    """
    aa, bb = to_exact(a, "a"), to_exact(b, "b")
    cons = (constraint("1 + b", 1 + bb, "nonnegative"),)
    if aa.is_number and aa.is_real is False:
        from ..errors import ParameterError

        raise ParameterError(f"a: must be real, got {aa}")
    expr = (bb * z**2 + aa * z + 1) * m**2 + ((1 + 2 * bb) * z + aa) * m + (1 + bb)

    def expected(pt, order):
        # moments (J^k)_{00} of the Jacobi matrix: diagonal 0, a, a, ...; off-diagonal² 1, 1 + b, ...
        av, bv = _at(aa, pt), _at(bb, pt)
        diag = [sp.QQ.zero] + [av] * order
        off2 = [sp.QQ.one] + [1 + bv] * order
        vec, out = [sp.QQ.one] + [sp.QQ.zero] * (order + 1), [sp.QQ.one]
        for _ in range(order):   # J acts on coefficients in the monic orthogonal basis
            vec = [diag[i] * vec[i] + (vec[i - 1] if i else 0) + (off2[i] * vec[i + 1] if i < order else 0)
                   for i in range(order + 1)] + [sp.QQ.zero]
            out.append(vec[0])
        return out

    return _make(expr, expected, "free-meixner", Construction("free_meixner", (), {"a": aa, "b": bb}), (), cons)
