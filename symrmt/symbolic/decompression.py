"""Free compression and decompression: the law of a matrix at another size.

If ``A`` is ``n × n`` with spectral law ``μ`` and its eigenvectors are in generic position
(orthogonally invariant), the spectral law of its ``n' × n'`` principal corner is the free
compression of ``μ`` by ``α = n'/n``: its free cumulants are ``κ_k(μ_α) = α^{k−1} κ_k(μ)``,
i.e. ``R_α(w) = R(α w)``, i.e. ``μ_α = D_α(μ^{⊞ 1/α})`` (Nica & Speicher 1996, Lectures on the
combinatorics of free probability, Lecture 14).  Run backwards (``α > 1``) it is free
*decompression*: the law of the larger matrix whose ``n × n`` corner has law ``μ`` (Ameli, van
der Heide, Hodgkinson & Mahoney, "Spectral estimation with free decompression", arXiv
2506.11994; the freealg package).  In terms of the Cauchy transform ``G = −m``:
``G_α(ζ + (α − 1)/G(ζ)) = G(ζ)/α``, i.e. the substitution

    P_α(m, z) = numerator of P(α m, z + (α − 1)/(α m)),

equal to ``mobius(free_power(μ, 1/α), α, 0, 0, 1)`` (the tests check it), of which the factor
whose moment series follows the free cumulants ``α^{k−1} κ_k`` is kept
(:func:`symrmt.symbolic.factors.select_factor`).  :meth:`AlgebraicLaw.rescale
<symrmt.symbolic.algebraic_law.AlgebraicLaw.rescale>` is the public face.

Decompression exists as a probability law only when ``μ`` is itself the compression of a larger
law (e.g. a sample covariance's corner: Marchenko–Pastur of ratio γ becomes ratio ``α γ``);
otherwise the result may fail positivity or the Herglotz property, which
:func:`symrmt.measures.check_law` detects.  A corner of a sample covariance ``XᵀX/T`` (``X`` of
shape ``T × n``) is the sample covariance of the first ``n'`` coordinates, so its limit law is the
rescaled one whatever the population.
"""
from __future__ import annotations

import sympy as sp

from . import series as ser
from .factors import select_factor
from .symbols import m, z
from .transforms import numeric_moment_series

__all__ = ["rescaled_polynomial"]


def rescaled_polynomial(poly: sp.Poly, alpha: sp.Expr, what: str) -> sp.Poly:
    """The irreducible polynomial of the law of ``poly`` rescaled by ``alpha = n'/n`` (exact,
    ``alpha`` a positive SymPy number or expression); ``what`` names the result in errors."""
    expr = poly.as_expr().subs({m: alpha * m, z: z + (alpha - 1) / (alpha * m)}, simultaneous=True)

    def expected(point, order):
        kappa = ser.moments_to_cumulants(numeric_moment_series(poly, point, order), order, sp.QQ.zero, sp.QQ.one)
        a = sp.QQ.from_sympy(sp.sympify(alpha).subs(point))
        scaled = [sp.QQ.one] + [a**k * kappa[k + 1] for k in range(order)]   # κ_k α^{k−1}, k = 1..order
        return ser.cumulants_to_moments(scaled, order, sp.QQ.zero, sp.QQ.one)

    return select_factor(expr, expected, what=what)
