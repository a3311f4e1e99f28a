"""The five registry derivations load, solve arrays, and verify against trained models."""
import numpy as np
import pytest

import symrmt as sr
from symrmt.errors import ParameterError

NAMES = ["ridge", "linear-random-features", "random-features", "powerlaw-ridge", "kernel-gcv"]


@pytest.mark.parametrize("name", NAMES)
def test_registered(name):
    d = sr.load(name)
    assert d.name == name
    assert "arXiv" in d.reference
    assert d.equations()


def test_solve_takes_arrays():
    r = sr.load("random-features").solve(psi1=np.linspace(0.2, 4, 12), ridge=1e-3)
    assert r["risk"].shape == (12,) and r.converged.all()
    e = sr.load("linear-random-features").solve(ensemble=np.array([1, 2, np.inf]))
    assert e["test_error"].shape == (3,)


@pytest.mark.parametrize("name", ["ridge", "random-features"])
def test_verify_small(name):
    # sizes 60 and 120, 3 trials at the smallest: the theory must lie within a generous band
    # (4 standard errors of the trial mean plus 3/n finite-size bias) at the largest size
    rep = sr.load(name).verify(sizes=(60, 120), trials=3, seed=2, device="cpu")
    last = rep.ladder[-1]
    lo, hi = last["ci95"]
    half = (hi - lo) / 2
    assert abs(last["simulated"] - last["theory"]) <= 2 * half + 3 * abs(last["theory"]) / 120


def test_bad_input():
    with pytest.raises(ParameterError, match="q"):
        sr.load("ridge").solve(q=-1)
    with pytest.raises(ParameterError, match="unknown parameter"):
        sr.load("ridge").solve(qq=1)
    with pytest.raises(ParameterError, match="activation"):
        sr.load("random-features").solve(activation="softsign?")


@pytest.mark.parametrize("name", ["ridge", "linear-random-features", "random-features", "powerlaw-ridge"])
def test_quick_ladder_agrees(name):
    # the demo's setting: sizes 50..400, 10 trials per size, seed 0; the signed relative deviation is
    # extrapolated to n -> inf with pooled standard errors (spread ∝ n^-1/2) and must be consistent
    # with 0 while resolving a 10 % error (see symrmt.verify.scaling.bias_scaling)
    rep = sr.load(name).verify(quick=True, seed=0, device="cpu")
    assert rep.verdict == "agrees", rep.reasons


def test_wrong_noise_is_detected():
    # the theory evaluated at noise variance 0.4 instead of the simulated 0.25: a ~30 % offset
    rep = sr.load("ridge").verify(quick=True, seed=0, device="cpu", theory_params={"noise": 0.4})
    assert rep.verdict == "disagrees" and abs(rep.scaling["plateau"]) > 0.2


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_default_ladder_agrees(name):
    # default sizes (100..800; kernel-gcv 100..400) and trials, another seed: resolution 5 %
    assert sr.load(name).verify(seed=1, device="cpu").verdict == "agrees"
