"""Equilibrium measures of the potentials ``V(x) = t·x^{2M}`` (rmtool ``equiLmz``).

Convention: μ_V minimises ``∫ V dμ - ∬ log|x - y| dμ(x) dμ(y)``; it is the limit spectral law
of the unitary-invariant ensemble with density ``∝ exp(-n tr V(H))`` on n×n Hermitian
matrices (so ``V = x²/(2σ²)`` gives the semicircle of variance σ²).  Its Euler–Lagrange
equation ``V'(x) = 2 p.v.∫ dμ(y)/(x - y)`` on the support makes ``m(z) = ∫ dμ(x)/(x - z)``
solve ``m² + V'(z) m + P(z) = 0`` with P a polynomial; for the even, convex ``t x^{2M}`` the
support is one interval ``[-a, a]`` (Saff & Totik 1997, Thm IV.5.1):

    m(z) = (-V'(z) + Q(z) √(z² - a²))/2,   ρ(x) = Q(x) √(a² - x²)/(2π),

with ``Q = 2Mt Σ_{k<M} C(2k, k) 4^{-k} a^{2k} z^{2M-2-2k}`` (the polynomial part of
``V'(z)/√(z² - a²)``) and the normalisation ``a^{2M} = 4^M/(M t C(2M, M))``.  Because ``a²`` is
an algebraic function of t, ``b = a²`` is eliminated by a resultant with ``b^M - 4^M/(M t C(2M, M))``:
the result has degree 2M in m and coefficients polynomial in t, and its moments are algebraic
irrationals chosen by the Hankel rule (:mod:`symrmt.symbolic.transforms`).  (Deift 1999,
"Orthogonal polynomials and random matrices", §6.)
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ParameterError
from .algebraic_law import AlgebraicLaw, Construction, constraint
from .free import _make
from .parsing import to_exact
from .symbols import m, z

__all__ = ["equilibrium_measure"]

_MAX_POWER = 6


def equilibrium_measure(power: int, coupling: Any = 1) -> AlgebraicLaw:
    """Equilibrium measure of ``V(x) = t x^{2M}`` (rmtool ``equiLmz``), ``M = power``, ``t = coupling``.

    Parameters
    ----------
    power : int, 1 <= power <= 6
        M: the potential is ``t x^{2M}``.
    coupling : number or SymPy expression, > 0
        t.

    Returns
    -------
    AlgebraicLaw
        Supported on ``[-a, a]``, ``a^{2M} = 4^M/(M t C(2M, M))``, density
        ``Q(x)√(a² - x²)/(2π)`` (module docstring); ``power = 1`` is the semicircle of variance
        ``1/(2t)``.  Its moments satisfy ``2M t m_{2M} = 1`` (the virial identity
        ``∫ x V'(x) dμ = 1``).  Construction ``equilibrium_measure``: ``simulate``/``verify``
        draw the eigenvalues of the ensemble ``exp(-n tr V(H))`` (not Gaussian for M > 1) by
        MCMC on the log-gas (:mod:`symrmt.simulate.log_gas`); ``power = 1`` returns the
        semicircle, which has its Gaussian model.

    Raises
    ------
    ParameterError
        ``power`` not an integer in ``[1, 6]`` or ``coupling`` not positive.

    Examples
    --------
    >>> import sympy as sp, symrmt as sr
    >>> sr.laws.equilibrium_measure(1, 2) == sr.laws.semicircle(sp.Rational(1, 4))
    True
    >>> sr.laws.equilibrium_measure(2, 1).moments(4)[3]      # 2·2·t·m₄ = 1
    1/4

    References: Saff & Totik 1997, "Logarithmic potentials with external fields", §IV.5;
    Deift 1999, §6.
    """
    if isinstance(power, bool) or not isinstance(power, (int, sp.Integer)) or not 1 <= int(power) <= _MAX_POWER:
        raise ParameterError(f"power: expected an integer M with 1 <= M <= {_MAX_POWER}, got {power!r}")
    M = int(power)
    t = to_exact(coupling, "coupling")
    cons = (constraint("coupling", t, "positive"),)
    if M == 1:
        from .classical_laws import semicircle

        return semicircle(1 / (2 * t))
    b = sp.Dummy("b")
    big = sp.Integer(4) ** M / (M * sp.binomial(2 * M, M))
    v1 = 2 * M * t * z ** (2 * M - 1)
    q = 2 * M * t * sum(sp.binomial(2 * k, k) / sp.Integer(4) ** k * b**k * z ** (2 * M - 2 - 2 * k) for k in range(M))
    p = sp.expand(m**2 + v1 * m + (v1**2 - q**2 * (z**2 - b)) / 4)
    expr = sp.resultant(p, _edge_polynomial(sp.expand(t * b**M - big), b, t, big / t, M), b)
    return _make(expr, None, f"equilibrium(t·x^{2 * M}, t={sp.sstr(t)})",
                 Construction("equilibrium_measure", (), {"power": sp.Integer(M), "coupling": t}), (), cons)


def _edge_polynomial(poly: sp.Expr, b: sp.Dummy, t: sp.Expr, value: sp.Expr, M: int) -> sp.Expr:
    """The irreducible factor of ``t b^M - 4^M/(M C(2M, M))`` that has the edge ``b = a² > 0``.

    With t symbolic the polynomial is irreducible; at a number t it may split (t = 1/3, M = 2:
    ``b² = 4``), and the factor vanishing at the positive real root ``value^{1/M}`` is kept."""
    if t.free_symbols:
        return poly
    root = sp.N(value ** sp.Rational(1, M), 50)
    factors = [f for f, _ in sp.factor_list(poly, b)[1]]
    return min(factors, key=lambda f: abs(sp.N(f.subs(b, root), 50)))
