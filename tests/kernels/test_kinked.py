"""Exact kernels of piecewise-linear activations with kinks away from 0 (symrmt.kernels.kinked).

Independent routes: kernels against the layer recursion with every expectation by nested Gauss–Legendre quadrature
  split at the kinks (120 nodes a segment, ~1e-12), and — at fewer points, it is slow — by mpmath
  (20 digits): the outer integral over ``u`` split at the kinks, the inner conditional mean of a
  piecewise-linear ``g`` in closed form piece by piece (``E[(α + βY) 1{a < Y < b}]`` for a normal
  ``Y``).  Agreement is asked to 1e-10 relative to the kernel's size.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.special import ndtr

from symrmt.errors import DerivationError
from symrmt.kernels import dot_product_kernel
from symrmt.kernels.exact import exact_dual
from symrmt.kernels.kinked import kinked_linear_dual

x = sp.Symbol("x", real=True)
# ---------------------------------------------------------------------- references
_T, _W = np.polynomial.legendre.leggauss(120)
_CUT = 13.0


def _segments(breaks):
    """Nodes/weights of ∫ · N(z) dz with Legendre segments between the sorted ``breaks`` (per row)."""
    b = np.clip(np.sort(np.atleast_2d(breaks), axis=-1), -_CUT, _CUT)
    edges = np.concatenate([-_CUT * np.ones(b.shape[:-1] + (1,)), b, _CUT * np.ones(b.shape[:-1] + (1,))], -1)
    lo, hi = edges[..., :-1, None], edges[..., 1:, None]
    t = lo + (hi - lo) / 2 * (_T + 1)
    w = (hi - lo) / 2 * _W * np.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    return t.reshape(t.shape[0], -1), w.reshape(w.shape[0], -1)


def gauss2(f, g, kinks, qx, qy, rho):
    """E f(u) g(v), u = √q_x z₁, v = √q_y (ρ z₁ + √(1 − ρ²) z₂): z₁ split at u's kinks and around
    the points where the conditional mean of v crosses a kink, z₂ at v's kinks."""
    sx, sy, kinks = math.sqrt(qx), math.sqrt(qy), np.asarray(kinks, float)
    with np.errstate(all="ignore"):
        if abs(rho) >= 1 - 1e-12:
            z, w = _segments(np.concatenate([kinks / sx, kinks / (math.copysign(1, rho) * sy)]))
            return float(np.sum(w * f(sx * z) * g(sy * math.copysign(1, rho) * z)))
        r = math.sqrt(1 - rho * rho)
        # the conditional mean of g(v) bends within ~√(1 − ρ²) of z₁ = t/(ρ√q_y): extra breaks there
        near = (kinks[:, None] / (rho * sy) + r * np.array([-8, -2, -0.5, 0, 0.5, 2, 8])).ravel() if rho else []
        outer = np.concatenate([kinks / sx, near])
        z1, w1 = _segments(outer)
        z1, w1 = z1[0], w1[0]
        z2, w2 = _segments((kinks[None, :] / sy - rho * z1[:, None]) / r)
        inner = np.sum(w2 * g(sy * (rho * z1[:, None] + r * z2)), axis=1)
        return float(np.sum(w1 * f(sx * z1) * inner))


def reference(phi, dphi, kinks, xx, yy, xy, depth, w, b, kind):
    qx, qy, sig = w * w * xx + b * b, w * w * yy + b * b, w * w * xy + b * b
    th = sig
    for _ in range(depth):
        rho = max(-1.0, min(1.0, sig / math.sqrt(qx * qy)))
        new = w * w * gauss2(phi, phi, kinks, qx, qy, rho) + b * b
        if kind == "ntk":
            th = new + th * w * w * gauss2(dphi, dphi, kinks, qx, qy, rho)
        sig = new
        qx, qy = (w * w * gauss2(phi, phi, kinks, q, q, 1.0) + b * b for q in (qx, qy))
    return th if kind == "ntk" else sig


def relu(t):
    return np.maximum(t, 0.0)


def step(t):
    return (np.asarray(t) > 0).astype(float)


# activation, φ, φ′ (None: a jump), kinks, (w_std, b_std)
ACTS = {
    "relu(x - 1)": (sp.Max(x - 1, 0), lambda t: relu(t - 1), lambda t: step(t - 1), [1.0], (1.2, 0.3)),
    "relu(x + 3)": (sp.Max(x + 3, 0), lambda t: relu(t + 3), lambda t: step(t + 3), [-3.0], (0.9, 0.2)),
    "hardtanh": (sp.Max(-1, sp.Min(1, x)), lambda t: np.clip(t, -1, 1), lambda t: step(t + 1) - step(t - 1), [-1.0, 1.0],
                 (1.5, 0.2)),
    "combo": (2 * sp.Max(x - 3, 0) - sp.Max(x + sp.Rational(1, 2), 0) + x / 3 + 1,
              lambda t: 2 * relu(t - 3) - relu(t + 0.5) + t / 3 + 1, lambda t: 2 * step(t - 3) - step(t + 0.5) + 1 / 3,
              [-0.5, 3.0], (1.1, 0.4)),
    "step(x - 2)": (sp.Heaviside(x - 2) + sp.Max(x, -1) / 2, lambda t: step(t - 2) + np.maximum(t, -1) / 2, None,
                    [-1.0, 2.0], (1.3, 0.1)),
}
CS = (-1.0, -0.4, 0.6, 0.999, 1.0)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_kinked_against_quadrature_depths_1_to_4(name):
    expr, phi, dphi, kinks, (w, b) = ACTS[name]
    for kind in ("nngp", "ntk") if dphi is not None else ("nngp",):
        for depth in (1, 2, 3, 4):
            k = dot_product_kernel(expr, kind=kind, depth=depth, w_std=w, b_std=b)
            assert k.closed_form and k.error_bound == 0 and "piecewise linear" in k.family
            got = k(np.array(CS))
            for c, g in zip(CS, got):
                ref = reference(phi, dphi, kinks, 1, 1, c, depth, w, b, kind)
                assert g == pytest.approx(ref, abs=1e-10 * max(1.0, abs(ref))), (name, kind, depth, c)


def test_kinked_inputs_of_any_norm():
    expr, phi, dphi, kinks, (w, b) = ACTS["hardtanh"]
    k = dot_product_kernel(expr, "ntk", depth=3, w_std=w, b_std=b)
    xx, yy, xy = np.array([0.5, 2.0, 3.0, 0.8]), np.array([1.7, 0.3, 3.0, 0.8]), np.array([0.4, -0.5, 2.9, -0.8])
    got = k.on_inputs(xx, yy, xy)
    for i in range(4):
        ref = reference(phi, dphi, kinks, xx[i], yy[i], xy[i], 3, w, b, "ntk")
        assert got[i] == pytest.approx(ref, abs=1e-10 * max(1, abs(ref)))


# ---------------------------------------------------------------------- mpmath (20 digits)
MP20 = mpmath.mp.clone()
MP20.dps = 20


def _piece_mean(g, kinks, mu, sd):
    """E g(μ + sd·Z) for g linear between its kinks: the Gaussian moments of each linear piece."""
    m = MP20
    bounds = [-m.inf] + [m.mpf(p) for p in sorted(kinks)] + [m.inf]
    out = m.mpf(0)
    for lo, hi in zip(bounds, bounds[1:]):
        a = hi - 2 if lo == -m.inf else lo
        b = lo + 2 if hi == m.inf else hi
        p1, p2 = (2 * a + b) / 3, (a + 2 * b) / 3
        slope = (g(p2) - g(p1)) / (p2 - p1)
        icpt = g(p1) - slope * p1
        za, zb = (lo - mu) / sd, (hi - mu) / sd
        prob = m.ncdf(zb) - m.ncdf(za)
        dens = (0 if za == -m.inf else m.npdf(za)) - (0 if zb == m.inf else m.npdf(zb))
        out += icpt * prob + slope * (mu * prob + sd * dens)
    return out


def _pair_mp(f, g, kinks, q1, q2, rho):
    m = MP20
    r1, r2 = m.sqrt(q1), m.sqrt(q2)
    if abs(rho) == 1:
        br = sorted({m.mpf(t) / r1 for t in kinks} | {m.mpf(t) / (rho * r2) for t in kinks})
        return m.quad(lambda z: f(r1 * z) * g(rho * r2 * z) * m.npdf(z), [-m.inf] + br + [m.inf])
    s = m.sqrt(1 - rho * rho)
    br = sorted({m.mpf(t) / r1 for t in kinks} | ({m.mpf(t) / (rho * r2) for t in kinks} if rho != 0 else set()))
    return m.quad(lambda z: f(r1 * z) * _piece_mean(g, kinks, r2 * rho * z, r2 * s) * m.npdf(z), [-m.inf] + br + [m.inf])


def reference_mp(f, df, kinks, c, depth, w, b):
    m = MP20
    w, b = m.mpf(w), m.mpf(b)
    q, sig = w * w + b * b, w * w * m.mpf(c) + b * b
    th = sig
    for _ in range(depth):
        rho = max(min(sig / q, m.mpf(1)), m.mpf(-1))
        new = w * w * _pair_mp(f, f, kinks, q, q, rho) + b * b
        th = new + th * w * w * _pair_mp(df, df, kinks, q, q, rho)
        sig = new
        q = w * w * _pair_mp(f, f, kinks, q, q, m.mpf(1)) + b * b
    return th


def _mp_relu(t):
    return max(t, 0)


def _mp_step(t):
    return MP20.mpf(1) if t > 0 else MP20.mpf(0)


@pytest.mark.parametrize("depth, c", [(1, 0.6), (4, 1.0)])
def test_kinked_ntk_against_mpmath(depth, c):
    """relu(x − 1.5)/2 − relu(−x − 3)/... written as a clipped combination, |t| up to 3."""
    expr = sp.Max(x - sp.Rational(3, 2), 0) - 2 * sp.Max(-x - 3, 0) + x / 4
    f = lambda t: _mp_relu(t - MP20.mpf(3) / 2) - 2 * _mp_relu(-t - 3) + t / 4
    df = lambda t: _mp_step(t - MP20.mpf(3) / 2) + 2 * _mp_step(-t - 3) + MP20.mpf(1) / 4
    k = dot_product_kernel(expr, "ntk", depth=depth, w_std=1.3, b_std=0.3)
    ref = float(reference_mp(f, df, [-3, 1.5], c, depth, 1.3, 0.3))
    assert float(k(c)) == pytest.approx(ref, abs=1e-10 * max(1, abs(ref)))


@pytest.mark.slow
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("c", [-1.0, -0.3, 0.8, 0.999])
def test_kinked_ntk_against_mpmath_more(depth, c):
    expr = sp.Max(-1, sp.Min(1, x - sp.Rational(1, 2)))  # clipped, kinks at −1/2 and 3/2
    f = lambda t: max(-1, min(1, t - MP20.mpf(1) / 2))
    df = lambda t: _mp_step(t + MP20.mpf(1) / 2) - _mp_step(t - MP20.mpf(3) / 2)
    k = dot_product_kernel(expr, "ntk", depth=depth, w_std=1.4, b_std=0.2)
    ref = float(reference_mp(f, df, [-0.5, 1.5], c, depth, 1.4, 0.2))
    assert float(k(c)) == pytest.approx(ref, abs=1e-10 * max(1, abs(ref)))


# ---------------------------------------------------------------------- detection, series, errors
def test_detection():
    d = kinked_linear_dual(sp.Max(-1, sp.Min(1, x)), x)
    assert (d.c, d.b, d.kinks) == (-1, 0, ((-1, 1, 0), (1, -1, 0)))
    d = kinked_linear_dual(sp.Piecewise((0, x < -1), (x + 1, x < 2), (3, True)), x)
    assert (d.c, d.b, d.kinks) == (0, 0, ((-1, 1, 0), (2, -1, 0)))
    d = kinked_linear_dual(sp.Abs(x - 1), x)  # |x − 1| = 1 − x + 2 relu(x − 1)
    assert (d.c, d.b, d.kinks) == (1, -1, ((1, 2, 0),))
    d = kinked_linear_dual(sp.Heaviside(x - sp.Rational(1, 2)) * 3, x)
    assert d.jump and d.kinks == ((sp.Rational(1, 2), 0, 3),)
    assert kinked_linear_dual(sp.Max(x - 0.5, 0), x).kinks == ((sp.Rational(1, 2), 1, 0),)
    for other in (sp.tanh(x), sp.Max(x**2 - 1, 0), sp.Max(x, 0) * sp.Max(x - 1, 0), sp.Max(sp.sin(x), 0)):
        assert kinked_linear_dual(other, x) is None
    # the kink-at-0 family keeps its arc-cosine closed form
    assert type(exact_dual(sp.Abs(x), x)).__name__ == "PiecewiseLinearDual"
    assert type(exact_dual(sp.Max(x - 1, 0), x)).__name__ == "KinkedLinearDual"


def test_zero_kinks_agree_with_the_arc_cosine_form():
    """relu(x) + x/3 written as a kink 'at t' with t → 0 through the Φ₂ route equals the arc-cosine form."""
    from symrmt.kernels.cosine_series import NumpyOps
    from symrmt.kernels.exact import PiecewiseLinearDual
    from symrmt.kernels.kinked import KinkedLinearDual

    kinked = KinkedLinearDual(sp.Rational(1, 5), sp.Rational(1, 3), [(0, 1, 0)])
    arc = PiecewiseLinearDual(1, sp.Rational(1, 3), sp.Rational(1, 5), 0)
    rho = np.linspace(-1, 1, 41)
    for q, q2 in ((1.7, None), (0.6, 2.3)):
        np.testing.assert_allclose(kinked.value(NumpyOps, q, rho, q2), arc.value(NumpyOps, q, rho, q2), atol=2e-15)
        np.testing.assert_allclose(kinked.deriv(NumpyOps, q, rho, q2), arc.deriv(NumpyOps, q, rho, q2), atol=2e-15)
    assert float(kinked.variance(NumpyOps, 1.7)) == pytest.approx(float(arc.variance(NumpyOps, 1.7)), abs=1e-15)


def test_taylor_series_of_kinked_kernel():
    """One layer, no bias: K_NNGP(c) = Σ_j b_j² c^j with the Hermite coefficients of relu(x − 1),
    ``b_j √(j!) = E[f^{(j)}(Z)]``: ``φ(1) − Φ(−1)``, ``Φ(−1)``, then ``φ(1) He_{j−2}(1)``; depth 2 with
    bias: the 40-digit series summed at c = 0.3 equals K(0.3)."""
    k1 = dot_product_kernel(sp.Max(x - 1, 0), "nngp")
    a = k1.coefficients(8)
    pdf1 = math.exp(-0.5) / math.sqrt(2 * math.pi)
    for j in range(9):
        if j == 0:
            bj = pdf1 - ndtr(-1.0)
        elif j == 1:
            bj = ndtr(-1.0)
        else:
            bj = pdf1 * float(np.polynomial.hermite_e.HermiteE.basis(j - 2)(1.0))
        bj /= math.sqrt(math.factorial(j))
        assert a[j] == pytest.approx(bj**2, abs=1e-14), j
    k2 = dot_product_kernel(sp.Max(-1, sp.Min(1, x)), "ntk", depth=2, w_std=1.2, b_std=0.3)
    coeffs = k2.coefficients(40)
    assert np.polynomial.polynomial.polyval(0.3, coeffs) == pytest.approx(float(k2(0.3)), abs=1e-13)
    with pytest.raises(DerivationError, match="Φ₂"):
        k2.coefficients(3, exact=True)
    with pytest.raises(DerivationError, match="Φ₂"):
        k2.expression()


def test_kinked_jump_has_no_ntk():
    from symrmt.errors import ParameterError

    dot_product_kernel(sp.Heaviside(x - 1), "nngp", depth=2)
    with pytest.raises(ParameterError, match="jump"):
        dot_product_kernel(sp.Heaviside(x - 1), "ntk")
