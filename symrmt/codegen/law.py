"""CompiledLaw: numerical transforms of an algebraic law from its generated solver module.

Conventions (DESIGN.md): ``m(z) = ∫ ρ(x)/(x - z) dx`` (Herglotz), density
``ρ(x) = Im m(x + i0)/π``.  The physical branch is tracked by continuation from ``z = i∞``
(see :mod:`symrmt.codegen.templates`; Rao & Edelman 2008, "The polynomial method for random
matrices", for the branch rule).
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from ..errors import ConvergenceError, ParameterError
from .law_runtime import LawNumerics
from .solved import check_parameter_names

__all__ = ["CompiledLaw"]


def _as_array(value: Any, name: str, dtype) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises for exotic objects
        raise ParameterError(f"{name}: cannot convert {value!r} to an array") from exc
    if arr.dtype == object or arr.dtype.kind not in "biufc":
        raise ParameterError(f"{name}: expected numbers, got an array of dtype {arr.dtype}")
    if dtype is np.float64 and arr.dtype.kind == "c":
        if np.any(arr.imag != 0):
            raise ParameterError(f"{name}: must be real, got complex values")
        arr = arr.real
    arr = np.asarray(arr, dtype=dtype)
    if not np.isfinite(arr).all():
        raise ParameterError(f"{name}: must be finite (got NaN or inf)")
    return arr


class CompiledLaw:
    """Stieltjes transform, density, cdf, support and atoms of an algebraic law.

    Parameters are passed by name (``sol.stieltjes(z, gamma=0.5)``); points and parameter arrays
    broadcast together (NumPy rules).  Results that did not converge raise
    :class:`~symrmt.errors.ConvergenceError` by default (``strict=False`` gives NaN there instead;
    :meth:`stieltjes_report` returns the per-point flags).  A point where the polynomial is
    too ill-conditioned for double precision (several branches within the attainable error of
    each other, e.g. near the atom at 0 of a Silverstein law with ratio > 1) is not converged.

    Every threshold is relative to the law's scale ``s`` (its standard deviation at the given
    parameters), so a law scaled by ``s`` gives the same answers rescaled.  Atoms are the real
    roots ``x0`` of the leading coefficient of ``P`` in ``m`` where the physical branch has a pole;
    their mass is the residue ``-lim (z - x0) m(z)``, exact from the Newton polygon of ``P``.
    Next to an atom whose pole several branches share (a multiple root of the leading
    coefficient, e.g. the atom of ``block_diagonal(A, atoms([x0]), α)``), where the expanded
    coefficients of ``P`` cancel, ``m`` is solved in the residue variable ``-(z - x0) m`` from
    their Taylor table at ``x0`` (``symrmt.codegen.law_runtime``).
    Support edges are the real roots of the discriminant where the density switches on or off,
    refined as folds ``P = P_m = 0``.  The cdf integrates the density piece by piece in
    ``x = a + (b - a) sin²(θ/2)``, smooth at square-root and at ``|x - a|^(-1/2)`` (hard) edges.
    """

    def __init__(self, law, module: ModuleType) -> None:
        self.law = law
        self.module = module
        self.parameter_names: tuple[str, ...] = tuple(module.META["parameters"])
        self.degree: int = int(module.META["degree"])
        self._numerics = LawNumerics(module, law.name, ConvergenceError)

    def __repr__(self) -> str:
        return f"CompiledLaw({self.law.name}; parameters {list(self.parameter_names)})"

    # ------------------------------------------------------------------ input handling
    def _prepare(self, pts: Any, params: dict, point_name: str, real: bool):
        names = self.parameter_names
        check_parameter_names(names, params, self.law.name, " (bind them with law.subs(...) or pass them by name)")
        pts_arr = np.asarray(_as_array(pts, point_name, np.float64 if real else np.complex128), np.complex128)
        if not real and (pts_arr.imag < 0).any():
            raise ParameterError(f"{point_name}: need Im z >= 0 (upper half-plane or the real axis; "
                                 f"the law is Herglotz there), got Im z < 0")
        arrs = [_as_array(params[k], k, np.float64) for k in names]
        try:
            b = np.broadcast_arrays(pts_arr, *arrs)
        except ValueError as exc:
            shapes = {point_name: pts_arr.shape, **{k: a.shape for k, a in zip(names, arrs)}}
            raise ParameterError(f"shapes do not broadcast: {shapes}") from exc
        self._check_constraints(b[1:])
        shape = b[0].shape
        zf = np.ascontiguousarray(b[0].ravel())
        pv = np.empty((zf.shape[0], len(names)), np.float64)
        for j, a in enumerate(b[1:]):
            pv[:, j] = a.ravel()
        return shape, zf, pv

    _RULES = {"positive": (lambda v: v > 0, "> 0"), "nonnegative": (lambda v: v >= 0, ">= 0"),
              "nonzero": (lambda v: v != 0, "!= 0"), "<1": (lambda v: v < 1, "< 1")}

    def _check_constraints(self, arrays: list) -> None:
        """The law's parameter conditions (e.g. ratio > 0), checked on the numeric values."""
        cons = self.module.META.get("constraints", ())
        if not cons:
            return
        values = self.module._constraint_values(tuple(arrays))
        for (label, kind, expr), v in zip(cons, values):
            ok, rel = self._RULES[kind]
            good = ok(np.asarray(v))
            if not np.all(good):
                bad = np.asarray(v)[~good] if np.ndim(v) else v
                raise ParameterError(f"{label}: must satisfy {label} {rel} ({label} = {expr}), "
                                     f"got {np.ravel(bad)[:3]}")

    @staticmethod
    def _finish(values: np.ndarray, conv: np.ndarray, pts: np.ndarray, strict: bool, what: str) -> np.ndarray:
        if np.all(conv):
            return values
        if strict:
            bad = pts[~conv]
            raise ConvergenceError(f"{what}: continuation failed at {bad.size} point(s), e.g. {bad[:3]}; "
                                   f"pass strict=False to get NaN there")
        values = values.copy()
        values[~conv] = np.nan
        return values

    # ------------------------------------------------------------------ transforms
    def stieltjes_report(self, z: Any, **params: Any) -> dict:
        """Per-point report of the Stieltjes solve at ``z`` (``Im z >= 0``).

        Returns
        -------
        dict
            ``"m"`` (the physical branch), ``"converged"`` (bool), ``"residual"`` (``|P(m, z)|``),
            ``"iterations"``, and ``"error"``: the attainable error of ``m`` in double precision,
            a pessimistic bound from the rounding floor ``f`` of ``P`` (``f/|P_m|`` at a simple
            root, ``sqrt(2 f/|P_mm|)`` at a double one).  Near a support edge of a high-degree
            law it exceeds ``1e-16 |m|`` by orders of magnitude; points where it exceeds
            ``1e-3 |m|`` are reported as not converged.
        """
        shape, zf, pv = self._prepare(z, params, "z", real=False)
        out, conv, res, its, err = self._run(zf, pv)
        return {"m": out.reshape(shape), "converged": conv.reshape(shape),
                "residual": res.reshape(shape), "iterations": its.reshape(shape),
                "error": err.reshape(shape)}

    def stieltjes(self, z: Any, strict: bool = True, **params: Any) -> np.ndarray:
        """Physical Stieltjes transform ``m(z)`` for ``Im z >= 0`` (real ``z``: limit from above).

        At an atom on the real axis the value is ``complex(0, +inf)``.
        """
        shape, zf, pv = self._prepare(z, params, "z", real=False)
        out, conv, *_ = self._run(zf, pv)
        return self._finish(out, conv, zf, strict, f"stieltjes of {self.law.name}").reshape(shape)

    def density(self, x: Any, strict: bool = True, **params: Any) -> np.ndarray:
        """Density ``Im m(x + i0)/π`` at real ``x`` (``+inf`` exactly at an atom)."""
        shape, zf, pv = self._prepare(x, params, "x", real=True)
        out, conv, *_ = self._run(zf, pv)
        vals = self._finish(out, conv, zf, strict, f"density of {self.law.name}")
        return (np.maximum(vals.imag, 0.0) / np.pi).reshape(shape)

    def _scalar_params(self, params: dict) -> np.ndarray:
        _, _, pv = self._prepare(0.0, params, "x", real=True)
        if pv.shape[0] != 1:
            raise ParameterError("support/atoms take scalar parameters; loop over parameter values "
                                 "(cdf accepts arrays)")
        return pv[0]

    # ------------------------------------------------------------------ support, atoms, cdf
    # (the numerics live in :mod:`symrmt.codegen.law_runtime`, shared with standalone modules)
    def _run(self, zf: np.ndarray, pv: np.ndarray, tol: float = 1e-14, eta0: float = 1e-10):
        return self._numerics.run(zf, pv, tol, eta0)

    def atoms(self, **params: Any) -> list[tuple[float, float]]:
        """Atoms ``[(x, mass), ...]`` of the law (poles of the physical branch on the real axis)."""
        return self._numerics.atoms(self._scalar_params(params))

    def support(self, **params: Any) -> list[tuple[float, float]]:
        """Support as sorted intervals ``[(a, b), ...]``; atoms outside them appear as ``(x, x)``.

        Edges are the real roots of the discriminant of ``P`` in ``m`` (and of its leading
        coefficient) where the density switches on or off.
        """
        return self._numerics.support(self._scalar_params(params))

    def cdf(self, x: Any, **params: Any) -> np.ndarray:
        """Cumulative distribution ``F(x) = μ((-∞, x])``, atoms included (right-continuous)."""
        shape, zf, pv = self._prepare(x, params, "x", real=True)
        return self._numerics.cdf(zf.real, pv).reshape(shape)

    def mass(self, **params: Any) -> float:
        """Total mass: the density integrated over the support plus the atoms (1 for a law)."""
        return self._numerics.mass(self._scalar_params(params))
