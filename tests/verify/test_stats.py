"""Statistics against exact values and independent implementations (scipy)."""
import math

import numpy as np
import pytest
from scipy import stats

from symrmt.errors import ParameterError
from symrmt.verify.stats import grid_cdf, ks_distance, mean_ci, moment_statistics, relative_error, wasserstein1
from tests.verify.closed_forms import semicircle_cdf

uniform = lambda x: np.clip(np.asarray(x, dtype=float), 0.0, 1.0)  # noqa: E731


def test_ks_exact_small_cases():
    assert ks_distance([0.5], uniform)[0] == pytest.approx(0.5)
    assert ks_distance([[0.75, 0.25]], uniform)[0] == pytest.approx(0.25)


def test_ks_matches_scipy_kstest():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(3, 200)) ** 1.3
    ours = ks_distance(x, uniform)
    ref = [stats.kstest(row, "uniform").statistic for row in x]
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_ks_with_an_atom_compares_both_sides_of_the_jump():
    # law ½δ₀ + ½U(0,1): F(x) = ½ + ½x on [0, 1]; sample {0, ½}: sup is 1 − ¾ = ¼ (at x = ½), not ½
    cdf = lambda x: np.where(np.asarray(x) < 0, 0.0, 0.5 + 0.5 * np.clip(x, 0, 1))  # noqa: E731
    assert ks_distance([0.0, 0.5], cdf)[0] == pytest.approx(0.25)


def test_wasserstein_exact_values_and_scipy():
    # one point at ½ against U(0,1): ∫|1[x ≥ ½] − x| dx = 1/4
    assert wasserstein1([0.5], uniform, (0, 1))[0] == pytest.approx(0.25, abs=1e-4)
    rng = np.random.default_rng(1)
    x = rng.uniform(size=300)
    ref = stats.wasserstein_distance(x, np.linspace(0, 1, 200001))
    assert wasserstein1(x, uniform, (0, 1))[0] == pytest.approx(ref, abs=2e-4)


def test_mean_ci_student_t():
    est = mean_ci([1.0, 2.0, 3.0])
    assert est.value == 2.0
    assert est.stderr == pytest.approx(1 / math.sqrt(3))
    assert est.high - est.value == pytest.approx(4.302652729911275 / math.sqrt(3))
    single = mean_ci([5.0])
    assert single.stderr == 0 and single.low == single.high == 5.0
    with pytest.raises(ParameterError, match="level"):
        mean_ci([1.0, 2.0], level=1.5)


def test_mean_ci_covers_at_the_nominal_rate():
    """Coverage of the 95 % interval over 2000 Gaussian samples of size 5: 0.95 ± 4 s.e. (0.005)."""
    rng = np.random.default_rng(2)
    data = rng.normal(size=(2000, 5))
    hits = sum(e.low <= 0.0 <= e.high for e in map(mean_ci, data))
    assert abs(hits / 2000 - 0.95) < 4 * math.sqrt(0.95 * 0.05 / 2000)


def test_moment_statistics_and_relative_error():
    x = np.array([[1.0, 3.0], [1.0, 3.0]])
    mo = moment_statistics(x, [2.0, 5.0])
    assert mo[0]["estimate"]["value"] == 2.0 and mo[0]["rel_error"] == 0.0
    assert mo[1]["estimate"]["value"] == 5.0
    r = relative_error([1.1, 0.9, 1.0, 1.2], 1.0)
    assert r["rel_error"] == pytest.approx(0.05)
    assert r["rel_low"] < r["rel_error"] < r["rel_high"]
    with pytest.raises(ParameterError, match="theory"):
        relative_error([1.0], 0.0)


def test_bad_eigenvalue_input():
    with pytest.raises(ParameterError, match="NaN"):
        ks_distance([0.1, float("nan")], uniform)
    with pytest.raises(ParameterError, match="cdf"):
        ks_distance([0.1], lambda x: np.full_like(x, np.nan))


def test_grid_cdf_reproduces_a_closed_form_and_keeps_atoms():
    f = grid_cdf(semicircle_cdf, [(-2.0, 2.0)], points=2001)
    x = np.linspace(-2.5, 2.5, 1001)
    assert np.max(np.abs(f(x) - semicircle_cdf(x))) < 1e-6
    # ½δ₀ + ½U(1, 2): the jump at 0 must stay a jump
    cdf = lambda x: np.where(np.asarray(x) < 0, 0.0, 0.5) + 0.5 * np.clip(np.asarray(x) - 1, 0, 1)  # noqa: E731
    g = grid_cdf(cdf, [(0.0, 0.0), (1.0, 2.0)], points=101)
    assert g(np.array([-1e-12]))[0] == 0.0 and g(np.array([0.0]))[0] == 0.5
    assert g(np.array([1.5]))[0] == pytest.approx(0.75)


def test_grid_cdf_from_density_matches_closed_form():
    from tests.verify.closed_forms import semicircle_density

    f = grid_cdf(semicircle_cdf, [(-2.0, 2.0)], points=4001, density=semicircle_density)
    x = np.linspace(-2.5, 2.5, 1001)
    assert np.max(np.abs(f(x) - semicircle_cdf(x))) < 1e-6
    with pytest.raises(ParameterError, match="points"):
        grid_cdf(semicircle_cdf, [(-2.0, 2.0)], points=2)
