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
from .solved import check_parameter_names

__all__ = ["CompiledLaw"]

_GL_NODES = 64


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
    :meth:`stieltjes_report` returns the per-point flags).
    """

    def __init__(self, law, module: ModuleType) -> None:
        self.law = law
        self.module = module
        self.parameter_names: tuple[str, ...] = tuple(module.META["parameters"])
        self.degree: int = int(module.META["degree"])

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

    def _run(self, zf: np.ndarray, pv: np.ndarray, tol: float = 1e-14, eta0: float = 1e-10):
        n = zf.shape[0]
        out = np.empty(n, np.complex128)
        conv = np.zeros(n, np.bool_)
        res = np.empty(n, np.float64)
        its = np.zeros(n, np.int64)
        if n:
            self.module.stieltjes_kernel(zf, pv, out, conv, res, its, tol, eta0)
        return out, conv, res, its

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
        """``{"m", "converged", "residual", "iterations"}`` arrays for the points ``z`` (``Im z >= 0``)."""
        shape, zf, pv = self._prepare(z, params, "z", real=False)
        out, conv, res, its = self._run(zf, pv)
        return {"m": out.reshape(shape), "converged": conv.reshape(shape),
                "residual": res.reshape(shape), "iterations": its.reshape(shape)}

    def stieltjes(self, z: Any, strict: bool = True, **params: Any) -> np.ndarray:
        """Physical Stieltjes transform ``m(z)`` for ``Im z >= 0`` (real ``z``: limit from above).

        At an atom on the real axis the value is ``complex(0, +inf)``.
        """
        shape, zf, pv = self._prepare(z, params, "z", real=False)
        out, conv, _, _ = self._run(zf, pv)
        return self._finish(out, conv, zf, strict, f"stieltjes of {self.law.name}").reshape(shape)

    def density(self, x: Any, strict: bool = True, **params: Any) -> np.ndarray:
        """Density ``Im m(x + i0)/π`` at real ``x`` (``+inf`` exactly at an atom)."""
        shape, zf, pv = self._prepare(x, params, "x", real=True)
        out, conv, _, _ = self._run(zf, pv)
        vals = self._finish(out, conv, zf, strict, f"density of {self.law.name}")
        return (np.maximum(vals.imag, 0.0) / np.pi).reshape(shape)

    # ------------------------------------------------------------------ support, atoms, cdf
    def _scalar_params(self, params: dict) -> np.ndarray:
        _, _, pv = self._prepare(0.0, params, "x", real=True)
        if pv.shape[0] != 1:
            raise ParameterError("support/atoms take scalar parameters; loop over parameter values "
                                 "(cdf accepts arrays)")
        return pv[0]

    def _real_roots(self, coeffs: tuple, near: bool = False) -> np.ndarray:
        c = np.array([complex(v) for v in coeffs])
        scale = np.max(np.abs(c)) if c.size else 0.0
        if scale == 0:
            return np.empty(0)
        nz = np.nonzero(np.abs(c) > 1e-13 * scale)[0]
        c = c[nz[0]:]
        if c.size < 2:
            return np.empty(0)
        r = np.roots(c)
        if near:  # real parts of all roots: breakpoints that keep quadrature panels smooth
            return np.sort(r.real)
        keep = np.abs(r.imag) <= 1e-7 * (1.0 + np.abs(r.real))
        roots = r.real[keep]
        if np.all(c.imag == 0):
            cr, dc = c.real, np.polyder(c.real)
            for _ in range(3):  # polish simple roots by Newton (multiple roots: keep as found)
                d = np.polyval(dc, roots)
                ok = np.abs(d) > 1e-8 * np.max(np.abs(cr))
                roots = np.where(ok, roots - np.polyval(cr, roots) / np.where(ok, d, 1.0), roots)
        return np.sort(roots)

    def _atoms(self, pv: np.ndarray) -> list[tuple[float, float]]:
        found = []
        roots = self._real_roots(self.module._lead(tuple(pv)))
        # a multiple root of the leading coefficient (e.g. z^k) is one atom, not k
        distinct = [x for i, x in enumerate(roots) if i == 0 or x - roots[i - 1] > 1e-6 * (1.0 + abs(x))]
        for x0 in distinct:
            eps = 1e-7 * (1.0 + abs(x0))
            zz = np.array([x0 + 1j * eps, x0 + 0.5j * eps])
            out, conv, _, _ = self._run(zz, np.repeat(pv[None, :], 2, axis=0))
            if not np.all(conv):
                continue
            f = np.array([eps, 0.5 * eps]) * out.imag
            mass = 2.0 * f[1] - f[0]          # Richardson: f(ε) = w + O(ε)
            if mass > 1e-9:
                found.append((float(x0), float(min(mass, 1.0))))
        return found

    def atoms(self, **params: Any) -> list[tuple[float, float]]:
        """Atoms ``[(x, mass), ...]`` of the law (poles of the physical branch on the real axis)."""
        return self._atoms(self._scalar_params(params))

    def _pieces(self, pv: np.ndarray) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """Elementary intervals between breakpoints carrying density, and the atoms."""
        atoms = self._atoms(pv)
        disc = self.module._disc(tuple(pv))
        edges = np.concatenate([self._real_roots(disc), [a for a, _ in atoms]])
        cand = np.concatenate([edges, self._real_roots(disc, near=True)])
        if edges.size:  # complex branch points only refine panels inside the real candidates' range
            cand = cand[(cand >= edges.min()) & (cand <= edges.max())]
        cand = np.sort(cand)
        if cand.size:
            keep = np.concatenate([[True], np.diff(cand) > 1e-12 * (1.0 + np.abs(cand[1:]))])
            cand = cand[keep]
        if cand.size < 2:
            return [], atoms
        mids = 0.5 * (cand[1:] + cand[:-1])
        out, conv, _, _ = self._run(mids.astype(np.complex128), np.repeat(pv[None, :], mids.size, axis=0))
        dens = np.where(conv, np.maximum(out.imag, 0.0), 0.0)
        thr = 1e-10 * max(dens.max(), 1e-300)
        pieces = [(float(a), float(b)) for a, b, d in zip(cand[:-1], cand[1:], dens) if d > thr and b > a]
        return pieces, atoms

    def support(self, **params: Any) -> list[tuple[float, float]]:
        """Support as sorted intervals ``[(a, b), ...]``; atoms outside them appear as ``(x, x)``.

        Edges are the real roots of the discriminant of ``P`` in ``m`` (and of its leading
        coefficient) where the density switches on or off.
        """
        pieces, atoms = self._pieces(self._scalar_params(params))
        merged: list[list[float]] = []
        for a, b in pieces:
            if merged and abs(a - merged[-1][1]) <= 1e-12 * (1 + abs(a)):
                merged[-1][1] = b
            else:
                merged.append([a, b])
        out = [(a, b) for a, b in merged]
        for x0, _ in atoms:
            if not any(a <= x0 <= b for a, b in out):
                out.append((x0, x0))
        return sorted(out)

    def _piece_integral(self, a: float, b: float, upper: np.ndarray, pv: np.ndarray) -> np.ndarray:
        """∫_a^{u} ρ for each u in ``upper`` (a <= u <= b), Gauss–Legendre in θ with x = a + (b-a)(1-cos θ)/2.

        The substitution absorbs square-root edges (ρ sin θ is smooth), giving spectral accuracy.
        """
        theta_u = np.arccos(np.clip(1.0 - 2.0 * (upper - a) / (b - a), -1.0, 1.0))
        t, w = np.polynomial.legendre.leggauss(_GL_NODES)
        th = 0.5 * theta_u[:, None] * (t[None, :] + 1.0)
        x = a + 0.5 * (b - a) * (1.0 - np.cos(th))
        out, conv, _, _ = self._run(x.ravel().astype(np.complex128), np.repeat(pv[None, :], x.size, axis=0))
        if not np.all(conv):
            raise ConvergenceError(f"cdf of {self.law.name}: density evaluation failed inside ({a}, {b})")
        rho = np.maximum(out.imag, 0.0).reshape(x.shape) / np.pi
        integrand = rho * 0.5 * (b - a) * np.sin(th)
        return 0.5 * theta_u * (integrand * w[None, :]).sum(axis=1)

    def _cdf_one(self, x: np.ndarray, pv: np.ndarray) -> np.ndarray:
        pieces, atoms = self._pieces(pv)
        total = np.zeros_like(x)
        for a, b in pieces:
            full = x >= b
            if np.any(full):
                total[full] += self._piece_integral(a, b, np.array([b]), pv)[0]
            part = (x > a) & (x < b)
            if np.any(part):
                total[part] += self._piece_integral(a, b, x[part], pv)
        for x0, w in atoms:
            total[x >= x0] += w
        return total

    def cdf(self, x: Any, **params: Any) -> np.ndarray:
        """Cumulative distribution ``F(x) = μ((-∞, x])``, atoms included (right-continuous)."""
        shape, zf, pv = self._prepare(x, params, "x", real=True)
        xs = zf.real
        out = np.empty_like(xs)
        if pv.shape[1] == 0:
            out[:] = self._cdf_one(xs, np.empty(0))
        else:
            uniq, inv = np.unique(pv, axis=0, return_inverse=True)
            inv = inv.ravel()
            for k, row in enumerate(uniq):
                sel = inv == k
                out[sel] = self._cdf_one(xs[sel], row)
        return out.reshape(shape)

    def mass(self, **params: Any) -> float:
        """Total mass: the density integrated over the support plus the atoms (1 for a law)."""
        pv = self._scalar_params(params)
        pieces, atoms = self._pieces(pv)
        cont = sum(self._piece_integral(a, b, np.array([b]), pv)[0] for a, b in pieces)
        return float(cont + sum(w for _, w in atoms))
