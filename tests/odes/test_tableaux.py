"""Catalogue tableaux: order conditions, node condition, stability functions, symplecticity."""
import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.odes import TABLEAU_NAMES, Tableau, is_symplectic, method_order, tableau

z = sp.Symbol("z")


@pytest.mark.parametrize("name", sorted(TABLEAU_NAMES))
def test_classical_order(name):
    assert method_order(name, 8) == TABLEAU_NAMES[name]


@pytest.mark.parametrize("name", sorted(TABLEAU_NAMES))
def test_nodes_are_row_sums(name):
    tab = tableau(name)
    for i in range(tab.stages):
        assert sp.simplify(sum(tab.A.row(i)) - tab.c[i]) == 0


def test_stability_functions_closed_forms():
    # RK4: truncated exponential; Gauss: diagonal Padé; Radau IIA(3): (1, 2) Padé (HW II, IV.3).
    assert sp.expand(tableau("rk4").stability_function(z) - sum(z ** k / sp.factorial(k) for k in range(5))) == 0
    assert sp.simplify(tableau("gauss4").stability_function(z)
                       - (1 + z / 2 + z ** 2 / 12) / (1 - z / 2 + z ** 2 / 12)) == 0
    assert sp.simplify(tableau("radau_iia3").stability_function(z)
                       - (1 + z / 3) / (1 - 2 * z / 3 + z ** 2 / 6)) == 0
    assert sp.simplify(tableau("implicit_midpoint").stability_function(z) - (1 + z / 2) / (1 - z / 2)) == 0


@pytest.mark.parametrize("name,expected", [("gauss4", True), ("gauss6", True), ("implicit_midpoint", True),
                                           ("rk4", False), ("euler", False), ("radau_iia5", False),
                                           ("rk38", False)])
def test_symplectic_cooper_condition(name, expected):
    assert is_symplectic(name) is expected


def test_exact_algebraic_coefficients():
    tab = tableau("gauss4")
    assert tab.A[0, 1] == sp.Rational(1, 4) - sp.sqrt(3) / 6
    assert tab.domain[0].is_AlgebraicField


def test_user_tableau_and_parametric_family():
    a = sp.Symbol("a")
    # the one-parameter family of 2-stage explicit order-2 methods
    fam = Tableau([[0, 0], [a, 0]], [1 - 1 / (2 * a), 1 / (2 * a)])
    assert method_order(fam, 4) == 2
    assert method_order(Tableau([[0.0, 0.0], [0.5, 0.0]], [0.0, 1.0]), 4) == 2


def test_bad_tableaux():
    with pytest.raises(ParameterError, match="A"):
        Tableau([[0, 0]], [1, 0])
    with pytest.raises(ParameterError, match="c\\[1\\]"):
        Tableau([[0, 0], [1, 0]], [sp.Rational(1, 2)] * 2, c=[0, sp.Rational(1, 2)])
    with pytest.raises(ParameterError, match="method"):
        tableau("rk5")
    with pytest.raises(ParameterError, match="A\\[0\\]\\[0\\]"):
        Tableau([["x"]], [1])
