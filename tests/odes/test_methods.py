"""Order conditions, adjoints and the numerical flow of tableaux, against textbook facts and
independent numerical routes."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.odes import (Tableau, adjoint, is_symmetric, method_order, order_conditions, run,
                         solve_order_conditions, tableau)


def test_two_stage_explicit_family_of_order_two():
    """HNW I, II.1: b2 = 1/(2 a21), b1 = 1 − b2 (midpoint a21 = 1/2, Heun a21 = 1, Ralston 2/3)."""
    a21, b1, b2 = sp.symbols("a21 b1 b2")
    fam = Tableau([[0, 0], [a21, 0]], [b1, b2])
    (sol,) = solve_order_conditions(fam, 2, unknowns=[b1, b2])
    assert sp.simplify(sol[b2] - 1 / (2 * a21)) == 0 and sp.simplify(sol[b1] - (1 - 1 / (2 * a21))) == 0
    assert solve_order_conditions(fam, 3, unknowns=[b1, b2]) == []   # two explicit stages never reach 3
    ralston = fam.A.subs(a21, sp.Rational(2, 3)), [sol[b1].subs(a21, sp.Rational(2, 3)), sol[b2].subs(a21, sp.Rational(2, 3))]
    assert list(ralston[1]) == list(tableau("ralston").b)


def test_three_stage_kutta_from_the_conditions():
    """c2 = 1/2, c3 = 1: the order-3 conditions single out Kutta's method b = (1/6, 2/3, 1/6), a32 = 2."""
    a32, b1, b2, b3 = sp.symbols("a32 b1 b2 b3")
    fam = Tableau([[0, 0, 0], [sp.Rational(1, 2), 0, 0], [1 - a32, a32, 0]], [b1, b2, b3])
    (sol,) = solve_order_conditions(fam, 3)
    assert sol == {a32: 2, b1: sp.Rational(1, 6), b2: sp.Rational(2, 3), b3: sp.Rational(1, 6)}
    assert len(order_conditions("rk4", 4)) == 8 and all(eq is sp.true for _, eq in order_conditions("rk4", 4))
    assert not all(eq is sp.true for _, eq in order_conditions("rk4", 5))


def test_adjoint_formulas_and_symmetry():
    assert adjoint("euler").A == sp.Matrix([[1]])            # implicit Euler
    assert adjoint(adjoint("rk4")) == tableau("rk4")
    assert is_symmetric("implicit_midpoint") and is_symmetric("gauss4") and is_symmetric("gauss6")
    assert not is_symmetric("rk4") and not is_symmetric("radau_iia3")
    assert method_order(adjoint("radau_iia3")) == 3           # the adjoint has the same order


def _pendulum(y):
    return np.array([y[1], -math.sin(y[0])])


@pytest.mark.parametrize("name", ["rk4", "radau_iia3", "heun"])
def test_adjoint_with_minus_h_inverts_a_step(name):
    """Φ*_{−h} ∘ Φ_h = id: an independent numerical check of the adjoint's coefficients."""
    y1 = run(name, _pendulum, [1.0, 0.3], 0.2, 1)[-1]
    back = run(adjoint(name), _pendulum, y1, -0.2, 1)[-1]
    np.testing.assert_allclose(back, [1.0, 0.3], atol=1e-11)


def test_run_orders_and_invariants():
    # explicit Euler on y' = λy is (1 + hλ)^n exactly
    tr = run("euler", lambda y: -0.7 * y, [2.0], 0.1, 30)
    np.testing.assert_allclose(tr[:, 0], 2.0 * (1 - 0.07) ** np.arange(31), rtol=1e-13)
    # RK4's global error on y' = y at t = 1 falls 16× per halving of h
    errs = [abs(run("rk4", lambda y: y, [1.0], 1.0 / n, n)[-1, 0] - math.e) for n in (10, 20, 40)]
    assert 14 < errs[0] / errs[1] < 17 and 14 < errs[1] / errs[2] < 17
    # Gauss (symplectic, symmetric) keeps the pendulum's energy to round-off over 200 steps
    tr = run("gauss4", _pendulum, [1.0, 0.0], 0.1, 200)
    energy = tr[:, 1] ** 2 / 2 - np.cos(tr[:, 0])
    assert np.ptp(energy) < 1e-6                       # bounded O(h^4) oscillation, no drift
    assert np.ptp(energy) < 0.01 * np.ptp((run("rk4", _pendulum, [1.0, 0.0], 0.1, 2000)[:, 1] ** 2 / 2
                                           - np.cos(run("rk4", _pendulum, [1.0, 0.0], 0.1, 2000)[:, 0])))


def test_run_bad_input():
    a = sp.Symbol("a")
    with pytest.raises(ParameterError, match="symbolic"):
        run(Tableau([[0]], [a]), _pendulum, [1.0, 0.0], 0.1, 1)
    with pytest.raises(ParameterError, match="f: expected"):
        run("rk4", lambda y: np.zeros(3), [1.0, 0.0], 0.1, 1)
    with pytest.raises(ParameterError, match="h:"):
        run("rk4", _pendulum, [1.0, 0.0], 0.0, 1)
    with pytest.raises(ParameterError, match="no symbolic entries"):
        solve_order_conditions("rk4", 4)


def test_effectively_symmetric_schemes():
    """EES(2,5; x) and EES(2,7; x) (arXiv 2507.21006): explicit, order 2, B-series equal to the
    adjoint's up to order 5 (resp. 7) and not beyond, for two values of the free parameter."""
    from symrmt.odes import ees25, ees27, symmetry_order

    for x in (sp.Rational(1, 10), sp.Rational(-1, 3)):
        m = ees25(x)
        assert m.is_explicit and method_order(m, 5) == 2 and symmetry_order(m, 7) == 5
    for plus in (True, False):
        m = ees27(sp.Rational(1, 10), plus=plus)
        assert m.is_explicit and method_order(m, 4) == 2 and symmetry_order(m, 8) == 7
    # Heun agrees with its adjoint to order 3: its forward–backward defect below is O(h⁴)
    assert symmetry_order("gauss4", 6) == 6 and symmetry_order("heun", 6) == 3
    with pytest.raises(ParameterError, match="undefined"):
        ees25(sp.Rational(1, 2))


def test_effective_symmetry_in_the_numerical_flow():
    """Φ_{−h} ∘ Φ_h − id = O(h^(q+1)) with q the symmetry order: h⁶ for EES(2,5) (halving h divides
    it by ≈ 64), h⁴ for Heun (≈ 16)."""
    from symrmt.odes import ees25

    def defect(m, h):
        y1 = run(m, _pendulum, [1.0, 0.3], h, 1)[-1]
        return np.max(np.abs(run(m, _pendulum, y1, -h, 1)[-1] - [1.0, 0.3]))

    m = ees25(sp.Rational(1, 10))
    r_ees = defect(m, 0.2) / defect(m, 0.1)
    r_heun = defect("heun", 0.2) / defect("heun", 0.1)
    assert 50 < r_ees < 80 and 12 < r_heun < 20


def test_multistep_orders_from_error_constants():
    from symrmt.odes import MULTISTEP_NAMES, multistep

    for name, p in MULTISTEP_NAMES.items():
        m = multistep(name)
        assert m.order() == p and m.error_constant(p + 1) != 0, name
    with pytest.raises(ParameterError, match="consistent"):
        from symrmt.odes import LinearMultistep

        LinearMultistep((-1, 1), (1, 1))          # Σ β = 2 ≠ Σ j α = 1


def test_multistep_imde_against_independent_routes():
    """One-step methods written as multistep methods give the Runge–Kutta IMDE of the same scheme
    (implicit Euler; the trapezoidal rule = Lobatto IIIA); on y' = λy the IMDE is λ y c(hλ) with
    c(z) = ρ(e^z)/(z σ(e^z)) (the data e^{jz} y satisfy the method exactly)."""
    from symrmt.odes import imde, lmm_imde, multistep

    y, h, lam, z = sp.symbols("y h lambda z")
    half = sp.Rational(1, 2)
    assert sp.expand(lmm_imde(y**2, y, "bdf1", 5) - imde(y**2, y, Tableau([[1]], [1]), 5)) == 0
    assert sp.expand(lmm_imde(y**2, y, "am1", 5) - imde(y**2, y, Tableau([[0, 0], [half, half]], [half, half]), 5)) == 0
    for name in ("ab3", "bdf2", "leapfrog"):
        m = multistep(name)
        c = sum(a * sp.exp(z) ** j for j, a in enumerate(m.alpha)) / (z * sum(b * sp.exp(z) ** j for j, b in enumerate(m.beta)))
        series = sp.series(c, z, 0, 6).removeO()
        assert sp.expand(lmm_imde(lam * y, y, name, 5) - lam * y * series.subs(z, h * lam)) == 0, name
    # odes.imde dispatches on the method's kind; a p-th order method's first correction is h^p
    u, v = sp.symbols("u v")
    terms = sp.Poly(sp.expand(imde([u * (v - 2), v * (1 - u)], [u, v], "ab2", 3)[0]), h).all_coeffs()[::-1]
    assert terms[1] == 0 and terms[2] != 0
