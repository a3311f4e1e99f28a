"""Properties of CompiledLaw over scales 1e-12..1e12, Silverstein laws of up to 8 atoms and
ratios up to 10, and hard edges; each compared with an independent route written here
(closed forms, mpmath, the inverse function of the Silverstein equation)."""
import functools

import mpmath as mpm
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import symrmt as sr

from .conftest import mp_closed, sc_closed
from .test_law_accuracy import mp_cdf, silverstein_density, silverstein_edges

G, S2, T1, T2, C, A = sp.symbols("gamma s2 t1 t2 c a", positive=True)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# scales weighted toward the extremes of 1e-12..1e12
scales = st.one_of(st.sampled_from([1e-12, 1e12, 1e-9, 1e9, 1e-6, 1e6]),
                   st.floats(-12, 12).map(lambda e: float(10.0 ** e)))


@functools.lru_cache(None)
def mp_law():
    return sr.laws.marchenko_pastur(ratio=G, variance=S2).compile()


@functools.lru_cache(None)
def sc_law():
    return sr.laws.semicircle(variance=S2).compile()


@functools.lru_cache(None)
def sil2_law():
    return sr.laws.sample_covariance(sr.laws.atoms([T1, T2]), C).compile()


@functools.lru_cache(None)
def arcsine_law():
    return sr.free_add(sr.laws.atoms([0, A]), sr.laws.atoms([0, A])).compile()


@settings(max_examples=15, **SETTINGS)
@given(s=scales, gamma=st.sampled_from([0.1, 0.5, 0.9, 1.5, 3.0, 10.0]))
def test_mp_is_scale_equivariant(s, gamma):
    sol = mp_law()
    lm, lp = (1 - np.sqrt(gamma)) ** 2, (1 + np.sqrt(gamma)) ** 2
    atoms = sol.atoms(gamma=gamma, s2=s)
    if gamma > 1:
        assert len(atoms) == 1 and atoms[0][0] == 0.0 and abs(atoms[0][1] - (1 - 1 / gamma)) <= 1e-12
    else:
        assert atoms == []
    sup = [ab for ab in sol.support(gamma=gamma, s2=s) if ab[1] > ab[0]]
    assert len(sup) == 1 and np.allclose(np.array(sup[0]) / s, [lm, lp], rtol=1e-12, atol=0)
    u = lm + (lp - lm) * np.array([0.01, 0.3, 0.7, 0.99])
    ref = mp_closed(u + 0j, gamma).imag / np.pi
    np.testing.assert_allclose(sol.density(u * s, gamma=gamma, s2=s) * s, ref, rtol=1e-10)
    np.testing.assert_allclose(sol.stieltjes(s * (u + 0.1j), gamma=gamma, s2=s) * s,
                               mp_closed(u + 0.1j, gamma), rtol=1e-11)
    uc = np.array([0.5 * (lm + lp), lp + 1])
    np.testing.assert_allclose(sol.cdf(uc * s, gamma=gamma, s2=s), [mp_cdf(v, gamma) for v in uc],
                               rtol=0, atol=1e-10)
    assert abs(sol.mass(gamma=gamma, s2=s) - 1) <= 1e-10


@settings(max_examples=25, **SETTINGS)
@given(s=scales)
def test_semicircle_is_scale_equivariant(s):
    sol = sc_law()
    e = 2 * np.sqrt(s)
    (a, b), = sol.support(s2=s)
    assert abs(a + e) <= 1e-13 * e and abs(b - e) <= 1e-13 * e
    assert sol.atoms(s2=s) == []
    u = np.array([-1.99, -1.0, 0.0, 0.5, 1.999])
    x = u * np.sqrt(s)
    np.testing.assert_allclose(sol.density(x, s2=s) * np.sqrt(s), np.sqrt(4 - u**2) / (2 * np.pi), rtol=1e-10)
    np.testing.assert_allclose(sol.stieltjes(x + 0.3j * np.sqrt(s), s2=s), sc_closed(x + 0.3j * np.sqrt(s), s),
                               rtol=1e-11)
    exact = 0.5 + u * np.sqrt(4 - u**2) / (4 * np.pi) + np.arcsin(u / 2) / np.pi
    np.testing.assert_allclose(sol.cdf(x, s2=s), exact, rtol=0, atol=1e-10)


@settings(max_examples=12, **SETTINGS)
@given(s=scales, ratio=st.sampled_from([0.1, 0.5, 2.0]), t2=st.sampled_from([2, 5, 20]))
def test_two_atom_sample_covariance_is_scale_equivariant(s, ratio, t2):
    sol = sil2_law()
    kw = dict(t1=s, t2=t2 * s, c=ratio)
    crit = np.array(silverstein_edges([1, t2], [sp.Rational(1, 2)] * 2, sp.Rational(ratio)))
    sup = [ab for ab in sol.support(**kw) if ab[1] > ab[0]]
    edges = np.array([e for ab in sup for e in ab]) / s
    assert all(np.min(np.abs(crit - e)) <= 1e-9 * crit.max() for e in edges)
    assert abs(edges.max() - crit.max()) <= 1e-9 * crit.max()
    atoms = sol.atoms(**kw)
    if ratio > 1:
        assert len(atoms) == 1 and atoms[0][0] == 0.0 and abs(atoms[0][1] - (1 - 1 / ratio)) <= 1e-12
    else:
        assert atoms == []
    assert abs(sol.mass(**kw) - 1) <= 1e-9
    a, b = sup[-1]
    u = np.array([a + 0.3 * (b - a), a + 0.8 * (b - a)]) / s
    ref = silverstein_density([1, t2], [sp.Rational(1, 2)] * 2, sp.Rational(ratio), u)
    np.testing.assert_allclose(sol.density(u * s, **kw) * s, ref, rtol=1e-8)


def _silverstein_case(ts, ratio):
    ts = sorted(ts)
    law = sr.laws.sample_covariance(sr.laws.atoms(ts), ratio).compile()
    c = sp.Rational(ratio)
    crit = silverstein_edges(ts, [sp.Rational(1, len(ts))] * len(ts), c)
    sup = [ab for ab in law.support() if ab[1] > ab[0]]
    assert abs(sup[-1][1] - max(crit)) <= 1e-9 * max(crit)
    edges = np.array([e for ab in sup for e in ab])
    if c == 1:  # a hard edge at 0 (density ~ x^(-1/2)), not a critical value of z(m̲)
        crit = [0.0] + crit
    assert all(np.min(np.abs(np.array(crit) - e)) <= 1e-9 * max(crit) for e in edges)
    atoms = law.atoms()
    if c > 1:
        assert len(atoms) == 1 and atoms[0][0] == 0.0 and abs(atoms[0][1] - float(1 - 1 / c)) <= 1e-10
    else:
        assert atoms == []
    assert abs(law.mass() - 1) <= 1e-6
    assert abs(law.cdf(sup[-1][1] * 1.01) - 1) <= 1e-6


populations = st.lists(st.integers(1, 16), min_size=1, max_size=8, unique=True)
ratios = st.sampled_from(["1/10", "1/2", "1", "2", "3", "10"]).map(sp.Rational)


# each example compiles a law: no shrinking (a failure is reported as generated)
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]


@pytest.mark.slow  # minutes with a cold solver cache; run by make test-slow
@settings(max_examples=4, phases=NO_SHRINK, **SETTINGS)
@given(ts=st.lists(st.integers(1, 16), min_size=1, max_size=4, unique=True), ratio=ratios)
def test_silverstein_laws_small(ts, ratio):
    _silverstein_case(ts, ratio)


@pytest.mark.slow
@settings(max_examples=15, phases=NO_SHRINK, **SETTINGS)
@given(ts=populations, ratio=ratios)
def test_silverstein_laws_up_to_8_atoms(ts, ratio):
    _silverstein_case(ts, ratio)


@settings(max_examples=10, **SETTINGS)
@given(s=scales)
def test_hard_edges_mp_ratio_one(s):
    sol = mp_law()
    kw = dict(gamma=1.0, s2=s)
    assert sol.atoms(**kw) == []
    assert abs(sol.mass(**kw) - 1) <= 1e-11
    u = np.array([1e-10, 1e-6, 0.2, 2.0, 4.0])
    np.testing.assert_allclose(sol.cdf(u * s, **kw), [mp_cdf(v, 1) for v in u], rtol=1e-9, atol=1e-13)
    v = np.array([1e-12, 1e-6, 1.0])
    np.testing.assert_allclose(sol.density(v * s, **kw) * s, np.sqrt((4 - v) / v) / (2 * np.pi), rtol=1e-9)


@settings(max_examples=20, **SETTINGS)
@given(s=scales)
def test_hard_edges_arcsine(s):
    sol = arcsine_law()
    assert sol.atoms(a=s) == []
    (lo, hi), = sol.support(a=s)
    assert abs(lo) <= 1e-14 * s and abs(hi - 2 * s) <= 1e-14 * s
    u = np.array([1e-10, 0.3, 1.0, 1.9, 2 - 1e-9])
    np.testing.assert_allclose(sol.cdf(u * s, a=s), 2 / np.pi * np.arcsin(np.sqrt(u / 2)), rtol=1e-9, atol=1e-12)
    v = np.array([1e-9, 0.7, 1.99])
    np.testing.assert_allclose(sol.density(v * s, a=s) * s, 1 / (np.pi * np.sqrt(v * (2 - v))), rtol=1e-9)
    assert abs(sol.mass(a=s) - 1) <= 1e-10
