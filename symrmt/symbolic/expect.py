"""Expectations under a measure held as data: the SymPy node ``Expect(expr, var, measure)``.

``expect(f(t, u, p), t, mu)`` stands for ``∫ f(t, u, p) dμ(t)``: the measure ``mu`` is *data*
(arrays of points and weights, see :mod:`symrmt.measures`), never expanded into the symbolic
work, so its size enters neither the equations nor the generated source.  The node can stand in
the equations and observables of a :class:`~symrmt.symbolic.system.System`; the code generator
(:mod:`symrmt.codegen.compile`) compiles it as a loop over the measure's atoms (or quadrature
nodes) whose arrays are run-time inputs, and its derivative is the expectation of the derivative
(``∂/∂u E[f] = E[∂f/∂u]``), which gives the analytic Jacobian.

The measure enters the expression as a :class:`MeasureRef`, an atom with no free symbols that
compares equal for measures of equal content (kind and a digest of its arrays).  This module
is pure SymPy: it knows a measure only by the attributes ``kind``, ``digest``, ``size``,
``points`` and ``weights`` (:class:`symrmt.measures.Measure` has them).

Examples
--------
>>> import sympy as sp
>>> from symrmt.symbolic.expect import expect, MeasureRef
>>> t, k = sp.symbols("t kappa", positive=True)
>>> mu = MeasureRef.slot(0)                   # a placeholder measure (the code generator's slot)
>>> e = expect(t / (t + k), t, mu)
>>> sp.diff(e, k)
Expect(-t/(kappa + t)**2, t, mu0)
>>> e.free_symbols == {k}
True
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import sympy as sp

from ..errors import ParameterError
from .parsing import safe_sympify

__all__ = ["Expect", "MeasureRef", "expect", "measure_refs", "expectations", "has_expect",
           "expand_expectations"]

_REQUIRED = ("kind", "digest", "size", "points", "weights")


class MeasureRef(sp.Atom):
    """A measure inside an expression: compared by its kind and the digest of its arrays.

    ``MeasureRef(measure)`` wraps a measure object (kept as ``.measure``); ``MeasureRef.slot(j)``
    is the placeholder of the ``j``-th measure of a generated module (no data).  It has no free
    symbols, so a System does not mistake it for a parameter.
    """

    is_commutative = True
    is_number = False

    def __new__(cls, measure: Any = None, *, _slot: int | None = None) -> "MeasureRef":
        obj = sp.Atom.__new__(cls)
        if _slot is not None:
            obj.measure, obj.kind, obj.key, obj.index, obj.dim = None, "slot", (int(_slot),), int(_slot), None
            return obj
        missing = [a for a in _REQUIRED if not hasattr(measure, a)]
        if missing:
            raise ParameterError(f"measure: expected a measure (symrmt.measures.empirical, power_law, "
                                 f"from_law), got {type(measure).__name__} without {missing}")
        obj.measure, obj.kind, obj.key, obj.index = measure, str(measure.kind), (str(measure.digest),), None
        obj.dim = int(getattr(measure, "dim", 1))  # coordinates per atom (a joint measure: > 1)
        return obj

    @classmethod
    def slot(cls, index: int) -> "MeasureRef":
        """The placeholder of the ``index``-th measure of a generated module."""
        return cls(_slot=index)

    def _hashable_content(self) -> tuple:
        return (self.kind, self.key)

    @property
    def free_symbols(self) -> set:
        return set()

    def __getnewargs_ex__(self):  # pragma: no cover - pickling keeps the data
        return ((self.measure,), {}) if self.index is None else ((), {"_slot": self.index})

    def _sympystr(self, printer) -> str:
        if self.index is not None:
            return f"mu{self.index}"
        return f"{self.kind}[{self.measure.size}]#{self.key[0][:10]}"

    _sympyrepr = _sympystr

    def _latex(self, printer) -> str:
        return r"\mu_{%d}" % self.index if self.index is not None else r"\mu"


class Expect(sp.Function):
    """``Expect(expr, var, measure)``: ``∫ expr dμ(var)`` for a :class:`MeasureRef` ``measure``.

    ``var`` is bound (not a free symbol of the node).  The derivative in any other symbol is
    the expectation of the derivative; an ``expr`` free of ``var`` is its own expectation (the
    measure has mass 1).  Build it with :func:`expect`.
    """

    nargs = 3

    @classmethod
    def eval(cls, expr, var, ref):  # safe: SymPy's Function.eval hook (canonicalization), not Python's eval
        if not isinstance(ref, MeasureRef):
            raise ParameterError(f"measure: expected a MeasureRef, got {ref!r}")
        comps = tuple(var) if isinstance(var, sp.Tuple) else (var,)
        if not comps or not all(isinstance(v, sp.Symbol) for v in comps) or len(set(comps)) != len(comps):
            raise ParameterError(f"var: expected a SymPy Symbol or a tuple of distinct Symbols, got {var!r}")
        if not any(expr.has(v) for v in comps):
            return expr
        return None

    @property
    def expr(self) -> sp.Expr:
        return self.args[0]

    @property
    def variable(self) -> sp.Symbol:
        return self.args[1]

    @property
    def measure(self) -> MeasureRef:
        return self.args[2]

    @property
    def variables(self) -> tuple:
        """The bound variable(s): ``(var,)``, or the components of a joint measure's variable."""
        v = self.args[1]
        return tuple(v) if isinstance(v, sp.Tuple) else (v,)

    @property
    def free_symbols(self) -> set:
        return self.args[0].free_symbols - set(self.variables)

    def _eval_derivative(self, s):
        if s in self.variables:
            return sp.Integer(0)
        return Expect(sp.diff(self.args[0], s), self.args[1], self.args[2])

    def _eval_subs(self, old, new):
        if old in self.variables or old == self.args[1]:  # the bound variables are not substituted
            return self

    def _eval_is_real(self):
        return None

    def _sympystr(self, printer) -> str:
        return f"Expect({printer._print(self.args[0])}, {printer._print(self.args[1])}, {printer._print(self.args[2])})"

    def _latex(self, printer) -> str:
        return (r"\mathbb{E}_{%s \sim %s}\left[%s\right]"
                % (printer._print(self.args[1]), printer._print(self.args[2]), printer._print(self.args[0])))


def expect(expr: Any, var: Any, measure: Any) -> sp.Expr:
    """``E_{var ~ measure}[expr]`` as a SymPy expression (an :class:`Expect` node).

    Parameters
    ----------
    expr
        A SymPy expression in ``var`` and any unknowns or parameters (strings are refused).
    var
        The integration variable (a SymPy Symbol; bound inside the node), or a tuple of distinct
        Symbols for a joint measure on ``R^k`` (:func:`symrmt.measures.joint`: one Symbol per
        coordinate, in the order of its columns).
    measure
        A measure object (:func:`symrmt.measures.empirical`, :func:`~symrmt.measures.power_law`,
        :func:`~symrmt.measures.from_law`) or a :class:`MeasureRef`.  The public
        ``symrmt.expect`` also converts arrays and laws into measures first.

    Returns
    -------
    sympy.Expr
        The node (or ``expr`` itself when it does not depend on ``var``).

    Raises
    ------
    ParameterError
        A non-Symbol ``var``, a string ``expr``, nested expectations under the same variable,
        or an object that is not a measure.
    """
    comps = tuple(var) if isinstance(var, (tuple, list, sp.Tuple)) else (var,)
    if not comps or not all(isinstance(v, sp.Symbol) for v in comps) or len(set(comps)) != len(comps):
        raise ParameterError(f"var: expected a SymPy Symbol or a tuple of distinct Symbols, got {var!r}")
    ex = safe_sympify(expr, "expr")
    if not isinstance(ex, sp.Expr):
        raise ParameterError(f"expr: expected an expression, got {ex!r}")
    ref = measure if isinstance(measure, MeasureRef) else MeasureRef(measure)
    dim = ref.dim
    if dim is not None and dim != len(comps):
        raise ParameterError(f"var: the measure has {dim} coordinate(s) per atom, got {len(comps)} "
                             f"variable(s) {list(comps)}")
    for inner in ex.atoms(Expect):
        raise ParameterError(f"expr: nested expectations are not supported (found {inner})")
    return Expect(ex, comps[0] if len(comps) == 1 else sp.Tuple(*comps), ref)


def has_expect(exprs: Iterable[sp.Basic]) -> bool:
    """Whether any of ``exprs`` contains an :class:`Expect` node."""
    return any(isinstance(e, sp.Basic) and e.has(Expect) for e in exprs)


def expectations(exprs: Iterable[sp.Basic]) -> list[Expect]:
    """The distinct :class:`Expect` nodes of ``exprs`` in a deterministic order (first seen)."""
    seen: dict = {}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for node in sp.preorder_traversal(e):
            if isinstance(node, Expect) and node not in seen:
                seen[node] = None
    return list(seen)


def measure_refs(exprs: Iterable[sp.Basic]) -> list[MeasureRef]:
    """The distinct measures referred to by ``exprs`` (first seen first)."""
    out: dict = {}
    for node in expectations(exprs):
        out.setdefault(node.measure, None)
    return list(out)


def expand_expectations(expr: sp.Basic, points: dict, weights: dict) -> sp.Basic:
    """``expr`` with every ``Expect`` replaced by the explicit sum ``Σ_i w_i expr(x_i)``.

    ``points`` and ``weights`` map a :class:`MeasureRef` to sequences of numbers (a small
    measure: used by the generated code's self-check, never for a large one); a joint measure's
    points are sequences of coordinates, one per variable.
    """
    def repl(node: Expect) -> sp.Expr:
        ref, vs = node.measure, node.variables
        return sp.Add(*[sp.Float(w, 30) * node.expr.xreplace(
                            {v: sp.Float(c, 30) for v, c in zip(vs, np.atleast_1d(x))})
                        for x, w in zip(points[ref], weights[ref])])

    nodes = expectations([expr])
    return expr.xreplace({n: repl(n) for n in nodes}) if nodes else expr
