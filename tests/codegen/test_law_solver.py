"""CompiledLaw against closed forms (MP, semicircle) and an independent root-tracking route (cubics)."""
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

import symrmt as sr

from .conftest import mp_closed, sc_closed

H = sp.Rational(1, 2)


def _edge_grid(edges, lo, hi, n=41):
    """Grid over [lo, hi] plus points 1e-6 inside and outside every edge."""
    pts = [np.linspace(lo, hi, n)]
    for e in edges:
        pts.append(np.array([e - 1e-6, e + 1e-6, e - 1e-3, e + 1e-3]))
    return np.sort(np.concatenate(pts))


@pytest.mark.parametrize("gamma", [0.5, 0.25])
def test_mp_matches_closed_form(mp, gamma):
    lm, lp = (1 - np.sqrt(gamma)) ** 2, (1 + np.sqrt(gamma)) ** 2
    x = _edge_grid([lm, lp], -1.0, 5.0)
    for eta in (0.0, 1e-8, 1e-3, 0.5, 10.0):
        z = x + 1j * eta
        got = mp.stieltjes(z, gamma=gamma)
        assert np.max(np.abs(got - mp_closed(z, gamma))) <= 1e-12
    dens = mp.density(x, gamma=gamma)
    assert np.max(np.abs(dens - mp_closed(x + 0j, gamma).imag / np.pi)) <= 1e-12
    assert np.all(dens[(x < lm) | (x > lp)] == 0.0)


def test_mp_with_atom_gamma_2(mp):
    gamma = 2.0
    lm, lp = (1 - np.sqrt(gamma)) ** 2, (1 + np.sqrt(gamma)) ** 2
    x = _edge_grid([lm, lp], 0.05, 7.0)
    got = mp.stieltjes(x + 1e-2j, gamma=gamma)
    assert np.max(np.abs(got - mp_closed(x + 1e-2j, gamma))) <= 1e-12
    assert np.max(np.abs(mp.density(x, gamma=gamma) - mp_closed(x + 0j, gamma).imag / np.pi)) <= 1e-12
    (x0, w), = mp.atoms(gamma=gamma)
    assert abs(x0) <= 1e-12 and abs(w - (1 - 1 / gamma)) <= 1e-10
    assert mp.stieltjes(0.0, gamma=gamma) == complex(0, np.inf)   # pole at the atom
    sup = mp.support(gamma=gamma)
    assert sup[0] == (x0, x0)
    assert np.allclose(sup[1], (lm, lp), rtol=0, atol=1e-12)
    # density integrates to the a.c. mass 1/γ; with the atom the total is 1
    ac = quad(lambda t: mp.density(t, gamma=gamma), lm, lp, limit=200, epsabs=1e-12)[0]
    assert abs(ac - 1 / gamma) <= 1e-9
    assert abs(mp.mass(gamma=gamma) - 1.0) <= 1e-10
    assert abs(mp.cdf(0.0, gamma=gamma) - (1 - 1 / gamma)) <= 1e-10   # right-continuous at the atom


@pytest.mark.parametrize("s2", [1.0, 2.5])
def test_semicircle_matches_closed_form(sc, s2):
    e = 2 * np.sqrt(s2)
    x = _edge_grid([-e, e], -5.0, 5.0)
    for eta in (0.0, 1e-6, 0.1, 3.0):
        z = x + 1j * eta
        assert np.max(np.abs(sc.stieltjes(z, s2=s2) - sc_closed(z, s2))) <= 1e-12
    sup = sc.support(s2=s2)
    assert len(sup) == 1 and np.allclose(sup[0], (-e, e), rtol=0, atol=1e-12)
    # cdf against the closed form F(x) = 1/2 + (x sqrt(4σ²-x²))/(4πσ²) + arcsin(x/2σ)/π
    xs = np.array([-e, -1.0, 0.0, 0.3, e * 0.999, e])
    exact = 0.5 + xs * np.sqrt(np.maximum(4 * s2 - xs**2, 0)) / (4 * np.pi * s2) + np.arcsin(np.clip(xs / e, -1, 1)) / np.pi
    assert np.max(np.abs(sc.cdf(xs, s2=s2) - exact)) <= 1e-10


def test_broadcasting_parameters(mp):
    z = np.array([0.5 + 0.1j, 1.0 + 0.1j, 2.0 + 0.1j])[:, None]
    g = np.array([0.25, 0.5])[None, :]
    got = mp.stieltjes(z, gamma=g)
    assert got.shape == (3, 2)
    assert np.max(np.abs(got - mp_closed(z, g))) <= 1e-12
    cdf = mp.cdf(np.array([1.0, 1.0]), gamma=np.array([0.25, 0.5]))
    assert cdf.shape == (2,) and cdf[0] != cdf[1]


# ---------------------------------------------------------------------- cubic laws
def _companion_roots(coeffs):
    """All roots of Σ_k c_k m^k for each row (c_0..c_d), by batched companion eigenvalues."""
    c = np.asarray(coeffs, dtype=complex)
    d = c.shape[1] - 1
    comp = np.zeros((c.shape[0], d, d), dtype=complex)
    comp[:, 0, :] = -c[:, d - 1::-1] / c[:, d:d + 1]
    comp[:, np.arange(1, d), np.arange(d - 1)] = 1.0
    return np.linalg.eigvals(comp)


def independent_stieltjes(law, z):
    """Nearest-root tracking of the physical branch down the vertical line from x + 100i.

    Independent of the generated solver: all roots by numpy eigenvalues at 600 log-spaced heights,
    keep the root nearest the previous one (starting from the root nearest -1/z), one Newton
    polish at the end; real z are handled as the limit from height 1e-9.
    """
    m, zs = sp.symbols("m z")
    poly = sp.Poly(law.expr, m)
    coeff_fns = [sp.lambdify(zs, poly.coeff_monomial(m**k), "numpy") for k in range(poly.degree() + 1)]

    def coeffs(zv):
        return np.stack([np.broadcast_to(np.asarray(f(zv), dtype=complex), zv.shape) for f in coeff_fns], axis=1)

    z = np.asarray(z, dtype=complex)
    x, target = z.real, np.maximum(z.imag, 1e-9)
    heights = np.geomspace(100.0, 1.0, 200)
    heights = np.concatenate([heights, np.geomspace(1.0, 1e-9, 400)[1:]])
    cur = -1.0 / (x + 100j)
    done = np.zeros(z.shape, bool)
    out = np.empty(z.shape, complex)
    for h in heights:
        zz = x + 1j * np.maximum(h, target)
        roots = _companion_roots(coeffs(zz))
        idx = np.argmin(np.abs(roots - cur[:, None]), axis=1)
        cur = roots[np.arange(len(z)), idx]
        if np.all(target >= h):
            break
    roots = _companion_roots(coeffs(z))   # final point (real axis: from the tracked limit)
    cur = roots[np.arange(len(z)), np.argmin(np.abs(roots - cur[:, None]), axis=1)]
    dP = poly.diff(m)
    P_f = sp.lambdify((m, zs), poly.as_expr(), "numpy")
    dP_f = sp.lambdify((m, zs), dP.as_expr(), "numpy")
    return cur - P_f(cur, z) / dP_f(cur, z)


CUBICS = {
    "sc+mp": lambda: sr.free_add(sr.laws.semicircle(), sr.laws.marchenko_pastur(H)),
    "mp*mp": lambda: sr.free_multiply(sr.laws.marchenko_pastur(H), sr.laws.marchenko_pastur(H)),
    "silverstein": lambda: sr.laws.sample_covariance(sr.laws.atoms([1, 3]), H),
}


@pytest.mark.parametrize("name", list(CUBICS))
def test_cubic_laws_against_root_tracking(name):
    law = CUBICS[name]()
    assert law.degree[0] == 3
    sol = law.compile()
    (a, b), = [s for s in sol.support() if s[1] > s[0]]
    x = np.concatenate([np.linspace(a - 2, b + 2, 37), [a + 0.05, b - 0.05]])
    for eta in (2.0, 0.1, 1e-3):
        z = x + 1j * eta
        got = sol.stieltjes(z)
        assert np.all(got.imag > 0)
        assert np.max(np.abs(got - independent_stieltjes(law, z))) <= 1e-10
    xr = x[(np.abs(x - a) > 1e-2) & (np.abs(x - b) > 1e-2)]
    got = sol.stieltjes(xr + 0j)
    assert np.max(np.abs(got - independent_stieltjes(law, xr + 0j))) <= 1e-10
    # Herglotz on a random cloud of C+, including points very close to the axis
    rng = np.random.default_rng(7)
    zc = rng.uniform(a - 3, b + 3, 2000) + 1j * 10 ** rng.uniform(-8, 1, 2000)
    assert np.all(sol.stieltjes(zc).imag > 0)
    # mass: density integrated over the support is 1 (no atoms here)
    assert abs(sol.mass() - 1.0) <= 1e-10
    assert sol.atoms() == []


def test_two_atom_population_has_two_intervals():
    law = sr.laws.sample_covariance(sr.laws.atoms([1, 10]), sp.Rational(1, 20))
    sol = law.compile()
    sup = sol.support()
    assert len(sup) == 2 and sup[0][1] < 2 < sup[1][0]
    # each interval carries the mass of its population atom (1/2), by the cdf in the gap
    assert abs(sol.cdf(0.5 * (sup[0][1] + sup[1][0])) - 0.5) <= 1e-10
    assert abs(sol.mass() - 1.0) <= 1e-10


def test_discrete_law_atoms_and_cdf():
    sol = sr.laws.atoms([1, 3], [sp.Rational(1, 4), sp.Rational(3, 4)]).compile()
    atoms = sol.atoms()
    assert np.allclose(atoms, [(1, 0.25), (3, 0.75)], rtol=0, atol=1e-12)
    assert np.allclose(sol.cdf([0.0, 1.0, 2.0, 3.0, 4.0]), [0, 0.25, 0.25, 1, 1], atol=1e-12)
    z = np.array([2 + 1j, 0.5 + 1e-3j])
    assert np.allclose(sol.stieltjes(z), 0.25 / (1 - z) + 0.75 / (3 - z), rtol=1e-13)
