"""CompiledSystem and SolveResult: numerical solutions of a :class:`~symrmt.symbolic.system.System`."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Sequence

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
        **Where a point did not converge, or an observable is NaN there, its unknowns and
        observables are NaN (real and imaginary part) and ``converged`` is False** -- NaN never
        appears without that flag.
    residual
        The relative residual ``max_i |F_i| / (1 + Σ_j |∂F_i/∂u_j| |u_j|)`` at the returned point
        (kept even where not converged): the residual against the scale of each equation's terms,
        so that it does not depend on the units of the unknowns.
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

    def reject(self, ok: np.ndarray) -> "SolveResult":
        """Flag the points where ``ok`` is False as not converged (a branch or physicality
        condition the caller checks beyond Newton's own convergence): their unknowns and
        observables become NaN, keeping the rule "NaN only with the flag"; returns ``self``."""
        ok = np.asarray(ok, dtype=bool)
        if not ok.all():
            for table in (self.unknowns, self.observables):
                for name in table:
                    arr = np.array(table[name], dtype=complex if np.iscomplexobj(table[name]) else float)
                    arr[~ok] = np.nan
                    table[name] = arr
            self.converged[...] = ok
        return self


def _failure_message(name: str, conv: np.ndarray, res: np.ndarray, grid: dict) -> str:
    """What a ConvergenceError says: how many points failed, which, and the worst residual."""
    conv, res = np.asarray(conv), np.asarray(res)
    bad = np.flatnonzero(~conv.ravel())
    shown = [np.unravel_index(i, conv.shape) if conv.ndim else () for i in bad[:5]]
    where = ", ".join(str(tuple(int(j) for j in ix)) for ix in shown) + (", ..." if bad.size > 5 else "")
    rb = res.ravel()[bad]
    finite = rb[np.isfinite(rb)]
    n_inf = rb.size - finite.size  # inf: no admissible iterate was found there
    if n_inf == 0:
        worst = f"{finite.max():.3g}"
    elif finite.size == 0:
        worst = "inf (no admissible iterate)"
    else:
        worst = f"inf at {n_inf} point(s), else {finite.max():.3g}"
    first = {k: complex(np.asarray(v).ravel()[bad[0]]) for k, v in grid.items()}
    first = {k: (v.real if v.imag == 0 else v) for k, v in first.items()}
    return (f"{name}: {bad.size} of {conv.size} point(s) did not converge or gave a NaN observable "
            f"(at index {where}; "
            f"the first at {first}); worst residual {worst}; pass strict=False to get per-point "
            f"flags (converged, residual) and NaN there")


def pack_measures(pairs: Sequence[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The run-time measure input of a generated module from ``(points, weights)`` pairs in slot
    order: all coordinates (row-major for a joint measure's ``(atoms, k)`` points), the weights
    (repeated ``k`` times: the loops step by ``k``), and the int64 element offsets of each slot."""
    pts = [np.ascontiguousarray(p, dtype=np.float64) for p, _ in pairs]
    wts = [np.repeat(np.ascontiguousarray(w, dtype=np.float64).ravel(), p.shape[1] if p.ndim == 2 else 1)
           for p, (_, w) in zip(pts, pairs)]
    off = np.zeros(len(pts) + 1, np.int64)
    for j, p in enumerate(pts):
        off[j + 1] = off[j] + p.size
    mx = np.concatenate([p.ravel() for p in pts]) if pts else np.zeros(0, np.float64)
    mw = np.concatenate(wts) if wts else np.zeros(0, np.float64)
    return mx, mw, off


def _real_if_close(a: np.ndarray) -> np.ndarray:
    finite = np.isfinite(a)
    if np.all(np.abs(a.imag[finite]) <= 1e-12 * (1.0 + np.abs(a.real[finite]))):
        return a.real.copy()
    return a


class CompiledSystem:
    """A generated damped-Newton solver for a :class:`~symrmt.symbolic.system.System`.

    Call :meth:`solve` with every parameter by name; values broadcast (NumPy rules) and the grid
    is solved in flattened (C) order with warm starts from the previous converged point.

    ``measures``: the measures of the System's expectations (``sr.expect``) in slot order; their
    arrays are passed to the generated kernel at every solve (the module itself is shared by
    every measure of the same System).

    ``complex_module``: where ``module`` is the real variant (``META["real"]``: float64 kernels),
    the factory of the complex one, generated and compiled only at the first solve with a
    non-real parameter value.
    """

    def __init__(self, system, module: ModuleType, *, maxit: int = 100, tol: float = 1e-13,
                 ftol: float = 1e-10, measures: Any = (),
                 complex_module: Callable[[], ModuleType] | None = None) -> None:
        self.system = system
        self.module = module
        self._complex_module = complex_module
        self.measures = tuple(measures)
        self._ms = pack_measures([(mu.points, mu.weights) for mu in self.measures])
        self.maxit, self.tol, self.ftol = maxit, tol, ftol
        self.parameter_names: tuple[str, ...] = tuple(module.META["parameters"])
        self.unknown_names: tuple[str, ...] = tuple(module.META["unknowns"])
        self.observable_names: tuple[str, ...] = tuple(module.META["observables"])
        self.domains: tuple[str, ...] = tuple(module.META["domains"])

    def __repr__(self) -> str:
        return f"CompiledSystem({self.system.name}; unknowns {list(self.unknown_names)})"

    def with_measures(self, *measures: Any) -> "CompiledSystem":
        """The same solver (the same generated module: nothing is compiled) with other measures
        in its slots, in slot order: e.g. one population per grid region.

        Raises
        ------
        ParameterError
            Another number of measures than the System has, or a measure whose coordinates per
            atom differ from its slot's (a joint measure where a 1-d one is read, or vice versa).
        """
        dims = tuple(self.module.META.get("measure_dims", (1,) * len(self.measures)))
        if len(measures) != len(dims):
            raise ParameterError(f"measures: {self.system.name} has {len(dims)} measure slot(s), got {len(measures)}")
        for j, (mu, k) in enumerate(zip(measures, dims)):
            if not (hasattr(mu, "points") and hasattr(mu, "weights")):
                raise ParameterError(f"measures[{j}]: expected a measure (symrmt.measures), got {type(mu).__name__}")
            if int(getattr(mu, "dim", 1)) != k:
                raise ParameterError(f"measures[{j}]: slot {j} reads {k} coordinate(s) per atom, the measure has "
                                     f"{int(getattr(mu, 'dim', 1))}")
        return CompiledSystem(self.system, self.module, maxit=self.maxit, tol=self.tol, ftol=self.ftol,
                              measures=measures, complex_module=self._complex_module)

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
        spec = int(getattr(self.module, "_SPECTRAL", -1))
        if spec >= 0 and np.any(b[spec].imag < 0):
            k = names[spec]
            raise ParameterError(f"{k}: the spectral parameter needs Im {k} >= 0 (the upper half-plane; "
                                 f"a real {k} gives the limit from above), got Im {k} < 0")
        return {k: a for k, a in zip(names, b)}

    def solve(self, strict: bool = True, **params: Any) -> SolveResult:
        """Solve at every point of the broadcast parameter grid.

        Parameters
        ----------
        strict
            If True (default), raise :class:`~symrmt.errors.ConvergenceError` when any point does
            not converge, naming how many, which, and the worst residual; if False, return the
            result with those points flagged (``converged`` False, values NaN, ``residual`` kept).
        **params
            Every parameter by name: numbers or arrays, real or complex, finite.  A spectral
            parameter (``z``) needs ``Im z >= 0``; on the real axis the solution is the limit from
            the upper half-plane, reached by continuation in ``Im z``.

        Returns
        -------
        SolveResult

        Raises
        ------
        ParameterError
            Unknown, missing, non-numeric or non-finite parameters, shapes that do not broadcast,
            or a spectral parameter with ``Im z < 0``.
        ConvergenceError
            ``strict`` and some point did not converge.
        """
        if not isinstance(strict, (bool, np.bool_)):
            raise ParameterError(f"strict: must be True or False, got {strict!r}")
        grid = self._grid(params)       # validation; the module's own wrapper solves
        module = self.module
        if module.META.get("real") and any(np.any(a.imag != 0) for a in grid.values()):
            if self._complex_module is None:
                raise ParameterError(f"{self.system.name}: this solver takes real parameter values only")
            module = self._complex_module()  # complex values: the complex variant (cached)
        raw = module.solve(maxit_=self.maxit, tol_=self.tol, ftol_=self.ftol, measures_=self._ms, **grid)
        conv, res = raw["converged"], raw["residual"]
        if strict and not np.all(conv):
            raise ConvergenceError(_failure_message(self.system.name, conv, res, grid))
        unknowns = {}
        for j, k in enumerate(self.unknown_names):
            col = raw[k]
            unknowns[k] = col.real.copy() if self.domains[j] in ("real", "positive", "negative") else col
        observables = {k: _real_if_close(raw[k]) for k in self.observable_names}
        return SolveResult(unknowns, observables, res, conv, raw["iterations"], grid)
