"""Joint measures (atoms in R^k) inside Systems: the loops against independent numpy sums."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

import symrmt as sr
from symrmt.codegen.compile import system_source
from symrmt.errors import ParameterError
from symrmt.measures import empirical, expect, joint

a, b, V = sp.symbols("a b V")
lam = sp.Symbol("lam", positive=True)


def _system(mu):
    """V = E[a / (1 + a V + b V²/3)] + λ, observable E[b V] (a 1-unknown fixed point)."""
    eq = V - expect(a / (1 + a * V + b * V**2 / 3), (a, b), mu) - lam
    return sr.System([eq], [V], [lam], observables={"E": expect(b * V, (a, b), mu)},
                     domains={V: "positive"}, initial={V: lam + 1}, name="joint_test")


def _reference(pts, w, L):
    f = lambda v: v - np.sum(w * pts[:, 0] / (1 + pts[:, 0] * v + pts[:, 1] * v**2 / 3)) - L  # noqa: E731
    return brentq(f, 0.0, 50.0, xtol=1e-15)


def test_joint_measure_solve_matches_numpy_and_shares_module():
    rng = np.random.default_rng(3)
    pts = rng.uniform(0.1, 2.0, size=(40, 2))
    w = rng.uniform(size=40)
    w /= w.sum()
    cs = _system(joint(pts, w)).compile()
    lams = np.array([0.05, 0.5, 2.0])
    r = cs.solve(lam=lams)
    ref = np.array([_reference(pts, w, L) for L in lams])
    np.testing.assert_allclose(r["V"], ref, rtol=1e-12)
    np.testing.assert_allclose(r.observables["E"], np.sum(w * pts[:, 1]) * ref, rtol=1e-12)
    # another measure of another size: the same module, no compile; the same answer as a System built on it
    pts2 = rng.uniform(0.2, 3.0, size=(7, 2))
    other = cs.with_measures(joint(pts2))
    assert other.module is cs.module
    np.testing.assert_allclose(other.solve(lam=0.3)["V"], _reference(pts2, np.full(7, 1 / 7), 0.3), rtol=1e-12)


def test_joint_measure_size_does_not_reach_the_source():
    rng = np.random.default_rng(0)
    small, large = joint(rng.uniform(size=(10, 2))), joint(rng.uniform(size=(5000, 2)))
    assert system_source(_system(small)) == system_source(_system(large))


def test_joint_measure_summaries():
    mu = joint([[1.0, 0.5], [3.0, 0.25]], weights=[0.25, 0.75], names=("omega", "theta"))
    np.testing.assert_allclose(mu.mean, [2.5, 0.3125])
    np.testing.assert_allclose(mu.marginal("omega").moments(2), [2.5, 7.0])
    assert mu.size == 2 and mu.dim == 2 and mu == joint([[1.0, 0.5], [3.0, 0.25]], [0.25, 0.75])


@pytest.mark.parametrize("points, weights, names, what", [
    ([1.0, 2.0], None, None, "points"),                    # 1-d: use empirical
    ([[1.0], [2.0]], None, None, "points"),                # one coordinate
    ([[1.0, np.nan]], None, None, "points"),
    ([[1.0, 2.0], [3.0, 4.0]], [0.5], None, "weights"),
    ([[1.0, 2.0], [3.0, 4.0]], [0.7, 0.7], None, "weights"),
    ([[1.0, 2.0]], None, ("only",), "names"),
])
def test_joint_bad_input(points, weights, names, what):
    with pytest.raises(ParameterError, match=what):
        joint(points, weights, names)


def test_expect_variables_must_match_coordinates():
    mu = joint([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ParameterError, match="2 coordinate"):
        expect(a, a, mu)
    with pytest.raises(ParameterError, match="distinct"):
        expect(a, (a, a), mu)
    with pytest.raises(ParameterError, match="1 coordinate"):
        expect(a * b, (a, b), empirical([1.0, 2.0]))


def test_with_measures_checks_count_and_dimension():
    cs = _system(joint([[1.0, 2.0], [0.5, 0.1]])).compile()
    with pytest.raises(ParameterError, match="2 coordinate"):
        cs.with_measures(empirical([1.0, 2.0]))
    with pytest.raises(ParameterError, match="1 measure slot"):
        cs.with_measures()


def test_derivative_of_joint_expectation_is_expectation_of_derivative():
    mu = joint([[1.0, 2.0], [0.5, 0.1]])
    e = expect(a * V**2 + b * V, (a, b), mu)
    d = sp.diff(e, V)
    assert d.free_symbols == {V}
    assert sp.diff(e, a) == 0  # a bound variable


def test_joint_population_keeps_the_rows_together_in_their_weights():
    """``population(d)``: whole atoms (rows), in proportion to the weights; d equal atoms are
    returned as they are."""
    mu = joint(np.array([[1.0, -2.0], [3.0, 5.0]]), [0.25, 0.75])
    pop = mu.population(8)
    assert pop.shape == (8, 2)
    assert (pop == [1.0, -2.0]).all(axis=1).sum() == 2 and (pop == [3.0, 5.0]).all(axis=1).sum() == 6
    pts = np.arange(10.0).reshape(5, 2)
    assert np.array_equal(joint(pts).population(5), pts)
