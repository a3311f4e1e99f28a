"""equilibrium_measure of t·x^{2M}: the closed-form density Q(x)√(a² - x²)/(2π) re-derived here,
its normalisation, the virial identity 2Mt m_{2M} = 1 and the compiled density."""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

import symrmt as sr
from symrmt.errors import ParameterError

R = sp.Rational


def closed_form(M, t):
    """Edge a (a^{2M} = 4^M/(M t C(2M, M))) and density Q(x)√(a² - x²)/(2π), where
    Q = 2Mt Σ_{k<M} C(2k, k) 4^{-k} a^{2k} x^{2M-2-2k} (polynomial part of V'(x)/√(x² - a²))."""
    a = (4**M / (M * t * math.comb(2 * M, M))) ** (1 / (2 * M))

    def rho(x):
        q = 2 * M * t * sum(math.comb(2 * k, k) / 4**k * a ** (2 * k) * x ** (2 * M - 2 - 2 * k) for k in range(M))
        return q * math.sqrt(max(a * a - x * x, 0)) / (2 * math.pi)

    return a, rho


def test_quadratic_potential_is_the_semicircle():
    t = sp.Symbol("t", positive=True)
    assert sr.laws.equilibrium_measure(1, t) == sr.laws.semicircle(1 / (2 * t))


@pytest.mark.parametrize("M,t", [(2, 1), (2, R(1, 3)), (3, 1)])
def test_moments_against_closed_form_density(M, t):
    a, rho = closed_form(M, float(t))
    assert quad(rho, -a, a)[0] == pytest.approx(1, abs=1e-12)
    law = sr.laws.equilibrium_measure(M, t)
    got = [complex(sp.N(x, 20)).real for x in law.moments(2 * M)]
    want = [quad(lambda x: x**k * rho(x), -a, a, epsabs=1e-14)[0] for k in range(1, 2 * M + 1)]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert sp.nsimplify(law.moments(2 * M)[-1] * 2 * M * t) == 1          # virial identity


def test_symbolic_coupling_and_compiled_density():
    t = sp.Symbol("t", positive=True)
    law = sr.laws.equilibrium_measure(2, t)
    assert law.parameters == (t,) and law.degree[0] == 4
    a, rho = closed_form(2, 0.5)
    sol = law.subs(t=R(1, 2)).compile()
    x = np.linspace(-1.2 * a, 1.2 * a, 15)
    np.testing.assert_allclose(sol.density(x), [rho(v) for v in x], rtol=1e-8, atol=1e-12)
    (lo, hi), = sol.support()
    assert lo == pytest.approx(-a, rel=1e-9) and hi == pytest.approx(a, rel=1e-9)


def test_bad_input():
    with pytest.raises(ParameterError, match="power"):
        sr.laws.equilibrium_measure(0)
    with pytest.raises(ParameterError, match="power"):
        sr.laws.equilibrium_measure(1.5)
    with pytest.raises(ParameterError, match="coupling"):
        sr.laws.equilibrium_measure(2, -1)
