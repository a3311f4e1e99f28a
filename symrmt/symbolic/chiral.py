"""The chiral block law: the spectrum of ``[[αI_n, X/√m], [Xᵀ/√m, βI_m]]`` (freealg ``ChiralBlock``).

``X`` is ``n×m`` with i.i.d. standard entries, ``c = n/m``, and the matrix has size ``N = n + m``
(``φ = n/N = c/(1 + c)``).  By the Schur complement of each diagonal block, with
``ζ = (α - z)(β - z)`` and ``m_S`` the Stieltjes transform of ``S = XXᵀ/m`` (Marchenko–Pastur
of ratio c):

    m(z) = -φ (α + β - 2z) m_S(ζ) + (1 - 2φ)/(β - z),

the last term the ``m - n`` eigenvalues equal to β when ``m > n`` (for ``n > m`` the atom of
``m_S`` at 0 turns it into ``n - m`` eigenvalues equal to α).  The eigenvalues are
``(α + β)/2 ± √(((α - β)/2)² + s)``, s the eigenvalues of ``S``.  Stieltjes convention
``m(z) = ∫ ρ(x)/(x - z) dx``.  (Rao & Edelman 2008 §6 for the substitution method.)
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ParameterError
from . import series as ser
from .algebraic_law import Construction, constraint
from .classical_laws import marchenko_pastur
from .free import _make, _numeric
from .operations import _at
from .parsing import to_exact
from .symbols import m, z

__all__ = ["chiral_block"]


def chiral_block(alpha: Any, beta: Any, ratio: Any):
    """Limit spectral law of ``H = [[αI_n, X/√m], [Xᵀ/√m, βI_m]]`` (freealg ``ChiralBlock``).

    Parameters
    ----------
    alpha, beta : number or SymPy expression
        The diagonal values of the two blocks (real).
    ratio : number or SymPy expression, > 0
        ``c = n/m``: X is ``n×m`` with i.i.d. entries of variance 1.

    Returns
    -------
    AlgebraicLaw
        ``P(m, z) = P_S((m - (1 - 2φ)/(β - z)) / (-φ(α + β - 2z)), (α - z)(β - z))`` with
        ``P_S`` the Marchenko–Pastur polynomial of ratio c and ``φ = c/(1 + c)``, reduced to the
        factor of the moment series of that relation.  ``chiral_block(0, 0, 1)`` is the
        semicircle of variance 1.  Construction ``chiral_block``: simulated as the ``N×N``
        block matrix, ``n = round(φ N)``.

    Raises
    ------
    ParameterError
        ``ratio`` not positive, or a non-real ``alpha``/``beta``.

    Examples
    --------
    >>> import symrmt as sr
    >>> sr.laws.chiral_block(0, 0, 1) == sr.laws.semicircle(1)
    True
    """
    al, be, c = to_exact(alpha, "alpha"), to_exact(beta, "beta"), to_exact(ratio, "ratio")
    cons = (constraint("ratio", c, "positive"),)
    for label, val in (("alpha", al), ("beta", be)):
        if val.is_number and val.is_real is False:
            raise ParameterError(f"{label}: must be real, got {val}")
    phi = c / (1 + c)
    mp = marchenko_pastur(c)
    ms = (m - (1 - 2 * phi) / (be - z)) / (-phi * (al + be - 2 * z))
    expr = mp.expr.subs({m: ms, z: (al - z) * (be - z)}, simultaneous=True)

    def expected(pt, order):
        a, b, cv = _at(al, pt), _at(be, pt), _at(c, pt)
        ph = cv / (1 + cv)
        zero, one = sp.QQ.zero, sp.QQ.one
        s = _numeric(mp)(pt, order)
        # 1/((1 - αw)(1 - βw)) and t = 1/ζ = w² / ((1 - αw)(1 - βw))
        q = ser.inverse(ser.mul([one, -a], [one, -b], order, zero) + [zero] * order, order, zero, one)
        t = [zero, zero] + q[: order - 1]
        st = ser.compose(s, t, order, zero, one)                     # S(t) = Σ s_k t^k
        lead = ser.mul([2 * ph, -ph * (a + b)] + [zero] * order, ser.mul(q, st, order, zero), order, zero)
        tail = [(1 - 2 * ph) * b**k for k in range(order + 1)]       # (1 - 2φ)/(1 - βw)
        return [x + y for x, y in zip(lead, tail)]

    return _make(expr, expected, f"chiral_block({sp.sstr(al)}, {sp.sstr(be)}, {sp.sstr(c)})",
                 Construction("chiral_block", (), {"alpha": al, "beta": be, "ratio": c}), (), cons)
