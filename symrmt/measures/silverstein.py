"""Silverstein's equation for a population measure: the sample covariance as a compiled System law.

For ``Σ`` with spectral measure ``H`` (a :class:`~symrmt.measures.measure.Measure`) and
``X`` of shape ``n × d`` with i.i.d. standard entries, ``c = d/n``, the spectrum of
``Σ^{1/2} XᵀX Σ^{1/2}/n`` tends to the law ``μ`` whose companion Stieltjes transform
``m̲(z) = −(1 − c)/z + c m(z)`` (that of the ``n × n`` matrix ``X Σ Xᵀ/n``) solves

    z = −1/m̲ + c ∫ t dH(t)/(1 + t m̲)          (Silverstein & Bai 1995; Silverstein & Choi 1995)

written as the System ``z m̲ + 1 − c m̲ E_H[t/(1 + t m̲)] = 0`` in the unknown ``m̲`` (domain
``"upper"``), parameters ``z`` (spectral) and ``c``: the expectation is a loop over ``H``'s atoms
in the generated kernel, so one compiled module serves every population and ratio.

* ``stieltjes(z)``: ``m(z) = (m̲ + (1 − c)/z)/c`` (docs/architecture.md convention,
  ``m(z) = ∫ ρ(x)/(x − z) dx``);
* ``support()``: from the inverse function ``x(b) = −1/b + c E_H[t/(1 + t b)]`` on the real
  line: ``x`` lies outside the support exactly when ``x = x(b)`` with ``x'(b) > 0``
  (Silverstein & Choi 1995), so the edges are the values of ``x`` at the critical points of
  ``x(b)``, found by bracketing and bisection between its poles ``b = −1/t``;
* ``density(x)``: ``Im m̲(x + i0)/(π c)`` inside the support, the limit ``η → 0⁺`` reached by
  continuation in ``Im z`` (then warm starts along the real axis), exactly 0 outside; the atom
  at 0 (mass ``max(H({0}), 1 − 1/c)``) is separate (``+inf`` at ``x = 0``);
* ``cdf(x)``: the density integrated on each support interval in
  ``x = a + (b − a) sin²(θ/2)`` (smooth at square-root edges), plus the atom.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from .._checks import positive
from ..errors import ParameterError
from ..symbolic.expect import expect
from ..symbolic.system import System
from .convert import as_measure
from .measure import Measure

__all__ = ["sample_covariance", "SampleCovariance", "CompiledSampleCovariance", "silverstein_system"]

_T = sp.Symbol("t", positive=True)
_MB, _Z, _C, _B, _V = sp.symbols("mbar z c b v")
_GRID = 24          # sample points of x'(b) per interval between poles
_BISECT = 60        # bisection steps for a critical point
_PANELS, _NODES = 16, 8  # cdf: Gauss–Legendre panels in θ per support interval


def silverstein_system(population: Measure) -> System:
    """Silverstein's equation for ``population`` as a System in ``mbar`` (parameters ``z``, ``c``).

    Observable ``m``: the Stieltjes transform of the ``d × d`` law; the density is
    ``Im m̲(x + i0)/(π c)``.
    """
    e = expect(_T / (1 + _T * _MB), _T, population)
    return System([_Z * _MB + 1 - _C * _MB * e], [_MB], [_Z, _C],
                  observables={"m": (_MB + (1 - _C) / _Z) / _C},
                  domains={_MB: "upper"}, initial={_MB: -1 / _Z}, name="silverstein")


def _inverse_system(population: Measure) -> System:
    """``x(b)`` and ``x'(b)`` of the inverse function as observables (a trivial unknown ``v``)."""
    x = -1 / _B + _C * expect(_T / (1 + _T * _B), _T, population)
    dx = 1 / _B**2 - _C * expect(_T**2 / (1 + _T * _B) ** 2, _T, population)
    return System([_V - 1], [_V], [_B, _C], observables={"x": x, "dx": dx}, domains={_V: "real"},
                  initial={_V: 1}, name="silverstein_inverse")


def moments_from_free_cumulants(kappa: np.ndarray) -> np.ndarray:
    """Moments ``m_1..m_k`` from free cumulants ``κ_1..κ_k`` (floats) by the recursion
    ``m_n = Σ_{s=1}^{n} κ_s [x^{n−s}] M(x)^s``, ``M(x) = 1 + Σ_j m_j x^j`` (Speicher's
    moment–cumulant formula summed over the first block)."""
    k = len(kappa)
    m = np.zeros(k + 1)
    m[0] = 1.0
    for n in range(1, k + 1):
        power = np.zeros(n)        # coefficients of M(x)^s below x^n, s = 1, 2, ...
        power[0] = 1.0
        total = 0.0
        for s in range(1, n + 1):
            power = np.convolve(power, m[:n])[:n]
            total += kappa[s - 1] * power[n - s]
        m[n] = total
    return m[1:]


class SampleCovariance:
    """The limit spectral law of ``Σ^{1/2} XᵀX Σ^{1/2}/n`` for a population measure (c = d/n).

    Parameters
    ----------
    population
        The spectrum of ``Σ`` (a Measure supported on ``[0, ∞)``).
    ratio
        ``c = d/n > 0``.

    Attributes
    ----------
    system
        Silverstein's equation (:func:`silverstein_system`); ``compile()`` gives the transforms.
    """

    def __init__(self, population: Measure, ratio: float) -> None:
        self.population = population
        self.ratio = ratio
        self.system = silverstein_system(population)
        self.name = f"sample-covariance({population.description}, c={ratio:g})"

    def __repr__(self) -> str:
        return f"SampleCovariance({self.population.description}; ratio {self.ratio:g})"

    @property
    def mean(self) -> float:
        """``E x = E_H t`` (the sample covariance is unbiased)."""
        return self.population.mean

    def moments(self, k: int) -> np.ndarray:
        """The first ``k`` moments ``[m_1, ..., m_k]`` of the limit law (``k <= 200``).

        ``m_n = Σ_{π ∈ NC(n)} c^{|π| − 1} Π_{B ∈ π} h_{|B|}`` (the free multiplicative convolution
        of the population ``H`` with Marchenko–Pastur of ratio ``c``; ``h_j`` the population's
        moments): the numbers ``c·m_n`` are the moments whose free cumulants are ``c·h_j``, so
        they follow from the moment–cumulant recursion in ``O(k³)`` operations.
        """
        from .._checks import integer

        k = integer("k", k, low=1, high=200)
        h = self.population.moments(k)
        c = float(self.ratio)
        if c == 0.0:
            return np.array(h, dtype=float)
        return moments_from_free_cumulants(c * np.asarray(h, dtype=float)) / c

    def compile(self, **options: Any) -> "CompiledSampleCovariance":
        """The compiled solver (one generated module for every population and ratio)."""
        return CompiledSampleCovariance(self, self.system.compile(**options),
                                        _inverse_system(self.population).compile())


class CompiledSampleCovariance:
    """Stieltjes transform, density, cdf, support and atoms of a :class:`SampleCovariance`."""

    def __init__(self, law: SampleCovariance, solver, inverse) -> None:
        self.law = law
        self.solver = solver
        self.inverse = inverse
        self._support: list | None = None

    def __repr__(self) -> str:
        return f"CompiledSampleCovariance({self.law.name})"

    # ------------------------------------------------------------------ transforms
    def _solve(self, z: np.ndarray, strict: bool) -> dict:
        return self.solver.solve(strict=strict, z=z, c=self.law.ratio)

    def stieltjes(self, z: Any, strict: bool = True) -> np.ndarray:
        """``m(z) = ∫ ρ(x)/(x − z) dx`` for ``Im z >= 0`` (real ``z``: the limit from above)."""
        from .._checks import finite_array

        zz = finite_array("z", z, complex_ok=True).astype(np.complex128)
        if np.any(zz.imag < 0):
            raise ParameterError("z: need Im z >= 0 (the upper half-plane or the real axis)")
        if np.any(zz == 0):
            raise ParameterError("z: must be nonzero (the sample covariance may have an atom at 0)")
        res = self._solve(zz, strict)
        return np.asarray(res["m"], dtype=np.complex128)

    def atoms(self) -> list[tuple[float, float]]:
        """``[(0.0, mass)]`` with ``mass = max(H({0}), 1 − 1/c)`` when positive, else ``[]``."""
        pts, wts = self.law.population.merged()
        w0 = float(wts[pts == 0].sum())
        mass = max(w0, 1.0 - 1.0 / self.law.ratio)
        return [(0.0, mass)] if mass > 1e-12 else []

    def support(self) -> list[tuple[float, float]]:
        """Sorted support intervals ``[(a, b), ...]``; the atom at 0 (if any) as ``(0.0, 0.0)``."""
        if self._support is None:
            self._support = _support_intervals(self)
        out = list(self._support)
        for x0, _ in self.atoms():
            if not any(a <= x0 <= b for a, b in out):
                out.append((x0, x0))
        return sorted(out)

    def _intervals(self) -> list[tuple[float, float]]:
        if self._support is None:
            self._support = _support_intervals(self)
        return self._support

    def density(self, x: Any, strict: bool = True) -> np.ndarray:
        """Density at real ``x``: ``Im m̲(x + i0)/(π c)`` inside the support, 0 outside, ``+inf`` at
        the atom at 0 (if there is one)."""
        from .._checks import finite_array

        xs = finite_array("x", x)
        flat = xs.ravel()
        out = np.zeros(flat.shape)
        ints = self._intervals()
        inside = np.zeros(flat.shape, bool)
        for a, b in ints:
            inside |= (flat > a) & (flat < b)
        idx = np.flatnonzero(inside)
        if idx.size:
            order = idx[np.argsort(flat[idx], kind="stable")]
            res = self._solve(flat[order].astype(np.complex128), strict)
            mb = np.asarray(res["mbar"], dtype=np.complex128)
            out[order] = np.maximum(mb.imag, 0.0) / (np.pi * self.law.ratio)
            if not strict:
                out[order[~np.asarray(res.converged)]] = np.nan
        for x0, _ in self.atoms():
            out[flat == x0] = np.inf
        return out.reshape(xs.shape)

    def _panel_rules(self, t: np.ndarray, w: np.ndarray, brk: np.ndarray) -> list:
        """Per support interval: the integrand at the panel nodes and the cumulative integral at
        the panel ends (all intervals' nodes solved in one call; computed once)."""
        if getattr(self, "_rules", None) is None:
            lo, hi = brk[:-1], brk[1:]
            th = lo[:, None] + 0.5 * (hi - lo)[:, None] * (t[None, :] + 1.0)
            nodes = []
            for a, b in self._intervals():
                nodes.append(np.where(th <= 0.5 * np.pi, a + (b - a) * np.sin(0.5 * th) ** 2,
                                      b - (b - a) * np.cos(0.5 * th) ** 2))
            rho_all = self.density(np.concatenate([xn.ravel() for xn in nodes])) if nodes else np.empty(0)
            rules = []
            for j, (a, b) in enumerate(self._intervals()):
                rho = rho_all[j * th.size:(j + 1) * th.size].reshape(th.shape)
                f = rho * 0.5 * (b - a) * np.sin(th)
                panel = 0.5 * (hi - lo) * (f * w[None, :]).sum(axis=1)
                rules.append((f, np.concatenate([[0.0], np.cumsum(panel)])))
            self._rules = rules
        return self._rules

    def cdf(self, x: Any) -> np.ndarray:
        """``F(x) = μ((−∞, x])`` (right-continuous; the atom at 0 included)."""
        from .._checks import finite_array

        xs = finite_array("x", x)
        flat = xs.ravel()
        total = np.zeros(flat.shape)
        t, w = np.polynomial.legendre.leggauss(_NODES)
        brk = np.linspace(0.0, np.pi, _PANELS + 1)
        lo, hi = brk[:-1], brk[1:]
        for (a, b), (f, cum) in zip(self._intervals(), self._panel_rules(t, w, brk)):
            if b <= a:
                continue
            total[flat >= b] += cum[-1]
            part = (flat > a) & (flat < b)
            if np.any(part):
                u = flat[part]
                tu = 2.0 * np.arcsin(np.sqrt(np.clip((u - a) / (b - a), 0.0, 1.0)))
                k = np.minimum(np.searchsorted(brk, tu, side="right") - 1, _PANELS - 1)
                vals = np.empty(u.size)
                for p in np.unique(k):
                    sel = k == p
                    coef = np.polynomial.legendre.legfit(t, f[p], _NODES - 1)
                    anti = np.polynomial.legendre.legint(coef, lbnd=-1.0)
                    s = 2.0 * (tu[sel] - lo[p]) / (hi[p] - lo[p]) - 1.0
                    vals[sel] = cum[p] + 0.5 * (hi[p] - lo[p]) * np.polynomial.legendre.legval(s, anti)
                total[part] += vals
        for x0, m0 in self.atoms():
            total[flat >= x0] += m0
        return np.clip(total, 0.0, 1.0).reshape(xs.shape)


def _inverse(cs: CompiledSampleCovariance, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x(b)`` and ``x'(b)`` at real ``b`` (the compiled loop over the population's atoms)."""
    if b.size == 0:
        return np.empty(0), np.empty(0)
    r = cs.inverse.solve(b=b.astype(np.complex128), c=cs.law.ratio)
    return np.real(r["x"]), np.real(r["dx"])


def _support_intervals(cs: CompiledSampleCovariance) -> list[tuple[float, float]]:
    """Support intervals from the critical points of the inverse function ``x(b)``.

    Between consecutive poles ``−1/t`` of ``x(b)``, ``x'`` tends to ``−∞`` at both ends, so a gap
    needs ``x' > 0`` somewhere inside; an upper bound of ``x'`` from the two neighbouring atoms
    alone (dropping the other, negative, terms) discards most intervals at once.  The rest, and
    the outer intervals ``(−∞, −1/t_min)``, ``(−1/t_max, 0)``, ``(0, ∞)``, are sampled, the sign
    changes of ``x'`` bisected, and each stretch where ``x' > 0`` maps to a gap
    ``(x(lo), x(hi))``; the support is the complement of the gaps.
    """
    pts, wts = cs.law.population.merged()
    c = cs.law.ratio
    keep = pts > 0
    t, w = pts[keep], wts[keep]
    if t.size == 0:
        return []
    poles = -1.0 / t  # ascending with t
    # --- inner intervals (poles[k], poles[k+1]): two-neighbour upper bound of x'
    s = 0.5 * (1.0 - np.cos(np.pi * np.arange(1, _GRID + 1) / (_GRID + 1)))
    lo_b, hi_b = poles[:-1], poles[1:]
    cand = np.zeros(lo_b.size, bool)
    for start in range(0, lo_b.size, 4096):
        sl = slice(start, start + 4096)
        bb = lo_b[sl, None] + (hi_b[sl] - lo_b[sl])[:, None] * s[None, :]
        ub = (1.0 / bb**2 - c * w[:-1][sl, None] * t[:-1][sl, None] ** 2 / (1 + t[:-1][sl, None] * bb) ** 2
              - c * w[1:][sl, None] * t[1:][sl, None] ** 2 / (1 + t[1:][sl, None] * bb) ** 2)
        cand[sl] = np.any(ub > 0, axis=1)
    segments: list[tuple[np.ndarray, str, str]] = []  # b-grid, left end kind, right end kind
    for k in np.flatnonzero(cand):
        segments.append((lo_b[k] + (hi_b[k] - lo_b[k]) * s, "pole", "pole"))
    scale = 1.0 / t.max()
    # (−1/t_max, 0): clustered at both ends
    p_last = poles[-1]
    gg = np.geomspace(1e-10, 1.0, 2 * _GRID)
    segments.append((p_last * (1.0 - np.concatenate([0.5 * gg, 1.0 - 0.5 * gg])), "pole", "zero-"))
    # (−∞, −1/t_min) and (0, ∞): geometric grids
    big = np.geomspace(1e-8, 1e12, 3 * _GRID)
    segments.append((poles[0] - big[::-1] * (1.0 / t.min()), "minf", "pole"))
    segments.append((big * scale, "zero+", "pinf"))
    gaps: list[tuple[float, float]] = []
    # sample, bracket, bisect (all brackets at once)
    allb = np.concatenate([np.sort(sg[0]) for sg in segments])
    _, dx_all = _inverse(cs, allb)
    pos = 0
    brackets, owners = [], []
    seg_data = []
    for j, (bg, left, right) in enumerate(segments):
        bg = np.sort(bg)
        d = dx_all[pos:pos + bg.size]
        pos += bg.size
        seg_data.append((bg, d, left, right))
        sign = d > 0
        for i in np.flatnonzero(sign[1:] != sign[:-1]):
            brackets.append((bg[i], bg[i + 1], sign[i]))
            owners.append(j)
    roots = np.empty(len(brackets))
    if brackets:
        a = np.array([br[0] for br in brackets])
        b = np.array([br[1] for br in brackets])
        sa = np.array([br[2] for br in brackets])
        for _ in range(_BISECT):
            mid = 0.5 * (a + b)
            _, dm = _inverse(cs, mid)
            same = (dm > 0) == sa
            a = np.where(same, mid, a)
            b = np.where(same, b, mid)
        roots = 0.5 * (a + b)
    xr = _inverse(cs, roots)[0] if roots.size else np.empty(0)
    limits = {"zero-": np.inf, "zero+": -np.inf, "minf": 0.0, "pinf": 0.0}
    for j, (bg, d, left, right) in enumerate(seg_data):
        rj = [(roots[i], xr[i]) for i in range(len(brackets)) if owners[i] == j]
        rj.sort()
        # walk the segment: positive stretches between roots (or open ends)
        cur_pos = d[0] > 0
        start_x = limits.get(left) if cur_pos else None
        if cur_pos and start_x is None:
            start_x = _inverse(cs, bg[:1])[0][0]
        for rb, rx in rj:
            if cur_pos:
                gaps.append((start_x, rx))
            else:
                start_x = rx
            cur_pos = not cur_pos
        if cur_pos:
            end_x = limits.get(right)
            if end_x is None:
                end_x = _inverse(cs, bg[-1:])[0][0]
            gaps.append((start_x, end_x))
    gaps = sorted((min(g0, g1), max(g0, g1)) for g0, g1 in gaps)
    merged: list[list[float]] = []
    for g0, g1 in gaps:
        if merged and g0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], g1)
        else:
            merged.append([g0, g1])
    support = []
    for (a0, a1), (b0, b1) in zip(merged[:-1], merged[1:]):
        if b0 > a1:
            support.append((float(max(a1, 0.0)), float(b0)))
    return [(a, b) for a, b in support if b > a]


def sample_covariance(population: Any, ratio: Any):
    """Limit spectrum of the sample covariance ``Σ^{1/2} XᵀX Σ^{1/2}/n`` (X: n × d, c = d/n).

    Parameters
    ----------
    population
        An :class:`~symrmt.symbolic.algebraic_law.AlgebraicLaw` (then the exact algebraic law of
        :func:`symrmt.symbolic.free.sample_covariance` is returned), or anything
        :func:`~symrmt.measures.as_measure` accepts -- a Measure, ``(points, weights)``, an array
        of eigenvalues -- supported on ``[0, ∞)``.
    ratio
        ``c = d/n > 0`` (a number for a measure; a number or SymPy expression for a law).

    Returns
    -------
    AlgebraicLaw or SampleCovariance
        For a measure: Silverstein's equation as a System law; ``.compile()`` gives
        ``stieltjes``, ``density``, ``cdf``, ``support``, ``atoms``.

    Examples
    --------
    >>> from symrmt import measures
    >>> mu = measures.sample_covariance(measures.power_law(1.5, 2000), 0.5)
    >>> mu.ratio
    0.5
    """
    from ..symbolic.algebraic_law import AlgebraicLaw

    if isinstance(population, AlgebraicLaw):
        from ..symbolic.free import sample_covariance as law_sample_covariance

        return law_sample_covariance(population, ratio)
    mu = as_measure(population, "population", nonnegative=True)
    return SampleCovariance(mu, positive("ratio", ratio))
