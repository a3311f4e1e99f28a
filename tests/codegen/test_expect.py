"""``sr.expect`` inside Systems: loops over run-time measure arrays, one module for every measure."""
import time

import numpy as np
import pytest
import sympy as sp

from symrmt.codegen.compile import system_source
from symrmt.errors import ParameterError
from symrmt.measures import empirical, expect, power_law
from symrmt.symbolic.expect import Expect, MeasureRef
from symrmt.symbolic.system import System

T = sp.Symbol("t", positive=True)
K, Q, LAM, S2, SIG = sp.symbols("kappa q ridge noise signal", positive=True)


def ridge_system(mu):
    df1 = expect(T / (T + K), T, mu)
    df2 = expect(T**2 / (T + K) ** 2, T, mu)
    t2 = expect(T / (T + K) ** 2, T, mu)
    test = (K**2 * SIG * t2 + S2) / (1 - Q * df2)
    return System([K * (1 - Q * df1) - LAM], [K], [Q, LAM, S2, SIG], observables={"df1": df1, "test_error": test},
                  domains={K: "positive"}, initial={K: LAM + Q}, name="ridge_expect")


def numpy_ridge(t, w, q, lam, noise, signal):
    """Independent route: bisection on λ = κ(1 − q·df1(κ)) (increasing in κ), then the test error."""
    lo, hi = np.full_like(lam, 1e-300), lam + q * np.max(t) + 1.0
    for _ in range(90):
        mid = 0.5 * (lo + hi)
        f = mid * (1 - q * ((w * t)[None, :] / (t[None, :] + mid[:, None])).sum(axis=1)) - lam
        lo, hi = np.where(f < 0, mid, lo), np.where(f < 0, hi, mid)
    k = 0.5 * (lo + hi)
    df2 = (w * t**2 / (t[None, :] + k[:, None]) ** 2).sum(axis=1)
    t2 = (w * t / (t[None, :] + k[:, None]) ** 2).sum(axis=1)
    return k, (k**2 * signal * t2 + noise) / (1 - q * df2)


def test_node_derivative_is_expectation_of_derivative():
    e = expect(T / (T + K), T, MeasureRef.slot(0))
    assert sp.diff(e, K) == Expect(-T / (T + K) ** 2, T, MeasureRef.slot(0))
    assert e.free_symbols == {K}
    assert expect(K**2, T, MeasureRef.slot(0)) == K**2   # mass 1


def test_source_does_not_depend_on_the_measure():
    rng = np.random.default_rng(1)
    small = ridge_system(empirical(rng.uniform(0.1, 2, 10)))
    large = ridge_system(power_law(1.5, 100000))
    assert small._fingerprint() != large._fingerprint()
    assert system_source(small) == system_source(large)


def _generated_function(src, name):
    start = src.index(f"def {name}(")
    end = src.find("\n@njit", start)
    return src[start:end if end >= 0 else len(src)]


def test_real_unknowns_get_only_the_real_loop():
    """A positive unknown is real at every evaluation (projected before each one): the loops over
    the atoms exist once, in real arithmetic (no complex copy to compile).  An integrand in a
    complex parameter keeps both copies (the real one runs on the real axis)."""
    mu = empirical([0.5, 1.0, 2.0])
    src = system_source(ridge_system(mu))
    for name in ("_ex_fj", "_ex_obs"):
        body = _generated_function(src, name)
        assert body.count("for i in range(") == 1 and "_recip(" not in body and ".imag" not in body
    m, z = sp.symbols("m z")
    stieltjes = System([m - expect(1 / (T - z), T, mu)], [m], [z], domains={m: "upper"}, initial={m: -1 / z})
    body = _generated_function(system_source(stieltjes), "_ex_fj")
    assert body.count("for i in range(") == 2 and "_recip(" in body and ".imag == 0.0" in body


def test_one_module_for_every_measure_and_size():
    rng = np.random.default_rng(2)
    cs1 = ridge_system(empirical(rng.uniform(0.1, 2, 100))).compile()
    t0 = time.perf_counter()
    cs2 = ridge_system(empirical(rng.uniform(0.1, 2, 10000))).compile()
    assert time.perf_counter() - t0 < 3.0
    assert cs1.module is cs2.module


def test_ridge_with_random_population_matches_bisection():
    rng = np.random.default_rng(3)
    pts = rng.gamma(2.0, 0.5, size=10000)
    mu = empirical(pts)
    lam = np.logspace(-4, 1, 60)
    res = ridge_system(mu).compile().solve(q=0.7, ridge=lam, noise=0.2, signal=1.0)
    k, err = numpy_ridge(pts, np.full(pts.size, 1e-4), 0.7, lam, 0.2, 1.0)
    assert res.converged.all()
    np.testing.assert_allclose(res["kappa"], k, rtol=1e-9)
    np.testing.assert_allclose(res["test_error"], err, rtol=1e-9)


def test_weighted_measure_and_two_measures():
    a = empirical([0.5, 2.0], [0.3, 0.7])
    b = empirical([1.0, 3.0, 4.0], [0.2, 0.2, 0.6])
    x, y = sp.symbols("x y", positive=True)
    # u = E_a[1/(x + u)] + E_b[y/(y + 1)] has one positive root (the right side decreases in u)
    sysm = System([K - expect(1 / (T + K), T, a) - expect(T / (T + 1), T, b)], [K], [], domains={K: "positive"})
    res = sysm.compile().solve()
    kk = float(res["kappa"])
    rhs = 0.3 / (0.5 + kk) + 0.7 / (2 + kk) + 0.2 * 0.5 + 0.2 * 0.75 + 0.6 * 0.8
    assert kk == pytest.approx(rhs, rel=1e-12)


def test_bad_expect_input():
    with pytest.raises(ParameterError, match="var"):
        expect(T, "t", empirical([1.0]))
    with pytest.raises(ParameterError, match="measure"):
        expect(T, T, "not a measure")
    with pytest.raises(ParameterError, match="points"):
        expect(T, T, [np.nan, 2.0])
    with pytest.raises(ParameterError, match="nested"):
        expect(expect(T * K, T, empirical([1.0, 2.0])) * T, T, empirical([1.0]))
