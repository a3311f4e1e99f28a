"""CompiledSystem and SolveResult: numerical solutions of a :class:`~symrmt.symbolic.system.System`."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import ConvergenceError, ParameterError

__all__ = ["CompiledSystem", "SolveResult"]



def check_parameter_names(names, params: dict, owner: str, hint: str = "") -> None:
    """Raise :class:`ParameterError` for unknown or missing parameter names (``hint`` ends the
    message about missing ones)."""
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown} for {owner}; its parameters are {list(names) or 'none'}")
    missing = [k for k in names if k not in params]
    if missing:
        raise ParameterError(f"missing value(s) for parameter(s) {missing} of {owner}{hint}")

@dataclass
class SolveResult:
    """Per-point solution of a system on a broadcast parameter grid.

    Attributes
    ----------
    unknowns, observables
        ``{name: array}`` of the grid's shape.  Unknowns with domain ``"real"``, ``"positive"``
        or ``"negative"`` are real arrays, others complex.  Observables are real arrays when their
        imaginary parts vanish to round-off (``|Im| <= 1e-12 (1 + |Re|)``) at every point, else complex.
        **Where a point did not converge, its unknowns and observables are NaN and
        ``converged`` is False** -- NaN never appears without that flag.
    residual
        ``max_i |F_i|`` at the returned point (kept even where not converged).
    converged, iterations
        Boolean flags and Newton iterations (all continuation stages counted).
    """

    unknowns: dict
    observables: dict
    residual: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    parameters: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.unknowns:
            return self.unknowns[name]
        if name in self.observables:
            return self.observables[name]
        raise KeyError(f"{name!r} is neither an unknown {list(self.unknowns)} nor an observable "
                       f"{list(self.observables)}")

    @property
    def shape(self) -> tuple:
        return self.converged.shape


def _real_if_close(a: np.ndarray) -> np.ndarray:
    finite = np.isfinite(a)
    if np.all(np.abs(a.imag[finite]) <= 1e-12 * (1.0 + np.abs(a.real[finite]))):
        return a.real.copy()
    return a


class CompiledSystem:
    """A generated damped-Newton solver for a :class:`~symrmt.symbolic.system.System`.

    Call :meth:`solve` with every parameter by name; values broadcast (NumPy rules) and the grid
    is solved in flattened (C) order with warm starts from the previous converged point.
    """

    def __init__(self, system, module: ModuleType, *, maxit: int = 100, tol: float = 1e-13,
                 ftol: float = 1e-10) -> None:
        self.system = system
        self.module = module
        self.maxit, self.tol, self.ftol = maxit, tol, ftol
        self.parameter_names: tuple[str, ...] = tuple(module.META["parameters"])
        self.unknown_names: tuple[str, ...] = tuple(module.META["unknowns"])
        self.observable_names: tuple[str, ...] = tuple(module.META["observables"])
        self.domains: tuple[str, ...] = tuple(module.META["domains"])

    def __repr__(self) -> str:
        return f"CompiledSystem({self.system.name}; unknowns {list(self.unknown_names)})"

    def _grid(self, params: dict) -> dict:
        """Checked, broadcast parameter arrays by name."""
        names = self.parameter_names
        check_parameter_names(names, params, self.system.name)
        arrs = []
        for k in names:
            a = np.asarray(params[k])
            if a.dtype == object or a.dtype.kind not in "biufc":
                raise ParameterError(f"{k}: expected numbers, got an array of dtype {a.dtype}")
            a = a.astype(np.complex128)
            if not np.all(np.isfinite(a)):
                raise ParameterError(f"{k}: must be finite (got NaN or inf)")
            arrs.append(a)
        try:
            b = np.broadcast_arrays(*arrs) if arrs else []
        except ValueError as exc:
            raise ParameterError(f"parameter shapes do not broadcast: "
                                 f"{ {k: a.shape for k, a in zip(names, arrs)} }") from exc
        return {k: a for k, a in zip(names, b)}

    def solve(self, strict: bool = False, **params: Any) -> SolveResult:
        """Solve at every point of the broadcast parameter grid.

        Parameters
        ----------
        strict
            Raise :class:`~symrmt.errors.ConvergenceError` if any point fails (default: flag it).
        **params
            Every parameter by name: numbers or arrays, real or complex, finite.
        """
        grid = self._grid(params)       # validation; the module's own wrapper solves
        raw = self.module.solve(maxit_=self.maxit, tol_=self.tol, ftol_=self.ftol, **grid)
        conv, res = raw["converged"], raw["residual"]
        if strict and not np.all(conv):
            bad = np.flatnonzero(~conv.ravel())
            raise ConvergenceError(f"{self.system.name}: {bad.size} of {conv.size} point(s) did not converge "
                                   f"(first at flat index {bad[0]}, residual {res.ravel()[bad[0]]:.3g})")
        unknowns = {}
        for j, k in enumerate(self.unknown_names):
            col = raw[k]
            unknowns[k] = col.real.copy() if self.domains[j] in ("real", "positive", "negative") else col
        observables = {k: _real_if_close(raw[k]) for k in self.observable_names}
        return SolveResult(unknowns, observables, res, conv, raw["iterations"], grid)
