"""The torch simulation of a composed learning model (plain arrays in, Measurement out)."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.simulate.learning_model import model_shapes, simulate_learning_model


def test_noiseless_overdetermined_ridge_recovers_the_target():
    d = 40
    s = simulate_learning_model(d, 20.0, 1e-8, 0.0, 1.0, np.linspace(0.5, 2, d), np.ones(d), trials=2, seed=1)
    assert np.all(s.values["test_error"] < 1e-10)
    assert np.all(s.values["train_error"] < 1e-10)


def test_chain_and_ensemble_measurements():
    d = 30
    s = simulate_learning_model(d, 1.5, 0.05, 0.1, 1.0, np.ones(d), np.ones(d), widths=(2.0, 0.5),
                                weights=(np.full(d, 2.0), None), ensemble=3, trials=2, seed=0)
    assert set(s.values) >= {"test_error", "test_error_single", "train_error", "variance_features"}
    assert s.sizes == {"d": 30, "P": 45, "N1": 60, "N2": 15}
    assert np.all(s.values["variance_features"] > 0)
    same = simulate_learning_model(d, 1.5, 0.05, 0.1, 1.0, np.ones(d), np.ones(d), widths=(2.0, 0.5),
                                   weights=(np.full(d, 2.0), None), ensemble=3, trials=2, seed=0)
    np.testing.assert_array_equal(same.values["test_error"], s.values["test_error"])


def test_bad_input():
    with pytest.raises(ParameterError, match="ensemble"):
        simulate_learning_model(10, 1.0, 0.1, 0.0, 1.0, np.ones(10), np.ones(10), ensemble=float("inf"))
    with pytest.raises(ParameterError, match="eigenvalues"):
        simulate_learning_model(10, 1.0, 0.1, 0.0, 1.0, np.ones(9), np.ones(10))
    with pytest.raises(ParameterError, match="weights"):
        simulate_learning_model(10, 1.0, 0.1, 0.0, 1.0, np.ones(10), np.ones(10), widths=(1.0,),
                                weights=(np.ones(3),))
    with pytest.raises(ParameterError, match="samples"):
        simulate_learning_model(10, 0.0, 0.1, 0.0, 1.0, np.ones(10), np.ones(10))


def test_shapes():
    assert model_shapes(100, 2.0, (1.5,)) == [(200.0, 100), (100, 100), (150.0, 100.0), (200.0, 150.0),
                                               (150.0, 150.0)]
