"""CompiledLaw in hard cases (issue 12, items 4-7): high-degree Silverstein laws, small and large
scales, hard edges, points near edges.

Every expected value is computed here by an independent route: closed forms (Marchenko–Pastur,
arcsine), mpmath at 40 digits, or the inverse function of the Silverstein equation,
``z(m̲) = -1/m̲ + c Σ_i w_i t_i/(1 + t_i m̲)`` (Silverstein & Choi 1995), whose critical values
are the edges and whose roots give the density (``ρ = Im m̲ / (c π)``).
"""
import mpmath as mpm
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ConvergenceError

mpm.mp.dps = 40
H = sp.Rational(1, 2)


# ---------------------------------------------------------------------- independent routes
def silverstein_edges(ts, ws, c):
    """Critical values of z(m̲) = -1/m̲ + c Σ w t/(1 + t m̲) at real critical points with z' = 0
    (the candidate edges of the support of the sample-covariance law), by mpmath polyroots."""
    mb = sp.Symbol("mb")
    zfun = -1 / mb + c * sum(w * t / (1 + t * mb) for t, w in zip(ts, ws))
    num = sp.Poly(sp.numer(sp.together(sp.diff(zfun, mb))), mb)
    roots = mpm.polyroots([mpm.mpf(sp.Rational(k).p) / sp.Rational(k).q for k in num.all_coeffs()],
                          maxsteps=400, extraprec=400)
    zf = sp.lambdify(mb, zfun, "mpmath")
    out = []
    for r in roots:
        if abs(mpm.im(r)) < mpm.mpf(10) ** -25 and abs(mpm.re(r)) > mpm.mpf(10) ** -30:
            out.append(float(zf(mpm.re(r))))
    return sorted(out)


def silverstein_density(ts, ws, c, x):
    """ρ(x) of the sample-covariance law: Im m̲/(cπ), m̲ the root in C+ of the cleared equation
    z m̲ Π(1 + t m̲) + Π(1 + t m̲) - c m̲ Σ_i w_i t_i Π_{j≠i}(1 + t_j m̲) = 0 (mpmath, 40 digits)."""
    mb = sp.Symbol("mb")
    prod = sp.Mul(*[(1 + t * mb) for t in ts])
    rest = sum(w * t * sp.Mul(*[(1 + tj * mb) for j, tj in enumerate(ts) if j != i])
               for i, (t, w) in enumerate(zip(ts, ws)))
    out = []
    for xv in np.atleast_1d(x):
        expr = sp.Rational(xv) * mb * prod + prod - c * mb * rest
        coeffs = [mpm.mpf(sp.Rational(k).p) / sp.Rational(k).q for k in sp.Poly(sp.expand(expr), mb).all_coeffs()]
        roots = mpm.polyroots(coeffs, maxsteps=400, extraprec=400)
        im = max(float(mpm.im(r)) for r in roots)
        out.append(max(im, 0.0) / (float(c) * np.pi))
    return np.array(out)


def mp_density(x, gamma, s2=1.0):
    """Marchenko–Pastur density at 40 digits (a.c. part), σ² = s2."""
    g, s2 = mpm.mpf(gamma), mpm.mpf(s2)
    lm, lp = s2 * (1 - mpm.sqrt(g)) ** 2, s2 * (1 + mpm.sqrt(g)) ** 2
    x = mpm.mpf(x)
    if not (lm < x < lp):
        return mpm.mpf(0)
    return mpm.sqrt((lp - x) * (x - lm)) / (2 * mpm.pi * g * s2 * x)


def mp_cdf(x, gamma, s2=1.0):
    """Marchenko–Pastur cdf by tanh-sinh quadrature at 40 digits (atom 1 - 1/γ at 0 for γ > 1)."""
    g, s2m = mpm.mpf(gamma), mpm.mpf(s2)
    lm, lp = s2m * (1 - mpm.sqrt(g)) ** 2, s2m * (1 + mpm.sqrt(g)) ** 2
    atom = max(1 - 1 / g, 0) if x >= 0 else 0
    hi = min(mpm.mpf(x), lp)
    if hi <= lm:
        return float(atom)
    return float(atom + mpm.quad(lambda t: mp_density(t, gamma, s2), [lm, hi]))


def test_independent_routes_are_right():
    # MP(1/2) cdf reaches 1; the Silverstein route reproduces MP for a one-atom population
    assert abs(mp_cdf(10.0, 0.5) - 1) < 1e-14
    e = silverstein_edges([1], [1], H)
    assert np.allclose(e, [(1 - np.sqrt(0.5)) ** 2, (1 + np.sqrt(0.5)) ** 2], rtol=1e-14)
    assert np.allclose(silverstein_density([1], [1], H, [1.0]), [float(mp_density(1.0, 0.5))], rtol=1e-12)


# ---------------------------------------------------------------------- item 4
@pytest.fixture(scope="module")
def sil8():
    return sr.laws.sample_covariance(sr.laws.atoms(range(1, 9)), 3).compile()


def test_silverstein_8_atoms_ratio_3(sil8):
    ts, ws, c = list(range(1, 9)), [sp.Rational(1, 8)] * 8, 3
    crit = silverstein_edges(ts, ws, c)
    # an atom 1 - 1/c = 2/3 at 0 (rank n < d), and the continuous part up to the upper edge
    (x0, w), = sil8.atoms()
    assert x0 == 0.0 and abs(w - 2 / 3) <= 1e-12
    sup = sil8.support()
    assert sup[0] == (0.0, 0.0)
    (a, b), = sup[1:]
    assert abs(b - max(crit)) <= 1e-10 * b            # ≈ 37.6043
    assert min(abs(a - e) for e in crit) <= 1e-10 * b  # ≈ 1.9955
    assert abs(b - 37.60427006669) < 1e-9
    assert abs(sil8.mass() - 1.0) <= 1e-9
    assert abs(sil8.cdf(1.0) - 2 / 3) <= 1e-12
    assert abs(sil8.cdf(b + 1) - 1.0) <= 1e-9
    x = np.array([2.5, 10.0, 20.0, 35.0, 37.5])
    np.testing.assert_allclose(sil8.density(x), silverstein_density(ts, ws, c, x), rtol=1e-7)


def silverstein_stieltjes(ts, ws, c, z):
    """m(z) of the sample-covariance law from the companion m̲ (the unique root in C+ of the
    cleared Silverstein equation, mpmath at 40 digits): m = (m̲ + (1 - c)/z) / c."""
    mb = sp.Symbol("mb")
    prod = sp.Mul(*[(1 + t * mb) for t in ts])
    rest = sum(w * t * sp.Mul(*[(1 + tj * mb) for j, tj in enumerate(ts) if j != i])
               for i, (t, w) in enumerate(zip(ts, ws)))
    zs = sp.Symbol("zs")
    cfs = [sp.lambdify(zs, k, "mpmath") for k in sp.Poly(sp.expand(zs * mb * prod + prod - c * mb * rest), mb).all_coeffs()]
    out = []
    for zv in np.atleast_1d(z):
        zz = mpm.mpc(zv.real, zv.imag if zv.imag > 0 else mpm.mpf(10) ** -30)
        roots = mpm.polyroots([f(zz) for f in cfs], maxsteps=500, extraprec=500)
        mbv = max(roots, key=lambda r: mpm.im(r))
        out.append(complex((mbv + (1 - c) / zz) / c))
    return np.array(out)


def test_silverstein_8_atoms_stieltjes_is_right_or_flagged(sil8):
    """Near the pole at 0 nine branches meet (m ≈ -2/(3z)): there the polynomial is too
    ill-conditioned for double precision, and the solver must say so (never a silent 2 % error)."""
    z = np.array([1j, 0.1j, 1e-3j, 1e-6j, 0.5 + 1e-3j, 0.05, 0.5, 1.0, 10 + 0.01j, 30.0])
    got = sil8.stieltjes(z, strict=False)
    ref = silverstein_stieltjes(list(range(1, 9)), [sp.Rational(1, 8)] * 8, 3, z)
    ok = np.isfinite(got)
    assert np.all(np.abs(got[ok] - ref[ok]) <= 1e-6 * np.abs(ref[ok]))
    assert ok[[0, 4, 6, 7, 8, 9]].all()       # away from the pole: answered
    if not ok.all():
        with pytest.raises(ConvergenceError):
            sil8.stieltjes(z[~ok])


# ---------------------------------------------------------------------- item 5
@pytest.mark.parametrize("s2", [1e-9, 1e-6, 1e6])
def test_mp_small_and_large_scales(s2):
    sol = sr.laws.marchenko_pastur(H, variance=sp.Rational(s2)).compile()
    lm, lp = s2 * (1 - np.sqrt(0.5)) ** 2, s2 * (1 + np.sqrt(0.5)) ** 2
    assert sol.atoms() == []
    (a, b), = sol.support()
    assert abs(a - lm) <= 1e-12 * lp and abs(b - lp) <= 1e-12 * lp
    x = np.array([0.1, 0.5, 1.5, 2.5, 2.9]) * s2
    exact = np.array([float(mp_density(v, 0.5, s2)) for v in x])
    np.testing.assert_allclose(sol.density(x, strict=True), exact, rtol=1e-11)
    assert abs(sol.mass() - 1.0) <= 1e-11
    xc = np.array([0.3, 1.0, 2.0]) * s2
    np.testing.assert_allclose(sol.cdf(xc), [mp_cdf(v, 0.5, s2) for v in xc], rtol=0, atol=1e-11)


def test_silverstein_small_scale_is_equivariant():
    c = sp.Rational(1, 10)
    small = sr.laws.sample_covariance(sr.laws.atoms([sp.Rational(1, 10**9), sp.Rational(2, 10**9)]), c).compile()
    crit = np.array(silverstein_edges([sp.Rational(1, 10**9), sp.Rational(2, 10**9)], [H, H], c))
    sup = small.support()
    assert small.atoms() == []
    edges = np.array([e for ab in sup for e in ab])
    assert all(np.min(np.abs(crit - e)) <= 1e-10 * 2e-9 for e in edges)
    assert abs(sup[-1][1] - crit.max()) <= 1e-10 * 2e-9
    assert abs(small.mass() - 1.0) <= 1e-10
    x = np.array([1.0, 1.5, 2.0]) * 1e-9
    x = x[[any(a < v < b for a, b in sup) for v in x]]
    ref = silverstein_density([1, 2], [H, H], c, x * 1e9) * 1e9
    np.testing.assert_allclose(small.density(x), ref, rtol=1e-9)


# ---------------------------------------------------------------------- item 6
def test_mp_ratio_one_hard_edge():
    sol = sr.laws.marchenko_pastur(1).compile()
    assert sol.atoms() == []
    assert abs(sol.cdf(4.0) - 1.0) <= 1e-12
    assert abs(sol.mass() - 1.0) <= 1e-12
    xs = [1e-9, 1e-4, 0.5, 1.0, 3.9]
    np.testing.assert_allclose(sol.cdf(xs), [mp_cdf(v, 1) for v in xs], rtol=1e-10, atol=1e-13)
    # near the hard edge ρ ~ 1/(π sqrt x)
    x = np.array([1e-12, 1e-8, 1e-3])
    np.testing.assert_allclose(sol.density(x), [float(mp_density(v, 1)) for v in x], rtol=1e-10)


def test_arcsine_has_no_atoms():
    sol = sr.free_add(sr.laws.atoms([0, 1]), sr.laws.atoms([0, 1])).compile()
    assert sol.atoms() == []
    (a, b), = sol.support()
    assert abs(a) <= 1e-14 and abs(b - 2) <= 1e-14
    assert abs(sol.mass() - 1.0) <= 1e-11
    xs = np.array([1e-10, 0.1, 1.0, 1.7, 2 - 1e-9])
    np.testing.assert_allclose(sol.cdf(xs), 2 / np.pi * np.arcsin(np.sqrt(xs / 2)), rtol=1e-10, atol=1e-12)
    x = np.array([1e-9, 0.5, 1.999999])
    np.testing.assert_allclose(sol.density(x), 1 / (np.pi * np.sqrt(x * (2 - x))), rtol=1e-9)


def test_silverstein_ratio_one_mass():
    sol = sr.laws.sample_covariance(sr.laws.atoms([1, 2, 4, 8, 16]), 1).compile()
    assert sol.atoms() == []
    assert abs(sol.mass() - 1.0) <= 1e-10
    crit = silverstein_edges([1, 2, 4, 8, 16], [sp.Rational(1, 5)] * 5, 1)
    assert abs(sol.support()[-1][1] - max(crit)) <= 1e-10 * max(crit)


# ---------------------------------------------------------------------- item 7
EPS = np.finfo(float).eps


def near_edge_tol(x, delta):
    """Relative accuracy that double precision allows for ρ(x) at distance δ from a square-root
    edge: ρ ∝ sqrt(δ), so rounding x (by eps |x|) moves ρ by eps |x| / (2δ) relative (the
    condition number of the problem, whatever the algorithm); a few times that, at least 1e-12."""
    return 4 * EPS * np.abs(x) / (2 * delta) + 1e-12


@pytest.mark.parametrize("s2", [1, sp.Rational(1, 10**9), 10**9])
@pytest.mark.parametrize("delta", [1e-6, 1e-7, 1e-8, 1e-9])
def test_mp_near_edges(delta, s2):
    mp = sr.laws.marchenko_pastur(H, variance=s2).compile()
    s2m = mpm.mpf(sp.Rational(s2).p) / sp.Rational(s2).q
    lm, lp = float(s2m * (1 - mpm.sqrt(0.5)) ** 2), float(s2m * (1 + mpm.sqrt(0.5)) ** 2)
    d = delta * float(s2m)
    x = np.array([lm + d, lp - d, lm + 3 * d, lp - 3 * d])
    exact = np.array([float(mp_density(mpm.mpf(v), 0.5, s2m)) for v in x])
    assert np.all(np.abs(mp.density(x) / exact - 1) <= near_edge_tol(x, d))


@pytest.mark.parametrize("delta", [1e-6, 1e-7, 1e-8])
def test_silverstein_near_edges(delta):
    ts, ws, c = [1, 3], [H, H], H
    sol = sr.laws.sample_covariance(sr.laws.atoms(ts), c).compile()
    (a, b), = sol.support()
    x = np.array([a + delta * b, b - delta * b])
    ref = silverstein_density(ts, ws, c, x)
    assert np.all(np.abs(sol.density(x) / ref - 1) <= near_edge_tol(x, delta * b))


def test_cdf_at_many_points_hard_and_soft_edges():
    """Many upper limits share the quadrature panels: still exact to ~1e-12."""
    x = np.concatenate([[1e-12, 1e-9], np.linspace(1e-3, 4.2, 300)])
    mp1 = sr.laws.marchenko_pastur(1).compile()
    xc = np.minimum(x, 4.0)
    exact = (np.sqrt(xc * (4 - xc)) + 4 * np.arcsin(np.sqrt(xc) / 2)) / (2 * np.pi)
    assert abs(exact[150] - mp_cdf(x[150], 1)) <= 1e-14   # the closed form is the MP(1) cdf
    np.testing.assert_allclose(mp1.cdf(x), exact, rtol=1e-10, atol=1e-13)
    arc = sr.free_add(sr.laws.atoms([0, 1]), sr.laws.atoms([0, 1])).compile()
    xa = np.concatenate([[1e-12], np.linspace(1e-3, 2.0, 200), [2 - 1e-12]])
    np.testing.assert_allclose(arc.cdf(xa), 2 / np.pi * np.arcsin(np.sqrt(xa / 2)), rtol=1e-10, atol=1e-12)
    mph = sr.laws.marchenko_pastur(H).compile()
    xs = np.linspace(0.05, 3.0, 40)
    np.testing.assert_allclose(mph.cdf(xs), [mp_cdf(v, 0.5) for v in xs], rtol=0, atol=1e-12)


def test_silverstein_near_upper_edge_error_is_reported(sil8):
    """Item 7 for a high-degree law: near the upper edge of the 8-atom law the attainable accuracy
    of double precision is limited by the conditioning of the degree-9 polynomial (rounding floor
    of P over |P_m|).  The values are not more accurate than that, but the bound is reported:
    ``stieltjes_report(...)["error"]`` must cover the true error (mpmath, 40 digits), so that a
    point is never silently less accurate than stated."""
    b = max(silverstein_edges(list(range(1, 9)), [sp.Rational(1, 8)] * 8, 3))
    x = b * (1 - np.array([1e-4, 1e-5, 1e-6, 1e-7, 1e-8]))
    rep = sil8.stieltjes_report(x)
    assert rep["converged"].all()
    ref = silverstein_stieltjes(list(range(1, 9)), [sp.Rational(1, 8)] * 8, 3, x.astype(complex))
    true_err = np.abs(rep["m"] - ref)
    assert np.all(true_err <= 2 * rep["error"] + 4e-16 * np.abs(ref))
    # the bound is informative, not vacuous: within a few orders of magnitude of the true error
    assert np.all(rep["error"] <= 1e-4 * np.abs(ref))


def test_cusp_where_m_vanishes():
    """semicircle ⊞ ½(δ₋₁ + δ₁): P = m³ + 2m²z + mz² + z, so m(0) = 0 is a triple root (the density
    has a cusp at 0, ρ ~ x^(1/3)).  The real-axis limit must be found there (Newton's relative step
    does not shrink at a multiple root at 0); reference: the root of largest Im of the cubic
    (numpy.roots), which at these x is well separated from the other two."""
    law = sr.free_add(sr.laws.semicircle(variance=1), sr.laws.atoms(points=[-1, 1]))
    sol = law.compile()
    x = np.array([0.0, 1e-12, 1e-9, 1e-6, 1e-3, 0.5])
    got = sol.density(x)
    ref = np.array([max(np.roots([1, 2 * v, v * v, v]).imag.max(), 0.0) / np.pi for v in x])
    assert abs(got[0]) <= 1e-10
    np.testing.assert_allclose(got[1:], ref[1:], rtol=1e-6)
