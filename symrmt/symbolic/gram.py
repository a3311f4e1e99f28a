"""Gram matrices of structured rectangular matrices: information-plus-noise, correlated Wishart.

Both are exact operations on algebraic laws (symbolic in the parameters, construction recorded);
Stieltjes convention ``m(z) = ∫ ρ(x)/(x - z) dx``.  Shapes: ``n×N`` rectangular matrices,
``c = n/N``, and the law is that of the ``n×n`` Gram matrix divided by ``N``.

* :func:`info_plus_noise` — ``(A + σ G)(A + σ G)ᵀ/N`` (rmtool ``AgramWish``), by the
  Dozier–Silverstein equation, a substitution in the polynomial of the law of ``AAᵀ/N``.
* :func:`correlated_wishart` — ``X Xᵀ/N`` with ``X = A^{1/2} G B^{1/2}`` (rmtool ``corrWish``),
  the Paul–Silverstein system, eliminated exactly for any algebraic ``A`` and ``B`` through the
  free calculus: ``law(A) ⊠ law(G B Gᵀ/N)``, the second factor a transposed sample covariance.

References: Dozier & Silverstein 2007, "On the empirical distribution of eigenvalues of large
dimensional information-plus-noise-type matrices", J. Multivariate Anal. 98:678-694; Paul &
Silverstein 2009, "No eigenvalues outside the support of the limiting empirical spectral
distribution of a separable covariance matrix", J. Multivariate Anal. 100:37-57; Burda,
Jarosz, Jurkiewicz, Nowak, Papp & Zahed 2011, "Applying free random variables to random matrix
analysis of financial data", Quant. Finance 11:1103-1124; Rao & Edelman 2008 §6.
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from . import series as ser
from .algebraic_law import AlgebraicLaw, Construction, constraint
from .free import _check_law, _make, _name, _numeric, free_multiply, mobius, sample_covariance
from .operations import _at, transpose
from .parsing import to_exact
from .symbols import m, z

__all__ = ["info_plus_noise", "correlated_wishart"]


def info_plus_noise(law: AlgebraicLaw, ratio: Any, noise: Any) -> AlgebraicLaw:
    """Law of ``(A + σG)(A + σG)ᵀ/N`` (information plus noise; rmtool ``AgramWish``).

    Conventions: ``A`` and ``G`` are ``n×N``, ``G`` has i.i.d. standard Gaussian entries,
    ``c = ratio = n/N``, ``σ² = noise``, and ``law`` is the limit spectral law of the ``n×n``
    matrix ``AAᵀ/N`` (the squared singular values of ``A/√N``).  With ``A = 0`` the result is
    ``marchenko_pastur(c, σ²)``; with ``σ² = 0`` it is ``law``.

    Parameters
    ----------
    law : AlgebraicLaw
        The law H of ``AAᵀ/N``; supported on ``[0, ∞)``.  For ``c > 1`` it must have an atom at
        0 of mass at least ``1 - 1/c`` (``AAᵀ`` has rank at most N); the simulation checks it.
    ratio : number or SymPy expression, > 0
        ``c = n/N``.
    noise : number or SymPy expression, > 0
        ``σ²``, the variance of the noise entries.

    Returns
    -------
    AlgebraicLaw
        Dozier & Silverstein (2007), Thm 1.1:
        ``m = ∫ dH(t) / (t/(1 + σ²c m) - (1 + σ²c m) z + σ²(1 - c))``, i.e. with
        ``a = 1 + σ²c m`` and ``ζ = a² z - a σ²(1 - c)``: ``m_H(ζ) = m/a``, so
        ``P(m, z) = P_H(m/a, ζ)`` with denominators cleared, reduced to the factor whose moment
        series solves that equation.  Construction ``info_plus_noise``.

    Raises
    ------
    ParameterError
        ``law`` not a law, ``ratio`` or ``noise`` not positive.

    Examples
    --------
    >>> import symrmt as sr
    >>> sr.info_plus_noise(sr.laws.atoms([0]), 1, 2) == sr.laws.marchenko_pastur(1, 2)
    True

    References: Dozier & Silverstein 2007 (J. Multivariate Anal. 98:678-694).
    """
    law = _check_law(law, "law")
    c, s2 = to_exact(ratio, "ratio"), to_exact(noise, "noise")
    cons = (constraint("ratio", c, "positive"), constraint("noise", s2, "positive"))
    a = 1 + s2 * c * m
    zeta = a**2 * z - a * s2 * (1 - c)
    expr = law.expr.subs({m: m / a, z: zeta}, simultaneous=True)

    def expected(pt, order):
        cv, sv = _at(c, pt), _at(s2, pt)
        h = _numeric(law)(pt, order)
        zero, one = sp.QQ.zero, sp.QQ.one
        shift = [zero, sv * (1 - cv)] + [zero] * (order - 1)        # σ²(1 - c) w
        M = [one] + [zero] * order                                  # M(w) = -m/w = Σ m_k w^k
        for _ in range(order + 1):                                  # each pass fixes a coefficient
            av = [one] + [-sv * cv * x for x in M[:order]]          # a = 1 - σ²c w M
            e = [x - y for x, y in zip(av, shift)]                  # E = a - σ²(1 - c) w
            t = [zero] + ser.inverse(ser.mul(av, e, order, zero), order, zero, one)[:order]
            ht = ser.compose(h, t, order, zero, one)                # H(t), t = w/(a E) = 1/ζ
            M = ser.mul(ht, ser.inverse(e, order, zero, one), order, zero)
        return M

    return _make(expr, expected, f"info_plus_noise({_name(law)}, {sp.sstr(c)}, {sp.sstr(s2)})",
                 Construction("info_plus_noise", (law,), {"ratio": c, "noise": s2}), (law,), cons)


def correlated_wishart(left: AlgebraicLaw, right: AlgebraicLaw, ratio: Any) -> AlgebraicLaw:
    """Law of ``XXᵀ/N`` with ``X = A^{1/2} G B^{1/2}`` (rmtool ``corrWish``; separable covariance).

    Conventions: ``G`` is ``n×N`` with i.i.d. standard Gaussian entries, ``A`` (``n×n``, law
    ``left``) and ``B`` (``N×N``, law ``right``) are positive semidefinite, ``c = ratio = n/N``.
    With ``B = I`` this is ``sample_covariance(left, c)``.

    Parameters
    ----------
    left, right : AlgebraicLaw
        The spectral laws of A and B, supported on ``[0, ∞)``.
    ratio : number or SymPy expression, > 0
        ``c = n/N``.

    Returns
    -------
    AlgebraicLaw
        The Paul–Silverstein system (``m(z) = ∫ dH_A(a)/(a ∫ b dH_B(b)/(1 + c b e) - z)``, e
        the same integral with an extra factor a) eliminated exactly: G and B make
        ``W = G B Gᵀ/N``, orthogonally invariant and asymptotically free from A, so the law is
        ``left ⊠ law(W)``; the non-zero spectrum of W is that of
        ``B^{1/2} GᵀG B^{1/2}/N = c · sample_covariance(right, 1/c)`` (``N×N``), and
        ``law(W) = transpose(that, 1/c)``.  Every step is a resultant or a substitution, so this
        holds for all algebraic A and B.  Construction ``correlated_wishart``.

    Raises
    ------
    ParameterError
        An operand that is not a law, or ``ratio`` not positive.

    Examples
    --------
    >>> import sympy as sp, symrmt as sr
    >>> pop = sr.laws.atoms([1, 3])
    >>> sr.correlated_wishart(pop, sr.laws.atoms([1]), sp.Rational(1, 2)) == sr.sample_covariance(pop, sp.Rational(1, 2))
    True

    References: Paul & Silverstein 2009; Burda et al. 2011 (free random variables).
    """
    left, right = _check_law(left, "left"), _check_law(right, "right")
    c = to_exact(ratio, "ratio")
    cons = constraint("ratio", c, "positive")
    right_side = mobius(sample_covariance(right, 1 / c), c, 0, 0, 1)       # c · B^{1/2} GᵀG B^{1/2}/n
    noise = transpose(right_side, 1 / c)                                    # W = G B Gᵀ/N, n×n
    law = free_multiply(left, noise)
    return AlgebraicLaw(law.polynomial, name=f"correlated_wishart({_name(left)}, {_name(right)}, {sp.sstr(c)})",
                        construction=Construction("correlated_wishart", (left, right), {"ratio": c}),
                        constraints=left.constraints + right.constraints + (cons,))
