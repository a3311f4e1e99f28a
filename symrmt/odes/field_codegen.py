"""Code generation for a (truncated IMDE / modified) vector field: numba or torch.

The field is a SymPy expression or list of expressions in the state symbols ``y``, optionally the
step symbol ``h`` and parameters.  Both backends go through the project's code generator:
``backend="numba"`` through :func:`symrmt.codegen.compile.compile_function` (printer, disk cache,
self-check), ``backend="torch"`` through :func:`symrmt.codegen.torch_printer.torch_function`
(SymPy's ``TorchPrinter`` after common subexpression elimination and numeric evaluation of
constants, so that ``sqrt(3)`` becomes a float literal; the source is generated from the
expression tree, user strings are never evaluated).  This module imports no torch.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import sympy as sp

from ..errors import CodegenError, ParameterError
from .field_args import normalize_field

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
            conv = [_tensor_like(v, y) for v in [h, *vals]]
            return self._fn(*y.unbind(-1), *conv)
        import numpy as np
        arr = np.asarray(y, dtype=float)
        flat = arr.reshape(-1, arr.shape[-1])
        out = np.empty_like(flat)
        for k in range(flat.shape[0]):
            res = self._fn(*flat[k], float(h), *[float(v) for v in vals])
            out[k] = np.asarray(res, dtype=float).reshape(-1)
        return out.reshape(arr.shape)


def _tensor_like(value: Any, y: Any) -> Any:
    """``value`` as a tensor with the dtype and device of the tensor ``y`` (tensor methods only)."""
    if type(value).__module__.split(".")[0] == "torch":
        return value.to(dtype=y.dtype, device=y.device)
    return y.new_tensor(value)


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
    fl, ys, _scalar = normalize_field(list(field) if isinstance(field, (list, tuple)) else field, y)
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
        from ..codegen.torch_printer import torch_function

        fn = torch_function(fl, [*ys, h, *params], output="stack", what="field")
        return CompiledField(fn.function, ys, h, params, "torch", fn.source)
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
