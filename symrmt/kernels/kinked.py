"""Exact duals of piecewise-linear activations with kinks (and steps) anywhere.

``φ(x) = c + b·x + Σ_j a_j relu(x − t_j) + Σ_j d_j H(x − t_j)`` (``H`` the Heaviside step;
``d_j ≠ 0`` is a jump: NNGP only): ``relu(x − 1)``, steps ``H(x − t)``, hard-tanh
``Max(−1, Min(1, x))``, clipped ReLUs, any ``Piecewise`` of linear pieces.  The kink-at-0 case
keeps its arc-cosine closed form (:class:`symrmt.kernels.exact.PiecewiseLinearDual`).

For a centred Gaussian pair ``(u, v)`` with variances ``q_x, q_y`` and correlation ``ρ`` write
``u = √q_x X``, ``v = √q_y Y``, ``h = s/√q_x``, ``k = t/√q_y``, ``P = P(X > h, Y > k) = Φ₂(−h, −k; ρ)``
(:mod:`symrmt.kernels.bivariate_normal`), ``T_hk = P(Y > k | X = h) = Φ((ρh − k)/√(1 − ρ²))`` and
``D = (1 − ρ²) φ₂(h, k; ρ)``.  Gaussian integration by parts (Stein's lemma) and the conditional
law ``Y | X = h ~ N(ρh, 1 − ρ²)`` give::

    E[H(u − s) H(v − t)]       = P
    E[relu(u − s) H(v − t)]    = √q_x (φ(h) T_hk + ρ φ(k) T_kh − h P)
    E[relu(u − s) relu(v − t)] = √(q_x q_y) ((ρ + hk) P + D − k φ(h) T_hk − h φ(k) T_kh)
    E[u H(v − t)] = ρ √q_x φ(k),  E[u relu(v − t)] = ρ √(q_x q_y) Φ(−k)
    E[H(u − s)] = Φ(−h),          E[relu(u − s)] = √q_x (φ(h) − h Φ(−h))

(at ``s = t = 0``: the arc-cosine kernels of degree 0 and 1).  ``φ′ = b + Σ_j a_j H(x − t_j)``
gives the NTK through the same table.  The kernel values are exact to the ~1e-15 of ``Φ₂``; the
Taylor series in the cosine compose ``Φ``, ``Φ₂`` with a series through ``∂Φ₂/∂ρ = φ₂``
(:mod:`symrmt.kernels.cosine_series`, 40 digits); there is no exact SymPy form.
"""
from __future__ import annotations

from typing import Any

import sympy as sp

__all__ = ["KinkedLinearDual", "kinked_linear_dual"]

_ONE, _X, _RELU, _STEP = "one", "x", "relu", "step"


class KinkedLinearDual:
    """``φ = c + b·x + Σ_j a_j relu(x − t_j) + Σ_j d_j H(x − t_j)`` (module docstring).

    Parameters
    ----------
    c, b : number
        Intercept and slope left of every kink.
    kinks : sequence of ``(t, a, d)``
        Kink position, change of slope and jump (exact SymPy numbers or floats).
    """

    closed_form = True
    symbolic = False  # Φ₂: no exact SymPy expression or exact series

    def __init__(self, c: Any, b: Any, kinks: Any):
        self.c, self.b = sp.sympify(c), sp.sympify(b)
        self.kinks = tuple((sp.sympify(t), sp.sympify(a), sp.sympify(d)) for t, a, d in kinks)
        self.jump = any(d != 0 for _, _, d in self.kinks)
        atoms = [(_ONE, None, self.c), (_X, None, self.b)]
        atoms += [(_RELU, t, a) for t, a, _ in self.kinks] + [(_STEP, t, d) for t, _, d in self.kinks]
        self.atoms = [a for a in atoms if a[2] != 0]
        dat = [(_ONE, None, self.b)] + [(_STEP, t, a) for t, a, _ in self.kinks]
        self.deriv_atoms = [a for a in dat if a[2] != 0]
        parts = [f"{a}·relu(x - {t})" for t, a, _ in self.kinks if a != 0]
        parts += [f"{d}·H(x - {t})" for t, _, d in self.kinks if d != 0]
        self.name = f"piecewise linear {self.c} + {self.b}·x + " + " + ".join(parts)

    # ------------------------------------------------------------------ the pair table
    @staticmethod
    def _pair(ops, a, b, rx, ry, rho, cache):
        """``E[A(u) B(v)]`` for atoms ``A, B`` (kind, kink) of the module docstring's table."""
        (ka, ta), (kb, tb) = a, b
        if ka == _ONE and kb == _ONE:
            return ops.rat(1) + ops.rat(0) * rho
        if _X in (ka, kb) and _ONE in (ka, kb):
            return ops.rat(0) * rho
        if ka == _X and kb == _X:
            return rho * (rx * ry)

        def h_of(t, r):
            return ops.const(t) * ops.inv(r)

        if ka == _ONE or kb == _ONE:  # one × relu / step: a one-dimensional moment
            kind, t, r = (kb, tb, ry) if ka == _ONE else (ka, ta, rx)
            h = h_of(t, r)
            tail = ops.normal_cdf(-h)
            out = tail if kind == _STEP else r * (ops.normal_pdf(h) - h * tail)
            return out + ops.rat(0) * rho
        if ka == _X or kb == _X:  # x × relu / step: Stein's lemma
            kind, t, r_other, r_own = (kb, tb, rx, ry) if ka == _X else (ka, ta, ry, rx)
            k = h_of(t, r_own)
            if kind == _STEP:
                return rho * r_other * ops.normal_pdf(k)
            return rho * (r_other * r_own) * ops.normal_cdf(-k)
        h, k = h_of(ta, rx), h_of(tb, ry)
        key = (ta, tb)
        if key not in cache:
            P = ops.bivariate_normal_cdf(-h, -k, rho)
            cache[key] = (P, ops.conditional_tail(h, k, rho), ops.conditional_tail(k, h, rho))
        P, t_hk, t_kh = cache[key]
        if ka == _STEP and kb == _STEP:
            return P
        ph, pk = ops.normal_pdf(h), ops.normal_pdf(k)
        if ka == _RELU and kb == _STEP:
            return (t_hk * ph + rho * pk * t_kh - P * h) * rx
        if ka == _STEP and kb == _RELU:
            return (t_kh * pk + rho * ph * t_hk - P * k) * ry
        D = ops.bivariate_density_term(h, k, rho)
        return ((rho + h * k) * P + D - t_hk * (k * ph) - t_kh * (h * pk)) * (rx * ry)

    def _dual(self, ops, atoms, q, rho, q2):
        rx = ops.sqrt(q)
        ry = rx if q2 is None else ops.sqrt(q2)
        cache: dict = {}
        out = None
        for ka, ta, ca in atoms:
            for kb, tb, cb in atoms:
                term = self._pair(ops, (ka, ta), (kb, tb), rx, ry, rho, cache) * ops.const(ca * cb)
                out = term if out is None else out + term
        return ops.rat(0) * rho if out is None else out

    def value(self, ops, q, rho, q2=None):
        return self._dual(ops, self.atoms, q, rho, q2)

    def deriv(self, ops, q, rho, q2=None):
        return self._dual(ops, self.deriv_atoms, q, rho, q2)

    def variance(self, ops, q):
        return self.value(ops, q, ops.rat(1))


# ---------------------------------------------------------------------- detection
_KINK_TYPES = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)


def _real(v: sp.Expr) -> bool:
    return bool(v.is_number and v.is_real is not False and v.is_finite is not False and sp.im(v) == 0)


def _at(expr: sp.Expr, var: sp.Symbol, value: sp.Expr) -> sp.Expr | None:
    v = expr.xreplace({var: value})
    v = sp.nsimplify(v) if v.has(sp.Float) else v
    return v if _real(v) else None


def _probes(points: list) -> list:
    """Three exact probe points inside each interval cut by ``points`` (sorted)."""
    if not points:
        return [[sp.Integer(0), sp.Integer(1), sp.Integer(2)]]
    out = [[points[0] - 3, points[0] - 2, points[0] - 1]]
    for lo, hi in zip(points, points[1:]):
        out.append([lo + (hi - lo) * sp.Rational(j, 4) for j in (1, 2, 3)])
    out.append([points[-1] + 1, points[-1] + 2, points[-1] + 3])
    return out


def _lines(expr: sp.Expr, var: sp.Symbol, points: list):
    """Slope and intercept of ``expr`` on each interval, or ``None`` if it is not linear there."""
    lines = []
    for probe in _probes(points):
        vals = [_at(expr, var, p) for p in probe]
        if any(v is None for v in vals):
            return None
        slope = sp.nsimplify(sp.simplify((vals[1] - vals[0]) / (probe[1] - probe[0])))
        icpt = sp.simplify(vals[0] - slope * probe[0])
        if sp.simplify(icpt + slope * probe[2] - vals[2]) != 0:
            return None
        lines.append((slope, icpt))
    return lines


def _sorted_points(points) -> list:
    uniq: list = []
    for p in sorted(points, key=lambda v: float(v)):
        if not uniq or sp.simplify(p - uniq[-1]) != 0:
            uniq.append(p)
    return uniq


def _zeros(f: sp.Expr, var: sp.Symbol):
    """Zeros of a piecewise-linear ``f`` (where a kink of ``Max``/``Abs``/``H``... of ``f`` sits)."""
    pts = _breakpoints(f, var)
    if pts is None:
        return None
    pts = _sorted_points(pts)
    lines = _lines(f, var, pts)
    if lines is None:
        return None
    bounds = [-sp.oo] + pts + [sp.oo]
    out = set()
    for (slope, icpt), lo, hi in zip(lines, bounds, bounds[1:]):
        if slope != 0:
            z = -icpt / slope
            if (lo == -sp.oo or z >= lo) and (hi == sp.oo or z <= hi):
                out.add(sp.nsimplify(z))
    return out


def _breakpoints(e: sp.Expr, var: sp.Symbol):
    """Points where the piecewise-linear ``e`` may kink or jump; ``None`` if ``e`` is not built
    from numbers, ``var``, sums, products by constants and kinks of piecewise-linear arguments."""
    if not e.has(var):
        return set() if _real(e) else None
    if e == var:
        return set()
    if isinstance(e, (sp.Add, sp.Mul)):
        if isinstance(e, sp.Mul) and sum(1 for a in e.args if a.has(var)) > 1:
            return None
        out: set = set()
        for a in e.args:
            b = _breakpoints(a, var)
            if b is None:
                return None
            out |= b
        return out
    if isinstance(e, (sp.Max, sp.Min)):
        out = set()
        for a in e.args:
            b = _breakpoints(a, var)
            if b is None:
                return None
            out |= b
        args = list(e.args)
        for i in range(len(args)):
            for j in range(i + 1, len(args)):
                z = _zeros(args[i] - args[j], var)
                if z is None:
                    return None
                out |= z
        return out
    if isinstance(e, (sp.Abs, sp.Heaviside, sp.sign)):
        b, z = _breakpoints(e.args[0], var), _zeros(e.args[0], var)
        return None if b is None or z is None else b | z
    if isinstance(e, sp.Piecewise):
        out = set()
        for piece, cond in e.args:
            b = _breakpoints(piece, var)
            if b is None:
                return None
            out |= b
            if cond in (sp.true, sp.false):
                continue
            for rel in cond.atoms(sp.core.relational.Relational):
                z = _zeros(rel.lhs - rel.rhs, var)
                if z is None:
                    return None
                out |= z
        return out
    return None


def kinked_linear_dual(expr: sp.Expr, var: sp.Symbol) -> KinkedLinearDual | None:
    """The dual of a piecewise-linear activation with kinks or steps anywhere, or ``None``.

    Parameters
    ----------
    expr : sympy.Expr
        The activation in ``var``, written with ``Max``, ``Min``, ``Abs``, ``Heaviside``, ``sign``
        or ``Piecewise`` of linear pieces (nested kinks allowed, e.g. ``Max(-1, Min(1, x))``).
    var : sympy.Symbol

    Returns
    -------
    KinkedLinearDual or None
        ``None`` when ``expr`` is not piecewise linear.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> kinked_linear_dual(sp.Max(-1, sp.Min(1, x)), x).kinks
    ((-1, 1, 0), (1, -1, 0))
    """
    if not expr.has(*_KINK_TYPES):
        return None
    pts = _breakpoints(expr, var)
    if not pts:
        return None
    pts = _sorted_points(pts)
    lines = _lines(expr, var, pts)
    if lines is None:
        return None
    kinks = []
    for t, (s0, c0), (s1, c1) in zip(pts, lines, lines[1:]):
        a = sp.nsimplify(sp.simplify(s1 - s0))
        d = sp.nsimplify(sp.simplify((s1 * t + c1) - (s0 * t + c0)))
        if a != 0 or d != 0:
            kinks.append((t, a, d))
    if not kinks:
        return None
    return KinkedLinearDual(lines[0][1], lines[0][0], kinks)
