"""SymPy expressions -> torch callables: the one torch printer of symrmt.

symrmt's simulations evaluate symbolic objects on tensors (an activation ``σ(x)``, a modified
vector field ``F(y; h, p)``).  :func:`torch_function` turns SymPy expressions into such a callable:

1. every free symbol is renamed to a fixed identifier (``_a0, _a1, ...``, the positional
   arguments); then :func:`symrmt.symbolic.parsing.check_code_names` refuses any remaining name
   that would not print as a plain identifier (a ``Str``, an undefined function), and a symbol
   bound inside an expression (a ``Sum``'s index) is refused;
2. every constant subexpression (``sqrt(2)``, ``pi/4``, ``E``) becomes a float literal, so that
   the code multiplies tensors by Python numbers (the dtype and device of the tensor argument are
   kept; SymPy's printer would otherwise write ``torch.sqrt(2)``, undefined on a Python int);
3. common subexpressions are eliminated (:func:`sympy.cse`, names ``_c0, _c1, ...``);
4. SymPy's :class:`~sympy.printing.pytorch.TorchPrinter` prints each line; ``Max``, ``Min`` and
   ``Heaviside`` are printed as calls of elementwise helpers that turn Python-number arguments
   into tensors like the tensor argument; a symbol that is not one of the fixed identifiers, and
   a function the printer does not know, are refused (:class:`~symrmt.errors.CodegenError`);
5. the source of one function is executed in a namespace holding only ``torch`` and the helpers.

The executed source is generated here from the expression tree, never from a user string.
torch is imported only when a function is built.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Sequence

import sympy as sp

from ..errors import CodegenError, ParameterError
from ..symbolic.parsing import check_code_names, safe_sympify

__all__ = ["TorchFunction", "torch_function", "torch_source", "float_constants"]

_OUTPUTS = ("single", "stack")
_HELPERS = ("symrmt_max", "symrmt_min", "symrmt_heaviside")


@dataclass(frozen=True)
class TorchFunction:
    """A generated torch function and the source it was built from.

    Call it with one positional argument per symbol of ``arguments`` (tensors or Python numbers).

    Attributes
    ----------
    function : callable
        The generated function.
    source : str
        Its source text (generated; the names are the fixed identifiers ``_a0, _a1, ...``).
    arguments : tuple of sympy.Symbol
        The symbols, in the order of the positional arguments.
    output : {"single", "stack"}
        ``"single"``: one expression, its value returned; ``"stack"``: the components broadcast to
        the shape of the first argument (a tensor) and stacked on a new last axis.
    """

    function: Callable
    source: str
    arguments: tuple
    output: str

    def __call__(self, *args: Any) -> Any:
        return self.function(*args)


def float_constants(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every constant subexpression that is not already a SymPy number
    (``sqrt(2)``, ``pi/4``, ``E``, ...) evaluated to a 17-digit Float.

    Integers and rationals are kept (``x**2`` stays an integer power; the torch printer writes a
    rational as a Python division of two integers).  Complex constants are kept as they are.
    """
    if isinstance(expr, sp.Expr) and expr.is_number and not isinstance(expr, sp.Number):
        val = sp.N(expr, 17)
        if val.is_real:
            return sp.Float(val, 17)
    if not expr.args or isinstance(expr, sp.Number):
        return expr
    return expr.func(*[float_constants(a) for a in expr.args])


def _printer(allowed: frozenset):
    """SymPy's TorchPrinter printing only the names in ``allowed`` and the helpers."""
    from sympy.printing.pytorch import TorchPrinter

    def call(helper: str):
        def method(self, expr):
            return f"{helper}({', '.join(self._print(a) for a in expr.args)})"
        return method

    class _Printer(TorchPrinter):
        _print_Max = call("symrmt_max")
        _print_Min = call("symrmt_min")
        _print_Heaviside = call("symrmt_heaviside")

        def _print_Float(self, expr):
            # the double nearest to the value, written so that it reads back exactly
            return repr(float(expr))

        def _print_Symbol(self, expr):
            if expr.name not in allowed:
                raise CodegenError(f"symbol {expr.name!r} is bound inside the expression or is not "
                                   "an argument; it cannot be compiled")
            return expr.name

    return _Printer({"allow_unknown_functions": False, "strict": True})


def torch_source(exprs: sp.Expr | Sequence[sp.Expr], arguments: Sequence[sp.Symbol], *,
                 output: str = "single", name: str = "_torch_fn", what: str = "expression") -> str:
    """The source of a torch function of ``arguments`` computing ``exprs`` (see the module).

    Parameters
    ----------
    exprs : sympy.Expr or sequence of sympy.Expr
        One expression (``output="single"``) or the components (``output="stack"``).
    arguments : sequence of sympy.Symbol
        The positional arguments; every free symbol of ``exprs`` must be one of them.
    output : {"single", "stack"}
        ``"stack"`` returns ``torch.stack([...], dim=-1)`` of the components, each broadcast to
        the shape of the first argument (a constant component becomes a constant tensor).
    name : str
        The name of the generated function (an identifier).
    what : str
        What the expressions are, for error messages (``"activation"``, ``"field"``).

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        A bad ``output``, ``name`` or ``arguments``, or a free symbol that is not an argument.
    CodegenError
        A name that cannot be compiled, a function the torch printer does not know, or a symbol
        bound inside an expression.
    """
    from sympy.printing.codeprinter import PrintMethodNotImplementedError

    if output not in _OUTPUTS:
        raise ParameterError(f"output: expected one of {_OUTPUTS}, got {output!r}")
    if not (isinstance(name, str) and name.isidentifier() and name.startswith("_")):
        raise ParameterError(f"name: expected an identifier starting with '_', got {name!r}")
    single = isinstance(exprs, sp.Basic)
    items = [exprs] if single else list(exprs)
    if output == "single" and len(items) != 1:
        raise ParameterError(f"exprs: output='single' takes one expression, got {len(items)}")
    args = tuple(arguments)
    if not all(isinstance(a, sp.Symbol) for a in args) or len(set(args)) != len(args):
        raise ParameterError(f"arguments: expected distinct SymPy Symbols, got {args!r}")
    if output == "stack" and not args:
        raise ParameterError("arguments: output='stack' needs at least one argument (the shape)")
    items = [safe_sympify(e, what) for e in items]
    extra = set().union(*(e.free_symbols for e in items)) - set(args)
    if extra:
        raise ParameterError(f"{what}: symbol(s) {sorted(map(str, extra))} are not arguments")
    names = {a: sp.Symbol(f"_a{i}") for i, a in enumerate(args)}
    items = [float_constants(e.xreplace(names)) for e in items]
    # the free symbols now have fixed names; what is left of the user's names (a bound index,
    # a Str, an undefined function) must print as a plain identifier, and no symbol may be bound
    try:
        for e in items:
            check_code_names(e, what)
    except ParameterError as exc:
        raise CodegenError(str(exc)) from exc
    bound = set().union(*(e.atoms(sp.Symbol) for e in items)) - set(names.values())
    if bound:
        raise CodegenError(f"{what}: symbol(s) {sorted(map(str, bound))} are bound inside the expression "
                           "(a Sum's index, ...); it cannot be compiled")
    subs, reduced = sp.cse(items, symbols=sp.numbered_symbols("_c"))
    allowed = frozenset({s.name for s in names.values()} | {s.name for s, _ in subs})
    pr = _printer(allowed)
    lines = [f"def {name}(" + ", ".join(s.name for s in names.values()) + "):"]
    try:
        for sym, val in subs:
            lines.append(f"    {sym} = {pr.doprint(val)}")
        if output == "stack":
            lines.append("    _one = torch.ones_like(_a0)")
            outs = ", ".join(f"_one * ({pr.doprint(e)})" for e in reduced)
            lines.append(f"    return torch.stack([{outs}], dim=-1)")
        else:
            (e,) = reduced
            if e.free_symbols:
                lines.append(f"    return {pr.doprint(e)}")
            elif args:  # a constant: a tensor like the first argument
                lines.append(f"    return torch.full_like(torch.as_tensor(_a0), {pr.doprint(e)})")
            else:
                lines.append(f"    return torch.as_tensor({pr.doprint(e)})")
    except PrintMethodNotImplementedError as exc:
        raise CodegenError(f"{what}: cannot generate torch code: {str(exc).splitlines()[0]}") from exc
    return "\n".join(lines) + "\n"


def torch_function(exprs: sp.Expr | Sequence[sp.Expr], arguments: Sequence[sp.Symbol], *,
                   output: str = "single", what: str = "expression") -> TorchFunction:
    """A torch callable computing ``exprs`` from ``arguments`` (see the module for the steps).

    Parameters are those of :func:`torch_source`.  Built functions are memoized on
    ``(exprs, arguments, output)`` (at most 256), so building the same one twice is cheap.

    Returns
    -------
    TorchFunction

    Examples
    --------
    >>> import sympy as sp, torch
    >>> x = sp.Symbol("x")
    >>> f = torch_function(sp.sqrt(2) * sp.Max(x, 0), [x], what="activation")
    >>> f(torch.tensor([-1.0, 2.0], dtype=torch.float64)).tolist()
    [0.0, 2.8284271247461903]
    """
    single = isinstance(exprs, sp.Basic)
    key = (exprs,) if single else tuple(exprs)
    try:
        hash(key)
    except TypeError as exc:
        raise ParameterError(f"exprs: expected SymPy expressions, got {exprs!r}") from exc
    return _build(key, tuple(arguments), single, output, what)


@lru_cache(maxsize=256)
def _build(exprs: tuple, arguments: tuple, single: bool, output: str, what: str) -> TorchFunction:
    import torch

    src = torch_source(exprs[0] if single else list(exprs), arguments, output=output, name="_torch_fn",
                       what=what)
    namespace: dict[str, Any] = {"torch": torch, **_helpers(torch)}
    # the source is generated by torch_source from SymPy's printer on symbols renamed to fixed
    # identifiers; the printer refuses any other name, so no user string reaches it
    exec(compile(src, f"<symrmt.codegen.torch_printer: {what}>", "exec"), namespace)  # safe: generated source
    return TorchFunction(namespace["_torch_fn"], src, arguments, output)


def _helpers(torch) -> dict:
    """Elementwise ``Max``, ``Min`` and ``Heaviside``: Python-number arguments become tensors on
    the device and in the dtype of a tensor argument (plain Python arithmetic when there is none)."""
    def tensors(args):
        ref = next((a for a in args if isinstance(a, torch.Tensor)), None)
        if ref is None:
            return None
        return [a if isinstance(a, torch.Tensor) else torch.as_tensor(float(a), dtype=ref.dtype, device=ref.device)
                for a in args]

    def fold(op, py):
        def f(*args):
            ts = tensors(args)
            if ts is None:
                return py(args)
            out = ts[0]
            for t in ts[1:]:
                out = op(out, t)
            return out
        return f

    def heaviside(x, h0=0.5):
        ts = tensors((x, h0))
        if ts is None:
            return float(h0) if x == 0 else float(x > 0)
        return torch.heaviside(*ts)

    return {"symrmt_max": fold(torch.maximum, max), "symrmt_min": fold(torch.minimum, min),
            "symrmt_heaviside": heaviside}
