"""IMDE / modified equation of concrete fields, against closed forms and direct Taylor matching."""
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.odes import (correction_divergence, elementary_differentials, field_from_coefficients,
                         h_coefficients, imde, imde_by_taylor, imde_terms, modified_equation,
                         modified_equation_by_taylor, modified_equation_terms, tableau)
from symrmt.odes.trees import LEAF

h = sp.Symbol("h")
y = sp.Symbol("y")
q, p = sp.symbols("q p")
u, v = sp.symbols("u v")


def _zero(e):
    return sp.simplify(sp.expand(e)) == 0


def test_euler_system_first_terms_closed_form():
    # REFERENCES §8: explicit Euler IMDE f_1 = f'f/2, f_2 = (f''(f,f) + f'f'f)/6.
    f = sp.Matrix([u * (v - 2), v * (1 - u)])
    Y = [u, v]
    J = f.jacobian(Y)
    f1 = J * f / 2
    f2 = sp.Matrix([sum(sp.diff(f[i], Y[j], Y[k]) * f[j] * f[k] for j in range(2) for k in range(2))
                    for i in range(2)]) / 6 + J * J * f / 6
    terms = imde_terms(list(f), Y, "euler", 2)
    assert all(_zero(terms[0][i] - f[i]) and _zero(terms[1][i] - f1[i]) and _zero(terms[2][i] - f2[i])
               for i in range(2))


@pytest.mark.parametrize("name", ["euler", "midpoint", "rk4", "gauss4", "radau_iia3"])
def test_linear_field_matches_stability_function(name):
    # y' = λy: R(h λ_h) = e^{hλ} for the IMDE λ_h, and e^{h λ̃_h} = R(hλ) for the modified equation.
    lam = sp.Symbol("lambda")
    n = 5
    R = tableau(name).stability_function(sp.Symbol("z"))
    fi = imde(lam * y, y, name, n)
    fm = modified_equation(lam * y, y, name, n)
    lam_i, lam_m = sp.expand(fi / y), sp.expand(fm / y)
    lhs = sp.series(R.subs(sp.Symbol("z"), h * lam_i) - sp.exp(h * lam), h, 0, n + 2).removeO()
    rhs = sp.series(sp.exp(h * lam_m) - R.subs(sp.Symbol("z"), h * lam), h, 0, n + 2).removeO()
    assert _zero(lhs) and _zero(rhs)


@pytest.mark.parametrize("name,f,order", [
    ("rk4", y ** 2, 5),
    ("midpoint", sp.sin(y), 3),
    ("radau_iia3", sp.exp(y) + y, 2),
    ("heun", y ** 3 - y, 4),
])
def test_taylor_matching_agrees_scalar(name, f, order):
    # independent route: one-step map expanded in h and matched against the Lie series
    assert _zero(imde(f, y, name, order) - imde_by_taylor(f, y, name, order))
    assert _zero(modified_equation(f, y, name, order) - modified_equation_by_taylor(f, y, name, order))


def test_taylor_matching_agrees_system_implicit():
    f = [p, -sp.sin(q)]
    a = imde(f, [q, p], "implicit_midpoint", 2)
    b = imde_by_taylor(f, [q, p], "implicit_midpoint", 2)
    assert all(_zero(ai - bi) for ai, bi in zip(a, b))


def test_rk4_y_squared_known_terms():
    # Taylor matching by hand (HLW-style): the RK4 IMDE of y' = y² starts with h^4 y^6/24.
    terms = imde_terms(y ** 2, y, "rk4", 4)
    assert terms[:4] == [y ** 2, 0, 0, 0] and _zero(terms[4] - y ** 6 / 24)


def test_pendulum_divergence_symplectic_vs_not():
    f = [p, -sp.sin(q)]
    for name in ("gauss4", "implicit_midpoint"):
        assert all(d == 0 for d in correction_divergence(imde(f, [q, p], name, 5), [q, p], 5))
    div_rk4 = correction_divergence(imde(f, [q, p], "rk4", 5), [q, p], 5)
    assert all(d == 0 for d in div_rk4[:5]) and div_rk4[5] != 0
    div_euler = correction_divergence(imde(f, [q, p], "euler", 1), [q, p], 1)
    # f_1 = f'f/2 = (−sin q, −p cos q)/2, divergence −cos q
    assert div_euler[0] == 0 and _zero(div_euler[1] + sp.cos(q))


def test_modified_equation_of_symplectic_method_preserves_quadratic_invariant_field():
    # harmonic oscillator with implicit midpoint: modified field stays a rotation field (divergence 0)
    f = [p, -q]
    assert all(d == 0 for d in correction_divergence(modified_equation(f, [q, p], "implicit_midpoint", 4),
                                                     [q, p], 4))


def test_elementary_differentials_scalar():
    F = elementary_differentials(sp.sin(y), y, 3)
    assert _zero(F[(LEAF,)] - sp.cos(y) * sp.sin(y))
    assert _zero(F[(LEAF, LEAF)] + sp.sin(y) ** 3)


def test_field_from_user_coefficients_and_h_coefficients():
    coeffs = {LEAF: 1, (LEAF,): sp.Rational(1, 2)}
    fld = field_from_coefficients(coeffs, y ** 2, y, 1)
    assert _zero(fld - (y ** 2 + h * y ** 3))
    assert h_coefficients(fld, h, 2) == [y ** 2, y ** 3, 0]


def test_parameters_stay_symbolic_and_shapes():
    k = sp.Symbol("k")
    out = imde([k * p, -q], [q, p], "midpoint", 2)
    assert isinstance(out, list) and len(out) == 2 and k in out[0].free_symbols
    assert modified_equation_terms(y, y, "euler", 0) == [y]


def test_bad_inputs():
    with pytest.raises(ParameterError, match="f"):
        imde([p], [q, p], "rk4", 2)
    with pytest.raises(ParameterError, match="string"):
        imde("y**2", y, "rk4", 2)
    with pytest.raises(ParameterError, match="order"):
        imde(y ** 2, y, "rk4", -1)
    with pytest.raises(ParameterError, match="y"):
        imde(y ** 2, "y", "rk4", 2)
    with pytest.raises(ParameterError, match="method"):
        imde(y ** 2, y, "rk9", 2)
