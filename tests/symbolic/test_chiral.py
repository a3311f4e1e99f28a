"""chiral_block: the semicircle special case and moments by quadrature over the
Marchenko–Pastur density of the eigenvalue map λ = (α + β)/2 ± √(((α - β)/2)² + s)."""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

import symrmt as sr
from symrmt.errors import ParameterError

R = sp.Rational


def test_zero_blocks_of_square_x_give_the_semicircle():
    assert sr.laws.chiral_block(0, 0, 1) == sr.laws.semicircle(1)


def _mp_density(s, c):
    lo, hi = (1 - math.sqrt(c)) ** 2, (1 + math.sqrt(c)) ** 2
    return math.sqrt(max((hi - s) * (s - lo), 0)) / (2 * math.pi * c * s), lo, hi


@pytest.mark.parametrize("alpha,beta,ratio", [(1, -1, R(1, 2)), (R(1, 2), 2, R(1, 3))])
def test_moments_by_quadrature(alpha, beta, ratio):
    # n ≤ m: 2n eigenvalues λ±(s), s ~ MP(c) (law of XXᵀ/m), and m - n eigenvalues β; φ = c/(1 + c)
    a, b, cc = float(alpha), float(beta), float(ratio)
    phi = cc / (1 + cc)
    _, lo, hi = _mp_density(1.0, cc)
    mid, half = (a + b) / 2, (a - b) / 2

    def moment(k):
        f = lambda s: _mp_density(s, cc)[0] * ((mid + math.sqrt(half**2 + s)) ** k + (mid - math.sqrt(half**2 + s)) ** k)
        return phi * quad(f, lo, hi, limit=200, epsabs=1e-13)[0] + (1 - 2 * phi) * b**k

    got = [float(x) for x in sr.laws.chiral_block(alpha, beta, ratio).moments(4)]
    np.testing.assert_allclose(got, [moment(k) for k in range(1, 5)], rtol=1e-9, atol=1e-10)


def test_symbolic_parameters_and_mean():
    al, be = sp.symbols("alpha beta", real=True)
    c = sp.Symbol("c", positive=True)
    m1 = sr.laws.chiral_block(al, be, c).moments(1)[0]
    assert sp.simplify(m1 - (c * al + be) / (1 + c)) == 0     # (n α + m β)/(n + m)


def test_bad_ratio():
    with pytest.raises(ParameterError, match="ratio"):
        sr.laws.chiral_block(0, 0, -1)
