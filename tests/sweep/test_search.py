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
        (q0, q1), (r0, r1) = reg["bounds"]["q"], reg["bounds"]["ridge"]
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
