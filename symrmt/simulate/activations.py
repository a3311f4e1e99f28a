"""Activation functions as torch callables, for the simulations.

Named activations (``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"``) map to torch's
own functions; a SymPy expression in one variable is turned into a torch function by the code
generator's torch printer (:func:`symrmt.codegen.torch_printer.torch_function`: code generated
from the expression tree, never from a user string).  torch is imported only when called.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from ..codegen.torch_printer import torch_function
from ..symbolic.hermite import ACTIVATIONS, activation_expr
from ..symbolic.parsing import check_code_names

__all__ = ["torch_activation", "torch_target"]


def _identity(t):
    return t


def torch_activation(activation: str | sp.Expr) -> Callable:
    """A torch callable for the activation (elementwise), for simulations.

    Parameters
    ----------
    activation : str or sympy.Expr
        A name (``"relu"``, ``"tanh"``, ``"erf"``, ``"sign"``, ``"linear"``; case and surrounding
        blanks ignored) or a SymPy expression in one free variable.

    Returns
    -------
    callable
        Maps a tensor to a tensor of the same shape, dtype and device.

    Raises
    ------
    ParameterError
        Unknown name, or an expression that does not have exactly one free variable or uses a name
        that cannot be compiled.
    CodegenError
        A function torch has no counterpart for.

    Examples
    --------
    >>> import sympy as sp, torch
    >>> x = sp.Symbol("x")
    >>> torch_activation(sp.Max(x, 0) - 1)(torch.tensor([-1.0, 3.0])).tolist()
    [-1.0, 2.0]
    """
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key not in ACTIVATIONS:
            activation_expr(key)  # raises the standard error
        import torch

        table = {"relu": torch.relu, "tanh": torch.tanh, "erf": torch.erf, "sign": torch.sign,
                 "linear": _identity}
        return table[key]
    expr, var = activation_expr(activation)
    check_code_names(expr, "activation")  # a name that cannot be compiled is bad input here
    return torch_function(expr, [var], what="activation").function


def torch_target(target: str | sp.Expr) -> tuple[int, Callable]:
    """The target ``y = g(z_1, …, z_k)`` as ``(k, f)`` with ``f`` mapping the projections ``Z``
    (a tensor of shape ``(n, k)``, ``Z[:, a] = w_a·x``) to ``y`` (shape ``(n,)``).

    Parameters
    ----------
    target : str or sympy.Expr
        An activation's name or a one-variable expression (single-index, k = 1), a staircase name
        or a SymPy expression in several indices (:func:`symrmt.symbolic.targets.index_target`).
    """
    from ..symbolic.targets import index_target

    t = index_target(target)
    if t.k == 1:
        f = torch_activation(target)
        return 1, lambda Z: f(Z[:, 0])
    check_code_names(t.expr, "target")
    g = torch_function(t.expr, list(t.variables), what="target").function

    def call(Z):
        import torch

        y = g(*Z.unbind(dim=1))
        return y if y.shape == Z.shape[:1] else torch.broadcast_to(y, Z.shape[:1]).clone()
    return t.k, call
