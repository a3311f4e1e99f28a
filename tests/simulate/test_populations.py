"""Populations drawn from measures (the simulation model of a measure)."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.measures import empirical, power_law
from symrmt.simulate import population_eigenvalues, sample_covariance_eigenvalues


def test_population_is_the_measure_at_its_size_and_multiples():
    mu = power_law(1.5, 50)
    np.testing.assert_allclose(np.sort(population_eigenvalues(mu, 50)), np.sort(mu.points))
    np.testing.assert_allclose(np.sort(population_eigenvalues(mu, 100)), np.sort(np.repeat(mu.points, 2)))


def test_sample_covariance_eigenvalues_trace_and_zeros():
    mu = empirical([1.0, 3.0])
    ev = sample_covariance_eigenvalues(mu, 200, 2.0, trials=3, seed=1, device="cpu")
    assert ev.shape == (3, 200)
    assert np.all(np.abs(ev[:, :100]) < 1e-8)           # d − n = 100 exact zeros (c = 2)
    # E tr = tr Σ = 200·2: the trace over d concentrates at the mean 2 (independent: the model's average)
    assert abs(ev.sum(axis=1).mean() / 200 - 2.0) < 0.05
    with pytest.raises(ParameterError, match="population"):
        sample_covariance_eigenvalues(([-1.0, 1.0], [0.5, 0.5]), 10, 0.5, device="cpu")
