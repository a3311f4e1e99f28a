"""kernel-gcv's verification: several training sets per population sample make the paired
difference (test error − omniscient risk of the same population sample) precise enough for a
conclusive quick verdict at the unchanged resolution 0.1."""
import numpy as np
import pytest

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import simulate_kernel_ridge


def test_fits_average_training_sets():
    s = simulate_kernel_ridge(20, d=3, population=30, n_test=50, trials=2, seed=1, device="cpu", fits=3)
    assert s.values["test_error"].shape == (2,) and np.all(s.values["test_error"] >= 0.1)   # noise floor σ² = 0.1
    assert np.all(s.values["train_error"] < s.values["test_error"])
    with pytest.raises(ParameterError, match="fits"):
        simulate_kernel_ridge(20, d=3, population=30, fits=0, device="cpu")


@pytest.mark.slow
def test_quick_verify_is_conclusive():
    # quick ladder n = 50, 100, 200; 4 population samples per size, 8 training sets each; seed 0:
    # measured δ = 0.010 ± 0.008 (3 SE = 0.025 < resolution 0.1), where one training set per
    # population sample gave δ = 0.031 ± 0.046 (inconclusive)
    d = sr.load("kernel-gcv")
    rep = d.verify(quick=True, seed=0, device="cpu")
    assert rep.verdict in ("agrees", "disagrees"), rep.reasons
    assert 3 * rep.scaling["plateau_se"] <= d.quick_resolution
