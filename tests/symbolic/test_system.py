"""System: construction rules, and solving through the generated damped-Newton solver."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ConvergenceError, ParameterError
from symrmt.symbolic.system import System

m, z = sp.symbols("m z")
a, b, p, q = sp.symbols("a b p q")


def test_public_name_and_validation():
    assert sr.System is System
    with pytest.raises(ParameterError, match="one equation per unknown"):
        System([a - 1], [a, b], [p])
    with pytest.raises(ParameterError, match="neither unknowns nor parameters"):
        System([a - q], [a], [p])
    with pytest.raises(ParameterError, match="domains"):
        System([a - p], [a], [p], domains={a: "imaginary"})
    with pytest.raises(ParameterError, match="not an unknown"):
        System([a - p], [a], [p], initial={b: 1})
    with pytest.raises(ParameterError, match="also unknowns"):
        System([a - p], [a], [a])
    with pytest.raises(ParameterError, match="taken"):
        System([a - p], [a], [p], observables={"a": a})
    with pytest.raises(ParameterError, match="string"):
        System(["a - p"], [a], [p])
    s = System([sp.Eq(a**2, p)], [a], [p], domains={"a": "positive"})
    assert s.residuals == (a**2 - p,)
    assert s.jacobian() == sp.Matrix([[2 * a]])
    assert s.initial[a] == 1


def test_semicircle_as_system_matches_closed_form():
    sysm = System([m**2 + z * m + 1], [m], [z], domains={m: "upper"}, initial={m: -1 / z},
                  observables={"density": sp.im(m) / sp.pi})
    cs = sysm.compile()
    x = np.linspace(-3, 3, 61)
    zz = x + 0.01j
    res = cs.solve(z=zz)
    exact = (-zz + np.sqrt(zz - 2) * np.sqrt(zz + 2)) / 2
    assert res.converged.all()
    assert np.max(np.abs(res["m"] - exact)) <= 1e-12
    assert np.max(np.abs(res["density"] - exact.imag / np.pi)) <= 1e-12
    assert res["density"].dtype == np.float64          # real observable returned as a real array
    assert np.all(res.residual <= 1e-10)


def test_two_complex_unknowns_and_impossible_parameter():
    # u1 u2 = p, u1 + u2 = q: u1, u2 are the roots of t^2 - q t + p (complex in general);
    # with domains Im u1 > 0 and Im u2 > 0 both roots cannot lie in C+ (they are conjugate for
    # real p, q), so the solve must fail and say so.
    u1, u2 = sp.symbols("u1 u2")
    s = System([u1 * u2 - p, u1 + u2 - q], [u1, u2], [p, q], initial={u1: 1 + sp.I, u2: 1 - sp.I},
               observables={"disc": (u1 - u2) ** 2})
    cs = s.compile()
    pv = np.array([2.0, 5.0, 1.0 + 1j])
    res = cs.solve(p=pv, q=2.0)
    assert res.converged.all()
    r1, r2 = res["u1"], res["u2"]
    assert np.allclose(r1 * r2, pv, atol=1e-12) and np.allclose(r1 + r2, 2.0, atol=1e-12)
    assert np.allclose(res["disc"], 4.0 - 4 * pv, atol=1e-11)
    bad = System([u1 * u2 - p, u1 + u2 - q], [u1, u2], [p, q], domains={u1: "upper", u2: "upper"},
                 initial={u1: 1 + sp.I, u2: 2 + sp.I}).compile()
    res = bad.solve(p=np.array([2.0, 3.0]), q=np.array([2.0, 2.0]), strict=False)
    assert not res.converged.any()
    assert np.all(np.isnan(res["u1"])) and np.all(res.residual > 1e-6)
    with pytest.raises(ConvergenceError):
        bad.solve(p=2.0, q=2.0, strict=True)


def test_impossible_parameter_value_complex_unknowns():
    # u1^2 = p, u1 u2 = 1 has the solutions u1 = ±sqrt(p), u2 = 1/u1, and none at p = 0
    u1, u2 = sp.symbols("u1 u2")
    cs = System([u1**2 - p, u1 * u2 - 1], [u1, u2], [p], initial={u1: 1 + sp.I, u2: 1}).compile()
    pv = np.array([4.0, 1j, 0.0, 2.0 - 1j])
    res = cs.solve(p=pv, strict=False)
    assert res.converged.tolist() == [True, True, False, True]
    ok = res.converged
    assert np.allclose(res["u1"][ok] ** 2, pv[ok], atol=1e-12)
    assert np.allclose(res["u1"][ok] * res["u2"][ok], 1.0, atol=1e-12)
    assert np.isnan(res["u1"][2]) and np.isnan(res["u2"][2]) and res.residual[2] > 1e-8


def test_real_domain_no_solution_is_flagged_and_grid_broadcasts():
    s = System([a**2 + b**2 - p, a - b], [a, b], [p], domains={a: "real", b: "real"},
               initial={a: 1, b: sp.Rational(1, 2)}, observables={"s": a + b})
    cs = s.compile()
    pv = np.array([[2.0, 8.0], [-1.0, 0.5]])
    res = cs.solve(p=pv, strict=False)
    assert res.shape == (2, 2)
    assert res.converged.tolist() == [[True, True], [False, True]]
    ok = res.converged
    assert np.allclose(res["a"][ok], np.sqrt(pv[ok] / 2), atol=1e-12)
    assert np.isnan(res["a"][~ok]).all() and np.isnan(res["s"][~ok]).all()
    assert res["a"].dtype == np.float64


def test_ridge_renormalized_ridge_positive_domain():
    # λ = κ (1 - q df1(κ)) with Σ = identity: df1 = 1/(1 + κ) (arXiv 2405.00592); κ > 0 branch.
    kap, lam, qq = sp.symbols("kappa lambda q")
    s = System([kap * (1 - qq / (1 + kap)) - lam], [kap], [lam, qq], domains={kap: "positive"},
               initial={kap: lam + qq})
    lamv = np.geomspace(1e-3, 10, 50)
    res = s.compile().solve(**{"lambda": lamv, "q": 0.5})
    # closed form: κ² + (1 - q - λ) κ - λ = 0, positive root
    c1 = 1 - 0.5 - lamv
    exact = (-c1 + np.sqrt(c1**2 + 4 * lamv)) / 2
    assert res.converged.all() and np.allclose(res["kappa"], exact, rtol=1e-12)


def test_solve_argument_errors():
    cs = System([a - p * q], [a], [p, q]).compile()
    with pytest.raises(ParameterError, match="unknown parameter"):
        cs.solve(p=1.0, q=1.0, r=2.0)
    with pytest.raises(ParameterError, match=r"missing .*\['q'\]"):
        cs.solve(p=1.0)
    with pytest.raises(ParameterError, match="p: must be finite"):
        cs.solve(p=np.array([1.0, np.nan]), q=1.0)
    with pytest.raises(ParameterError, match="broadcast"):
        cs.solve(p=np.ones(3), q=np.ones(4))
    with pytest.raises(KeyError):
        cs.solve(p=1.0, q=2.0)["nope"]
    assert cs.solve(p=1.5, q=2.0)["a"] == 3.0


def test_from_law_and_subs():
    law = sr.laws.marchenko_pastur(sp.Rational(1, 2))
    s = System.from_law(law)
    zz = np.array([1.0 + 0.1j, 3.0 + 0.01j, -0.5 + 1e-3j])
    res = s.compile().solve(z=zz)
    # closed form (docs/architecture.md convention), γ = 1/2: m = (1/2 - z + sqrt(z-λ-) sqrt(z-λ+)) / z
    lm, lp = (1 - np.sqrt(0.5)) ** 2, (1 + np.sqrt(0.5)) ** 2
    ref = (0.5 - zz + np.sqrt(zz - lm) * np.sqrt(zz - lp)) / zz
    assert res.converged.all() and np.allclose(res["m"], ref, atol=1e-12, rtol=0)
    s2 = System([a - p * q], [a], [p, q]).subs(q=2)
    assert [x.name for x in s2.parameters] == ["p"] and s2.residuals == (a - 2 * p,)
