"""Reports: every number in JSON, Markdown, PNG; verdicts of a right and a wrong theory.

Theory-vs-simulation here uses closed-form CDFs (independent of the generated solvers).  Ladder
n = 100, 200, 400 with 4, 2, 2 trials (seed 0): the KS distance of a correct law is about
2.5/n (rigidity, up to a log), so it halves per step (slope ≈ −0.85); the wrong law (ratio 10 %
off) has KS ≈ 0.025 at every n, a plateau far above the 1/n noise.
"""
import json
import math

import pytest

from tests.verify.closed_forms import closed_form_derivation


@pytest.fixture(scope="module")
def mp_reports():
    d = closed_form_derivation("mp")
    right = d.verify(seed=0, device="cpu")
    wrong = d.verify(seed=0, device="cpu", theory_params={"ratio": 0.55})
    return right, wrong


def test_right_theory_agrees_wrong_theory_disagrees(mp_reports):
    right, wrong = mp_reports
    assert right.verdict == "agrees", right.reasons
    assert -1.3 < right.scaling["slope"] < -0.5
    assert wrong.verdict == "disagrees", wrong.reasons
    assert wrong.scaling["plateau"] > 0.015
    assert wrong.theory_params == {"ratio": 0.55} and wrong.params == {"ratio": 0.5}


def test_json_has_all_numbers_and_context(mp_reports):
    right, _ = mp_reports
    data = json.loads(right.to_json())
    assert data["verdict"] == "agrees"
    assert [r["n"] for r in data["ladder"]] == [100, 200, 400]
    assert [r["trials"] for r in data["ladder"]] == [4, 2, 2]
    row = data["ladder"][0]
    assert len(row["per_trial"]) == 4 and row["error"]["low"] <= row["error"]["value"] <= row["error"]["high"]
    assert {"wasserstein1", "moments", "seed"} <= set(row)
    # the second moment of MP(1/2) is 1 + γ = 1.5; its CI at n = 400 is within 2 %
    m2 = data["ladder"][-1]["moments"][1]
    assert m2["exact"] == 1.5 and math.isclose(m2["estimate"]["value"], 1.5, rel_tol=0.02)
    meta = data["meta"]
    assert meta["seed"] == 0 and meta["device"] == "cpu" and meta["dtype"] == "float64"
    assert {"torch", "numpy", "sympy", "scipy", "symrmt", "python"} <= set(meta["versions"])


def test_markdown_and_png(mp_reports, tmp_path):
    right, wrong = mp_reports
    md = wrong.to_markdown()
    assert "**disagrees**" in md and "Theory evaluated at (control)" in md and "| 400 |" in md
    paths = right.save(tmp_path, "mp")
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(paths["json"].read_text())["plots"]["verification"].endswith("mp.png")
    assert "![" in paths["md"].read_text()


def test_same_seed_same_report_numbers():
    d = closed_form_derivation("semicircle")
    a = d.verify(sizes=(50, 100, 200), trials=2, seed=4, device="cpu")
    b = d.verify(sizes=(50, 100, 200), trials=2, seed=4, device="cpu")
    assert [r["per_trial"] for r in a.ladder] == [r["per_trial"] for r in b.ladder]


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_same_verification_on_cuda():
    d = closed_form_derivation("semicircle")
    rep = d.verify(seed=0, device="cuda")
    assert rep.meta["device"].startswith("cuda") and rep.verdict == "agrees"
    assert "device_name" in rep.meta["versions"]


def test_single_size_is_inconclusive_and_json_stays_valid():
    rep = closed_form_derivation("semicircle").verify(sizes=(60,), trials=3, seed=0, device="cpu")
    assert rep.verdict == "inconclusive"
    data = json.loads(rep.to_json())
    assert data["scaling"]["slope"] is None and "n/a" in rep.to_markdown()
