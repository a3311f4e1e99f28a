"""Closed-form kernels beyond ReLU/erf/sign (symrmt.kernels.exact), inputs of any norm, readout
scales, and the truncation bound of the Hermite fallback.

Reference: the layer recursion written here with every Gaussian expectation computed by nested
Gauss–Legendre quadrature (120 nodes each side of the kink, normal tails cut at 13), independently of the
closed forms: ``E f(u) g(v)`` with ``u = √q_x z₁``, ``v = √q_y (ρ z₁ + √(1 − ρ²) z₂)``.  The
quadrature is accurate to ~1e-12 relative, so agreement is asked to 1e-10 (relative to the kernel's
size)."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.special import erf, ndtr

from symrmt.errors import ParameterError
from symrmt.kernels import dot_product_kernel
from symrmt.kernels.exact import arc_cosine_polynomials, exact_dual

x = sp.Symbol("x", real=True)
NORMAL = 1 / math.sqrt(2 * math.pi)


_GL_T, _GL_W = np.polynomial.legendre.leggauss(120)
_CUT = 13.0  # standard-normal tails beyond 13 are below 1e-37


def _legendre(lo, hi):
    """Gauss–Legendre nodes and weights on [lo, hi] (arrays of intervals → leading axes)."""
    lo, hi = np.asarray(lo, float)[..., None], np.asarray(hi, float)[..., None]
    half = (hi - lo) / 2
    return lo + half * (_GL_T + 1), half * _GL_W


def _normal_nodes(kink):
    """Nodes/weights of ∫ · N(z) dz split at ``kink`` (per leading entry), each side 120-point Legendre."""
    kink = np.clip(kink, -_CUT, _CUT)
    t1, w1 = _legendre(-_CUT * np.ones_like(kink), kink)
    t2, w2 = _legendre(kink, _CUT * np.ones_like(kink))
    t, w = np.concatenate([t1, t2], -1), np.concatenate([w1, w2], -1)
    return t, w * NORMAL * np.exp(-t * t / 2)


def gauss2(f, g, qx, qy, rho):
    """E f(u) g(v) for the Gaussian pair above: outer integral split at u = 0, inner at v = 0."""
    sx, sy = math.sqrt(qx), math.sqrt(qy)
    with np.errstate(all="ignore"):
        z1, w1 = _normal_nodes(np.array(0.0))
        if abs(rho) >= 1 - 1e-9:  # the diagonal (c = 1 up to quadrature round-off)
            return float(np.sum(w1 * f(sx * z1) * g(sy * math.copysign(1, rho) * z1)))
        r = math.sqrt(1 - rho * rho)
        z2, w2 = _normal_nodes(-rho * z1 / r)  # shape (n1, n2)
        inner = np.sum(w2 * g(sy * (rho * z1[:, None] + r * z2)), axis=1)
        return float(np.sum(w1 * f(sx * z1) * inner))


def gauss1(f, q):
    z, w = _normal_nodes(np.array(0.0))
    with np.errstate(all="ignore"):
        return float(np.sum(w * f(math.sqrt(q) * z) ** 2))


def reference(phi, dphi, xx, yy, xy, depth, w, b, wr=None, br=None, kind="ntk"):
    """NNGP/NTK by the recursion of Jacot et al. / neural-tangents, expectations by quadrature."""
    wr = w if wr is None else wr
    br = b if br is None else br
    qx, qy, sig = w * w * xx + b * b, w * w * yy + b * b, w * w * xy + b * b
    th = sig
    for layer in range(depth):
        lw, lb = (wr, br) if layer == depth - 1 else (w, b)
        rho = sig / math.sqrt(qx * qy)
        new = lw * lw * gauss2(phi, phi, qx, qy, rho) + lb * lb
        if kind == "ntk":
            th = new + th * lw * lw * gauss2(dphi, dphi, qx, qy, rho)
        sig = new
        qx, qy = lw * lw * gauss1(phi, qx) + lb * lb, lw * lw * gauss1(phi, qy) + lb * lb
    return th if kind == "ntk" else sig


def relu(t):
    return np.maximum(t, 0.0)


def step(t):
    return (np.asarray(t) > 0).astype(float)


# activation, numpy φ, φ′, scales (w, b), kinds
FAMILIES = {
    "abs": (sp.Abs(x), np.abs, np.sign, (1.2, 0.3), ("nngp", "ntk")),
    "leaky": (sp.Max(x, x / 10), lambda t: np.where(t > 0, t, 0.1 * t), lambda t: np.where(t > 0, 1.0, 0.1), (1.4, 0.1),
              ("ntk",)),
    "abrelu": (2 * sp.Max(x, 0) - x / 2 + sp.Rational(3, 10), lambda t: 2 * relu(t) - t / 2 + 0.3,
               lambda t: 2 * step(t) - 0.5, (1.1, 0.4), ("nngp", "ntk")),
    "step": (sp.Heaviside(x) - sp.Rational(1, 4), lambda t: step(t) - 0.25, None, (1.3, 0.2), ("nngp",)),
    "relu2": (sp.Max(x, 0) ** 2, lambda t: relu(t) ** 2, lambda t: 2 * relu(t), (1.0, 0.3), ("nngp", "ntk")),
    "abs3": (sp.Abs(x) ** 3 / 2, lambda t: np.abs(t) ** 3 / 2, lambda t: 1.5 * t * np.abs(t), (0.9, 0.2), ("ntk",)),
    "exp": (sp.exp(x / 2), lambda t: np.exp(t / 2), lambda t: 0.5 * np.exp(t / 2), (1.0, 0.3), ("nngp", "ntk")),
    "cosh": (sp.cosh(x) / 2 - 1, lambda t: np.cosh(t) / 2 - 1, lambda t: np.sinh(t) / 2, (0.8, 0.2), ("ntk",)),
    "trig": (sp.sin(x + sp.Rational(3, 10)) + 2 * sp.cos(3 * x) / 5, lambda t: np.sin(t + 0.3) + 0.4 * np.cos(3 * t),
             lambda t: np.cos(t + 0.3) - 1.2 * np.sin(3 * t), (1.2, 0.3), ("nngp", "ntk")),
    "gauss": (sp.exp(-x**2 / 2) + sp.Rational(1, 10), lambda t: np.exp(-t * t / 2) + 0.1,
              lambda t: -t * np.exp(-t * t / 2), (1.5, 0.2), ("nngp", "ntk")),
    "gabor": (sp.exp(-x**2) * sp.sin(x), lambda t: np.exp(-t * t) * np.sin(t),  # neural-tangents Gabor
              lambda t: np.exp(-t * t) * (np.cos(t) - 2 * t * np.sin(t)), (1.3, 0.2), ("nngp", "ntk")),
    "gabor_mix": (sp.exp(-x**2 / 2) * sp.cos(2 * x + sp.Rational(1, 5)) + sp.sin(x) / 2 + sp.Rational(1, 5),
                  lambda t: np.exp(-t * t / 2) * np.cos(2 * t + 0.2) + np.sin(t) / 2 + 0.2,
                  lambda t: np.exp(-t * t / 2) * (-t * np.cos(2 * t + 0.2) - 2 * np.sin(2 * t + 0.2)) + np.cos(t) / 2,
                  (1.1, 0.3), ("nngp", "ntk")),
    "sigmoid_like": (sp.erf(x / sp.Float("2.4020563531719796", 30)) / 2 + sp.Rational(1, 2),  # neural-tangents
                     lambda t: erf(t / 2.4020563531719796) / 2 + 0.5,
                     lambda t: np.exp(-(t / 2.4020563531719796) ** 2) / (math.sqrt(math.pi) * 2.4020563531719796),
                     (1.5, 0.5), ("nngp", "ntk")),
    "gelu": (x * (1 + sp.erf(x / sp.sqrt(2))) / 2, lambda t: t * (1 + erf(t / math.sqrt(2))) / 2,
             lambda t: (1 + erf(t / math.sqrt(2))) / 2 + t * np.exp(-t * t / 2) / math.sqrt(2 * math.pi), (1.3, 0.2),
             ("nngp", "ntk")),
    "erf": (sp.erf(2 * x) / 2 + sp.Rational(1, 10), lambda t: erf(2 * t) / 2 + 0.1,
            lambda t: 2 / math.sqrt(math.pi) * np.exp(-4 * t * t), (1.3, 0.4), ("nngp", "ntk")),
}
CS = (-0.7, 0.0, 0.45, 1.0)


def test_issue_reproducers():
    """Abs depth 1 NTK at c = 1 is exactly 2; Abs depth 2 (W 1, b 0.1) is 3.06; LeakyReLU(0.1) depth
    3 NTK (W 1.4, b 0.1) at c = 1 is 7.7005 — all against quadrature, none truncated."""
    k1 = dot_product_kernel(sp.Abs(x), kind="ntk", depth=1)
    assert k1.error_bound == 0 and k1.closed_form
    assert float(k1(1.0)) == pytest.approx(2.0, abs=1e-14)
    assert sp.nsimplify(sp.simplify(k1.expression().subs(k1.symbol, 1))) == 2
    k2 = dot_product_kernel(sp.Abs(x), kind="ntk", depth=2, w_std=1, b_std=sp.Rational(1, 10))
    assert float(k2(1.0)) == pytest.approx(3.06, abs=1e-13)  # Θ(1) = 1.01 + 1.01 + 1.01·1.01·1 + 0.01 ... closed
    ref = reference(np.abs, np.sign, 1, 1, 1, 2, 1.0, 0.1)
    assert float(k2(1.0)) == pytest.approx(ref, abs=1e-10)
    k3 = dot_product_kernel(sp.Max(x, 0.1 * x), kind="ntk", depth=3, w_std=1.4, b_std=0.1)
    ref3 = reference(lambda t: np.where(t > 0, t, 0.1 * t), lambda t: np.where(t > 0, 1.0, 0.1), 1, 1, 1, 3, 1.4, 0.1)
    assert float(k3(1.0)) == pytest.approx(ref3, abs=1e-10)
    assert float(k3(1.0)) == pytest.approx(7.700, abs=1e-3)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_against_quadrature_depths_1_to_4(name):
    expr, phi, dphi, (w, b), kinds = FAMILIES[name]
    for kind in kinds:
        for depth in (1, 2, 3, 4):
            k = dot_product_kernel(expr, kind=kind, depth=depth, w_std=w, b_std=b)
            assert k.closed_form and k.error_bound == 0, k.family
            got = k(np.array(CS))
            for c, g in zip(CS, got):
                ref = reference(phi, dphi, 1, 1, c, depth, w, b, kind=kind)
                assert g == pytest.approx(ref, abs=1e-10 * max(1.0, abs(ref))), (name, kind, depth, c)


def test_detected_families():
    assert "piecewise" in exact_dual(sp.Abs(x), x).name
    assert "piecewise" in exact_dual(sp.Piecewise((x, x > 0), (x / 5, True)), x).name
    assert "rectified" in exact_dual(sp.Heaviside(x) * x**2, x).name
    assert "trigonometric" in exact_dual(sp.sqrt(2) * sp.sin(sp.sqrt(2) * x + sp.pi / 4), x).name  # stax Rbf
    assert "exponential" in exact_dual(sp.sinh(x), x).name
    assert "gaussian" in exact_dual(2 * sp.exp(-3 * x**2), x).name
    assert "erf" in exact_dual(sp.erf(x / 3), x).name
    assert "gabor" in exact_dual(sp.exp(-x**2) * sp.sin(x), x).name
    assert "gabor" in exact_dual(3 * sp.exp(-x**2 / 4 + 1) * sp.cos(x - 1) + sp.exp(-x**2), x).name
    for other in (sp.tanh(x), x**3 - x, sp.Max(sp.tanh(x), 0), sp.exp(x) * sp.cos(x), sp.exp(x**2) * sp.sin(x),
                  sp.exp(-x**2) * sp.sin(x) ** 2, sp.exp(-x**2) * sp.sin(x**2)):
        assert exact_dual(other, x) is None
    # the arc-cosine polynomials: J_2 = 3 sin θ cos θ + (π − θ)(1 + 2cos²θ), J_3 (Cho & Saul 2009)
    assert arc_cosine_polynomials(2) == ((1, 0, 2), (0, 3))
    assert arc_cosine_polynomials(3) == ((0, 9, 0, 6), (4, 0, 11))


def test_jumps_have_no_ntk():
    for jump in (sp.Heaviside(x), sp.Piecewise((1, x > 0), (0, True)) + x):
        dot_product_kernel(jump, "nngp")
        with pytest.raises(ParameterError, match="jump"):
            dot_product_kernel(jump, "ntk")


def test_exact_series_of_new_family():
    """Abs, one layer: K_NTK = Σ (k+1) b_k² c^k with the Hermite coefficients of |x| (b_0 = √(2/π),
    b_{2j} = ... by scipy quadrature here)."""
    k = dot_product_kernel(sp.Abs(x), "ntk")
    a = k.coefficients(6, exact=True)
    assert all(not v.has(sp.Float) for v in a)
    for j in range(7):
        he = np.polynomial.hermite_e.hermeval
        z, wz = _normal_nodes(np.array(0.0))
        bj = float(np.sum(wz * np.abs(z) * he(z, [0] * j + [1]))) / math.sqrt(math.factorial(j))
        assert float(a[j]) == pytest.approx((j + 1) * bj**2, abs=1e-12)
    np.testing.assert_allclose(k.coefficients(6), [float(v) for v in a], atol=1e-14)


@pytest.mark.parametrize("act", [sp.cos(x) + sp.sin(2 * x), sp.exp(-x**2) * sp.sin(x) + sp.Rational(1, 3)])
def test_series_of_deep_trig_kernel_against_cauchy_integral(act):
    """Taylor coefficients (power-series composition, 40 digits) against Cauchy integrals of the
    numerical recursion evaluated at complex cosines |c| = 1/2 (the trigonometric dual is entire;
    the Gabor dual is analytic for |σ| < (1 + 2g q)/(2g), beyond |c| = 1/2 here)."""
    from symrmt.kernels.cosine_series import NumpyOps

    k = dot_product_kernel(act, "ntk", depth=2, w_std=1.2, b_std=0.3)
    a = np.array(k.coefficients(10))
    z = 0.5 * np.exp(2j * np.pi * np.arange(256) / 256)
    vals = k._evaluate(NumpyOps, z)
    ref = np.array([np.mean(vals * z ** (-n)).real for n in range(11)])
    np.testing.assert_allclose(a, ref, atol=1e-12)


@pytest.mark.parametrize("act, phi, dphi", [
    ("relu", relu, step),
    (sp.Abs(x), np.abs, np.sign),
    ("erf", erf, lambda t: 2 / math.sqrt(math.pi) * np.exp(-t * t)),
    (sp.cos(x) + x / 2, lambda t: np.cos(t) + t / 2, lambda t: 0.5 - np.sin(t)),
    (sp.exp(-x**2), lambda t: np.exp(-t * t), lambda t: -2 * t * np.exp(-t * t)),
])
def test_inputs_of_any_norm(act, phi, dphi):
    w, b = 1.2, 0.3
    k = dot_product_kernel(act, "ntk", depth=3, w_std=w, b_std=b)
    xx, yy, xy = np.array([0.5, 2.0, 3.0]), np.array([1.7, 0.3, 3.0]), np.array([0.4, -0.5, 2.9])
    got = k.on_inputs(xx, yy, xy)
    for i in range(3):
        ref = reference(phi, dphi, xx[i], yy[i], xy[i], 3, w, b)
        assert got[i] == pytest.approx(ref, abs=1e-10 * max(1, abs(ref)))
    np.testing.assert_allclose(k.on_inputs(1.0, 1.0, np.array(CS)), k(np.array(CS)), rtol=1e-13, atol=1e-14)
    with pytest.raises(ParameterError, match="Cauchy"):
        k.on_inputs(1.0, 1.0, 1.5)
    with pytest.raises(ParameterError, match="x_norm_sq"):
        k.on_inputs(-1.0, 1.0, 0.0)


def test_readout_scales_and_stax_convention():
    """neural-tangents: stax.serial(Dense(m, W, b), Relu(), ×4, Dense(1)) — readout W_std = 1, no bias."""
    w, b = math.sqrt(2), 0.1
    stax = dot_product_kernel("relu", "ntk", depth=4, w_std=sp.sqrt(2), b_std=b, convention="stax")
    same = dot_product_kernel("relu", "ntk", depth=4, w_std=sp.sqrt(2), b_std=b, readout_w_std=1, readout_b_std=0)
    ours = dot_product_kernel("relu", "ntk", depth=4, w_std=sp.sqrt(2), b_std=b)
    for c in (-0.5, 0.3, 1.0):
        ref = reference(relu, step, 1, 1, c, 4, w, b, wr=1.0, br=0.0)
        assert float(stax(c)) == pytest.approx(ref, abs=1e-10)
        assert float(same(c)) == float(stax(c))
        # the default readout reuses W_std² = 2 (and b² = 0.01): about twice the stax kernel
        assert 1.9 < float(ours(c)) / float(stax(c)) < 2.01
    nngp = dot_product_kernel("relu", "nngp", depth=2, readout_w_std=3, readout_b_std=0.5)
    assert float(nngp(0.2)) == pytest.approx(reference(relu, None, 1, 1, 0.2, 2, 1.0, 0.0, 3.0, 0.5, "nngp"), abs=1e-10)
    with pytest.raises(ParameterError, match="convention"):
        dot_product_kernel("relu", convention="jax")
    with pytest.raises(ParameterError, match="readout_w_std"):
        dot_product_kernel("relu", readout_w_std=0)


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_truncation_bound_holds_on_random_smooth_activations(seed):
    """φ = a tanh(βx + γ) + δ x e^{−x²/4} with random coefficients has no closed form: the truncated
    kernel must be within its error_bound of the quadrature recursion (and the bound must not be
    vacuous); order 12 makes the true error visible (≳ 1e-9)."""
    rng = np.random.default_rng(seed)
    a, beta, gamma, delta = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5), rng.uniform(-0.5, 0.5), rng.uniform(-1, 1)
    expr = a * sp.tanh(beta * x + gamma) + delta * x * sp.exp(-x**2 / 4)
    phi = lambda t: a * np.tanh(beta * t + gamma) + delta * t * np.exp(-t * t / 4)
    dphi = lambda t: a * beta / np.cosh(beta * t + gamma) ** 2 + delta * (1 - t * t / 2) * np.exp(-t * t / 4)
    w, b = 1.2, 0.3
    for kind, depth in (("nngp", 2), ("ntk", 1), ("ntk", 2)):
        with pytest.warns(UserWarning, match="error up to"):
            k = dot_product_kernel(expr, kind, depth, w_std=w, b_std=b, hermite_order=12, tolerance=1e-12)
        assert 0 < k.error_bound < 0.05, k.error_bound
        worst = 0.0
        for c in (-1.0, -0.3, 0.5, 1.0):
            ref = reference(phi, dphi, 1, 1, c, depth, w, b, kind=kind)
            err = abs(float(k(c)) - ref)
            worst = max(worst, err)
            assert err <= k.error_bound + 1e-11, (kind, depth, c, err, k.error_bound)
        assert worst > 1e-12  # the truncation is really there


def test_kink_in_derivative_falls_back_with_reported_bound():
    """φ = Max(tanh x, 0) has no closed-form dual (kinks away from 0 are exact: tests/kernels/test_kinked.py)."""
    with pytest.warns(UserWarning, match="no closed-form dual"):
        k = dot_product_kernel(sp.Max(sp.tanh(x), 0), "ntk", depth=2, hermite_order=24)
    assert not k.closed_form and k.error_bound == math.inf  # φ′ has a jump: no Lipschitz bound beyond 1 layer
    k1 = dot_product_kernel(sp.Max(sp.tanh(x), 0), "nngp", depth=1, hermite_order=64, tolerance=1e-2)
    ref = reference(lambda t: np.maximum(np.tanh(t), 0.0), None, 1, 1, 0.8, 1, 1.0, 0.0, kind="nngp")
    assert abs(float(k1(0.8)) - ref) <= k1.error_bound
    assert dot_product_kernel(sp.Max(x - 1, 0), "ntk", depth=2).error_bound == 0


# ---------------------------------------------------------------------- GELU (mpmath, 20 digits)
MPG = mpmath.mp.clone()
MPG.dps = 20


def _gelu_mp(t):
    return t * MPG.ncdf(t)


def _gelu_mp_prime(t):
    return MPG.ncdf(t) + t * MPG.npdf(t)


def _gelu_pair_mp(derivative, q, rho):
    """E f(u) f(v) for f = G = xΦ(x) or G′ = Φ(x) + xφ(x): an mpmath integral over u of f(u) times
    the conditional mean of f(v), v | u ~ N(μ, s²), from the normal identities (a = μ/√(1 + s²))
    E Φ(V) = Φ(a), E[(V − μ)Φ(V)] = s² φ(a)/√(1 + s²), E[V φ(V)] = φ(a) μ/(1 + s²)^{3/2}."""
    m = MPG
    r, sd = m.sqrt(q), m.sqrt(q * (1 - rho * rho))

    def cond(mu):
        root = m.sqrt(1 + sd * sd)
        a = mu / root
        if derivative:
            return m.ncdf(a) + m.npdf(a) * mu / root**3
        return mu * m.ncdf(a) + sd * sd * m.npdf(a) / root

    f = _gelu_mp_prime if derivative else _gelu_mp
    return m.quad(lambda z: f(r * z) * cond(r * rho * z) * m.npdf(z), [-m.inf, 0, m.inf])


def test_gelu_closed_form_against_mpmath():
    """φ = x Φ(x) (written x(1 + erf(x/√2))/2): depth 2 with bias, the layer expectations by mpmath
    quadrature (20 digits) of the conditional means above; the variance by 1-D quadrature."""
    m = MPG
    gelu = x * (1 + sp.erf(x / sp.sqrt(2))) / 2
    assert "gelu" in exact_dual(gelu, x).name
    w, b, c = m.mpf("1.3"), m.mpf("0.2"), m.mpf("0.45")
    q, sig = w * w + b * b, w * w * c + b * b
    th = sig
    for _ in range(2):
        rho = sig / q
        new = w * w * _gelu_pair_mp(False, q, rho) + b * b
        th = new + th * w * w * _gelu_pair_mp(True, q, rho)
        sig = new
        q = w * w * m.quad(lambda z: _gelu_mp(m.sqrt(q) * z) ** 2 * m.npdf(z), [-m.inf, 0, m.inf]) + b * b
    k = dot_product_kernel(gelu, "ntk", depth=2, w_std=sp.Rational(13, 10), b_std=sp.Rational(1, 5))
    assert float(k(0.45)) == pytest.approx(float(th), abs=1e-10 * float(th))
    kn = dot_product_kernel(gelu, "nngp", depth=2, w_std=sp.Rational(13, 10), b_std=sp.Rational(1, 5))
    assert float(kn(0.45)) == pytest.approx(float(sig), abs=1e-10 * float(sig))


def test_gelu_family_variants_against_quadrature():
    """c₀ + a x + b x Φ(γx), written with erf or erfc, depths 1–4 with biases (numpy quadrature)."""
    expr = sp.Rational(1, 10) + x / 2 + 3 * x * sp.erfc(-x) / 4  # x erfc(−x) = 2 x Φ(√2 x)
    d = exact_dual(expr, x)
    assert "gelu" in d.name and d.gamma == sp.sqrt(2) and d.b == sp.Rational(3, 2) and d.a == sp.Rational(1, 2)
    phi = lambda t: 0.1 + t / 2 + 1.5 * t * ndtr(math.sqrt(2) * t)
    dphi = lambda t: 0.5 + 1.5 * (ndtr(math.sqrt(2) * t) + math.sqrt(2) * t * np.exp(-t * t) / math.sqrt(2 * math.pi))
    for depth in (1, 2, 3, 4):
        k = dot_product_kernel(expr, "ntk", depth=depth, w_std=1.1, b_std=0.3)
        for c in (-1.0, 0.2, 1.0):
            ref = reference(phi, dphi, 1, 1, c, depth, 1.1, 0.3, kind="ntk")
            assert float(k(c)) == pytest.approx(ref, abs=1e-10 * max(1, abs(ref))), (depth, c)
    xx, yy, xy = np.array([0.5, 2.0]), np.array([1.7, 0.3]), np.array([0.4, -0.5])
    got = dot_product_kernel(expr, "ntk", depth=2, w_std=1.1, b_std=0.3).on_inputs(xx, yy, xy)
    for i in range(2):
        ref = reference(phi, dphi, xx[i], yy[i], xy[i], 2, 1.1, 0.3, kind="ntk")
        assert got[i] == pytest.approx(ref, abs=1e-10 * max(1, abs(ref)))
