"""sr.kernels: Hermite coefficients, NNGP/NTK dot-product kernels and their inverse (Simon, Anand &
DeWeese, arXiv 2106.03186).  References are independent: closed forms written here (Cho & Saul
arc-cosine kernels, Williams' arcsin kernel), scipy quadrature, Cauchy integrals of the closed forms."""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

import symrmt as sr
from symrmt.errors import DerivationError, ParameterError
from symrmt.kernels import activation_from_kernel, dot_product_kernel, hermite_coefficients

x = sp.Symbol("x")
C = np.linspace(-1.0, 1.0, 41)


# ---------------------------------------------------------------- independent references
def gauss_quad(f):
    """E f(G) by scipy quad on the two half-lines."""
    g = lambda t: f(t) * math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    return quad(g, -np.inf, 0, epsabs=1e-12, limit=200)[0] + quad(g, 0, np.inf, epsabs=1e-12, limit=200)[0]


def he(k, t):
    """Probabilists' Hermite polynomial by numpy's own basis."""
    return np.polynomial.hermite_e.hermeval(t, [0] * k + [1])


def arccos0(r):  # Cho & Saul 2009, degree 0, normalised so that E[H(u)H(v)] = arccos0/2
    return (np.pi - np.arccos(r)) / np.pi


def arccos1(r):  # degree 1: E[relu(u)relu(v)] = q * arccos1/2 for unit correlation r, variance q
    return (np.sqrt(1 - r**2) + (np.pi - np.arccos(r)) * r) / np.pi


def relu_reference(c, depth):
    """NNGP and NTK of a depth-L ReLU net (w_std = 1, b_std = 0), arc-cosine recursion."""
    q, sig, th = 1.0, np.asarray(c, float), np.asarray(c, float)
    for _ in range(depth):
        r = sig / q
        new = q * arccos1(r) / 2
        th = new + th * arccos0(r) / 2
        sig, q = new, q / 2
    return sig, th


# ---------------------------------------------------------------- Hermite coefficients
def test_relu_coefficients_exact():
    b = hermite_coefficients("relu", 6, method="exact")
    assert b.exact and len(b) == 7
    assert sp.simplify(b[0] - 1 / sp.sqrt(2 * sp.pi)) == 0
    assert b[1] == sp.Rational(1, 2)
    assert sp.simplify(b[2] - 1 / (2 * sp.sqrt(sp.pi))) == 0
    assert all(b[k] == 0 for k in (3, 5))
    for k in (2, 4, 6):  # even ones against scipy quadrature of relu * h_k
        ref = gauss_quad(lambda t: max(t, 0.0) * he(k, t)) / math.sqrt(math.factorial(k))
        assert float(b[k]) == pytest.approx(ref, abs=1e-10)


@pytest.mark.parametrize("act, f", [("tanh", math.tanh), (sp.Abs(x), abs), (x**3 - x, lambda t: t**3 - t)])
def test_coefficients_against_scipy(act, f):
    b = hermite_coefficients(act, 6)
    for k in range(7):
        ref = gauss_quad(lambda t: f(t) * he(k, t)) / math.sqrt(math.factorial(k))
        assert float(b[k]) == pytest.approx(ref, abs=1e-9)
    assert b.tail() >= 0


def test_quadrature_route_matches_exact_and_parseval():
    ex = hermite_coefficients("erf", 3, method="exact")
    qu = hermite_coefficients("erf", 3, method="quadrature")
    assert ex.exact and not qu.exact
    np.testing.assert_allclose(ex.as_floats(), qu.as_floats(), atol=1e-10)
    # Parseval: E erf(G)^2 = (2/π) asin(2/3)
    assert float(ex.second_moment) == pytest.approx(2 / math.pi * math.asin(2 / 3), rel=1e-12)


# ---------------------------------------------------------------- kernels vs closed forms
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_relu_against_arc_cosine(depth):
    sig, th = relu_reference(C, depth)
    np.testing.assert_allclose(dot_product_kernel("relu", "nngp", depth)(C), sig, atol=1e-13)
    np.testing.assert_allclose(dot_product_kernel("relu", "ntk", depth)(C), th, atol=1e-13)


def test_erf_against_arcsin_kernel():
    nngp = 2 / np.pi * np.arcsin(2 * C / 3)
    ntk = nngp + C * 4 / np.pi / np.sqrt(9 - 4 * C**2)  # E erf'(u)erf'(v) = (4/π)((1+2q)^2 − 4ρ^2)^{-1/2}
    np.testing.assert_allclose(dot_product_kernel("erf", "nngp")(C), nngp, atol=1e-13)
    np.testing.assert_allclose(dot_product_kernel("erf", "ntk")(C), ntk, atol=1e-13)


def _gh2(f, q, rho, n=200):
    """E f(u, v), (u, v) ~ N(0, q[[1, ρ], [ρ, 1]]), by a tensor Gauss–Hermite rule (independent)."""
    t, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / math.sqrt(2 * math.pi)
    u = math.sqrt(q) * t[:, None]
    v = math.sqrt(q) * (rho * t[:, None] + math.sqrt(1 - rho**2) * t[None, :])
    return float(np.sum(w[:, None] * w[None, :] * f(u, v)))


@pytest.mark.parametrize("act", ["erf", "tanh"])
def test_deep_recursion_with_bias_against_quadrature(act):
    """Depth 2 with w_std = 1.3, b_std = 0.4: the layer recursion computed here by 2-d quadrature."""
    w, b = 1.3, 0.4
    phi = {"erf": lambda z: np.vectorize(math.erf)(z), "tanh": np.tanh}[act]
    dphi = {"erf": lambda z: 2 / math.sqrt(math.pi) * np.exp(-z * z), "tanh": lambda z: 1 - np.tanh(z) ** 2}[act]
    kn = dot_product_kernel(act, "nngp", depth=2, w_std=w, b_std=b, hermite_order=60)
    kt = dot_product_kernel(act, "ntk", depth=2, w_std=w, b_std=b, hermite_order=60)
    for c in (-0.6, 0.0, 0.45, 0.9):
        q, sig, th = w * w + b * b, w * w * c + b * b, w * w * c + b * b
        for _ in range(2):
            r = sig / q
            new = w * w * _gh2(lambda u, v: phi(u) * phi(v), q, r) + b * b
            th = new + th * w * w * _gh2(lambda u, v: dphi(u) * dphi(v), q, r)
            sig, q = new, w * w * _gh2(lambda u, v: phi(u) ** 2, q, 0.0) + b * b
        assert kn(c) == pytest.approx(sig, abs=1e-7)
        assert kt(c) == pytest.approx(th, abs=1e-7)


def test_linear_activation_is_exact_at_any_depth():
    k = dot_product_kernel(x, "ntk", depth=3)  # linear net: NTK = (L + 1) c
    np.testing.assert_allclose(k(C), 4 * C, atol=1e-13)
    assert k.series(3) == 4 * k.symbol


# ---------------------------------------------------------------- series
def test_exact_series_depth1_relu():
    b = [1 / sp.sqrt(2 * sp.pi), sp.Rational(1, 2), 1 / (2 * sp.sqrt(sp.pi)), 0, -1 / (4 * sp.sqrt(3 * sp.pi))]
    ntk = dot_product_kernel("relu", "ntk").coefficients(4, exact=True)
    nngp = dot_product_kernel("relu", "nngp").coefficients(4, exact=True)
    for k in range(5):
        assert sp.simplify(ntk[k] - (k + 1) * b[k] ** 2) == 0
        assert sp.simplify(nngp[k] - b[k] ** 2) == 0


def _cauchy_coefficients(f, order, radius=0.5, n=512):
    z = radius * np.exp(2j * np.pi * np.arange(n) / n)
    vals = f(z)
    return np.array([np.mean(vals * z ** (-k)).real for k in range(order + 1)])


def _relu_ntk_complex(z, depth):
    # the same arc-cosine recursion, evaluated at complex cosines (principal branches, |z| < 1)
    q, sig, th = 1.0, z, z
    for _ in range(depth):
        r = sig / q
        new = q * (np.sqrt(1 - r**2) + (np.pi - np.arccos(r)) * r) / (2 * np.pi)
        th = new + th * (np.pi - np.arccos(r)) / (2 * np.pi)
        sig, q = new, q / 2
    return th


@pytest.mark.parametrize("depth", [2, 3])
def test_series_coefficients_against_cauchy_integral(depth):
    k = dot_product_kernel("relu", "ntk", depth)
    a = np.array(k.coefficients(12))
    ref = _cauchy_coefficients(lambda z: _relu_ntk_complex(z, depth), 12)
    np.testing.assert_allclose(a, ref, atol=1e-12)
    assert np.all(a >= -1e-15)  # a PSD dot-product kernel


def test_exact_deep_series_matches_numeric():
    k = dot_product_kernel("relu", "ntk", 2)
    ex = k.coefficients(3, exact=True)
    assert all(isinstance(v, sp.Expr) and not v.has(sp.Float) for v in ex)
    np.testing.assert_allclose([float(sp.N(v, 30)) for v in ex], k.coefficients(3), rtol=1e-14)


def test_partial_sums_converge_to_closed_form():
    k = dot_product_kernel("relu", "ntk", 2)
    for c in (0.5, 0.9, -0.7):
        errs = [abs(float(k.truncation_error(n, c))) for n in (4, 8, 16, 32)]
        assert all(e2 < e1 for e1, e2 in zip(errs, errs[1:]))
    assert abs(float(k.truncation_error(32, 0.5))) < 1e-10
    # at c = 1 the tail of a_k ~ k^{-3/2} decays slowly but does decay
    assert abs(float(k.truncation_error(40, 1.0))) < abs(float(k.truncation_error(10, 1.0)))


# ---------------------------------------------------------------- inverse map
def test_round_trip_exact():
    target = dot_product_kernel("relu", "ntk")
    a = target.coefficients(4, exact=True)
    act = activation_from_kernel(a, kind="ntk")
    back = dot_product_kernel(act.expr, "ntk").coefficients(4, exact=True)
    assert all(sp.simplify(u - v) == 0 for u, v in zip(a, back))
    # the activation's own Hermite coefficients are the b_k
    hc = hermite_coefficients(act.expr, 4)
    assert all(sp.simplify(u - v) == 0 for u, v in zip(hc, act.coefficients))


@pytest.mark.parametrize("kind", ["ntk", "nngp"])
def test_round_trip_numeric_deep_target(kind):
    target = dot_product_kernel("relu", kind, depth=3)
    a = target.coefficients(8)
    expr, b = activation_from_kernel(a, kind=kind)
    back = dot_product_kernel(expr, kind)
    np.testing.assert_allclose(back.coefficients(8), a, atol=1e-12)
    np.testing.assert_allclose(back(C), np.polynomial.polynomial.polyval(C, a), atol=1e-12)


def test_sign_freedom_leaves_kernel_unchanged():
    a = dot_product_kernel("relu", "ntk", depth=2).coefficients(6)
    plus = activation_from_kernel(a, "ntk")
    rng = np.random.default_rng(3)
    signs = [int(s) for s in rng.choice([-1, 1], size=7)]
    signs[1] = -1
    other = activation_from_kernel(a, "ntk", signs=signs)
    assert sp.simplify(plus.expr - other.expr) != 0
    np.testing.assert_allclose(other.as_floats(), np.array(signs) * plus.as_floats())
    for kind in ("ntk", "nngp"):
        np.testing.assert_allclose(dot_product_kernel(other.expr, kind)(C), dot_product_kernel(plus.expr, kind)(C),
                                   atol=1e-13)


def test_lazy_package():
    assert sr.kernels.dot_product_kernel is dot_product_kernel


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [sp.exp(x**2), sp.exp(x**2 / 3)])
def test_divergent_moments(bad):
    with pytest.raises(ParameterError, match="activation"):
        hermite_coefficients(bad, 3)
    with pytest.raises(ParameterError, match="activation"):
        dot_product_kernel(bad)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="order"):
        hermite_coefficients("relu", -1)
    with pytest.raises(ParameterError, match="depth"):
        dot_product_kernel("relu", depth=0)
    with pytest.raises(ParameterError, match="depth"):
        dot_product_kernel("relu", depth=1.5)
    with pytest.raises(ParameterError, match="kind"):
        dot_product_kernel("relu", kind="cntk")
    with pytest.raises(ParameterError, match="w_std"):
        dot_product_kernel("relu", w_std=0)
    with pytest.raises(ParameterError, match="b_std"):
        dot_product_kernel("relu", b_std=-1)
    with pytest.raises(ParameterError, match="jump"):
        dot_product_kernel("sign", kind="ntk")
    with pytest.raises(ParameterError, match="order"):
        dot_product_kernel("relu").coefficients(-2)
    with pytest.raises(ParameterError, match=r"\[-1, 1\]"):
        dot_product_kernel("relu")([0.5, 1.5])
    with pytest.raises(DerivationError, match="no exact series"):
        dot_product_kernel("tanh", depth=2).coefficients(2, exact=True)


def test_inverse_bad_arguments():
    with pytest.raises(ParameterError, match="positive semi-definite"):
        activation_from_kernel([1, -sp.Rational(1, 10), 1])
    with pytest.raises(ParameterError, match="positive semi-definite"):
        activation_from_kernel(np.array([0.5, -1e-3]))
    assert activation_from_kernel([0.5, -1e-18], atol=1e-15).coefficients[1] == 0
    with pytest.raises(ParameterError, match="signs"):
        activation_from_kernel([1, 1], signs=[1])
    with pytest.raises(ParameterError, match="signs"):
        activation_from_kernel([1, 1], signs=[1, 2])
    with pytest.raises(ParameterError, match="kind"):
        activation_from_kernel([1, 1], kind="rbf")
    with pytest.raises(ParameterError, match="coefficients"):
        activation_from_kernel([])
    with pytest.raises(ParameterError, match="coefficients"):
        activation_from_kernel(["1", 2])
    with pytest.raises(ParameterError, match="coefficients"):
        activation_from_kernel([1.0, float("nan")])


def test_relu_with_bias_against_arc_cosine():
    """w_std = 1.3, b_std = 0.4: variances change layer to layer; recursion written here."""
    w2, b2 = 1.69, 0.16
    q, sig, th = w2 + b2, w2 * C + b2, w2 * C + b2
    for _ in range(2):
        r = sig / q
        new = w2 * q * arccos1(r) / 2 + b2
        th = new + th * w2 * arccos0(r) / 2
        sig, q = new, w2 * q / 2 + b2
    np.testing.assert_allclose(dot_product_kernel("relu", "nngp", 2, w_std=1.3, b_std=0.4)(C), sig, atol=1e-13)
    np.testing.assert_allclose(dot_product_kernel("relu", "ntk", 2, w_std=1.3, b_std=0.4)(C), th, atol=1e-13)


@pytest.mark.parametrize("act, kind, w, b", [("erf", "ntk", 1, sp.Rational(1, 2)), ("sign", "nngp", 2, 0),
                                             ("relu", "ntk", sp.sqrt(2), sp.Rational(1, 3))])
@pytest.mark.slow  # minutes with a cold solver cache; run by make test-slow
def test_series_consistent_with_closed_form_depth2(act, kind, w, b):
    k = dot_product_kernel(act, kind, 2, w_std=w, b_std=b)
    a = k.coefficients(3, exact=True)
    np.testing.assert_allclose([float(sp.N(v, 30)) for v in a], k.coefficients(3), rtol=1e-13, atol=1e-15)
    assert np.max(np.abs(k.truncation_error(40, [-0.5, 0.0, 0.5]))) < 1e-10
