"""An AlgebraicLaw as a measure (quadrature of its density), against atoms-free closed forms."""
import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.measures import expect, from_law
from symrmt.symbolic.system import System

G = sp.Rational(1, 2)


def mp_stieltjes(z, g):
    """Marchenko–Pastur (variance 1) Stieltjes transform, principal square roots (m ~ −1/z)."""
    lm, lp = (1 - np.sqrt(g)) ** 2, (1 + np.sqrt(g)) ** 2
    z = np.asarray(z, dtype=complex)
    return (1 - g - z + np.sqrt(z - lm) * np.sqrt(z - lp)) / (2 * g * z)


@pytest.fixture(scope="module")
def mp_measure():
    return from_law(sr.laws.marchenko_pastur(ratio=G))


def test_nodes_moments_and_support(mp_measure):
    g = 0.5
    assert mp_measure.kind == "law" and mp_measure.size == 128
    np.testing.assert_allclose(mp_measure.moments(3), [1, 1 + g, 1 + 3 * g + g**2], rtol=1e-12)
    (a, b), = mp_measure.support()
    assert a == pytest.approx((1 - np.sqrt(g)) ** 2) and b == pytest.approx((1 + np.sqrt(g)) ** 2)


def test_resolvent_traces_match_closed_form(mp_measure):
    """df1(κ) = E[t/(t+κ)] = 1 − κ m(−κ) with the MP closed form: through a compiled System."""
    t, k = sp.symbols("t kappa", positive=True)
    r = sp.Symbol("r")
    sysm = System([r - expect(t / (t + k), t, mp_measure)], [r], [k], domains={r: "real"})
    kap = np.logspace(-2, 1, 7)
    got = sysm.compile().solve(kappa=kap)["r"]
    np.testing.assert_allclose(got, 1 - kap * mp_stieltjes(-kap, 0.5).real, rtol=1e-10)


def test_hard_edge_and_atom():
    """MP with ratio 2: an atom of mass 1/2 at 0 and a continuous part (closed-form mass 1/2)."""
    mu = from_law(sr.laws.marchenko_pastur(ratio=2))
    assert mu.weights[mu.points == 0].sum() == pytest.approx(0.5, rel=1e-9)
    assert mu.mean == pytest.approx(1.0, rel=1e-10)


def test_bad_law_input():
    with pytest.raises(ParameterError, match="law"):
        from_law([1, 2])
    with pytest.raises(ParameterError, match="gamma"):
        from_law(sr.laws.marchenko_pastur(ratio=sp.Symbol("gamma", positive=True)))
    with pytest.raises(ParameterError, match="nodes"):
        from_law(sr.laws.marchenko_pastur(ratio=G), nodes=2)
