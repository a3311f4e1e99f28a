"""An atom on a double root of the leading coefficient, shared by every branch (law runtime).

``block_diagonal(semicircle, atoms([3]), 1/4)`` is ``1/4 μ_sc + 3/4 δ_3``: its polynomial has
leading coefficient ``16 (z - 3)^2``, and both branches have the pole at 3 with residue 3/4.  The
expanded coefficients lose all relative accuracy there (``16 z² - 96 z + 144`` at ``3 + iη``), so the
kernel alone missed the atom (mass 1/4, no jump in the cdf) and raised near it.  Reference: the
exact mixture ``m(z) = 1/4 m_sc(z) + 3/4 /(3 - z)``, written here independently.
"""
import math

import numpy as np
import pytest
import sympy as sp

import symrmt as sr

P_SC = sp.Rational(1, 4)  # the semicircle block's share; the atom at 3 has mass 3/4


def exact_m(z):
    z = np.asarray(z, dtype=complex)
    msc = (-z + np.sqrt(z - 2) * np.sqrt(z + 2)) / 2  # Herglotz branch on Im z >= 0
    return float(P_SC) * msc + (1 - float(P_SC)) / (3 - z)


@pytest.fixture(scope="module")
def sol():
    return sr.block_diagonal(sr.laws.semicircle(), sr.laws.atoms([3]), P_SC).compile()


def test_atom_mass_support_and_total_mass(sol):
    (x0, w), = sol.atoms()
    assert x0 == 3.0 and abs(w - 0.75) <= 1e-12
    assert abs(sol.mass() - 1.0) <= 1e-10
    sup = sol.support()
    assert sup[-1] == (3.0, 3.0)
    (a, b), = sup[:-1]
    assert abs(a + 2) <= 1e-12 and abs(b - 2) <= 1e-12


def test_cdf_jumps_by_the_atom_mass(sol):
    x = np.array([-2.5, 0.0, 2.5, 3.0 - 1e-9, 3.0, 3.0 + 1e-9, 5.0])
    np.testing.assert_allclose(sol.cdf(x), [0.0, 0.125, 0.25, 0.25, 1.0, 1.0, 1.0], atol=1e-12)


def test_density_is_the_scaled_semicircle_and_infinite_at_the_atom(sol):
    x = np.array([-1.9, -1.0, 0.0, 0.7, 1.99])
    want = float(P_SC) * np.sqrt(4 - x**2) / (2 * np.pi)
    np.testing.assert_allclose(sol.density(x), want, rtol=1e-10)
    assert np.all(sol.density(np.array([2.5, 2.999, 3.001, 4.0])) == 0.0)
    assert sol.density(3.0) == np.inf


@pytest.mark.parametrize("z", [3 + 1e-2j, 3 + 1e-3j, 3 + 1e-6j, 3 + 1e-9j, 3 + 1e-12j, 3.001, 2.9999, 3 + 1e-7,
                               3 - 1e-10, 3 + 1e-5 + 1e-5j])
def test_stieltjes_near_the_atom_is_the_mixture(sol, z):
    got = sol.stieltjes(z)
    want = exact_m(z)
    # the attainable relative error of m next to a pole shared by two branches is ~ eps / |z - 3|
    rel = max(1e-10, 1e-14 / abs(z - 3))
    assert abs(got - want) <= rel * abs(want)


def test_moments_of_the_compiled_law_are_the_mixture_moments(sol):
    law = sr.block_diagonal(sr.laws.semicircle(), sr.laws.atoms([3]), P_SC)
    catalan = [1, 0, 1, 0, 2, 0, 5]  # semicircle moments m_0..m_6
    exact = [P_SC * catalan[k] + (1 - P_SC) * 3**k for k in range(1, 7)]
    assert law.moments(6) == exact
    # the same from the compiled density (Gauss–Legendre in x = 2 cos θ) plus the atoms
    t, wq = np.polynomial.legendre.leggauss(80)
    th = 0.5 * np.pi * (t + 1)
    x = -2 * np.cos(th)
    rho = sol.density(x)
    for k in range(1, 7):
        cont = 0.5 * np.pi * np.sum(wq * rho * x**k * 2 * np.sin(th))
        atom = sum(w * x0**k for x0, w in sol.atoms())
        assert math.isclose(cont + atom, float(exact[k - 1]), rel_tol=1e-10, abs_tol=1e-12)


def test_standalone_module_gives_the_same_values_near_the_atom(sol, tmp_path):
    """The exported module (no symrmt) solves next to the atom as the compiled law does."""
    import json
    import os
    import subprocess
    import sys

    from symrmt.codegen.standalone import write_standalone

    write_standalone(sol, tmp_path / "mix_law.py")
    z = [3 + 1e-9j, 3 + 1e-4j, 3.0]
    code = ("import sys, json; sys.modules['symrmt'] = None\n"
            "import numpy as np, mix_law as s\n"
            f"m = s.stieltjes(np.array({z!r}))\n"
            "print(json.dumps([m.real.tolist(), m.imag.tolist(), s.atoms(), s.cdf([2.5, 3.0]).tolist()]))")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), NUMBA_CACHE_DIR=str(tmp_path / "nb"))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    re_, im_, atoms, cdf = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (re_[2], im_[2]) == (0.0, np.inf)  # the atom
    got = np.array(re_[:2]) + 1j * np.array(im_[:2])
    want = exact_m(np.array(z[:2]))
    assert np.all(np.abs(got[:2] - want) <= 1e-5 * np.abs(want))
    assert atoms == [[3.0, sol.atoms()[0][1]]]
    np.testing.assert_allclose(cdf, [0.25, 1.0], atol=1e-12)
