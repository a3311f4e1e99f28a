"""eta_transform: exact small cases, Tulino & Verdú's closed form for Marchenko–Pastur and
numerical integration of the compiled density."""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.symbolic.eta import ETA, GAMMA

R = sp.Rational


def test_atoms_exactly():
    # η = (1/2)/(1 + γ) + (1/2)/(1 + 3γ)
    poly = sr.eta_transform(sr.laws.atoms([1, 3]))
    g = sp.Symbol("g", positive=True)
    eta = R(1, 2) / (1 + g) + R(1, 2) / (1 + 3 * g)
    assert sp.simplify(poly.as_expr().subs({ETA: eta, GAMMA: g})) == 0


def tulino_verdu(gamma, beta):
    """η of MP(β) (Tulino & Verdú 2004, eq. (2.87)): 1 - F(γ, β)/(4βγ)."""
    F = (math.sqrt(gamma * (1 + math.sqrt(beta)) ** 2 + 1) - math.sqrt(gamma * (1 - math.sqrt(beta)) ** 2 + 1)) ** 2
    return 1 - F / (4 * beta * gamma)


@pytest.mark.parametrize("beta", [R(1, 2), R(1, 5)])
def test_marchenko_pastur_against_closed_form_and_quadrature(beta):
    law = sr.laws.marchenko_pastur(beta)
    poly = sr.eta_transform(law)
    b = float(beta)
    lo, hi = (1 - math.sqrt(b)) ** 2, (1 + math.sqrt(b)) ** 2
    dens = law.compile().density
    for gamma in (0.3, 1.0, 4.0):
        want = tulino_verdu(gamma, b)
        assert abs(float(poly.as_expr().subs({ETA: want, GAMMA: gamma}))) < 1e-12
        num = quad(lambda x: float(dens(x)) / (1 + gamma * x), lo, hi, limit=200, epsabs=1e-13)[0]
        assert num == pytest.approx(want, rel=1e-9)
        assert law.compile().stieltjes(-1 / gamma).real / gamma == pytest.approx(want, rel=1e-12)


def test_series_at_zero_is_the_alternating_moment_series():
    law = sr.free_add(sr.laws.semicircle(), sr.laws.atoms([1, 4]))
    poly = sr.eta_transform(law)
    mom = [1] + law.moments(4)
    g = sp.Symbol("g")
    series = sum((-g) ** k * mk for k, mk in enumerate(mom))
    residual = sp.expand(poly.as_expr().subs({ETA: series, GAMMA: g}))
    assert all(residual.coeff(g, k) == 0 for k in range(5))


def test_bad_input():
    with pytest.raises(ParameterError, match="law"):
        sr.eta_transform("m + 1")
    with pytest.raises(ParameterError, match="clash"):
        sr.eta_transform(sr.laws.marchenko_pastur(sp.Symbol("γ", positive=True)))
