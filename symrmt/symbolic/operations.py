"""Further exact operations on algebraic laws: square, transpose, block-diagonal sum.

Each one maps the minimal polynomial ``P(m, z)`` of the Stieltjes transform of its operand(s)
to that of the result, by substitution or elimination (a resultant), symbolic in the
parameters, and selects the physical factor by the moment series the operation predicts
(:func:`symrmt.symbolic.factors.select_factor`), as the free operations of
:mod:`symrmt.symbolic.free` do.  Stieltjes convention ``m(z) = ∫ ρ(x)/(x - z) dx``.

* ``square``: the law of ``X²``.  With ``y = √z``,
  ``m_{X²}(y²) = (m_X(y) - m_X(-y))/(2y)``; eliminating ``a = m_X(y)`` from
  ``P(a, y) = 0`` and ``P(a - 2 y m, -y) = 0`` gives a polynomial even in ``y``.
* ``transpose``: ``XᵀX`` (d×d) ↔ ``XXᵀ`` (n×n) share their non-zero eigenvalues, so with
  ``c = d/n``: ``μ_{XXᵀ} = c μ_{XᵀX} + (1 - c) δ_0`` and ``m_B(z) = c m_A(z) - (1 - c)/z``.
* ``block_diagonal``: ``diag(A, B)`` with A a fraction α of the size:
  ``m = α m_A + (1 - α) m_B``, eliminating ``m_B`` by a resultant.

These are rmtool's ``squareA``, ``transposeA`` and ``AblockB`` (Rao & Edelman 2008, "The
polynomial method for random matrices", Found. Comput. Math. 8:649-702, §6; arXiv:math/0601389).
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ParameterError
from .algebraic_law import AlgebraicLaw, Construction, constraint
from .free import _check_law, _make, _name, _numeric
from .parsing import to_exact
from .symbols import m, z

__all__ = ["square", "transpose", "block_diagonal"]


def _at(expr: sp.Expr, point) -> sp.Rational:
    return sp.QQ.from_sympy(sp.sympify(expr).subs(point))


def _even_in(expr: sp.Expr, y: sp.Symbol, what: str) -> sp.Expr:
    """``expr(y)`` even in ``y`` rewritten in ``z = y²`` (odd parts are paired with ``expr(-y)``)."""
    poly = sp.Poly(sp.expand(expr), y)
    if any(k % 2 for (k,) in poly.monoms()):
        poly = sp.Poly(sp.expand(poly.as_expr() * poly.as_expr().subs(y, -y)), y)
    if any(k % 2 for (k,) in poly.monoms()):  # pragma: no cover - the product is even
        raise ParameterError(f"{what}: the elimination did not give an even polynomial")
    return sum((c * z ** (k // 2) for (k,), c in poly.terms()), sp.Integer(0))


def square(law: AlgebraicLaw) -> AlgebraicLaw:
    """Law of ``X²`` for X with law ``law`` (rmtool ``squareA``).

    Parameters
    ----------
    law : AlgebraicLaw
        Any law (its parameters stay symbolic).

    Returns
    -------
    AlgebraicLaw
        With ``y = √z``: ``m_{X²}(y²) = (m(y) - m(-y))/(2y)``; the polynomial is
        ``Res_a[P(a, y), P(a - 2 y m, -y)]`` (even in ``y``, written in ``z = y²``), reduced to
        the factor whose moments are ``m_k(X²) = m_{2k}(X)``.  Its construction
        ``square`` is simulated by squaring the eigenvalues of the operand's model.

    Raises
    ------
    ParameterError
        ``law`` is not an :class:`AlgebraicLaw`.

    Examples
    --------
    >>> import symrmt as sr
    >>> sr.square(sr.laws.semicircle()) == sr.laws.marchenko_pastur(1)   # free Poisson
    True

    References: Rao & Edelman 2008, §6 (arXiv:math/0601389).
    """
    law = _check_law(law, "law")
    a, y = sp.Dummy("a"), sp.Dummy("y")
    params = law.parameters
    first = sp.Poly(law.expr.subs({m: a, z: y}, simultaneous=True), a, y, m, *params)
    second = sp.Poly(law.expr.subs({m: a - 2 * y * m, z: -y}, simultaneous=True), a, y, m, *params)
    res = first.resultant(second).as_expr()
    expr = _even_in(res, y, "square")

    def expected(pt, order):
        return _numeric(law)(pt, 2 * order)[::2]

    return _make(expr, expected, f"{_name(law)}²", Construction("square", (law,)), (law,))


def transpose(law: AlgebraicLaw, ratio: Any) -> AlgebraicLaw:
    """Law of ``XXᵀ`` (n×n) from the law of ``XᵀX`` (d×d), ``ratio = d/n`` (rmtool ``transposeA``).

    Parameters
    ----------
    law : AlgebraicLaw
        The spectral law of the d×d matrix ``XᵀX`` (any law: ``A`` stands for ``XᵀX``).
    ratio : number or SymPy expression, > 0
        ``c = d/n``.  For ``c < 1`` an atom of mass ``1 - c`` at 0 is added; for ``c > 1`` the
        law must have an atom at 0 of mass at least ``1 - 1/c``, which is removed (not checked
        symbolically; the simulation checks it).

    Returns
    -------
    AlgebraicLaw
        ``μ = c·law + (1 - c) δ_0``: ``m(z) = c m_A(z) - (1 - c)/z``, so
        ``P(m, z) = P_A((m + (1 - c)/z)/c, z)`` with denominators cleared; moments ``c m_k``.
        Transposing back with ``1/c`` returns the operand.

    Raises
    ------
    ParameterError
        ``ratio`` not a positive number or expression.

    Examples
    --------
    >>> import sympy as sp, symrmt as sr
    >>> g = sp.Rational(1, 2)      # XᵀX/n ~ MP(1/2), so XXᵀ/n = (1/2)·XXᵀ/d ~ MP(2, variance 1/2)
    >>> sr.transpose(sr.laws.marchenko_pastur(g), g) == sr.laws.marchenko_pastur(2, g)
    True

    References: Rao & Edelman 2008, §6 (arXiv:math/0601389).
    """
    law = _check_law(law, "law")
    c = to_exact(ratio, "ratio")
    cons = constraint("ratio", c, "positive")
    expr = law.expr.subs(m, (m + (1 - c) / z) / c)

    def expected(pt, order):
        cv = _at(c, pt)
        mom = _numeric(law)(pt, order)
        return [sp.QQ.one] + [cv * x for x in mom[1:]]

    return _make(expr, expected, f"transpose({_name(law)}, {sp.sstr(c)})",
                 Construction("transpose", (law,), {"ratio": c}), (law,), (cons,))


def block_diagonal(a: AlgebraicLaw, b: AlgebraicLaw, fraction: Any) -> AlgebraicLaw:
    """Law of ``diag(A, B)``, A of size ``α N`` and B of size ``(1 - α) N`` (rmtool ``AblockB``).

    Parameters
    ----------
    a, b : AlgebraicLaw
        The spectral laws of the two blocks.
    fraction : number or SymPy expression, 0 < fraction < 1
        α, the proportion of the size taken by ``A``.

    Returns
    -------
    AlgebraicLaw
        The mixture ``α μ_A + (1 - α) μ_B``: ``m = α m_A + (1 - α) m_B``, computed as
        ``Res_t[P_B(t, z), α^{deg} P_A((m - (1 - α) t)/α, z)]`` and reduced to the factor whose
        moments are the mixture's.  Its density is ``α ρ_A + (1 - α) ρ_B``.

    Raises
    ------
    ParameterError
        An operand that is not a law, or ``fraction`` outside ``(0, 1)``.

    Examples
    --------
    >>> import sympy as sp, symrmt as sr
    >>> law = sr.block_diagonal(sr.laws.semicircle(), sr.laws.atoms([3]), sp.Rational(1, 4))
    >>> law.moments(2)             # 1/4·(0, 1) + 3/4·(3, 9)
    [9/4, 7]

    References: Rao & Edelman 2008, §6 (arXiv:math/0601389).
    """
    a, b = _check_law(a, "a"), _check_law(b, "b")
    al = to_exact(fraction, "fraction")
    cons = (constraint("fraction", al, "positive"), constraint("fraction", al, "<1"))
    t = sp.Dummy("t")
    pb = sp.expand(b.expr.subs(m, t))
    pa = sp.expand(a.expr.subs(m, (m - (1 - al) * t) / al) * al ** a.degree[0])
    expr = sp.resultant(pb, pa, t)

    def expected(pt, order):
        av = _at(al, pt)
        ma, mb = _numeric(a)(pt, order), _numeric(b)(pt, order)
        return [av * x + (1 - av) * y for x, y in zip(ma, mb)]

    return _make(expr, expected, f"block_diagonal({_name(a)}, {_name(b)}, {sp.sstr(al)})",
                 Construction("block_diagonal", (a, b), {"fraction": al}), (a, b), cons)
