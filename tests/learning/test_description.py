"""Checking a learning model's description: bad input is a ParameterError naming the argument."""
import math

import numpy as np
import pytest

import symrmt.learning as sl
from symrmt.errors import ParameterError
from symrmt.measures import empirical, power_law


@pytest.mark.parametrize("width", [0, -1.0, math.nan, math.inf, "2", None])
def test_width_must_be_positive(width):
    with pytest.raises(ParameterError, match="width"):
        sl.linear(width=width)


@pytest.mark.parametrize("k", [0, -2, 1.5, True, "four", math.nan, None, [2]])
def test_ensemble_positive_integer_or_inf(k):
    with pytest.raises(ParameterError, match="ensemble"):
        sl.model(ensemble=k)


@pytest.mark.parametrize("k, expected", [(1, 1.0), (4, 4.0), ("inf", math.inf), (math.inf, math.inf),
                                         (np.int64(3), 3.0)])
def test_ensemble_accepted(k, expected):
    assert sl.model(ensemble=k).ensemble == expected


@pytest.mark.parametrize("data", ["identity", {"a": 1}, ([1.0, -1.0], [0.5, 0.5]), ([0.0], [1.0])])
def test_data_must_be_a_nonnegative_measure(data):
    with pytest.raises(ParameterError, match="data"):
        sl.model(data=data)


def test_weights_must_be_a_nonnegative_measure():
    with pytest.raises(ParameterError, match="weights"):
        sl.linear(width=1.0, weights=([-1.0, 2.0], [0.5, 0.5]))
    with pytest.raises(ParameterError, match="weights"):
        sl.linear(width=1.0, weights="isotropic")


def test_layers_and_target_of_the_wrong_kind():
    with pytest.raises(ParameterError, match=r"layers\[0\]"):
        sl.model(layers=[2.0])
    with pytest.raises(ParameterError, match="layers"):
        sl.model(layers="linear")
    with pytest.raises(ParameterError, match="target"):
        sl.model(target=empirical([1.0, 2.0]))
    with pytest.raises(ParameterError, match="power"):
        sl.source(power=math.nan)
    with pytest.raises(ParameterError, match="target"):
        sl.model(data=([0.0, 1.0], [0.5, 0.5]), target=sl.source(1.0))


def test_signal_noise_activation():
    with pytest.raises(ParameterError, match="signal"):
        sl.model(signal=-1)
    with pytest.raises(ParameterError, match="noise"):
        sl.model(noise=math.inf)
    with pytest.raises(ParameterError, match="activation"):
        sl.model(activation="relu")


def test_description_fields():
    m = sl.model(data=power_law(1.5, 100), target=sl.source(0.5), signal=2, noise=0.1,
                 layers=[sl.linear(2.0), sl.linear(1.5, weights=([0.5, 1.5], [0.5, 0.5]))], ensemble=4)
    assert m.depth == 2 and m.signal == 2.0 and m.noise == 0.1 and m.ensemble == 4.0
    assert not m.layers[0].structured and m.layers[1].structured
    assert "ensemble=4" in repr(m)
    inputs = m.simulation_inputs(50)
    assert inputs["eigenvalues"].shape == (50,) and inputs["target"].mean() == pytest.approx(1.0)
    assert inputs["weights"][0] is None and inputs["weights"][1].shape == (100,)
