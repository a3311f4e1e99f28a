"""``falsify``: a formula wrong (by 10 %) only in a corner is found there; the correct formula over
the same domain gives no region (Holm–Bonferroni at α = 0.05); the multiple-testing rule itself."""
import pytest

from symrmt.errors import ParameterError
from symrmt.sweep import falsify, holm

from .conftest import planted

RANGES = {"q": (0.2, 0.8), "ridge": (0.1, 1.0)}
KW = dict(budget=80, sizes=[20, 40, 80], trials=5, seed=0, client="serial", progress=False)


def test_holm():
    rejected, adjusted = holm([0.01, 0.04, 0.03], 0.05)
    assert rejected == [True, False, False] and adjusted == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.001, 0.002], 0.05)[0] == [True, True]


def test_planted_corner_is_found(tmp_path):
    res = falsify(planted(1.10), RANGES, figure=tmp_path / "f.png", **KW)
    assert res.found and res.tasks <= 80
    assert (tmp_path / "f.png").stat().st_size > 1000
    for reg in res.regions:  # every region touches the corner q >= 0.6, ridge >= 0.7
        (_, q1), (_, r1) = reg["bounds"]["q"], reg["bounds"]["ridge"]
        assert q1 >= 0.6 and r1 >= 0.7
        assert reg["p_adjusted"] <= 0.05
    for c in res.confirmations:  # no point outside the corner confirmed
        if c["significant"]:
            assert c["point"]["q"] >= 0.6 - 1e-9 and c["point"]["ridge"] >= 0.7 - 1e-9
    assert "Holm" in res.correction and "region" in res.describe()


def test_correct_formula_gives_no_region():
    res = falsify("ridge", RANGES, **KW)
    assert not res.found, res.describe()
    assert "no disagreement found within budget" in res.describe()


@pytest.mark.parametrize("kwargs, match", [
    ({"ranges": {"gamma": (0, 1)}}, "unknown parameter"),
    ({"ranges": {"q": (0.8, 0.2)}}, "low < high"),
    ({"ranges": ["q=0.2"]}, "LO:HI"),
    ({"ranges": {"q": (-1, 0.5)}}, "q"),
    ({"budget": 3}, "budget"),
    ({"alpha": 1.5}, "alpha"),
])
def test_bad_input(kwargs, match):
    args = {**KW, "ranges": RANGES, **kwargs}
    with pytest.raises(ParameterError, match=match):
        falsify("ridge", args.pop("ranges"), **args)


RESUME = dict(budget=24, sizes=[20, 40, 80], trials=4, seed=3, client="serial", progress=False)


def test_interrupted_falsify_resumes_to_the_uninterrupted_result(tmp_path, monkeypatch):
    """A search interrupted after 9 of its 24 tasks keeps them in its store; the rerun reads them
    back, makes the same choices and ends with the outcome of a run never interrupted."""
    import json

    import symrmt.sweep.tasks as tasks

    ranges = {"q": (0.2, 0.8)}
    fresh = falsify(planted(1.10, q_min=0.6, ridge_min=0.0), ranges, **RESUME)
    assert fresh.tasks == 24 and fresh.reused == 0
    store = tmp_path / "search"
    real, calls = tasks.run_task, []

    def dies_at_the_tenth(*args, **kwargs):
        if len(calls) == 9:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "run_task", dies_at_the_tenth)
    with pytest.raises(KeyboardInterrupt):
        falsify(planted(1.10, q_min=0.6, ridge_min=0.0), ranges, store=store, **RESUME)
    monkeypatch.setattr(tasks, "run_task", real)
    kept = {f.name: f.read_bytes() for f in (store / "tasks").glob("*.json")}
    assert len(kept) == 9 and not (store / "falsify.json").exists()
    resumed = falsify(planted(1.10, q_min=0.6, ridge_min=0.0), ranges, store=store, **RESUME)
    assert resumed.reused == 9 and resumed.tasks == 24
    for name, data in kept.items():  # the finished tasks kept as they were
        assert (store / "tasks" / name).read_bytes() == data
    for k in ("points", "zscores", "deviations", "ses", "confirmations", "regions"):
        assert getattr(resumed, k) == getattr(fresh, k), k
    assert json.loads((store / "falsify.json").read_text())["regions"] == json.loads(json.dumps(fresh.regions))
    again = falsify(planted(1.10, q_min=0.6, ridge_min=0.0), ranges, store=store, **RESUME)
    assert again.reused == 24 and again.confirmations == fresh.confirmations  # nothing left to run
    with pytest.raises(ParameterError, match="different sweep.*budget"):
        falsify(planted(1.10, q_min=0.6, ridge_min=0.0), ranges, store=store, **{**RESUME, "budget": 30})
