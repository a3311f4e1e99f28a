"""The ODE kind in a sweep: ``imde-pendulum`` runs its own ladder (IMDE truncation orders at one
training-set size) at every point, and each point gets the verdict ``verify``'s decision gives —
checked against the derivation's ``run_ladder`` and ``conclude`` called directly with the task's
seed.  Options that do not fit that kind are refused with what to use instead."""
import contextlib
import math

import numpy as np
import pytest

import symrmt as sr
from symrmt.errors import ParameterError
from symrmt.simulate import derive_seed
from symrmt.sweep import falsify, sweep

N, TRIALS, SEED = 16, 2, 3  # 16 training points: a network trains in about a second


class _Bar:
    def size(self, i):
        return contextlib.nullcontext()


def _direct(h, trials, point):
    """The ladder and the decision of the derivation itself at one point, with the task's seed."""
    d = sr.load("imde-pendulum")
    p = d.bind(h=h)
    theory = d.theory(**p)
    rows, _ = d.run_ladder([N], trials, derive_seed(SEED, point, N, 0), theory, "cpu", None, _Bar(), **p)
    return rows[theory["order"]], d.conclude([N], rows)


def test_a_verdict_per_point():
    ds = sweep("imde-pendulum", {"h": [0.05, 0.1]}, sizes=[N], trials=1, seed=SEED, client="serial", progress=False)
    row, fit = _direct(0.1, 1, 1)
    assert str(ds["verdict"].sel(h=0.1).values) == fit["verdict"]  # the derivation's own decision, not a fallback
    np.testing.assert_allclose(ds["measurement"].sel(h=0.1, size=N).values, row["per_trial"], rtol=1e-12)
    assert set(ds["verdict"].values) <= {"agrees", "disagrees", "inconclusive"}
    assert np.isnan(ds["zscore"].values).all()  # a distance judged against the learning floor: no z-score


@pytest.mark.slow
def test_verdicts_and_standard_errors_with_two_trials():
    ds = sweep("imde-pendulum", {"h": [0.05, 0.1]}, sizes=[N], trials=TRIALS, seed=SEED, client="serial",
               progress=False)
    assert ds["measurement"].shape == (2, 1, TRIALS) and bool(ds["done"].all())
    for i, h in enumerate((0.05, 0.1)):
        row, fit = _direct(h, TRIALS, i)
        assert str(ds["verdict"].sel(h=h).values) == fit["verdict"]
        x = np.asarray(row["per_trial"])
        np.testing.assert_allclose(ds["measurement"].sel(h=h, size=N).values, x, rtol=1e-12)
        assert float(ds["deviation"].sel(h=h)) == pytest.approx(x.mean(), rel=1e-12)
        assert float(ds["se"].sel(h=h)) == pytest.approx(x.std(ddof=1) / math.sqrt(TRIALS), rel=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    ({"sizes": [16, 32]}, "one size"),
    ({"sizes": [16], "trials": 2, "batch": 1}, "batch: imde-pendulum judges all the trials"),
])
def test_refusals(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sweep("imde-pendulum", {"h": [0.05, 0.1]}, client="serial", progress=False, **kwargs)


def test_falsify_refuses_with_what_to_use_instead():
    with pytest.raises(ParameterError, match=r"no \|deviation\|/SE for falsify to search; sweep it instead"):
        falsify("imde-pendulum", {"h": (0.05, 0.2)}, client="serial", progress=False)
