"""activation_from_kernel(method="nnls"): the non-negative least-squares / minimax fit of a target
kernel on a cosine interval (the recipe of Simon, Anand & DeWeese's code, arXiv 2106.03186).

References written here: the depth-2 ReLU NTK by the arc-cosine recursion (Cho & Saul 2009) and
cosh(2c) by numpy; the realised kernel is recomputed from the returned activation by
:func:`symrmt.kernels.dot_product_kernel` (activation → kernel, the opposite direction)."""
import math

import numpy as np
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.kernels import activation_from_kernel, dot_product_kernel, fit_kernel_coefficients

GRID = np.linspace(-1.0, 1.0, 2001)


def relu_ntk(c, depth):
    """Depth-L ReLU NTK (w_std = 1, b_std = 0): arc-cosine recursion with q_l = 2^{1−l}."""
    q, sig, th = 1.0, np.asarray(c, float), np.asarray(c, float)
    for _ in range(depth):
        r = np.clip(sig / q, -1, 1)
        new = q * (np.sqrt(1 - r**2) + (np.pi - np.arccos(r)) * r) / (2 * np.pi)
        th = new + th * (np.pi - np.arccos(r)) / (2 * np.pi)
        sig, q = new, q / 2
    return th


def test_fitted_mimic_within_1e2_of_depth2_relu_on_whole_interval():
    """Order 16, Lawson-reweighted NNLS: sup error < 1e-2 on [−1, 1], c = ±1 included; the
    Taylor series of the same order is 0.049 low at c = 1 (0.086 at order 6)."""
    deep = dot_product_kernel("relu", "ntk", depth=2)
    fit = activation_from_kernel(deep, method="nnls", order=16)
    ref = relu_ntk(GRID, 2)
    assert relu_ntk(1.0, 2) == pytest.approx(0.75, abs=1e-15)
    err = fit.kernel(GRID) - ref
    assert np.max(np.abs(err)) < 1e-2 and abs(err[-1]) < 1e-2 and abs(err[0]) < 1e-2, np.max(np.abs(err))
    assert fit.residual == pytest.approx(np.max(np.abs(err)), abs=1e-12)
    assert fit.residual_rms == pytest.approx(math.sqrt(np.mean(err**2)), abs=1e-12)
    assert fit.method == "nnls" and all(float(a) >= 0 for a in fit.kernel_coefficients)
    # the activation realises the fitted kernel exactly (one hidden layer, polynomial φ)
    back = dot_product_kernel(fit.expr, "ntk", depth=1)
    np.testing.assert_allclose(back(GRID[::50]), fit.kernel(GRID[::50]), atol=1e-10)
    for order, low in ((6, 0.0859), (16, 0.0494)):
        taylor = activation_from_kernel(deep, order=order)
        assert float(ref[-1] - taylor.kernel(1.0)) == pytest.approx(low, abs=1e-3)
        assert taylor.residual == pytest.approx(low, abs=1e-3)  # the worst point is c = 1


def test_cosh_2c():
    """K(c) = cosh 2c, order 4: Taylor is 0.096 low at c = 1; the fit is within 4e-3 everywhere
    (RMS ~2e-3, as in the paper's code); plain NNLS (lawson=0) is not better than the minimax fit."""
    target = lambda c: np.cosh(2 * c)
    fit = activation_from_kernel(target, method="nnls", order=4)
    err = fit.kernel(GRID) - np.cosh(2 * GRID)
    assert np.max(np.abs(err)) < 4e-3 and math.sqrt(np.mean(err**2)) < 3e-3
    taylor = [sp.Integer(2) ** k / sp.factorial(k) if k % 2 == 0 else 0 for k in range(5)]
    t = activation_from_kernel(taylor)
    assert math.cosh(2) - float(t.kernel(1.0)) == pytest.approx(math.cosh(2) - 1 - 2 - sp.Rational(2, 3), abs=1e-14)
    assert math.cosh(2) - float(t.kernel(1.0)) > 0.09
    plain = activation_from_kernel(target, method="nnls", order=4, lawson=0)
    assert plain.residual >= fit.residual - 1e-12
    # a kernel with an exact non-negative polynomial form is recovered
    a = [0.5, 0.0, 0.25, 0.0, 0.125]
    exact = activation_from_kernel(a, method="nnls", kind="nngp")
    np.testing.assert_allclose([float(v) for v in exact.kernel_coefficients], a, atol=1e-10)
    assert exact.residual < 1e-10


def test_interval_and_fit_helper():
    """A fit on [0, 1] only: better there than the fit on [−1, 1] of the same order."""
    deep = dot_product_kernel("relu", "ntk", depth=3)
    half = activation_from_kernel(deep, method="nnls", order=8, interval=(0.0, 1.0))
    whole = activation_from_kernel(deep, method="nnls", order=8)
    c = np.linspace(0, 1, 501)
    assert np.max(np.abs(half.kernel(c) - deep(c))) < np.max(np.abs(whole.kernel(c) - deep(c)))
    assert half.interval == (0.0, 1.0)
    a, sup, rms = fit_kernel_coefficients(deep, 8, (0.0, 1.0))
    np.testing.assert_allclose(a, [float(v) for v in half.kernel_coefficients], atol=1e-12)
    assert sup == half.residual and rms <= sup


def test_bad_arguments():
    deep = dot_product_kernel("relu", "ntk", depth=2)
    with pytest.raises(ParameterError, match="method"):
        activation_from_kernel(deep, method="lsq", order=4)
    with pytest.raises(ParameterError, match="order"):
        activation_from_kernel(deep)  # taylor on a kernel: needs an order
    with pytest.raises(ParameterError, match="nnls"):
        activation_from_kernel(lambda c: c, order=3)  # a plain callable has no series
    with pytest.raises(ParameterError, match="interval"):
        activation_from_kernel(deep, method="nnls", interval=(0.5, 0.2))
    with pytest.raises(ParameterError, match="interval"):
        activation_from_kernel(deep, method="nnls", interval=(-2, 1))
    with pytest.raises(ParameterError, match="finite"):
        activation_from_kernel(lambda c: np.full_like(c, np.nan), method="nnls", order=3)
    with pytest.raises(ParameterError, match="could not be evaluated"):
        activation_from_kernel(lambda c: {}["x"], method="nnls", order=3)
    with pytest.raises(ParameterError, match="points"):
        activation_from_kernel(deep, method="nnls", order=10, points=5)
    with pytest.raises(ParameterError, match="lawson"):
        activation_from_kernel(deep, method="nnls", order=4, lawson=-1)


def test_fitted_mimic_kernel_mass_lies_far_out():
    """Why a plain wide network cannot check the fitted mimic at c = 1: its per-neuron NTK term
    φ(h)² + φ′(h)² (E over h ~ N(0, 1), v² averaged to 1) has mean Σ a_k = the fitted Θ(1), but
    0.058 of it comes from |h| > 5.5 (probability 3.8e-8, i.e. one neuron in 2.6e7) and 0.033
    from |h| > 7 (one in 3.9e11): the Hermite terms of degree 15–16 that mimic the √(1 − c)
    singularity carry their mass near |h| ≈ 2√k ≈ 8.  Computed here with numpy's HermiteE series
    and scipy quadrature."""
    from numpy.polynomial import hermite_e as He
    from scipy import integrate, stats

    fit = activation_from_kernel(dot_product_kernel("relu", "ntk", depth=2), method="nnls", order=16)
    ce = np.array([b / math.sqrt(math.factorial(k)) for k, b in enumerate(fit.as_floats())])
    term = He.hermeadd(He.hermemul(ce, ce), He.hermemul(He.hermeder(ce), He.hermeder(ce)))
    f = lambda h: He.hermeval(h, term) * stats.norm.pdf(h)  # noqa: E731
    total = integrate.quad(f, -np.inf, np.inf, limit=200)[0]
    assert total == pytest.approx(float(fit.kernel(1.0)), rel=1e-9)
    far = integrate.quad(f, 5.5, np.inf, limit=200)[0] + integrate.quad(f, -np.inf, -5.5, limit=200)[0]
    assert far > 0.05
    seven = integrate.quad(f, 7, np.inf, limit=200)[0] + integrate.quad(f, -np.inf, -7, limit=200)[0]
    assert seven > 0.03
    assert 2 * stats.norm.sf(5.5) < 4e-8
