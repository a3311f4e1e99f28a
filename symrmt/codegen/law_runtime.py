"""Support, atoms and cdf of an algebraic law from its generated solver module (numpy only).

One implementation for two users: :class:`symrmt.codegen.law.CompiledLaw` wraps it, and a
standalone law module (:func:`symrmt.codegen.standalone.write_standalone`) carries its text, from
the marker line below on, so that the exported file has the same ``support``, ``atoms`` and
``cdf`` without importing symrmt.  Everything below the marker needs only numpy and the
generated module's functions (``stieltjes_kernel``, ``_moments2``, ``_lead``, ``_coeffs``,
``_disc``, ``_pm``, ``_pmm`` and ``META``).

Conventions (DESIGN.md): ``m(z) = ∫ ρ(x)/(x - z) dx`` (Herglotz), density ``ρ(x) = Im m(x + i0)/π``.
Every threshold is relative to the law's scale ``s`` (its standard deviation at the given
parameters).  Atoms are the real roots ``x0`` of the leading coefficient of ``P`` in ``m`` where
the physical branch has a pole, their mass the residue ``-lim (z - x0) m(z)``, exact from the
Newton polygon of ``P``.  Support edges are the real roots of the discriminant where the density
switches on or off, refined as folds ``P = P_m = 0``.  The cdf integrates the density piece by
piece in ``x = a + (b - a) sin²(θ/2)``, smooth at square-root and at ``|x - a|^(-1/2)`` (hard) edges.
"""
# --- law runtime: the text from here on is embedded in standalone law modules ---
import functools

import numpy as np

_GL_NODES = 64   # Gauss–Legendre nodes on [0, θ(u)] for a few upper limits u
_PANELS = 32     # many upper limits: uniform panels in θ per piece ...
_GL_PANEL = 16   # ... of this many Gauss–Legendre nodes, interpolated within a panel
_FEW = 8
_MEMO = 64       # pieces and panel rules kept per law (parameter rows)
_NEAR = 1e-2     # points within _NEAR s of an atom that the kernel leaves unconverged, or
_GOOD = 1e-10    # converged with an attainable error above _GOOD |m|, are solved in the residue variable
_EST_MAX = 1e-3  # ... and accepted when their attainable error is below _EST_MAX |m| (as the kernel's)


@functools.lru_cache(maxsize=8)
def _gauss_legendre(n):
    return np.polynomial.legendre.leggauss(n)


@functools.lru_cache(maxsize=8)
def _antiderivative_matrix(n):
    """``A`` with ``(A @ f)`` the Legendre coefficients of ``∫_{-1}^{s} p(t) dt``, ``p`` the
    degree ``n - 1`` interpolant of values ``f`` at the Gauss–Legendre nodes."""
    t, _ = _gauss_legendre(n)
    V = np.polynomial.legendre.legvander(t, n - 1)
    inv = np.linalg.inv(V)
    return np.array([np.polynomial.legendre.legint(inv[:, j], lbnd=-1.0) for j in range(n)]).T


class LawNumerics:
    """Support, atoms and cdf of the law whose generated module is ``module``.

    ``name`` names the law in messages; ``error`` is the exception class raised when the
    density cannot be evaluated inside the support.  Parameter rows ``pv`` are float64 arrays in
    the order of ``module.META["parameters"]``; pieces and panel rules are memoized per row.
    """

    def __init__(self, module, name, error=RuntimeError):
        self.module = module
        self.name = name
        self.error = error
        self.degree = int(module.META["degree"])
        self._memo = {}

    def run(self, zf: np.ndarray, pv: np.ndarray, tol: float = 1e-14, eta0: float = 1e-10, near_atoms: bool = True):
        """The generated kernel at the points ``zf`` (rows ``pv``): ``(m, converged, residual,
        iterations, error)``; points it leaves unconverged next to an atom are solved again by
        :meth:`_solve_near_atoms` (``near_atoms=False``: the kernel alone)."""
        n = zf.shape[0]
        out = np.empty(n, np.complex128)
        conv = np.zeros(n, np.bool_)
        res = np.empty(n, np.float64)
        err = np.full(n, np.inf)
        its = np.zeros(n, np.int64)
        if n:
            self.module.stieltjes_kernel(zf, pv, out, conv, res, err, its, tol, eta0)
            if near_atoms and not np.all(conv & (err <= _GOOD * np.abs(out))):
                self._solve_near_atoms(zf, pv, out, conv, res, err)
        return out, conv, res, its, err

    def _solve_near_atoms(self, zf, pv, out, conv, res, err) -> None:
        """Points within ``_NEAR s`` of an atom ``x0`` that the kernel left unconverged (or
        converged with an error above ``_GOOD |m|``), solved in the residue variable
        ``w = -(z - x0) m`` (in place, where that does better).

        Near a pole shared by several branches (an atom of a mixture, at a multiple root of the
        leading coefficient ``a_d``) the expanded coefficients ``a_j(z)`` lose their relative
        accuracy to cancellation (``a_d(3 + iη) = 16 (iη)²`` is computed as ``16 z² - 96 z + 144``),
        so ``P(., z)`` itself cannot be solved there in double precision.  The Taylor table of the
        ``a_j`` at ``x0`` (exact zeros kept zero, :meth:`_taylor_table`) gives ``P`` in ``w`` and
        ``δ = (z - x0)/s`` without that cancellation; its root is followed from the kernel's
        accurate value on the same ray (at ``|z - x0| = 0.01 s``, else ``0.1 s`` or ``s``).  At ``z = x0`` the value is
        ``complex(0, +inf)`` (the kernel's convention for an atom).
        """
        # unconverged points, and converged ones whose attainable error is above _GOOD |m|: the
        # residue variable is kept where it does better
        bad = np.flatnonzero(~conv | ~(err <= _GOOD * np.abs(out)))
        if pv.shape[1]:
            uniq, inv = np.unique(pv[bad], axis=0, return_inverse=True)
            groups = [(uniq[k], bad[inv.ravel() == k]) for k in range(uniq.shape[0])]
        else:
            groups = [(np.empty(0), bad)]
        for row, sel in groups:
            s = self.scale(row)
            # first the cheap test: a real root of the leading coefficient near some point
            lead = self._memoized("lead", row, (), lambda: self._lead_roots(row, s))
            if not any(np.any(np.abs(zf[sel] - x) <= _NEAR * s) for x in lead):
                continue
            for x0, _ in self.atoms(row):
                near = sel[np.abs(zf[sel] - x0) <= _NEAR * s]
                if near.size == 0:
                    continue
                table = self._taylor_table(x0, row, s)
                if table is None:
                    continue
                for i in near:
                    m, e = self._pole_root(complex(zf[i]), x0, row, s, table)
                    better = not conv[i] or e < err[i]
                    if better and (np.isfinite(m.real) and np.isfinite(m.imag) and e <= _EST_MAX * abs(m)
                                   or np.isinf(m.imag)):
                        out[i], conv[i], err[i] = m, True, e
                        res[i] = 0.0 if np.isinf(m.imag) else abs(self.module._pm(m, zf[i], tuple(row))[0])

    def _pole_root(self, z: complex, x0: float, pv: np.ndarray, s: float, table) -> tuple[complex, float]:
        """The physical ``m(z)`` near the atom ``x0`` and its attainable error, from ``table``."""
        U, n = table
        if z == x0:
            return complex(0.0, np.inf), 0.0
        unit = (z - x0) / abs(z - x0)
        # the anchor: the kernel's root on the same ray, where it is accurate (branch selection)
        radii = np.array([1e-2, 1e-1, 1.0]) * s
        zas = x0 + radii * unit
        mas, cas, _, _, eas = self.run(zas, np.repeat(pv[None, :], radii.size, axis=0), near_atoms=False)
        ok = np.flatnonzero(cas & (eas <= 1e-8 * np.abs(mas)))
        if ok.size == 0:
            return complex(np.nan, np.nan), np.inf
        za, ma = zas[ok[0]], mas[ok[0]:ok[0] + 1]
        # geometric steps in |δ| from the anchor down to z, the root followed by a linear predictor
        da, dz = (za - x0) / s, (z - x0) / s
        steps = max(1, int(np.ceil(np.log(abs(da) / abs(dz)) / np.log(2.0))))
        ds = da * (dz / da) ** (np.arange(steps + 1) / steps)
        w_prev, d_prev = complex(-(za - x0) * ma[0]), da
        slope = 0j
        for d in ds[1:]:
            roots = np.roots(self._residue_poly(U, n, d))
            pred = w_prev + slope * (d - d_prev)
            w = complex(roots[np.argmin(np.abs(roots - pred))])
            slope = (w - w_prev) / (d - d_prev)
            w_prev, d_prev = w, d
        q = self._residue_poly(U, n, dz)
        floor = 64.0 * np.finfo(float).eps * np.polyval(np.abs(q), abs(w_prev))
        q1 = abs(np.polyval(np.polyder(q), w_prev))
        ew = floor / q1 if q1 > 0 else np.inf
        if not ew <= 1e-8 * abs(w_prev):  # a (near-)double root of q: the square-root bound
            q2 = abs(np.polyval(np.polyder(q, 2), w_prev))
            ew = min(ew, np.sqrt(2.0 * floor / q2) if q2 > 0 else np.inf)
        m = -w_prev / (z - x0)
        return complex(m), float(ew / abs(z - x0))

    @staticmethod
    def _residue_poly(U: np.ndarray, n: int, delta: complex) -> np.ndarray:
        """``δ^(d - n) P(-w/(s δ), x0 + s δ)`` as a polynomial in ``w`` (highest power first)."""
        d = U.shape[0] - 1
        coef = np.zeros(d + 1, complex)  # coefficient of w^j
        for j in range(d + 1):
            for kk in range(U.shape[1]):
                e = kk + d - j - n
                if U[j, kk] != 0 and e >= 0:
                    coef[j] += U[j, kk] * delta ** e * (-1.0) ** j
        return coef[::-1]


    def scale(self, pv: np.ndarray) -> float:
        """The law's length scale at ``pv``: its standard deviation (else ``|mean|``, else 1).

        The same value the generated kernels use; every length threshold below is relative to it,
        so a law scaled by ``s`` gives the same answers rescaled by ``s``.
        """
        var, m1 = (complex(v).real for v in self.module._moments2(tuple(pv)))
        if 0.0 < var < np.inf:
            return float(np.sqrt(var))
        if 0.0 < abs(m1) < np.inf:
            return float(abs(m1))
        return 1.0

    @staticmethod
    def _real_roots(coeffs: tuple, scale: float, near: bool = False, exact_zero: bool = False) -> np.ndarray:
        """Real roots of ``Σ c_k z^k`` (``coeffs`` highest power first), found in ``t = z/scale``.

        Exact zero roots (trailing zero coefficients) are split off first; the remaining
        polynomial is rescaled so that its coefficients are balanced (a wide spread of their
        magnitudes, e.g. 1e53..1e72 for a discriminant of degree 16, would otherwise drop the
        leading coefficient), its roots taken from the companion matrix and the real ones polished
        by Newton.  ``near``: the real parts of all roots (panel breakpoints).
        """
        c = np.array([complex(v) for v in coeffs])
        if c.size == 0 or not np.any(c != 0):
            return np.empty(0)
        c = c[np.flatnonzero(c != 0)[0]:]
        nzero = c.size - 1 - np.flatnonzero(c != 0)[-1]
        c = c[:c.size - nzero]
        deg = c.size - 1
        zeros = np.zeros(nzero) if not exact_zero else np.zeros(min(nzero, 1))
        if deg < 1:
            return zeros
        # balance: t = z / scale, then the geometric mean of the root moduli for the rest
        k = np.arange(deg, -1, -1, dtype=float)
        with np.errstate(divide="ignore"):
            lg = np.log(np.abs(c)) + k * np.log(scale)
        nz = np.isfinite(lg)
        rs = np.exp((lg[-1] - lg[0]) / deg)  # |c_0 / c_d|^(1/d) in units of scale
        rs = rs if np.isfinite(rs) and rs > 0 else 1.0
        lg2 = lg + k * np.log(rs)
        cs = np.zeros_like(c)
        cs[nz] = np.exp(lg2[nz] - lg2[nz].max()) * np.exp(1j * np.angle(c[nz]))
        lead = np.flatnonzero(np.abs(cs) > 1e-13)[0]
        cs = cs[lead:]
        if cs.size < 2:
            return zeros
        r = np.roots(cs)
        unit = scale * rs
        if near:
            return np.sort(np.concatenate([zeros, r.real * unit]))
        keep = np.abs(r.imag) <= 1e-6 * (1.0 + np.abs(r.real))
        t = r.real[keep]
        if np.all(cs.imag == 0):
            cr = cs.real
            dc = np.polyder(cr)
            for _ in range(4):  # polish simple roots by Newton (multiple roots: keep as found)
                d = np.polyval(dc, t)
                ok = np.abs(d) > 1e-8 * np.polyval(np.abs(dc), np.abs(t))
                t = np.where(ok, t - np.polyval(cr, t) / np.where(ok, d, 1.0), t)
            # a last Newton step in z itself (no rounding from the change of variable)
            x = t * unit
            c0 = c.real / np.max(np.abs(c.real))
            with np.errstate(all="ignore"):
                px, dx = np.polyval(c0, x), np.polyval(np.polyder(c0), x)
                xn = x - px / dx
                better = np.isfinite(xn) & (np.abs(np.polyval(c0, xn)) <= np.abs(px)) & (np.abs(xn - x) <= 1e-8 * unit)
            return np.sort(np.concatenate([zeros, np.where(better, xn, x)]))
        return np.sort(np.concatenate([zeros, t * unit]))

    def _lead_roots(self, pv: np.ndarray, s: float) -> np.ndarray:
        """Distinct real roots of the leading coefficient in ``m`` (clusters of a multiple root,
        within ``1e-4 s``, replaced by their mean)."""
        lead = np.array([complex(v) for v in self.module._lead(tuple(pv))])
        roots = self._real_roots(tuple(lead), s)
        groups: list[list[float]] = []
        for x in roots:
            if groups and x - groups[-1][-1] <= 1e-4 * s:
                groups[-1].append(x)
            else:
                groups.append([x])
        out = []
        for g in groups:
            x = 0.0 if any(v == 0.0 for v in g) else float(np.mean(g))
            if x != 0.0 and len(g) > 1 and np.all(lead.imag == 0):
                # a k-fold root is a simple root of the (k-1)-th derivative: Newton there, kept if
                # it stays within the cluster (3 exactly for 16 z^2 - 96 z + 144, not 3 + 2 ulp)
                q = np.polyder(lead.real / np.max(np.abs(lead.real)), len(g) - 1)
                dq = np.polyder(q)
                y = x
                for _ in range(3):
                    dv = np.polyval(dq, y)
                    if not dv:
                        break
                    y = y - np.polyval(q, y) / dv
                if np.isfinite(y) and abs(y - x) <= 1e-4 * s:
                    x = float(y)
            out.append(x)
        return np.array(out)

    def _taylor_table(self, x0: float, pv: np.ndarray, s: float):
        """``(U, n)``: ``U[j, k]`` the Taylor coefficients of ``a_j(x0 + s δ) s^(-j)`` in ``δ``
        (``P = Σ_j a_j(z) m^j``), entries at the rounding level of their terms set to 0, and ``n``
        the lowest power of ``δ`` in ``δ^d P(-w/(s δ), x0 + s δ)`` (Newton polygon of ``P`` at
        ``m = ∞``); ``None`` when ``P`` vanishes there identically."""
        d = self.degree
        D = int(self.module.META["degree_z"])
        cf = np.array([complex(v) for v in self.module._coeffs(tuple(pv))]).reshape(d + 1, D + 1)
        # Taylor coefficients of a_j(x0 + s δ) in δ, and the same for |coefficients| at |x0| (rounding)
        U = np.zeros((d + 1, D + 1), complex)
        A = np.zeros((d + 1, D + 1))
        fact = 1.0
        for kk in range(D + 1):
            if kk:
                fact *= kk
            for j in range(d + 1):
                low = cf[j]
                dj = np.polynomial.polynomial.polyder(low, kk) if kk else low
                da = np.polynomial.polynomial.polyder(np.abs(low), kk) if kk else np.abs(low)
                sc = s ** (kk - j) / fact
                U[j, kk] = np.polynomial.polynomial.polyval(x0, dj) * sc if dj.size else 0.0
                A[j, kk] = np.polynomial.polynomial.polyval(abs(x0), da) * sc if da.size else 0.0
        top = A.max()
        if not top > 0:
            return None
        U = np.where(np.abs(U) > 1e-9 * A + 1e-14 * top, U, 0.0)
        for n in range(d + D + 1):
            if any(U[j, n - d + j] != 0 for j in range(d + 1) if 0 <= n - d + j <= D):
                return U, n
        return None

    def _residue_candidates(self, x0: float, pv: np.ndarray, s: float) -> np.ndarray:
        """Masses ``w`` in (0, 1] that a pole ``m ~ -w/(z - x0)`` of some branch can have.

        With ``z = x0 + s δ`` and ``m = -w/(s δ)``, ``δ^d P`` is a polynomial in ``δ`` whose
        lowest non-vanishing coefficient (Newton polygon of ``P`` at ``m = ∞``) is a polynomial in
        ``w``; its roots are the residues of the branches with a simple pole at ``x0``.  A branch
        with a weaker singularity (a hard edge, ``m ~ (z - x0)^(-1/2)``) gives none.
        """
        table = self._taylor_table(x0, pv, s)
        if table is None:
            return np.empty(0)
        poly = self._residue_poly(*table, 0.0)
        if np.count_nonzero(poly) < 2:
            return np.empty(0)
        return self._cluster_roots(poly)

    @staticmethod
    def _cluster_roots(poly: np.ndarray) -> np.ndarray:
        """Real roots in (0, 1] of ``poly`` (highest power first), a multiple root counted once.

        A ``k``-fold root comes out of the companion matrix as ``k`` roots spread by
        ``~eps^(1/k)``; they are grouped (within 5 %), and the group's mean is polished by Newton
        on the ``(k-1)``-th derivative, of which it is a simple root.
        """
        r = np.roots(poly)
        r = r[np.abs(r) > 1e-14]
        groups: list[list[complex]] = []
        for v in sorted(r, key=lambda c: c.real):
            for g in groups:
                if abs(v - np.mean(g)) <= 0.05 * abs(np.mean(g)):
                    g.append(v)
                    break
            else:
                groups.append([v])
        out = []
        for g in groups:
            w = complex(np.mean(g))
            q = np.polyder(poly, len(g) - 1) if len(g) > 1 else poly
            dq = np.polyder(q)
            for _ in range(3):
                dv = np.polyval(dq, w)
                if dv == 0:
                    break
                w = w - np.polyval(q, w) / dv
            if abs(w.imag) <= 1e-8 * (1 + abs(w)) and 1e-14 < w.real <= 1 + 1e-8:
                out.append(w.real)
        return np.sort(np.array(out, dtype=float))

    def atoms(self, pv: np.ndarray) -> list[tuple[float, float]]:
        """Atoms: poles of the physical branch at real roots ``x0`` of the leading coefficient.

        The mass is the residue ``w = lim -(z - x0) m(z)``: a root of the Newton-polygon
        polynomial (:meth:`_residue_candidates`), accepted when ``-iη m(x0 + iη)`` at
        ``η = 1e-6 s`` and ``1e-10 s`` agrees with it (within 10 %) (a hard edge, where this tends to 0 like
        ``η^(1/2)``, is not an atom).  Where the kernel cannot reach ``1e-10 s`` (a pole shared by
        several branches at a multiple root of the leading coefficient, e.g. the atom of a mixture
        ``block_diagonal(A, atoms([x0]), α)``), the two smallest heights ``10^-k s`` (``k ≤ 10``) at
        which its attainable error is below 1 % of ``|m|``, a factor ``>= 100`` apart, are used.
        """
        return list(self._memoized("atoms", pv, (), lambda: self._atoms_uncached(pv)))

    def _atoms_uncached(self, pv: np.ndarray) -> list[tuple[float, float]]:
        s = self.scale(pv)
        found = []
        ladder = 10.0 ** -np.arange(10, 1, -1)  # 1e-10 ... 1e-2 (units of s)
        for x0 in self._lead_roots(pv, s):
            cands = self._residue_candidates(float(x0), pv, s)
            if cands.size == 0:
                continue
            etas = np.concatenate([[1e-6, 1e-10], ladder]) * s
            out, conv, _, _, err = self.run(x0 + 1j * etas, np.repeat(pv[None, :], etas.size, axis=0),
                                            near_atoms=False)
            # the roots may be flagged as ill-conditioned (several branches share the pole):
            # a 10 % agreement with an exact candidate is all that is asked of them
            g = (-1j * etas * out).real
            pairs = [(1, 0)]
            good = np.flatnonzero(np.isfinite(out[2:]) & (err[2:] <= 1e-2 * np.abs(out[2:])))
            if good.size and good[0] + 2 < ladder.size:  # smallest usable height, and >= 100 x it
                above = good[good >= good[0] + 2]
                if above.size:
                    pairs.append((2 + good[0], 2 + above[min(2, above.size - 1)]))
            for lo, hi in pairs:
                if not (np.isfinite(g[lo]) and np.isfinite(g[hi])):
                    continue
                w = cands[np.argmin(np.abs(cands - g[lo]))]
                # tolerance 10 %: near a pole shared by several branches (a Silverstein law with
                # c > 1 at 0) the computed m is only good to a few per cent; a hard edge has g ~ η^(1/2)
                if abs(g[lo] - w) <= 0.1 * w and abs(g[hi] - w) <= 0.1 * w:
                    found.append((float(x0), float(min(w, 1.0))))
                    break
        return found

    def _refine_edges(self, xs: np.ndarray, pv: np.ndarray, s: float) -> np.ndarray:
        """Real roots of the discriminant refined as folds of ``P``: ``P = P_m = 0`` at ``(m, x)``.

        A root of a discriminant of high degree is only as good as the cancellation among its
        coefficients allows (2.7e-9 relative for a Silverstein law of 8 atoms); alternating Newton
        steps for the critical point of ``P(., x)`` (``P_m = 0``) and for ``x`` (``P = 0``, slope
        ``P_z``), from the physical ``m(x)``, reach the rounding level of ``P`` itself.  A refined
        value is kept only if it moved by less than ``1e-7 (s + |x|)`` (else the candidate is not
        a fold of the physical branch, e.g. a hard edge, and stays as found).
        """
        if xs.size == 0:
            return xs
        out, conv, *_ = self.run(xs.astype(np.complex128), np.repeat(pv[None, :], xs.size, axis=0))
        pt = tuple(pv)
        res = xs.copy()
        for i, (x0, m0, ok) in enumerate(zip(xs, out, conv)):
            if not ok or not np.isfinite(m0):
                continue
            x, m = complex(x0), complex(m0.real, 0.0)
            for _ in range(4):
                pm_, pmm = self.module._pmm(m, x, pt)
                if pmm == 0:
                    break
                m = m - pm_ / pmm
                p, _, pz = self.module._pm(m, x, pt)
                if pz == 0:
                    break
                x = complex(x.real - (p / pz).real, 0.0)
            if np.isfinite(x.real) and abs(x.real - x0) <= 1e-7 * (s + abs(x0)):
                res[i] = x.real
        return res

    def _memoized(self, what: str, pv: np.ndarray, extra: tuple, build):
        key = (what, np.asarray(pv, dtype=np.float64).tobytes(), extra)
        if key not in self._memo:
            if len(self._memo) >= _MEMO:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = build()
        return self._memo[key]

    def _pieces(self, pv: np.ndarray) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """Elementary intervals between breakpoints carrying density, and the atoms (memoized
        per parameter row)."""
        return self._memoized("pieces", pv, (), lambda: self._pieces_uncached(pv))

    def _pieces_uncached(self, pv: np.ndarray) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        atoms = self.atoms(pv)
        s = self.scale(pv)
        disc = self.module._disc(tuple(pv))
        edges = np.concatenate([self._refine_edges(self._real_roots(disc, s, exact_zero=True), pv, s),
                                self._lead_roots(pv, s)])
        cand = np.concatenate([edges, self._real_roots(disc, s, near=True)])
        if edges.size:  # complex branch points only refine panels inside the real candidates' range
            cand = cand[(cand >= edges.min()) & (cand <= edges.max())]
        cand = np.sort(cand)
        if cand.size:
            keep = np.concatenate([[True], np.diff(cand) > 1e-12 * (s + np.abs(cand[1:]))])
            cand = cand[keep]
        if cand.size < 2:
            return [], atoms
        mids = 0.5 * (cand[1:] + cand[:-1])
        out, conv, *_ = self.run(mids.astype(np.complex128), np.repeat(pv[None, :], mids.size, axis=0))
        dens = np.where(conv, np.maximum(out.imag, 0.0), 0.0)
        thr = 1e-10 * max(dens.max(), 1e-300)
        pieces = [(float(a), float(b)) for a, b, d in zip(cand[:-1], cand[1:], dens) if d > thr and b > a]
        return pieces, atoms


    def support(self, pv: np.ndarray) -> list[tuple[float, float]]:
        """Support as sorted intervals ``[(a, b), ...]``; atoms outside them appear as ``(x, x)``.

        Edges are the real roots of the discriminant of ``P`` in ``m`` (and of its leading
        coefficient) where the density switches on or off.
        """
        pieces, atoms = self._pieces(pv)
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
        # θ(u) = 2 arcsin sqrt((u - a)/(b - a)) and x(θ) = a + (b - a) sin²(θ/2), written so that
        # points within rounding of either end keep their distance to it (a hard edge, where
        # ρ ~ |x - a|^(-1/2), is never evaluated at the edge itself)
        theta_u = 2.0 * np.arcsin(np.sqrt(np.clip((upper - a) / (b - a), 0.0, 1.0)))
        if theta_u.size <= _FEW:  # one Gauss–Legendre rule on [0, θ(u)] for each u
            t, w = _gauss_legendre(_GL_NODES)
            th = 0.5 * theta_u[:, None] * (t[None, :] + 1.0)
            return 0.5 * theta_u * (self._theta_integrand(a, b, th, pv) * w[None, :]).sum(axis=1)
        # many u: a fixed rule for the piece (uniform panels in θ, Gauss–Legendre on each; the
        # same density evaluations for any number of u, memoized), the cumulative integral at the
        # panel ends, and within a panel the exact integral of the degree-15 interpolant
        brk, cum, anti = self._memoized("panels", pv, (a, b), lambda: self._panel_rule(a, b, pv))
        k = np.clip(np.searchsorted(brk, theta_u, side="right") - 1, 0, _PANELS - 1)
        h = brk[k + 1] - brk[k]
        sl = np.clip(2.0 * (theta_u - brk[k]) / h - 1.0, -1.0, 1.0)
        # Legendre series of each u's panel antiderivative, evaluated at its local coordinate
        vals = np.polynomial.legendre.legvander(sl, _GL_PANEL)
        return cum[k] + 0.5 * h * np.einsum("ij,ij->i", vals, anti[k])

    def _panel_rule(self, a: float, b: float, pv: np.ndarray):
        """Panel ends in θ, the cumulative integral there, and per panel the Legendre
        coefficients of the antiderivative of the integrand's interpolant."""
        brk = np.linspace(0.0, np.pi, _PANELS + 1)
        lo, hi = brk[:-1], brk[1:]
        t, w = _gauss_legendre(_GL_PANEL)
        th = lo[:, None] + 0.5 * (hi - lo)[:, None] * (t[None, :] + 1.0)
        f = self._theta_integrand(a, b, th, pv)
        panel = 0.5 * (hi - lo) * (f * w[None, :]).sum(axis=1)
        cum = np.concatenate([[0.0], np.cumsum(panel)])
        anti = f @ _antiderivative_matrix(_GL_PANEL).T  # (panels, _GL_PANEL + 1)
        return brk, cum, anti

    def _theta_integrand(self, a: float, b: float, th: np.ndarray, pv: np.ndarray) -> np.ndarray:
        """ρ(x(θ)) dx/dθ at the nodes ``th``, x(θ) = a + (b - a) sin²(θ/2)."""
        x = np.where(th <= 0.5 * np.pi, a + (b - a) * np.sin(0.5 * th) ** 2, b - (b - a) * np.cos(0.5 * th) ** 2)
        out, conv, *_ = self.run(x.ravel().astype(np.complex128), np.repeat(pv[None, :], x.size, axis=0))
        if not np.all(conv):
            raise self.error(f"cdf of {self.name}: density evaluation failed inside ({a}, {b})")
        rho = np.maximum(out.imag, 0.0).reshape(x.shape) / np.pi
        return rho * 0.5 * (b - a) * np.sin(th)

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
        # an atom found at x0 (a computed root, good to a few ulps) counts from x0 minus its
        # rounding error: F is right-continuous at the exact atom
        s = self.scale(pv)
        for x0, w in atoms:
            total[x >= x0 - 16 * np.finfo(float).eps * (s + abs(x0))] += w
        return total


    def cdf(self, xs: np.ndarray, pv: np.ndarray) -> np.ndarray:
        """Cumulative distribution ``F(x) = μ((-∞, x])`` at the real points ``xs`` with parameter
        rows ``pv`` (``(len(xs), p)``), atoms included (right-continuous)."""
        out = np.empty_like(xs)
        if pv.shape[1] == 0:
            out[:] = self._cdf_one(xs, np.empty(0))
        else:
            uniq, inv = np.unique(pv, axis=0, return_inverse=True)
            inv = inv.ravel()
            for k, row in enumerate(uniq):
                sel = inv == k
                out[sel] = self._cdf_one(xs[sel], row)
        return out


    def mass(self, pv: np.ndarray) -> float:
        """Total mass: the density integrated over the support plus the atoms (1 for a law)."""
        pieces, atoms = self._pieces(pv)
        cont = sum(self._piece_integral(a, b, np.array([b]), pv)[0] for a, b in pieces)
        return float(cont + sum(w for _, w in atoms))
