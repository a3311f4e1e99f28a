"""Finite-size scaling verdicts on synthetic ladders with known behaviour."""
import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.verify.scaling import finite_size_scaling

SIZES = [250, 500, 1000, 2000]


def test_pure_one_over_n_agrees_with_slope_minus_one():
    e = [3.0 / n for n in SIZES]
    fit = finite_size_scaling(SIZES, e, [0.05 * x for x in e])
    assert fit.verdict == "agrees"
    assert fit.slope == pytest.approx(-1.0, abs=1e-9)
    assert abs(fit.plateau) < 3 * fit.plateau_se
    np.testing.assert_allclose(fit.predict(SIZES), e, rtol=1e-9)


def test_log_corrected_decay_agrees_and_has_no_plateau_with_log_model():
    e = [0.5 * np.log(n) / n for n in SIZES]
    assert finite_size_scaling(SIZES, e, [0.03 * x for x in e]).verdict == "agrees"
    fit = finite_size_scaling(SIZES, e, [0.03 * x for x in e], log_correction=True)
    assert fit.verdict == "agrees" and abs(fit.plateau) < 1e-12


def test_plateau_with_log_model_is_recovered():
    e = [0.02 + 0.5 * np.log(n) / n for n in SIZES]
    fit = finite_size_scaling(SIZES, e, [0.0003] * 4, log_correction=True)
    assert fit.verdict == "disagrees" and fit.plateau == pytest.approx(0.02, rel=1e-6)


def test_plateau_disagrees():
    e = [0.025 + 2.0 / n for n in SIZES]
    fit = finite_size_scaling(SIZES, e, [0.0005] * 4)
    assert fit.verdict == "disagrees"
    assert fit.plateau == pytest.approx(0.025, rel=0.05)
    assert any("plateau" in r for r in fit.reasons)


def test_flat_noisy_error_disagrees():
    e = [0.03, 0.031, 0.029, 0.030]
    assert finite_size_scaling(SIZES, e, [0.001] * 4).verdict == "disagrees"


def test_two_sizes_are_inconclusive():
    fit = finite_size_scaling([100, 200], [0.02, 0.01], [0.001, 0.001])
    assert fit.verdict == "inconclusive" and any("fewer than 3" in r for r in fit.reasons)


def test_too_noisy_to_tell_is_inconclusive():
    e = [0.010, 0.008, 0.009, 0.006]
    fit = finite_size_scaling(SIZES, e, [0.004] * 4)
    assert fit.verdict == "inconclusive"


def test_expected_rate_one_half():
    e = [2.0 / np.sqrt(n) for n in SIZES]
    fit = finite_size_scaling(SIZES, e, [0.05 * x for x in e], expected_rate=0.5)
    assert fit.verdict == "agrees" and fit.slope == pytest.approx(-0.5)


@pytest.mark.parametrize("kwargs, match", [
    (dict(sizes=[1, 2], errors=[1.0]), "equal-length"),
    (dict(sizes=[10, 10, 20], errors=[1.0, 1.0, 1.0]), "distinct"),
    (dict(sizes=[10, 20, 40], errors=[1.0, 0.0, 1.0]), "errors"),
    (dict(sizes=[10, 20, 40], errors=[1.0, 0.5, 0.2], expected_rate=0), "expected_rate"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        finite_size_scaling(**kwargs)
