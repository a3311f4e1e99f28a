"""Closed-form dual activations beyond ReLU, erf and sign: detected in a SymPy activation.

A dual activation is ``E[φ(u)φ(v)]`` (and ``E[φ′(u)φ′(v)]`` for the NTK) for a centred Gaussian
pair ``(u, v)`` with variances ``q_x, q_y`` and correlation ``ρ`` (write ``s = √(q_x q_y)``,
``σ = sρ``, ``θ = arccos ρ``).  The families here are exact at any depth; each is an expression in
the elementary functions of :mod:`symrmt.kernels.cosine_series`, so the same code evaluates the
kernel on numbers, composes its Taylor series (exact or 40 digits) and prints its SymPy form.

* **Piecewise linear with the kink at 0**: ``φ = A·relu(x) + B·x + C + D·H(x)`` (``H`` the
  Heaviside step; ``D ≠ 0`` is a jump: NNGP only).  Covers LeakyReLU ``(1 − α) relu + α x``,
  ``|x| = 2 relu(x) − x``, ``a·relu(x) + b·x + c``, steps and sign.  Built from the arc-cosine
  kernels of degree 0 and 1 (Cho & Saul 2009) and the Gaussian moments
  ``E relu(u) = √q/√(2π)``, ``E[H(u)v] = ρ√q_y/√(2π)``, ``E[H(u) relu(v)] = √q_y (1 + ρ)/(2√(2π))``.
* **Rectified monomials** ``φ = α·relu(x)^n + β·relu(−x)^n`` (``n >= 2``; e.g. ``x²·H(x)``,
  ``|x|³``): ``E[relu(u)^n relu(v)^n] = s^n J_n(θ)/(2π)`` with the arc-cosine kernel of order n
  (Cho & Saul 2009), ``J_n = P_n(cos θ)(π − θ) + Q_n(cos θ) sin θ``, where ``P_0 = 1``, ``Q_0 = 0``
  and ``P_{n+1} = (1 − c²)P_n′ + (2n + 1)c P_n``, ``Q_{n+1} = P_n + (1 − c²)Q_n′ + 2n c Q_n``; the
  mixed term is ``J_n(π − θ)``.
* **Exponentials** ``φ = c_0 + Σ_j α_j exp(a_j x)`` (cosh, sinh, ...):
  ``E[e^{a u} e^{b v}] = exp((a² q_x + b² q_y)/2 + ab σ)``.
* **Trigonometric sums** ``φ = c_0 + Σ_j α_j cos(ω_j x) + β_j sin(ω_j x)`` (phases expanded; the
  neural-tangents ``Rbf`` ``√2 sin(√(2γ) x + π/4)`` is one): ``E[cos(au) cos(bv)] =
  e^{−(a² q_x + b² q_y)/2} cosh(ab σ)``, ``sin``·``sin`` with ``sinh``, ``cos``·``sin`` zero.
* **Gaussians** ``φ = c_0 + Σ_j α_j exp(−g_j x²)`` (``g_j > 0``):
  ``E[e^{−g u²} e^{−h v²}] = D^{−1/2}``, ``E[uv e^{−g u²} e^{−h v²}] = σ D^{−3/2}`` with
  ``D = (1 + 2g q_x)(1 + 2h q_y) − 4gh σ²``.
* **Scaled erf** ``φ = α erf(βx) + c_0``: Williams' arcsin kernel with ``q → β² q`` (covers the
  neural-tangents ``Sigmoid_like`` ``erf(x/2.4020563531719796)/2 + 1/2``).
* **Gabor sums** ``φ = c_0 + Σ_j α_j exp(−g_j x²) T_j(ω_j x)`` with ``T_j ∈ {cos, sin}`` and
  ``g_j ≥ 0`` (the neural-tangents ``Gabor`` is ``exp(−x²) sin x``): with
  ``D = (1 + 2g q_x)(1 + 2h q_y) − 4gh σ²``, ``Δ = q_x q_y − σ²`` and
  ``P = a²(q_x + 2hΔ) + b²(q_y + 2gΔ)``, ``E[e^{−g u²} cos(au) e^{−h v²} cos(bv)] =
  D^{−1/2} e^{−P/(2D)} cosh(abσ/D)`` (``sin``·``sin``: ``sinh``; ``cos``·``sin``: 0) — the Fourier
  transform of a Gaussian; ``E[φ′(u)φ′(v)] = ∂/∂σ E[φ(u)φ(v)]`` (Price's theorem).
* **GELU** ``φ = c_0 + a·x + b·x Φ(γx)`` (``Φ`` the normal distribution function; written
  ``x (1 + erf(x/√2))/2`` for GELU itself): with ``G(w) = wΦ(w)``, ``x Φ(γx) = G(γx)/γ``; writing
  ``Φ(u) = P(g ≤ u)`` with an independent standard ``g`` and using Stein's lemma on the orthant
  ``{u > g₁, v > g₂}`` gives, for variances ``Q_x, Q_y`` and covariance ``S``,
  ``E[G(u)G(v)] = S/4 + S asin(S/R)/(2π) + (Q_x Q_y − κS²)/(2π√(R² − S²))`` with
  ``R = √((1 + Q_x)(1 + Q_y))``, ``κ = 1 − 1/(1 + Q_x) − 1/(1 + Q_y)``; the cross terms are
  ``E[u G(γv)] = γS/2`` and ``E[u Φ(γu)] = γq/√(2π(1 + γ²q))``; the NTK factor is ``∂/∂S``.
  Piecewise-linear activations with kinks away from 0 are in :mod:`symrmt.kernels.kinked`.

:func:`exact_dual` returns the family of an activation or ``None``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

__all__ = ["exact_dual", "PiecewiseLinearDual", "RectifiedMonomialDual", "ExponentialDual",
           "TrigonometricDual", "GaussianDual", "ScaledErfDual", "GaborDual", "GeluDual", "arc_cosine_polynomials"]

_INV_SQRT_2PI = 1 / sp.sqrt(2 * sp.pi)


def _scales(ops, q, q2):
    """``(√q_x, √q_y, s = √(q_x q_y))``; ``q2=None`` is the equal-variance (cosine) case."""
    if q2 is None:
        r = ops.sqrt(q)
        return r, r, q
    rx, ry = ops.sqrt(q), ops.sqrt(q2)
    return rx, ry, rx * ry


def _sum(terms, ops):
    out = None
    for t in terms:
        out = t if out is None else out + t
    return ops.rat(0) if out is None else out


@lru_cache(maxsize=32)
def arc_cosine_polynomials(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Integer coefficients (ascending powers of ``c = cos θ``) of ``P_n`` and ``Q_n`` in the
    arc-cosine kernel ``J_n(θ) = P_n(cos θ)(π − θ) + Q_n(cos θ) sin θ`` (Cho & Saul 2009)."""
    P, Q = [1], [0]
    for k in range(n):
        dP = [i * P[i] for i in range(1, len(P))] or [0]
        dQ = [i * Q[i] for i in range(1, len(Q))] or [0]
        size = max(len(P), len(Q)) + 2

        def at(v, i):
            return v[i] if 0 <= i < len(v) else 0

        newP = [at(dP, i) - at(dP, i - 2) + (2 * k + 1) * at(P, i - 1) for i in range(size)]
        newQ = [at(P, i) + at(dQ, i) - at(dQ, i - 2) + 2 * k * at(Q, i - 1) for i in range(size)]
        P, Q = newP, newQ
    while len(P) > 1 and P[-1] == 0:
        P.pop()
    while len(Q) > 1 and Q[-1] == 0:
        Q.pop()
    return tuple(P), tuple(Q)


def _arc_cosine(ops, n: int, s, rho):
    """``E[relu(u)^n relu(v)^n] = s^n J_n(θ)/(2π)``."""
    P, Q = arc_cosine_polynomials(n)
    body = ops.polyval(rho, P) * (-ops.acos(rho) + ops.pi)
    if any(Q):
        body = body + ops.polyval(rho, Q) * ops.sqrt_one_minus_square(rho)
    out = body * (ops.inv_pi * ops.rat(1, 2))
    for _ in range(n):
        out = out * s
    return out


class _ExactDual:
    closed_form = True
    jump = False  # φ has a jump: E[φ′φ′] is infinite, no NTK
    name = ""

    def variance(self, ops, q):
        return self.value(ops, q, ops.rat(1))


class PiecewiseLinearDual(_ExactDual):
    """``φ = A·relu(x) + B·x + C + D·H(x)`` (module docstring)."""

    def __init__(self, A, B, C, D):
        self.A, self.B, self.C, self.D = (sp.nsimplify(v) if isinstance(v, float) else sp.sympify(v)
                                          for v in (A, B, C, D))
        self.jump = self.D != 0
        self.name = f"piecewise linear {self.A}·relu(x) + {self.B}·x + {self.C} + {self.D}·H(x)"

    def value(self, ops, q, rho, q2=None):
        A, B, C, D = self.A, self.B, self.C, self.D
        rx, ry, s = _scales(ops, q, q2)
        k = ops.const(_INV_SQRT_2PI)
        pi_theta = -ops.acos(rho) + ops.pi
        t = []
        if A != 0:
            rr = (ops.sqrt_one_minus_square(rho) + pi_theta * rho) * (s * ops.inv_pi * ops.rat(1, 2))
            t.append(rr * ops.const(A**2))
        if A * B + B**2 != 0:
            t.append(rho * (s * ops.const(A * B + B**2)))
        if C != 0:
            t.append(ops.const(C**2) + ops.rat(0) * rho)
        if A * C != 0:
            t.append((rx + ry) * (k * ops.const(A * C)) + ops.rat(0) * rho)
        if D != 0:
            t.append(pi_theta * (ops.inv_pi * ops.rat(1, 2) * ops.const(D**2)))
            if A != 0:
                t.append((rho + ops.rat(1)) * ((rx + ry) * k * ops.rat(1, 2) * ops.const(A * D)))
            if B != 0:
                t.append(rho * ((rx + ry) * k * ops.const(B * D)))
            if C != 0:
                t.append(ops.const(C * D) + ops.rat(0) * rho)
        return _sum(t, ops)

    def variance(self, ops, q):
        A, B, C, D = self.A, self.B, self.C, self.D
        r = ops.sqrt(q)
        out = q * ops.const(A**2 / 2 + A * B + B**2) + ops.const(C**2 + D**2 / 2 + C * D)
        if A * C + A * D + B * D != 0:
            out = out + r * ops.const(2 * _INV_SQRT_2PI * (A * C + A * D + B * D))
        return out

    def deriv(self, ops, q, rho, q2=None):
        A, B = self.A, self.B
        t = [ops.rat(0) * rho + ops.const(A * B + B**2)]
        if A != 0:
            t.append((-ops.acos(rho) + ops.pi) * (ops.inv_pi * ops.rat(1, 2) * ops.const(A**2)))
        return _sum(t, ops)


class RectifiedMonomialDual(_ExactDual):
    """``φ = α·relu(x)^n + β·relu(−x)^n`` (module docstring)."""

    def __init__(self, n: int, alpha, beta):
        self.n, self.alpha, self.beta = int(n), sp.sympify(alpha), sp.sympify(beta)
        self.jump = self.n == 0
        self.name = f"rectified monomial {self.alpha}·relu(x)^{n} + {self.beta}·relu(-x)^{n}"

    def _pair(self, ops, n, s, rho, same, cross):
        t = []
        if same != 0:
            t.append(_arc_cosine(ops, n, s, rho) * ops.const(same))
        if cross != 0:
            t.append(_arc_cosine(ops, n, s, -rho) * ops.const(cross))
        return _sum(t, ops)

    def value(self, ops, q, rho, q2=None):
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        a, b = self.alpha, self.beta
        return self._pair(ops, self.n, s, rho, a**2 + b**2, 2 * a * b)

    def deriv(self, ops, q, rho, q2=None):
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        a, b, n = self.alpha, self.beta, self.n
        return self._pair(ops, n - 1, s, rho, n**2 * (a**2 + b**2), -2 * n**2 * a * b)

    def variance(self, ops, q):
        n = self.n
        out = ops.const((self.alpha**2 + self.beta**2) * sp.factorial2(2 * n - 1) / 2)
        for _ in range(n):
            out = out * q
        return out


class ExponentialDual(_ExactDual):
    """``φ = c_0 + Σ_j α_j exp(a_j x)`` (module docstring)."""

    def __init__(self, terms, c0):
        self.terms = tuple((sp.sympify(al), sp.sympify(a)) for al, a in terms)
        self.c0 = sp.sympify(c0)
        self.name = "exponential " + " + ".join(f"{al}·exp({a}x)" for al, a in self.terms)

    @staticmethod
    def _value(ops, terms, c0, q, rho, q2):
        qy = q if q2 is None else q2
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        t = []
        for ai, a in terms:
            for aj, b in terms:
                expo = rho * (s * ops.const(a * b)) + q * ops.const(a**2 / 2) + qy * ops.const(b**2 / 2)
                t.append(ops.exp(expo) * ops.const(ai * aj))
            if c0 != 0:
                t.append(ops.exp(q * ops.const(a**2 / 2)) * ops.const(c0 * ai) + ops.rat(0) * rho)
                t.append(ops.exp(qy * ops.const(a**2 / 2)) * ops.const(c0 * ai) + ops.rat(0) * rho)
        if c0 != 0:
            t.append(ops.const(c0**2) + ops.rat(0) * rho)
        return _sum(t, ops)

    def value(self, ops, q, rho, q2=None):
        return self._value(ops, self.terms, self.c0, q, rho, q2)

    def deriv(self, ops, q, rho, q2=None):
        return self._value(ops, tuple((al * a, a) for al, a in self.terms), sp.Integer(0), q, rho, q2)


class TrigonometricDual(_ExactDual):
    """``φ = c_0 + Σ_j α_j cos(ω_j x) + Σ_j β_j sin(ω_j x)`` (module docstring)."""

    def __init__(self, cos_terms, sin_terms, c0):
        self.cos_terms = tuple((sp.sympify(a), sp.sympify(w)) for a, w in cos_terms)
        self.sin_terms = tuple((sp.sympify(a), sp.sympify(w)) for a, w in sin_terms)
        self.c0 = sp.sympify(c0)
        self.name = "trigonometric " + " + ".join(
            [f"{a}·cos({w}x)" for a, w in self.cos_terms] + [f"{a}·sin({w}x)" for a, w in self.sin_terms])

    @staticmethod
    def _value(ops, cos_terms, sin_terms, c0, q, rho, q2):
        qy = q if q2 is None else q2
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        t = []
        for group, sign in ((cos_terms, 1), (sin_terms, -1)):
            for ai, a in group:
                for aj, b in group:
                    damp = ops.exp(q * ops.const(-a**2 / 2) + qy * ops.const(-b**2 / 2))
                    z = rho * (s * ops.const(a * b))
                    hyper = (ops.exp(z) + ops.exp(-z) * ops.rat(sign)) * ops.rat(1, 2)  # cosh or sinh
                    t.append(hyper * (damp * ops.const(ai * aj)))
        if c0 != 0:
            for ai, a in cos_terms:
                t.append((ops.exp(q * ops.const(-a**2 / 2)) + ops.exp(qy * ops.const(-a**2 / 2))) * ops.const(c0 * ai)
                         + ops.rat(0) * rho)
            t.append(ops.const(c0**2) + ops.rat(0) * rho)
        return _sum(t, ops)

    def value(self, ops, q, rho, q2=None):
        return self._value(ops, self.cos_terms, self.sin_terms, self.c0, q, rho, q2)

    def deriv(self, ops, q, rho, q2=None):
        cos_d = tuple((b * w, w) for b, w in self.sin_terms)
        sin_d = tuple((-a * w, w) for a, w in self.cos_terms)
        return self._value(ops, cos_d, sin_d, sp.Integer(0), q, rho, q2)


class GaussianDual(_ExactDual):
    """``φ = c_0 + Σ_j α_j exp(−g_j x²)``, ``g_j > 0`` (module docstring)."""

    def __init__(self, terms, c0):
        self.terms = tuple((sp.sympify(al), sp.sympify(g)) for al, g in terms)
        self.c0 = sp.sympify(c0)
        self.name = "gaussian " + " + ".join(f"{al}·exp(-{g}x²)" for al, g in self.terms)

    def _core(self, ops, q, rho, q2, power):
        """``Σ_ij w_ij D_ij^{−power/2}`` pieces: returns a list of (i, j, D^{-power/2})."""
        qy = q if q2 is None else q2
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        out = []
        for i, (ai, g) in enumerate(self.terms):
            for j, (aj, h) in enumerate(self.terms):
                ax = q * ops.const(2 * g) + ops.rat(1)
                ay = qy * ops.const(2 * h) + ops.rat(1)
                inv_root = ops.inv(ops.sqrt(ax * ay))
                tt = rho * (s * inv_root * ops.const(2 * sp.sqrt(g * h)))
                F = ops.inv_sqrt_one_minus_square(tt)
                val = F * inv_root
                for _ in range(power - 1):
                    val = val * (F * inv_root)
                out.append((ai, g, aj, h, val, s))
        return out

    def value(self, ops, q, rho, q2=None):
        qy = q if q2 is None else q2
        t = [val * ops.const(ai * aj) for ai, _, aj, _, val, _ in self._core(ops, q, rho, q2, 1)]
        c0 = self.c0
        if c0 != 0:
            for a, g in self.terms:
                e = ops.inv(ops.sqrt(q * ops.const(2 * g) + ops.rat(1))) + ops.inv(ops.sqrt(qy * ops.const(2 * g) + ops.rat(1)))
                t.append(e * ops.const(c0 * a) + ops.rat(0) * rho)
            t.append(ops.const(c0**2) + ops.rat(0) * rho)
        return _sum(t, ops)

    def deriv(self, ops, q, rho, q2=None):
        t = [val * (rho * s) * ops.const(4 * g * h * ai * aj) for ai, g, aj, h, val, s in self._core(ops, q, rho, q2, 3)]
        return _sum(t, ops)


class ScaledErfDual(_ExactDual):
    """``φ = α·erf(βx) + c_0``, ``β > 0`` (module docstring)."""

    def __init__(self, alpha, beta, c0):
        self.alpha, self.beta, self.c0 = sp.sympify(alpha), sp.sympify(beta), sp.sympify(c0)
        self.name = f"erf {self.alpha}·erf({self.beta}x) + {self.c0}"
        self._gauss = GaussianDual([(2 * self.alpha * self.beta / sp.sqrt(sp.pi), self.beta**2)], 0)

    def value(self, ops, q, rho, q2=None):
        qy = q if q2 is None else q2
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        b2 = self.beta**2
        ax = q * ops.const(2 * b2) + ops.rat(1)
        ay = qy * ops.const(2 * b2) + ops.rat(1)
        arg = rho * (s * ops.inv(ops.sqrt(ax * ay)) * ops.const(2 * b2))
        out = ops.asin(arg) * (ops.inv_pi * ops.const(2 * self.alpha**2))
        if self.c0 != 0:
            out = out + ops.const(self.c0**2)
        return out

    def deriv(self, ops, q, rho, q2=None):
        # φ′ = (2αβ/√π) exp(−β² x²): the Gaussian dual without E[uv …]
        return self._gauss.value(ops, q, rho, q2)


class GaborDual(_ExactDual):
    """``φ = c_0 + Σ_j α_j exp(−g_j x²) T_j(ω_j x)``, ``T_j ∈ {cos, sin}``, ``g_j ≥ 0`` (module docstring).

    Each pair of terms contributes ``½ D^{−1/2} (e^{X₊} ± e^{X₋})`` with ``X_± = (−P/2 ± abσ)/D``
    (``+`` for cos·cos, ``−`` for sin·sin); ``1/D = F²/(A_x A_y)`` with ``A = 1 + 2g q`` and
    ``F = (1 − t²)^{−1/2}``, ``t = 2√(gh) σ/√(A_x A_y)``, so every operation set applies.
    """

    def __init__(self, terms, c0):
        self.terms = tuple((sp.sympify(al), sp.sympify(g), sp.sympify(w), str(t)) for al, g, w, t in terms)
        self.c0 = sp.sympify(c0)
        self.name = "gabor " + " + ".join(f"{al}·exp(-{g}x²)·{t}({w}x)" for al, g, w, t in self.terms)

    def _pairs(self, ops, q, rho, q2, derivative: bool):
        qy = q if q2 is None else q2
        _, _, s = _scales(ops, q, q2) if q2 is not None else (None, None, q)
        sigma = rho * s
        out = []
        for ai, g, a, ti in self.terms:
            for aj, h, b, tj in self.terms:
                if ti != tj:
                    continue  # cos·sin: an even times an odd function of a symmetric pair
                sign = 1 if ti == "cos" else -1
                ax = q * ops.const(2 * g) + ops.rat(1)
                ay = qy * ops.const(2 * h) + ops.rat(1)
                inv_axy = ops.inv(ax * ay)
                F = ops.inv_sqrt_one_minus_square(sigma * (ops.sqrt(inv_axy) * ops.const(2 * sp.sqrt(g * h))))
                inv_d = F * F * inv_axy  # 1/D
                root = F * ops.sqrt(inv_axy)  # D^{-1/2}
                delta = q * qy - sigma * sigma
                P = (q + delta * ops.const(2 * h)) * ops.const(a**2) + (qy + delta * ops.const(2 * g)) * ops.const(b**2)
                for pm in (1, -1):
                    N = P * ops.rat(-1, 2) + sigma * ops.const(pm * a * b)
                    term = root * ops.exp(N * inv_d) * ops.const(ai * aj * (1 if pm == 1 else sign) / 2)
                    if derivative:  # d/dσ of D^{-1/2} e^{N/D}: (−D′/(2D) + (N′D − N D′)/D²)
                        dD = sigma * ops.const(-8 * g * h)
                        dN = sigma * ops.const(2 * (h * a**2 + g * b**2)) + ops.const(pm * a * b)
                        term = term * (dD * inv_d * ops.rat(-1, 2) + (dN - N * dD * inv_d) * inv_d)
                    out.append(term)
        return out

    def value(self, ops, q, rho, q2=None):
        t = self._pairs(ops, q, rho, q2, derivative=False)
        c0 = self.c0
        if c0 != 0:
            qy = q if q2 is None else q2
            for al, g, w, kind in self.terms:
                if kind != "cos":
                    continue
                for qq in (q, qy):  # E[e^{−g u²} cos(ω u)] = A^{−1/2} exp(−ω² q/(2A)), A = 1 + 2g q
                    inv_a = ops.inv(qq * ops.const(2 * g) + ops.rat(1))
                    t.append(ops.sqrt(inv_a) * ops.exp(qq * inv_a * ops.const(-w**2 / 2)) * ops.const(c0 * al)
                             + ops.rat(0) * rho)
            t.append(ops.const(c0**2) + ops.rat(0) * rho)
        return _sum(t, ops)

    def deriv(self, ops, q, rho, q2=None):
        return _sum(self._pairs(ops, q, rho, q2, derivative=True), ops)


class GeluDual(_ExactDual):
    """``φ = c_0 + a·x + b·x Φ(γx)``, ``γ > 0`` (module docstring); GELU is ``a = c_0 = 0``, ``b = γ = 1``."""

    def __init__(self, a, b, gamma, c0):
        self.a, self.b, self.gamma, self.c0 = (sp.sympify(v) for v in (a, b, gamma, c0))
        self.name = f"gelu {self.c0} + {self.a}·x + {self.b}·x·Φ({self.gamma}x)"

    def _g(self, ops, q, rho, q2, derivative: bool):
        """``E[G(γu)G(γv)]/γ²`` (or its ``∂/∂σ``, ``E[G′(γu)G′(γv)]``)."""
        g2 = ops.const(self.gamma**2)
        qy = q if q2 is None else q2
        _, _, s = _scales(ops, q, q2)
        Q1, Q2 = q * g2, qy * g2
        A1, A2 = Q1 + ops.rat(1), Q2 + ops.rat(1)
        inv_r = ops.inv(A1) if q2 is None else ops.inv(ops.sqrt(A1 * A2))
        S = rho * (s * g2)
        t = rho * (s * g2 * inv_r)
        F = ops.inv_sqrt_one_minus_square(t)
        kappa = ops.rat(1) - ops.inv(A1) - ops.inv(A2)
        half_pi = ops.inv_pi * ops.rat(1, 2)
        arcsin = ops.asin(t) * half_pi
        numer = S * S * (-kappa) + Q1 * Q2
        if not derivative:
            return (S * ops.rat(1, 4) + S * arcsin + numer * F * (inv_r * half_pi)) * ops.inv(g2)
        inner = F * (inv_r * (ops.rat(1) - kappa * 2)) + numer * F * F * F * (inv_r * inv_r * inv_r)
        return arcsin + ops.rat(1, 4) + S * inner * half_pi

    def value(self, ops, q, rho, q2=None):
        a, b, c0 = self.a, self.b, self.c0
        _, _, s = _scales(ops, q, q2)
        t = [self._g(ops, q, rho, q2, False) * ops.const(b**2)]
        if a**2 + a * b != 0:
            t.append(rho * (s * ops.const(a**2 + a * b)))
        if c0 != 0:
            g, g2 = ops.const(self.gamma), ops.const(self.gamma**2)
            qy = q if q2 is None else q2
            for qq in (q, qy):  # E[u Φ(γu)] = γq/√(2π(1 + γ²q))
                t.append(qq * g * ops.inv(ops.sqrt((qq * g2 + ops.rat(1)) * ops.pi * 2)) * ops.const(c0 * b)
                         + ops.rat(0) * rho)
            t.append(ops.const(c0**2) + ops.rat(0) * rho)
        return _sum(t, ops)

    def deriv(self, ops, q, rho, q2=None):
        a, b = self.a, self.b
        return self._g(ops, q, rho, q2, True) * ops.const(b**2) + ops.const(a**2 + a * b)


# ---------------------------------------------------------------------- detection
_KINKS = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.Piecewise, sp.sign)


def _real_number(v: sp.Expr) -> bool:
    return bool(v.is_number and v.is_real is not False and v.is_finite is not False and sp.im(v) == 0)


def _piecewise(expr: sp.Expr, var: sp.Symbol):
    if not expr.has(*_KINKS):
        return None
    p = sp.Symbol("p_kink", positive=True)
    try:
        fp = sp.piecewise_fold(expr.xreplace({var: p})).doit()
        fm = sp.piecewise_fold(expr.xreplace({var: -p})).doit()
        fp, fm = sp.expand(sp.simplify(fp)), sp.expand(sp.simplify(fm))
    except Exception:  # noqa: BLE001 - SymPy may fail on exotic expressions: then not this family
        return None
    if fp.has(*_KINKS) or fm.has(*_KINKS) or not (fp.is_polynomial(p) and fm.is_polynomial(p)):
        return None
    P, M = sp.Poly(fp, p), sp.Poly(fm, p)
    if not all(_real_number(c) for c in P.coeffs() + M.coeffs()):
        return None
    if P.degree() <= 1 and M.degree() <= 1:
        right, c_r = P.coeff_monomial(p), P.coeff_monomial(1)
        left, c_l = -M.coeff_monomial(p), M.coeff_monomial(1)  # φ(x) = left·x + c_l for x < 0
        return PiecewiseLinearDual(right - left, left, c_l, c_r - c_l)
    n = max(P.degree(), M.degree())
    monoms = [m for m, c in P.terms() + M.terms() if c != 0]
    if all(m == (n,) for m in monoms):
        return RectifiedMonomialDual(n, P.coeff_monomial(p**n), M.coeff_monomial(p**n))
    return None


def _linear_in(arg: sp.Expr, var: sp.Symbol):
    """``(a, b)`` with ``arg = a·var + b`` (real numbers), else ``None``."""
    if not arg.is_polynomial(var):
        return None
    poly = sp.Poly(arg, var)
    if poly.degree() != 1:
        return None
    a, b = poly.coeff_monomial(var), poly.coeff_monomial(1)
    return (a, b) if _real_number(a) and _real_number(b) else None


def _terms(expr: sp.Expr, var: sp.Symbol):
    """``(constant, [(coefficient, function part)])`` of an expanded sum."""
    c0, out = sp.Integer(0), []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, rest = term.as_independent(var, as_Add=False)
        if not _real_number(coeff):
            return None
        if rest == 1:
            c0 += coeff
        else:
            out.append((coeff, rest))
    return c0, out


def _exponential(expr: sp.Expr, var: sp.Symbol):
    if not expr.has(sp.exp, sp.cosh, sp.sinh):
        return None
    split = _terms(expr.rewrite(sp.exp), var)
    if split is None or not split[1]:
        return None
    c0, parts = split
    terms = []
    for coeff, rest in parts:
        if not isinstance(rest, sp.exp):
            return None
        ab = _linear_in(rest.args[0], var)
        if ab is None:
            return None
        terms.append((coeff * sp.exp(ab[1]), ab[0]))
    return ExponentialDual(terms, c0)


def _gaussian_exponent(factor: sp.Expr, var: sp.Symbol):
    """``(g, b)`` for a factor ``exp(−g x² + b)`` with real ``g > 0``, else ``None``."""
    if not isinstance(factor, sp.exp) or not factor.args[0].is_polynomial(var):
        return None
    poly = sp.Poly(factor.args[0], var)
    if poly.degree() != 2 or poly.coeff_monomial(var) != 0:
        return None
    g, b = -poly.coeff_monomial(var**2), poly.coeff_monomial(1)
    return (g, b) if _real_number(g) and _real_number(b) and g > 0 else None


def _phase_split(trig: sp.Expr, coeff: sp.Expr, var: sp.Symbol):
    """``c·sin(ωx + ph)`` or ``c·cos(ωx + ph)`` as ``(ω, [(a, "cos"), (b, "sin")])`` with
    ``c·f(ωx + ph) = a cos(ωx) + b sin(ωx)``; ``None`` if the argument is not linear in ``x``."""
    ab = _linear_in(trig.args[0], var)
    if ab is None:
        return None
    w, ph = ab
    if isinstance(trig, sp.sin):  # sin(wx + ph) = sin(wx) cos ph + cos(wx) sin ph
        return w, [(coeff * sp.sin(ph), "cos"), (coeff * sp.cos(ph), "sin")]
    return w, [(coeff * sp.cos(ph), "cos"), (-coeff * sp.sin(ph), "sin")]  # cos ph cos − sin ph sin


def _trigonometric(expr: sp.Expr, var: sp.Symbol):
    if not expr.has(sp.sin, sp.cos):
        return None
    split = _terms(expr, var)
    if split is None or not split[1]:
        return None
    c0, parts = split
    cos_t, sin_t = [], []
    for coeff, rest in parts:
        if not isinstance(rest, (sp.sin, sp.cos)):
            return None
        split_ = _phase_split(rest, coeff, var)
        if split_ is None:
            return None
        w, parts_ = split_
        for a, kind in parts_:
            (cos_t if kind == "cos" else sin_t).append((a, w))
    cos_t = [(a, w) for a, w in cos_t if a != 0]
    sin_t = [(a, w) for a, w in sin_t if a != 0]
    return TrigonometricDual(cos_t, sin_t, c0)


def _gaussian(expr: sp.Expr, var: sp.Symbol):
    if not expr.has(sp.exp):
        return None
    split = _terms(expr, var)
    if split is None or not split[1]:
        return None
    c0, parts = split
    terms = []
    for coeff, rest in parts:
        gb = _gaussian_exponent(rest, var)
        if gb is None:
            return None
        terms.append((coeff * sp.exp(gb[1]), gb[0]))
    return GaussianDual(terms, c0)


def _erf_slope(e: sp.Expr, var: sp.Symbol):
    """β when ``e`` is ``erf(βx)`` (no offset), else None."""
    if not isinstance(e, sp.erf):
        return None
    ab = _linear_in(e.args[0], var)
    return None if ab is None or not ab[1].is_zero else ab[0]


def _erf(expr: sp.Expr, var: sp.Symbol):
    if not expr.has(sp.erf):
        return None
    split = _terms(expr, var)
    if split is None or len(split[1]) != 1:
        return None
    c0, [(coeff, rest)] = split
    beta = _erf_slope(rest, var)
    if beta is None:
        return None
    return ScaledErfDual(coeff if beta > 0 else -coeff, abs(beta), c0)


def _gelu(expr: sp.Expr, var: sp.Symbol):
    """``c_0 + A x + B x erf(βx)`` (``erfc`` rewritten), i.e. ``c_0 + (A − B) x + 2B x Φ(√2 βx)``."""
    if not expr.has(sp.erf, sp.erfc):
        return None
    split = _terms(expr.rewrite(sp.erf) if expr.has(sp.erfc) else expr, var)
    if split is None:
        return None
    c0, parts = split
    lin, big, betas = sp.Integer(0), sp.Integer(0), set()
    for coeff, rest in parts:
        if rest == var:
            lin += coeff
            continue
        factors = sp.Mul.make_args(rest)
        if len(factors) != 2 or var not in factors:
            return None
        (e,) = [f for f in factors if f != var]
        beta = _erf_slope(e, var)
        if beta is None:
            return None
        betas.add(abs(beta))
        big += coeff if beta > 0 else -coeff
    if len(betas) != 1 or big == 0:
        return None
    (beta,) = betas
    return GeluDual(lin - big, 2 * big, sp.sqrt(2) * beta, c0)


def _gabor(expr: sp.Expr, var: sp.Symbol):
    """Sums of ``exp(−g x² + b)·cos/sin(ωx + ph)``, pure Gaussians and pure trigonometric terms,
    with at least one product (the pure families are matched before)."""
    if not (expr.has(sp.exp) and expr.has(sp.sin, sp.cos)):
        return None
    split = _terms(expr, var)
    if split is None or not split[1]:
        return None
    c0, parts = split
    terms = []
    for coeff, rest in parts:
        gauss, trig = [], []
        for f in sp.Mul.make_args(rest):
            (gauss if isinstance(f, sp.exp) else trig).append(f)
        if len(gauss) > 1 or len(trig) > 1 or (trig and not isinstance(trig[0], (sp.sin, sp.cos))):
            return None
        g = sp.Integer(0)
        if gauss:
            gb = _gaussian_exponent(gauss[0], var)
            if gb is None:
                return None
            g, coeff = gb[0], coeff * sp.exp(gb[1])
        if not trig:
            terms.append((coeff, g, sp.Integer(0), "cos"))
            continue
        split_ = _phase_split(trig[0], coeff, var)
        if split_ is None:
            return None
        w, parts_ = split_
        terms += [(a, g, w, kind) for a, kind in parts_]
    terms = [t for t in terms if t[0] != 0]
    return GaborDual(terms, c0) if terms else None


def exact_dual(expr: sp.Expr, var: sp.Symbol) -> Any:
    """The closed-form dual family of ``φ = expr`` (module docstring), or ``None``.

    Parameters
    ----------
    expr : sympy.Expr
        The activation in the real variable ``var``.
    var : sympy.Symbol

    Returns
    -------
    dual or None
        An object with ``value``, ``deriv`` and ``variance`` over an operation set of
        :mod:`symrmt.kernels.cosine_series` (kinks away from 0: :mod:`symrmt.kernels.kinked`);
        ``None`` when no family matches (then the kernel
        falls back to the Hermite series with a reported error bound).

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> exact_dual(sp.Abs(x), x).name
    'piecewise linear 2·relu(x) + -1·x + 0 + 0·H(x)'
    """
    if expr.is_polynomial(var):
        return None
    from .kinked import kinked_linear_dual

    for detect in (_piecewise, kinked_linear_dual, _exponential, _trigonometric, _gaussian, _erf, _gelu, _gabor):
        d = detect(expr, var)
        if d is not None:
            return d
    return None
