"""Ridge deterministic equivalent (Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592): the
S-transform κ equation and :func:`symrmt.equivalents.solve_ridge` (an instance of the learning model)."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
import symrmt.learning as sl
from symrmt.equivalents.ridge import solve_ridge
from symrmt.equivalents.spectrum import KAPPA, direct_kappa_equation, kappa_equation, population_spectrum

from symrmt.symbolic.symbols import m as M, z as Z


SPECS = [None, ([1, 3], [sp.Rational(1, 2), sp.Rational(1, 2)]), ([sp.Rational(1, 2), 2, 5], [sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(1, 4)])]


@pytest.mark.parametrize("spec", SPECS)
def test_s_transform_route_equals_direct_route(spec):
    q, lam = sp.symbols("q ridge", positive=True)
    df1 = population_spectrum(spec).df1
    via_s = kappa_equation(df1, KAPPA, lam, [q])
    direct = direct_kappa_equation(df1, KAPPA, lam, q)
    assert sp.simplify(via_s - direct) == 0


@pytest.mark.parametrize("spec", SPECS[:2])
def test_df_relation_against_sample_covariance_law(spec):
    """Independent route: the Stieltjes transform of Σ̂ (Silverstein's law, built by the free
    calculus) at −λ gives df1_Σ̂(λ) = 1 − λ m_Σ̂(−λ), which must equal df1_Σ(κ)."""
    pts, wts = spec or ([1], [1])
    for q, lam in [(0.5, 0.1), (2.0, 0.3)]:
        law = sr.sample_covariance(sr.laws.atoms(pts, wts), sp.Rational(str(q)))
        coeffs = sp.Poly(law.polynomial.as_expr(), M).all_coeffs()
        # physical branch: continue the root m ≈ −1/z from z = −10⁴ along the real axis to −λ
        zs = -np.geomspace(1e4, lam, 400)
        cur = -1 / zs[0]
        for zv in zs:
            roots = np.roots([complex(c.subs(Z, zv)) for c in coeffs])
            cur = roots[np.argmin(np.abs(roots - cur))]
        assert abs(cur.imag) < 1e-9 and 0 < cur.real < 1 / lam
        phys = [cur.real]
        df_hat = 1 - lam * phys[0]
        res = solve_ridge(q, lam, spectrum=spec)
        assert res.converged
        assert float(res["df1"]) == pytest.approx(df_hat, rel=1e-9)


def test_identity_closed_form():
    # Σ = I: κ² + (1 − q − λ)κ − λ = 0, positive root
    q = np.array([0.3, 1.0, 1.7, 4.0])
    lam = 0.2
    res = solve_ridge(q, lam, noise=0.5, signal=2.0)
    b = 1 - q - lam
    kappa = (-b + np.sqrt(b * b + 4 * lam)) / 2
    np.testing.assert_allclose(res["kappa"], kappa, rtol=1e-12)
    gamma = q / (1 + kappa) ** 2
    test = (kappa**2 * 2.0 / (1 + kappa) ** 2 + 0.5) / (1 - gamma)
    np.testing.assert_allclose(res["test_error"], test, rtol=1e-12)
    np.testing.assert_allclose(res["bias"] + res["variance"] + 0.5, test, rtol=1e-12)
    np.testing.assert_allclose(res["gcv"], test, rtol=1e-10)


def test_law_spectrum_equals_atoms():
    q = np.linspace(0.2, 3, 7)
    a = solve_ridge(q, 0.05, noise=0.2, spectrum=([1, 4], [sp.Rational(1, 3), sp.Rational(2, 3)]))
    b = solve_ridge(q, 0.05, noise=0.2, spectrum=sr.laws.atoms([1, 4], [sp.Rational(1, 3), sp.Rational(2, 3)]))
    assert a.converged.all() and b.converged.all()
    np.testing.assert_allclose(a["test_error"], b["test_error"], rtol=1e-10)


def test_bad_input():
    with pytest.raises(ParameterError, match="q"):
        solve_ridge(0.0, 0.1)
    with pytest.raises(ParameterError, match="q"):
        solve_ridge(np.array([0.5, -1.0]), 0.1)
    with pytest.raises(ParameterError, match="ridge"):
        solve_ridge(0.5, -0.1)
    with pytest.raises(ParameterError, match="noise"):
        solve_ridge(0.5, 0.1, noise=-1)
    with pytest.raises(ParameterError, match="spectrum"):
        solve_ridge(0.5, 0.1, spectrum=([-1, 2], [0.5, 0.5]))


def test_nonconvergence_is_flagged():
    cs = sl.model().system().compile(maxit=1)
    res = cs.solve(samples=np.array([2.0, 1 / 3]), ridge=1e-4, noise=0.1, signal=1.0, inv_ensemble=1.0, strict=False)
    assert not res.converged.all()
    assert np.all(np.isnan(res["test_error"][~res.converged]))
