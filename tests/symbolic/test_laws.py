"""Catalogue laws: moments against closed forms, parameter validation, binding."""
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.symbolic.symbols import m, z

g = sp.Symbol("gamma", positive=True)
s2 = sp.Symbol("sigma2", positive=True)


def narayana_moment(k, gamma):
    # m_k(MP(γ, 1)) = Σ_{j=1}^{k} N(k, j) γ^{j-1},  N(k, j) = C(k, j) C(k, j-1)/k
    return sum(sp.binomial(k, j) * sp.binomial(k, j - 1) / k * gamma ** (j - 1) for j in range(1, k + 1))


def test_mp_moments_are_narayana_polynomials():
    mom = sr.laws.marchenko_pastur(g).moments(8)
    for k, mk in enumerate(mom, start=1):
        assert sp.expand(mk - narayana_moment(k, g)) == 0


def test_mp_moments_scale_with_variance():
    mom = sr.laws.marchenko_pastur(g, s2).moments(5)
    for k, mk in enumerate(mom, start=1):
        assert sp.simplify(mk - s2**k * narayana_moment(k, g)) == 0


def test_semicircle_moments_are_catalan():
    mom = sr.laws.semicircle(s2).moments(10)
    for k, mk in enumerate(mom, start=1):
        want = sp.catalan(k // 2) * s2 ** (k // 2) if k % 2 == 0 else 0
        assert sp.simplify(mk - want) == 0


def test_atoms_moments_are_direct_sums():
    pts = [sp.Rational(-1, 2), 1, 3]
    wts = [sp.Rational(1, 6), sp.Rational(1, 3), sp.Rational(1, 2)]
    mom = sr.laws.atoms(pts, wts).moments(7)
    for k, mk in enumerate(mom, start=1):
        assert mk == sum(wi * p**k for p, wi in zip(pts, wts))


def test_symbolic_atoms_weight():
    p = sp.Symbol("p", positive=True)
    law = sr.laws.atoms([0, 2], [p, 1 - p])
    assert sp.simplify(law.moments(3)[2] - 8 * (1 - p)) == 0


def test_mp_polynomial_matches_design_convention():
    law = sr.laws.marchenko_pastur(g, s2)
    want = g * s2 * z * m**2 + (z - s2 * (1 - g)) * m + 1
    assert sp.expand(law.expr * want.as_poly(m, z).LC() - want * law.polynomial.LC()) == 0


def test_free_poisson_is_mp():
    assert sr.laws.free_poisson(1 / g, g * s2) == sr.laws.marchenko_pastur(g, s2)


def test_parameters_and_subs():
    law = sr.laws.marchenko_pastur(g, s2)
    assert [p.name for p in law.parameters] == ["gamma", "sigma2"]
    bound = law.subs(gamma=0.5)
    assert [p.name for p in bound.parameters] == ["sigma2"]
    assert sp.expand(bound.moments(2)[1] - sp.Rational(3, 2) * s2**2) == 0
    assert law.subs(gamma=sp.Rational(1, 2), sigma2=1).moments(2) == [1, sp.Rational(3, 2)]


def test_subs_selects_factor_when_specialisation_is_reducible():
    p = sp.Symbol("p", nonnegative=True)
    law = sr.laws.atoms([0, 1], [p, 1 - p])
    # at p = 1 the polynomial factors as (1 - z)(-z m - 1): the physical factor is δ_0's
    point_mass = law.subs(p=1)
    assert point_mass.degree == (1, 1)
    assert point_mass.moments(3) == [0, 0, 0]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: sr.laws.marchenko_pastur(0), "ratio"),
        (lambda: sr.laws.marchenko_pastur(-1), "ratio"),
        (lambda: sr.laws.marchenko_pastur(1, variance=0), "variance"),
        (lambda: sr.laws.semicircle(-2), "variance"),
        (lambda: sr.laws.atoms([1, 2], [sp.Rational(3, 2), sp.Rational(-1, 2)]), r"weights\[1\]"),
        (lambda: sr.laws.atoms([1, 2], [0.3, 0.3]), "sum to 1"),
        (lambda: sr.laws.atoms([1, 1], [0.5, 0.5]), "distinct"),
        (lambda: sr.laws.atoms([1, 2], [1.0]), "weights"),
        (lambda: sr.laws.free_poisson(0), "rate"),
        (lambda: sr.laws.wachter(1, 2), "ratio2"),
        (lambda: sr.laws.marchenko_pastur(float("nan")), "finite"),
        (lambda: sr.laws.marchenko_pastur("1/2"), "string"),
    ],
)
def test_bad_parameters(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


def test_subs_rejects_unknown_name_and_bad_range():
    law = sr.laws.marchenko_pastur(g)
    with pytest.raises(ParameterError, match="unknown parameter 'beta'.*gamma"):
        law.subs(beta=1)
    with pytest.raises(ParameterError, match="ratio"):
        law.subs(gamma=-1)
    with pytest.raises(ParameterError, match="ratio2"):
        sr.laws.wachter(sp.Rational(1, 2), g).subs(gamma=2)


def test_wachter_mean_and_simple_case():
    a, b = sp.Rational(1, 2), sp.Rational(1, 3)
    law = sr.laws.wachter(a, b)
    # E λ = n1/(n1 + n2) by exchangeability of the rows of [X1; X2]
    assert law.moments(1)[0] == b / (a + b)


def test_construction_records_operands():
    sc = sr.laws.semicircle()
    mp = sr.laws.marchenko_pastur(g)
    law = sr.free_add(sc, mp)
    assert law.construction.op == "free_add"
    assert law.construction.operands[1].construction.args["ratio"] == g
    bound = law.subs(gamma=2)
    assert bound.construction.operands[1].construction.args["ratio"] == 2
