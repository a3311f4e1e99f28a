"""Hermite coefficients: closed forms (Mei & Montanari 2019, arXiv 1908.05355), both routes, bad input."""
import math

import pytest
import sympy as sp

from symrmt.errors import ParameterError
from symrmt.symbolic.hermite import hermite_coefficients

x = sp.Symbol("x")


@pytest.mark.parametrize("act, mu0, mu1, mustar2", [
    ("relu", 1 / math.sqrt(2 * math.pi), 0.5, (math.pi - 2) / (4 * math.pi)),
    ("sign", 0.0, math.sqrt(2 / math.pi), 1 - 2 / math.pi),
    # erf: E G erf(G) = E erf'(G) = 2/√(3π); E erf(G)² = (2/π) arcsin(2/3)
    ("erf", 0.0, 2 / math.sqrt(3 * math.pi), 2 / math.pi * math.asin(2 / 3) - 4 / (3 * math.pi)),
    ("linear", 0.0, 1.0, 0.0),
    (x**2, 1.0, 0.0, 2.0),  # He2 + 1: μ*² = E(G²−1)² = 2
])
def test_closed_forms_both_routes(act, mu0, mu1, mustar2):
    for method in ("auto", "quadrature"):
        c = hermite_coefficients(act, method=method)
        got = c.as_floats()
        assert got[0] == pytest.approx(mu0, abs=1e-9)
        assert got[1] == pytest.approx(mu1, abs=1e-9)
        assert got[2] ** 2 == pytest.approx(mustar2, abs=1e-9)


def test_exact_route_is_exact():
    c = hermite_coefficients("relu", method="exact")
    assert c.exact
    assert sp.simplify(c.mu0 - 1 / sp.sqrt(2 * sp.pi)) == 0
    assert c.mu1 == sp.Rational(1, 2)
    assert sp.simplify(c.mustar**2 - (sp.pi - 2) / (4 * sp.pi)) == 0


def test_tanh_quadrature_matches_series_identity():
    # μ1 = E tanh'(G) = E sech²(G); compare with an independent scipy integral
    from scipy.integrate import quad

    ref = quad(lambda t: (1 - math.tanh(t) ** 2) * math.exp(-t * t / 2) / math.sqrt(2 * math.pi), -40, 40)[0]
    c = hermite_coefficients("tanh")
    assert not c.exact
    assert float(c.mu1) == pytest.approx(ref, rel=1e-9)
    assert abs(float(c.mu0)) < 1e-12


@pytest.mark.parametrize("bad", [sp.exp(x**2), sp.exp(x**2 / 4), 1 / x, 1 / sp.sqrt(sp.Abs(x))])
def test_not_square_integrable(bad):
    with pytest.raises(ParameterError, match="activation"):
        hermite_coefficients(bad)


def test_bad_names():
    with pytest.raises(ParameterError, match="unknown name"):
        hermite_coefficients("softplusx")
    with pytest.raises(ParameterError, match="one free variable"):
        hermite_coefficients(x * sp.Symbol("y"))
    with pytest.raises(ParameterError, match="method"):
        hermite_coefficients("relu", method="magic")


def test_tame_growth_skips_the_limit_only_where_the_structure_bounds_the_tails():
    import sympy as sp
    from symrmt.errors import ParameterError
    from symrmt.symbolic.hermite import check_gaussian_tails, gaussian_expectation, tame_growth

    x = sp.Symbol("x", real=True)
    for tame in (sp.tanh(x), 1 - sp.tanh(x) ** 2, x * sp.tanh(2 * x) ** 2, 1 / (1 + sp.exp(-x)),
                 sp.Max(0, x) ** 3, x * sp.exp(3 * x), sp.erf(x) * x**4):
        assert tame_growth(tame, x), tame
    for other in (sp.exp(x**2 / 2), sp.exp(x**2), sp.cosh(x), 1 / x, sp.exp(x**3)):
        assert not tame_growth(other, x), other
    # the tests that are not skipped still reject divergent integrands
    with pytest.raises(ParameterError, match="square-integrable"):
        check_gaussian_tails(sp.exp(x**2 / 3), x)
    with pytest.raises(ParameterError, match="diverges|infinite"):
        gaussian_expectation(sp.exp(x**2 / 2), x)
    # E[x tanh(x)] = E[1 - tanh²] (Stein), by quadrature on both sides
    assert abs(float(gaussian_expectation(x * sp.tanh(x), x)) - float(gaussian_expectation(1 - sp.tanh(x) ** 2, x))) < 1e-10
