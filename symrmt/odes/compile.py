"""Compile a (truncated IMDE / modified) vector field to numba or to torch.

The field is a SymPy expression or list of expressions in the state symbols ``y``, optionally the
step symbol ``h`` and parameters.  ``backend="numba"`` goes through the project's code generator
(:func:`symrmt.codegen.compile.compile_function`: printer, disk cache, self-check).
``backend="torch"`` prints the expressions with SymPy's ``TorchPrinter`` after common
subexpression elimination and numeric evaluation of constants (so that ``sqrt(3)`` becomes a
float literal), builds the source of one function, and executes that internally generated source;
user strings are never evaluated.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import sympy as sp

from ..errors import CodegenError, ParameterError
from .fields import _normalize

__all__ = ["compile_field", "CompiledField"]


class CompiledField:
    """A compiled vector field ``F(y; h, params)``.

    Call as ``F(y, h=..., **params)``.  Torch backend: ``y`` is a tensor of shape ``(..., d)`` and the
    result has the same shape, dtype and device.  Numba backend: ``y`` is an array of shape
    ``(..., d)`` (or ``(d,)``), evaluated point by point by the jitted kernel.

    Attributes
    ----------
    state, parameters : tuple of sympy.Symbol
    h : sympy.Symbol
    backend : str
    source : str or None
        Generated source (torch backend).
    """

    def __init__(self, fn: Callable, state, h, parameters, backend: str, source: str | None):
        self._fn = fn
        self.state = tuple(state)
        self.h = h
        self.parameters = tuple(parameters)
        self.backend = backend
        self.source = source

    def __call__(self, y, h: Any = 0.0, **params: Any):
        names = {p.name for p in self.parameters}
        unknown = set(params) - names
        missing = names - set(params)
        if unknown:
            raise ParameterError(f"params: unknown parameter(s) {sorted(unknown)}; "
                                 f"the field takes {sorted(names)}")
        if missing:
            raise ParameterError(f"params: missing value(s) for {sorted(missing)}")
        vals = [params[p.name] for p in self.parameters]
        if y.shape[-1] != len(self.state):
            raise ParameterError(f"y: last axis must have length {len(self.state)} (state {self.state}), "
                                 f"got shape {tuple(y.shape)}")
        if self.backend == "torch":
            import torch
            conv = [torch.as_tensor(v, dtype=y.dtype, device=y.device) for v in [h, *vals]]
            return self._fn(y, *conv)
        import numpy as np
        arr = np.asarray(y, dtype=float)
        flat = arr.reshape(-1, arr.shape[-1])
        out = np.empty_like(flat)
        for k in range(flat.shape[0]):
            res = self._fn(*flat[k], float(h), *[float(v) for v in vals])
            out[k] = np.asarray(res, dtype=float).reshape(-1)
        return out.reshape(arr.shape)


def _torch_printer(allowed: set[str]):
    """SymPy's TorchPrinter that prints only the fixed identifiers in ``allowed`` as names.

    Free symbols are renamed to ``_y0, _h, _p0, ...`` before printing; a symbol bound inside an
    expression (a Sum's index, ...) would otherwise be pasted with its user-given name.
    """
    from sympy.printing.pytorch import TorchPrinter

    class _Printer(TorchPrinter):
        def _print_Symbol(self, expr):
            if expr.name not in allowed:
                raise CodegenError(f"symbol {expr.name!r} is bound inside the field or not an argument; "
                                   "it cannot be compiled")
            return expr.name

    return _Printer()


def _torch_source(exprs: list[sp.Expr], state, h, params) -> str:
    from sympy.printing.codeprinter import PrintMethodNotImplementedError

    names = {s: sp.Symbol(f"_y{i}") for i, s in enumerate(state)}
    names[h] = sp.Symbol("_h")
    names.update({p: sp.Symbol(f"_p{i}") for i, p in enumerate(params)})
    exprs = [sp.N(e.xreplace(names), 17) for e in exprs]
    subs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_c"))
    pr = _torch_printer({s.name for s in names.values()} | {s.name for s, _ in subs})
    lines = ["def _field(_y, _h, " + "".join(f"_p{i}, " for i in range(len(params))) + "):"]
    lines.append("    _one = torch.ones_like(_y[..., 0])")
    for i in range(len(state)):
        lines.append(f"    _y{i} = _y[..., {i}]")
    try:
        for sym, val in subs:
            lines.append(f"    {sym} = {pr.doprint(val)}")
        outs = ", ".join(f"_one * ({pr.doprint(e)})" for e in reduced)
    except PrintMethodNotImplementedError as exc:
        raise CodegenError(f"field: cannot generate torch code: {str(exc).splitlines()[0]}") from exc
    lines.append(f"    return torch.stack([{outs}], dim=-1)")
    return "\n".join(lines) + "\n"


def compile_field(field: Any, y: Any, h: sp.Symbol | None = None, backend: str = "numba",
                  parameters: Sequence[sp.Symbol] | None = None) -> CompiledField:
    """Compile a vector field (e.g. the output of :func:`symrmt.odes.imde`).

    Parameters
    ----------
    field : sympy.Expr or list of sympy.Expr
        Components in the state symbols ``y``, the step ``h`` and parameters.
    y : sympy.Symbol or list of sympy.Symbol
        State symbols (order of the last axis of the input array).
    h : sympy.Symbol, optional
        Step symbol, default ``Symbol("h")``; absent from the field is fine.
    backend : {"numba", "torch"}
    parameters : sequence of sympy.Symbol, optional
        Order of the remaining symbols; default sorted by name.  They are passed by keyword.

    Returns
    -------
    CompiledField
    """
    fl, ys, _scalar = _normalize(list(field) if isinstance(field, (list, tuple)) else field, y)
    h = sp.Symbol("h") if h is None else h
    if not isinstance(h, sp.Symbol):
        raise ParameterError("h: expected a SymPy Symbol")
    free = set().union(*(e.free_symbols for e in fl)) - set(ys) - {h}
    if parameters is None:
        params = sorted(free, key=lambda s: s.name)
    else:
        params = list(parameters)
        if set(params) != free:
            raise ParameterError(f"parameters: must list exactly the free symbols {sorted(map(str, free))}")
    if backend == "torch":
        import torch
        src = _torch_source(fl, ys, h, params)
        namespace: dict[str, Any] = {"torch": torch}
        # the source is generated above from SymPy's printer on symbols renamed to fixed identifiers;
        # the printer refuses any other name (_torch_printer), so no user string reaches it
        exec(compile(src, "<symrmt.odes.compile_field>", "exec"), namespace)  # safe: generated source, no user string
        return CompiledField(namespace["_field"], ys, h, params, "torch", src)
    if backend == "numba":
        try:
            from ..codegen.compile import compile_function
        except ImportError as exc:
            raise CodegenError("backend='numba' needs symrmt.codegen.compile.compile_function, "
                               "which is not available in this installation") from exc
        args = list(ys) + [h] + params
        fn = compile_function(fl, args, name="odes_field")
        return CompiledField(fn, ys, h, params, "numba", None)
    raise ParameterError(f"backend: expected 'numba' or 'torch', got {backend!r}")
