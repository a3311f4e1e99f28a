"""Measures as data: construction, validation, summaries, the population model."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.measures import as_measure, empirical, power_law


def test_empirical_accepts_numpy_scalars_and_arrays():
    mu = empirical([np.float64(0.5), np.float32(2.0), 3])
    assert mu.size == 3 and np.allclose(mu.weights, 1 / 3)
    assert mu.mean == pytest.approx((0.5 + 2.0 + 3.0) / 3)
    mu2 = empirical(np.array([1.0, 3.0]), weights=np.array([0.25, 0.75]))
    assert np.allclose(mu2.moments(3), [2.5, 0.25 + 0.75 * 9, 0.25 + 0.75 * 27])
    assert mu2.variance == pytest.approx(0.75)
    assert mu2.support() == [(1.0, 1.0), (3.0, 3.0)]


def test_power_law_points():
    pl = power_law(1.5, 1000, scale=2)
    k = np.arange(1, 1001)
    assert np.allclose(np.sort(pl.points)[::-1], 2 * k**-1.5)
    assert np.allclose(pl.weights, 1e-3)


def test_digest_identifies_content():
    a, b = empirical([1.0, 2.0]), empirical([1.0, 2.0])
    assert a == b and hash(a) == hash(b) and a.digest == b.digest
    assert empirical([1.0, 2.5]) != a


@pytest.mark.parametrize("points, weights, name", [
    ([-1.0, 2.0], None, "points"),
    ([1.0, np.nan], None, "points"),
    ([1.0, np.inf], None, "points"),
    ([], None, "points"),
    ([[1.0, 2.0]], None, "points"),
    (["a", "b"], None, "points"),
    ([1.0, 2.0], [0.5, 0.6], "weights"),
    ([1.0, 2.0], [1.5, -0.5], "weights"),
    ([1.0, 2.0], [1.0], "weights"),
    ([1.0, 2.0], [], "weights"),
    ([1.0, 2.0], [0.5, np.nan], "weights"),
])
def test_bad_input_names_the_argument(points, weights, name):
    with pytest.raises(ParameterError, match=name):
        empirical(points, weights)


@pytest.mark.parametrize("args, name", [((-1, 10), "exponent"), ((1.5, 0), "size"), ((1.5, 2.5), "size"),
                                        ((1.5, 10, 0), "scale"), ((np.nan, 10), "exponent")])
def test_power_law_bad_input(args, name):
    with pytest.raises(ParameterError, match=name):
        power_law(*args)


def test_negative_points_allowed_on_request():
    mu = empirical([-1.0, 1.0], allow_negative=True)
    assert mu.mean == 0.0 and not mu.is_nonnegative()
    with pytest.raises(ParameterError, match="spectrum"):
        mu.require_nonnegative("spectrum")


def test_as_measure_conversions():
    assert as_measure(([1.0, 2.0], [0.5, 0.5])).mean == 1.5
    assert as_measure(np.array([1.0, 3.0])).mean == 2.0
    with pytest.raises(ParameterError, match="spectrum"):
        as_measure("1, 2", "spectrum")
    with pytest.raises(ParameterError, match="spectrum"):
        as_measure(([1.0, -2.0], [0.5, 0.5]), "spectrum", nonnegative=True)


def test_population_quantiles():
    mu = empirical([1.0, 4.0], [0.25, 0.75])
    pop = mu.population(8)
    assert sorted(pop.tolist()) == [1.0, 1.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    pl = power_law(1.5, 50)
    assert np.allclose(pl.population(50), np.sort(pl.points)[::-1])
