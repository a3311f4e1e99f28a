"""free_meixner: against its Jacobi matrix (moments (J^k)_{00}, numpy) and known special cases."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError

R = sp.Rational


def _jacobi_moments(a, b, k):
    """(J^j)_{00}, J tridiagonal with diagonal (0, a, a, ...) and off-diagonal (1, √(1 + b), ...)."""
    size = k + 2
    J = np.diag([0.0] + [a] * (size - 1)) + np.diag([1.0] + [np.sqrt(1 + b)] * (size - 2), 1) \
        + np.diag([1.0] + [np.sqrt(1 + b)] * (size - 2), -1)
    e = np.zeros(size)
    e[0] = 1
    return [float(np.linalg.matrix_power(J, j)[0] @ e) for j in range(1, k + 1)]


@pytest.mark.parametrize("a,b", [(0, 0), (1, 2), (R(-3, 2), R(1, 4)), (R(1, 3), R(-1, 2)), (2, -1)])
def test_moments_match_the_jacobi_matrix(a, b):
    got = [float(x) for x in sr.laws.free_meixner(a, b).moments(8)]
    np.testing.assert_allclose(got, _jacobi_moments(float(a), float(b), 8), rtol=1e-12, atol=1e-12)


def test_special_cases():
    assert sr.laws.free_meixner() == sr.laws.semicircle(1)
    a = R(1, 2)   # b = 0: free Poisson of rate 1/a², jump a, centred
    assert sr.laws.free_meixner(a, 0) == sr.mobius(sr.laws.free_poisson(1 / a**2, a), 1, -1 / a, 0, 1)
    a, b = sp.symbols("a b", real=True)
    m = sr.laws.free_meixner(a, b).moments(4)
    assert m[:3] == [0, 1, a] and sp.expand(m[3] - (a**2 + b + 2)) == 0


def test_b_below_minus_one_is_refused():
    with pytest.raises(ParameterError, match="1 \\+ b"):
        sr.laws.free_meixner(0, -2)
