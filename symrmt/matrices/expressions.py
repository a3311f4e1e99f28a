"""Matrix expressions of declared matrices: checked parsing, normalized traces, scalar derivatives.

A *rational matrix expression* is built from declared matrices
(:mod:`~symrmt.matrices.declarations`), identities and scalars by products, sums, transposes,
integer powers and inverses (``A**-1``, ``A.I``); a deterministic matrix may also carry a real
power (``S**(1/2)``).  :func:`parse` turns a SymPy matrix expression into a small tree of
:class:`Node` objects, checking every shape (symbolically) and naming the offending
sub-expression; :func:`tr` is the normalized trace ``(1/rows) Tr``; :func:`matrix_diff`
differentiates a matrix expression in a scalar (``d(A⁻¹) = −A⁻¹ dA A⁻¹``), which the normalized
trace uses, so ``sympy.diff(tr(...), lam)`` works.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..errors import ParameterError
from .declarations import N, DeclaredMatrix

__all__ = ["NormalizedTrace", "TraceDerivative", "tr", "derivative", "matrix_diff", "trace_terms", "parse", "Node"]


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return a == b or sp.expand(a - b) == 0 or sp.simplify(a - b) == 0


@dataclass(frozen=True)
class Node:
    """A parsed matrix expression.

    ``op`` is ``"atom"`` (``matrix``: a DeclaredMatrix, or None for the identity; ``power``;
    ``transposed``), ``"mul"`` / ``"add"`` (``children``), ``"inv"`` (one child) or
    ``"scale"`` (``coeff`` times one child).  ``rows``/``cols`` are the symbolic dimensions.
    """

    op: str
    rows: sp.Expr
    cols: sp.Expr
    children: tuple = ()
    matrix: Any = None
    power: sp.Expr = sp.Integer(1)
    transposed: bool = False
    coeff: sp.Expr = sp.Integer(1)
    source: Any = field(default=None, compare=False)


def _atom(matrix: DeclaredMatrix | None, rows, cols, power=sp.Integer(1), transposed=False, source=None) -> Node:
    return Node("atom", rows, cols, matrix=matrix, power=sp.sympify(power), transposed=transposed, source=source)


def transpose(node: Node) -> Node:
    """The transpose, pushed down to the atoms (symmetric atoms are their own transpose)."""
    if node.op == "atom":
        if node.matrix is None or node.matrix.symmetric:
            return node
        return _atom(node.matrix, node.cols, node.rows, node.power, not node.transposed, node.source)
    if node.op == "mul":
        return Node("mul", node.cols, node.rows, tuple(transpose(c) for c in reversed(node.children)),
                    source=node.source)
    if node.op == "add":
        return Node("add", node.cols, node.rows, tuple(transpose(c) for c in node.children), source=node.source)
    if node.op == "inv":
        return Node("inv", node.cols, node.rows, (transpose(node.children[0]),), source=node.source)
    return Node("scale", node.cols, node.rows, (transpose(node.children[0]),), coeff=node.coeff, source=node.source)


def _scalar(c: sp.Expr, where: sp.Basic) -> sp.Expr:
    c = sp.sympify(c)
    if not isinstance(c, sp.Expr) or c.has(sp.MatrixExpr) or c.has(NormalizedTrace) or c.has(sp.Trace):
        raise ParameterError(f"expression: the scalar factor {c} of {where} must be a scalar expression of "
                             "parameters (no matrices or traces inside)")
    return c


def _power(node: Node, k: int, where) -> Node:
    if k == 0:
        return _atom(None, node.rows, node.rows, source=where)
    base = node if k > 0 else Node("inv", node.rows, node.cols, (node,), source=where)
    if abs(k) == 1:
        return base
    return Node("mul", node.rows, node.rows, tuple([base] * abs(k)), source=where)


def parse(expr: Any) -> Node:
    """Parse a SymPy matrix expression of declared matrices into a checked :class:`Node` tree.

    Raises
    ------
    ParameterError
        An undeclared matrix symbol, an operation that is not rational (elementwise functions,
        Hadamard products, matrix elements, determinants, ...), incompatible shapes in a product
        or sum, or the inverse of a non-square sub-expression -- each naming the sub-expression.
    """
    if isinstance(expr, str):
        raise ParameterError("expression: expected a SymPy matrix expression, got a string")
    if not isinstance(expr, sp.MatrixExpr):
        raise ParameterError(f"expression: expected a SymPy matrix expression of declared matrices, got {expr!r}")
    e = expr
    if isinstance(e, DeclaredMatrix):
        return _atom(e, *e.shape, source=e)
    if isinstance(e, sp.Identity):
        return _atom(None, e.shape[0], e.shape[0], source=e)
    if isinstance(e, sp.ZeroMatrix):
        raise ParameterError(f"expression: a zero matrix ({e}) has no place in a rational expression; drop it")
    if isinstance(e, sp.MatrixSymbol):
        raise ParameterError(f"expression: the matrix {e} is not declared; declare it with "
                             "symrmt.matrices.gaussian, wigner or deterministic")
    if isinstance(e, sp.Transpose):
        return transpose(parse(e.arg))
    if isinstance(e, sp.Inverse):
        inner = parse(e.arg)
        if not _same(inner.rows, inner.cols):
            raise ParameterError(f"expression: cannot invert the non-square {sp.sstr(e.arg)} of shape "
                                 f"({inner.rows}, {inner.cols})")
        return Node("inv", inner.rows, inner.cols, (inner,), source=e)
    if isinstance(e, sp.MatPow):
        base, k = e.args
        if isinstance(base, sp.Transpose) and isinstance(base.arg, DeclaredMatrix) and base.arg.symmetric:
            base = base.arg
        if isinstance(base, DeclaredMatrix) and base.kind == "deterministic" and k.is_number and k.is_real:
            if k == 0:
                return _atom(None, *base.shape, source=e)
            return _atom(base, *base.shape, power=k, source=e)
        inner = parse(base)
        if not (k.is_Integer):
            raise ParameterError(f"expression: {sp.sstr(e)} is not rational (only integer powers, or real powers of "
                                 "a deterministic matrix)")
        if not _same(inner.rows, inner.cols):
            raise ParameterError(f"expression: the power {sp.sstr(e)} needs a square base, got shape "
                                 f"({inner.rows}, {inner.cols})")
        return _power(inner, int(k), e)
    if isinstance(e, sp.MatMul):
        coeff = sp.Mul(*[_scalar(a, e) for a in e.args if not isinstance(a, sp.MatrixExpr)])
        factors = [parse(a) for a in e.args if isinstance(a, sp.MatrixExpr)]
        for left, right, a in zip(factors[:-1], factors[1:], [x for x in e.args if isinstance(x, sp.MatrixExpr)]):
            if not _same(left.cols, right.rows):
                raise ParameterError(f"expression: incompatible shapes in the product {sp.sstr(e)}: {sp.sstr(a)} has "
                                     f"{left.cols} columns, the next factor {right.rows} rows")
        node = factors[0] if len(factors) == 1 else Node("mul", factors[0].rows, factors[-1].cols, tuple(factors),
                                                           source=e)
        return node if coeff == 1 else Node("scale", node.rows, node.cols, (node,), coeff=coeff, source=e)
    if isinstance(e, sp.MatAdd):
        terms = [parse(a) for a in e.args]
        for a, t in zip(e.args, terms):
            if not (_same(t.rows, terms[0].rows) and _same(t.cols, terms[0].cols)):
                raise ParameterError(f"expression: incompatible shapes in the sum {sp.sstr(e)}: {sp.sstr(a)} has shape "
                                     f"({t.rows}, {t.cols}), {sp.sstr(e.args[0])} ({terms[0].rows}, {terms[0].cols})")
        return Node("add", terms[0].rows, terms[0].cols, tuple(terms), source=e)
    raise ParameterError(f"expression: {sp.sstr(e)} ({type(e).__name__}) is not a rational function of the "
                         "declared matrices (allowed: products, sums, scalar multiples, transposes, integer "
                         "powers, inverses)")


class NormalizedTrace(sp.Expr):
    """``tr(A) = Tr(A)/rows(A)`` of a square matrix expression ``A`` (a scalar SymPy node).

    Its derivative in a scalar is the trace of the derivative (:func:`matrix_diff`).
    """

    is_commutative = True

    def __new__(cls, arg):
        return sp.Expr.__new__(cls, arg)

    @property
    def arg(self) -> sp.MatrixExpr:
        return self.args[0]

    @property
    def free_symbols(self) -> set:
        return self.args[0].free_symbols - {N}

    def _eval_derivative(self, s):
        d = matrix_diff(self.args[0], s)
        return sp.Integer(0) if d is None else NormalizedTrace(d)

    def _sympystr(self, printer) -> str:
        return f"tr({printer._print(self.args[0])})"

    def _latex(self, printer) -> str:
        return r"\operatorname{tr}\left(%s\right)" % printer._print(self.args[0])


def tr(expr: Any) -> NormalizedTrace:
    """The normalized trace ``(1/rows) Tr(expr)`` of a square rational matrix expression.

    Parameters
    ----------
    expr : sympy.MatrixExpr
        A rational expression of declared matrices (see :func:`parse`), square.

    Returns
    -------
    NormalizedTrace
        A scalar SymPy node: combine traces linearly with scalar coefficients, differentiate with
        ``sympy.diff``, pass to :func:`symrmt.matrices.deterministic_equivalent`.

    Raises
    ------
    ParameterError
        ``expr`` is not a rational matrix expression of declared matrices, or not square.

    Examples
    --------
    >>> import sympy as sp
    >>> from symrmt.matrices import gaussian, identity, tr, N
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> X = gaussian("X", 1, 1)
    >>> t = tr((X.T * X / N + lam * identity(1)) ** -1)
    >>> sp.diff(t, lam)
    tr(-(lambda*I + 1/n*X.T*X)**(-1)*I*(lambda*I + 1/n*X.T*X)**(-1))
    """
    node = parse(expr)
    if not _same(node.rows, node.cols):
        raise ParameterError(f"expression: the trace needs a square matrix, got {sp.sstr(expr)} of shape "
                             f"({node.rows}, {node.cols})")
    return NormalizedTrace(expr)


class TraceDerivative(sp.Expr):
    """``d tr(A)/ds`` (at ``s = at``), kept unevaluated: :func:`symrmt.matrices.derivative`.

    ``args = (trace, s, at)``; ``at`` is ``s`` itself when the derivative is not evaluated at a
    point.  :meth:`symrmt.matrices.TraceDerivative.expanded` is the trace of the differentiated
    matrix (``tr(dA/ds)`` at ``s = at``), which the simulation evaluates.
    """

    is_commutative = True

    def __new__(cls, trace, s, at):
        return sp.Expr.__new__(cls, trace, s, sp.sympify(at))

    @property
    def trace(self) -> NormalizedTrace:
        return self.args[0]

    @property
    def symbol(self) -> sp.Symbol:
        return self.args[1]

    @property
    def point(self) -> sp.Expr:
        return self.args[2]

    @property
    def free_symbols(self) -> set:
        out = set(self.trace.free_symbols)
        if self.point != self.symbol:
            out = (out - {self.symbol}) | set(self.point.free_symbols)
        return out

    def expanded(self) -> sp.Expr:
        """``tr(dA/ds)`` with ``s = at`` (zero when ``A`` does not depend on ``s``)."""
        d = sp.diff(self.trace, self.symbol)
        return d if self.point == self.symbol else d.xreplace({self.symbol: self.point})

    def _sympystr(self, printer) -> str:
        at = "" if self.point == self.symbol else f"|{printer._print(self.symbol)}={printer._print(self.point)}"
        return f"d/d{printer._print(self.symbol)} {printer._print(self.trace)}{at}"

    def _latex(self, printer) -> str:
        s = printer._print(self.symbol)
        body = r"\frac{\partial}{\partial %s} %s" % (s, printer._print(self.trace))
        if self.point == self.symbol:
            return body
        return r"\left.%s\right|_{%s = %s}" % (body, s, printer._print(self.point))


def derivative(trace: Any, s: Any, at: Any = None) -> TraceDerivative:
    """``d tr(A)/ds`` (at ``s = at``), derived by differentiating the Dyson equation of ``tr(A)``.

    ``sympy.diff(tr(A), s)`` is ``tr(dA/ds)``: its pencil holds two copies of every resolvent
    that depends on ``s`` (``d(B⁻¹) = −B⁻¹ dB B⁻¹``), so its Dyson equation reads many more
    block traces.  This keeps the derivative unevaluated instead:
    :func:`symrmt.matrices.deterministic_equivalent` linearizes ``A`` itself and differentiates
    its equations implicitly (the unknowns' derivatives solve the linearized equations), the
    route for test errors written with a source term, e.g.
    ``tr(B R U Uᵀ R Bᵀ) = d/dt tr(B (M − t U Uᵀ)⁻¹ Bᵀ)`` at ``t = 0`` with ``R = M⁻¹``.

    Parameters
    ----------
    trace : NormalizedTrace
        ``tr(A)`` (:func:`tr`).
    s : sympy.Symbol
        A scalar of ``A``.
    at : number or SymPy expression, optional
        Evaluate the derivative at ``s = at`` (``s`` is then no parameter of the result); default:
        keep ``s``.

    Returns
    -------
    TraceDerivative
        A scalar node; combine it linearly with traces.

    Raises
    ------
    ParameterError
        ``trace`` is not a normalized trace, ``s`` not a Symbol, ``at`` not a scalar.

    Examples
    --------
    >>> import sympy as sp
    >>> from symrmt.matrices import gaussian, identity, tr, derivative, N
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> X = gaussian("X", 1, 1)
    >>> derivative(tr((X.T * X / N + lam * identity(1)) ** -1), lam)
    d/dlambda tr((lambda*I + 1/n*X.T*X)**(-1))
    """
    if not isinstance(trace, NormalizedTrace):
        raise ParameterError(f"trace: expected symrmt.matrices.tr(...), got {trace!r}")
    if not isinstance(s, sp.Symbol) or s == N:
        raise ParameterError(f"s: expected a scalar SymPy Symbol other than n, got {s!r}")
    at = s if at is None else at
    if isinstance(at, str) or not isinstance(sp.sympify(at), sp.Expr) or isinstance(at, sp.MatrixExpr):
        raise ParameterError(f"at: expected a number or a scalar SymPy expression, got {at!r}")
    return TraceDerivative(trace, s, sp.sympify(at))


def matrix_diff(e: sp.MatrixExpr, s: sp.Symbol) -> sp.MatrixExpr | None:
    """``d e / d s`` for a scalar Symbol ``s`` (None when it vanishes)."""
    if isinstance(e, (DeclaredMatrix, sp.Identity, sp.ZeroMatrix, sp.MatrixSymbol)):
        return None
    if isinstance(e, sp.Transpose):
        d = matrix_diff(e.arg, s)
        return None if d is None else sp.Transpose(d)
    if isinstance(e, sp.Inverse):
        d = matrix_diff(e.arg, s)
        return None if d is None else sp.MatMul(-1, e, d, e)
    if isinstance(e, sp.MatPow):
        base, k = e.args
        if s in k.free_symbols:
            raise ParameterError(f"expression: cannot differentiate {sp.sstr(e)} in {s} (the exponent depends on it)")
        if isinstance(base, DeclaredMatrix) or not k.is_Integer:
            return None if not base.has(s) else _refuse(e, s)
        k = int(k)
        if k == 0:
            return None
        inner = base if k > 0 else sp.Inverse(base)
        return matrix_diff(sp.MatMul(*([inner] * abs(k))), s)
    if isinstance(e, sp.MatAdd):
        parts = [d for d in (matrix_diff(a, s) for a in e.args) if d is not None]
        return None if not parts else (parts[0] if len(parts) == 1 else sp.MatAdd(*parts))
    if isinstance(e, sp.MatMul):
        args = list(e.args)
        terms = []
        for i, a in enumerate(args):
            if isinstance(a, sp.MatrixExpr):
                d = matrix_diff(a, s)
                if d is not None:
                    terms.append(sp.MatMul(*args[:i], d, *args[i + 1:]))
            else:
                d = sp.diff(a, s)
                if d != 0:
                    terms.append(sp.MatMul(*args[:i], d, *args[i + 1:]).doit(deep=False))
        return None if not terms else (terms[0] if len(terms) == 1 else sp.MatAdd(*terms))
    return _refuse(e, s)


def _refuse(e, s):
    raise ParameterError(f"expression: cannot differentiate {sp.sstr(e)} in {s}")


def trace_terms(expr: Any, derivatives: bool = False) -> tuple[sp.Expr, list[tuple]]:
    """``expr = c0 + Σ_k c_k tr(A_k)``: the constant and the ``(c_k, A_k)`` pairs.

    A :class:`symrmt.matrices.TraceDerivative` becomes ``tr(dA/ds)`` at its point; with ``derivatives=True``
    it stays a term ``(c_k, A_k, (s, at))`` and the other terms are ``(c_k, A_k, None)``.

    Raises
    ------
    ParameterError
        ``expr`` has no normalized trace, or is not linear in its traces (a product of traces,
        a function of a trace).
    """
    if isinstance(expr, str) or not isinstance(expr, sp.Expr) or isinstance(expr, sp.MatrixExpr):
        raise ParameterError(f"expression: expected a scalar expression of normalized traces "
                             f"(symrmt.matrices.tr(...)), got {expr!r}")
    if not derivatives:
        expr = expr.xreplace({d: d.expanded() for d in expr.atoms(TraceDerivative)})
    nodes = expr.atoms(TraceDerivative) if derivatives else set()
    bare = expr.xreplace({d: sp.Dummy() for d in nodes})
    traces = sorted(nodes | bare.atoms(NormalizedTrace), key=sp.default_sort_key)
    if not traces:
        raise ParameterError(f"expression: {sp.sstr(expr)} contains no normalized trace; wrap the matrix "
                             "expression in symrmt.matrices.tr(...)")
    dummies = [sp.Dummy(f"t{k}") for k in range(len(traces))]
    lin = sp.expand(expr.xreplace(dict(zip(traces, dummies))))
    zero = {d: 0 for d in dummies}
    out = []
    for t, d in zip(traces, dummies):
        c = sp.diff(lin, d)
        if c.free_symbols & set(dummies):
            raise ParameterError(f"expression: {sp.sstr(expr)} is not linear in the trace {sp.sstr(t)} "
                                 "(products or functions of traces have no deterministic equivalent here)")
        if derivatives:
            out.append((sp.simplify(c), t.trace.arg, (t.symbol, t.point)) if isinstance(t, TraceDerivative)
                       else (sp.simplify(c), t.arg, None))
        else:
            out.append((sp.simplify(c), t.arg))
    return sp.simplify(lin.xreplace(zero)), out
