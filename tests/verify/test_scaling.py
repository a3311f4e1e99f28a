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


# ---------------------------------------------------------------- signed deviations (scalar observables)
from symrmt.verify.scaling import bias_scaling, pooled_stderrs  # noqa: E402


def _ladder(delta, amp, sigma0, trials, seed, sizes=SIZES):
    """Synthetic Monte-Carlo ladder: mean δ + C/n, per-trial spread σ0/√n (a self-averaging quantity)."""
    rng = np.random.default_rng(seed)
    return [delta + amp / n + sigma0 / np.sqrt(n) * rng.standard_normal(trials) for n in sizes]


def test_pure_finite_size_bias_agrees_and_extrapolates_to_zero():
    d = [2.0 / n for n in SIZES]
    fit = bias_scaling(SIZES, d, [1e-4] * 4)
    assert fit.verdict == "agrees" and fit.model == "bias"
    assert fit.plateau == pytest.approx(0.0, abs=1e-9) and fit.amplitude == pytest.approx(2.0, rel=1e-9)
    np.testing.assert_allclose(fit.predict(SIZES), d, rtol=1e-9)


def test_wrong_formula_offset_disagrees_even_with_few_trials():
    samples = _ladder(delta=0.08, amp=1.0, sigma0=0.5, trials=6, seed=1)
    ses = pooled_stderrs(SIZES, samples)
    fit = bias_scaling(SIZES, [s.mean() for s in samples], ses)
    assert fit.verdict == "disagrees" and fit.plateau == pytest.approx(0.08, abs=4 * fit.plateau_se)


def test_false_alarm_rate_of_a_correct_theory_is_small():
    # 200 synthetic correct-theory ladders with 6 trials each: a 3-s.e. rule with pooled errors should
    # call "disagrees" rarely (a Gaussian 3σ two-sided rate is 0.3 %; allow 5 % for the estimated σ0).
    verdicts = []
    for seed in range(200):
        samples = _ladder(delta=0.0, amp=1.0, sigma0=0.5, trials=6, seed=seed)
        fit = bias_scaling(SIZES, [s.mean() for s in samples], pooled_stderrs(SIZES, samples))
        verdicts.append(fit.verdict)
    assert verdicts.count("disagrees") <= 10
    assert verdicts.count("agrees") >= 150  # with σ0 = 0.5 the ladder resolves a 5 % error


def test_too_noisy_to_resolve_is_inconclusive():
    samples = _ladder(delta=0.0, amp=0.0, sigma0=20.0, trials=3, seed=3)
    fit = bias_scaling(SIZES, [s.mean() for s in samples], pooled_stderrs(SIZES, samples), resolution=0.05)
    assert fit.verdict == "inconclusive" and "resolution" in fit.reasons[-1]


def test_pooled_stderrs_recover_the_spread():
    samples = _ladder(delta=0.0, amp=0.0, sigma0=0.7, trials=400, seed=4)
    ses = pooled_stderrs(SIZES, samples)
    np.testing.assert_allclose(ses, [0.7 / np.sqrt(n) / np.sqrt(400) for n in SIZES], rtol=0.05)
    with pytest.raises(ParameterError, match="2 trials"):
        pooled_stderrs([10, 20], [[1.0], [2.0]])
    with pytest.raises(ParameterError, match="resolution"):
        bias_scaling(SIZES, [0.0] * 4, [0.1] * 4, resolution=0)
