"""Anything that describes a population, as a :class:`~symrmt.measures.measure.Measure`.

One converter, used wherever a population is accepted (``spectrum=`` of the learning-curve
derivations, :func:`symrmt.sample_covariance`, :func:`symrmt.expect`): a Measure as it is, an
:class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw` by quadrature (:func:`from_law`), a pair
``(points, weights)`` or a plain array of points by :func:`empirical`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..symbolic.expect import MeasureRef, expect as _expect_node
from .law_measure import from_law
from .joint import JointMeasure
from .measure import Measure, empirical

__all__ = ["as_measure", "expect"]


def _scalar(value: Any) -> bool:
    if isinstance(value, tuple):
        return False
    try:
        return np.ndim(value) == 0
    except ValueError:  # a ragged sequence: not a scalar
        return False


def as_measure(value: Any, name: str = "measure", *, nonnegative: bool = False) -> Measure:
    """``value`` as a Measure.

    Parameters
    ----------
    value
        A :class:`Measure`; an AlgebraicLaw with bound parameters (quadrature, :func:`from_law`);
        a pair ``(points, weights)``; or a 1-d array-like of points (uniform weights).
    name
        The argument's name, used in error messages.
    nonnegative
        Require support in ``[0, ∞)`` (a covariance spectrum).

    Raises
    ------
    ParameterError
        Anything else, or invalid points/weights (naming ``name``).
    """
    from ..symbolic.algebraic_law import AlgebraicLaw

    if isinstance(value, Measure):
        mu = value
    elif isinstance(value, AlgebraicLaw):
        mu = from_law(value)
    elif value is None or isinstance(value, (str, bytes, dict, set, sp.Basic)) or _scalar(value):
        raise ParameterError(f"{name}: expected a measure (symrmt.measures.empirical, power_law, from_law), "
                             f"an AlgebraicLaw, (points, weights) or an array of points, got {value!r}")
    elif isinstance(value, tuple) and len(value) == 2 and not np.isscalar(value[0]):
        try:
            mu = empirical(value[0], value[1], allow_negative=not nonnegative)
        except ParameterError as exc:
            raise ParameterError(f"{name}: {exc}") from exc
    else:
        try:
            mu = empirical(value, allow_negative=not nonnegative)
        except ParameterError as exc:
            raise ParameterError(f"{name}: {exc}") from exc
    if nonnegative:
        mu.require_nonnegative(name)
    return mu


def expect(expr: Any, var: Any, measure: Any) -> sp.Expr:
    """``E_{var ~ measure}[expr]``: a SymPy node usable in System equations and observables.

    Compiled as a loop over the measure's atoms (or quadrature nodes) inside the generated
    numba kernel; the measure's arrays are run-time inputs, so its size never reaches the
    symbolic work or the generated source.  The derivative of the node is the expectation of the
    derivative (the Jacobian of a System).

    Parameters
    ----------
    expr
        A SymPy expression in ``var`` (and unknowns, parameters).
    var
        The integration variable (a SymPy Symbol); for a :func:`~symrmt.measures.joint` measure
        a tuple of Symbols, one per coordinate.
    measure
        Anything :func:`as_measure` accepts: a Measure, an AlgebraicLaw, ``(points, weights)``
        or an array of points; or a :class:`~symrmt.measures.joint.JointMeasure`.

    Examples
    --------
    >>> import sympy as sp
    >>> from symrmt import measures
    >>> t, k = sp.symbols("t kappa", positive=True)
    >>> df1 = measures.expect(t / (t + k), t, measures.power_law(1.5, 10000))
    >>> df1.free_symbols == {k}
    True
    >>> w, th = sp.symbols("omega theta", positive=True)
    >>> pairs = measures.joint([[1.0, 0.2], [0.5, 0.8]])   # (eigenvalue, target weight) per atom
    >>> measures.expect(th * w / (w + k), (w, th), pairs).free_symbols == {k}
    True
    """
    if isinstance(measure, (MeasureRef, JointMeasure)):
        mu = measure
    else:
        mu = as_measure(measure, "measure")
    return _expect_node(expr, var, mu)
