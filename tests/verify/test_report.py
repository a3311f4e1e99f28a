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


# ---------------------------------------------------------------------- reading back, short forms, HTML
def synthetic_report(summary="A <b>made-up</b> law & its test"):
    """A hand-made report: bias model, an undefined (NaN) slope, NumPy numbers, text to escape."""
    import numpy as np

    from symrmt.verify.report import Report

    ladder = [{"n": n, "trials": 3, "seed": 10 + n, "per_trial": [0.1, 0.2, np.float64(0.3)],
               "error": {"value": np.float64(0.2 / n), "stderr": 0.01 / n, "low": 0.1 / n, "high": 0.3 / n}}
              for n in (50, 100)]
    scaling = {"model": "bias", "sizes": (50, 100), "errors": [0.004, 0.002], "stderrs": [2e-4, 1e-4],
               "expected_rate": 1.0, "slope": float("nan"), "slope_se": float("nan"), "intercept": -5.5,
               "plateau": 1.5e-4, "plateau_se": 3e-4, "amplitude": 0.2, "verdict": "agrees",
               "reasons": ["δ = 1.5e-4 ± 3e-4 is compatible with 0"]}
    meta = {"seed": 7, "device": "cpu", "dtype": "float64", "quick": True, "sizes": [50, 100], "trials": 3,
            "seconds": 1.25, "versions": {"symrmt": "0"}}
    return Report(derivation="toy-law", summary=summary, reference="Nobody 2024", params={"ratio": 0.5},
                  theory_params={"ratio": 0.5}, statistic="test_error", ladder=ladder, scaling=scaling, meta=meta,
                  plots={"verification": "toy-law.png"})


def test_saved_real_reports_load_back_equal(mp_reports, tmp_path):
    from symrmt.errors import ParameterError
    from symrmt.verify.report import FORMAT_VERSION, Report

    right, wrong = mp_reports
    for stem, rep in (("right", right), ("wrong", wrong)):
        paths = rep.save(tmp_path, stem)
        assert json.loads(paths["json"].read_text())["format"] == FORMAT_VERSION
        back = Report.load(paths["json"])
        assert back == rep and back is not rep
        assert back.verdict == rep.verdict and back.reasons == rep.reasons
        assert back.params == rep.params and back.theory_params == rep.theory_params
        assert [r["n"] for r in back.ladder] == [100, 200, 400] == back.meta["sizes"]
        assert [r["error"]["value"] for r in back.ladder] == [r["error"]["value"] for r in rep.ladder]
        assert back.scaling["slope"] == rep.scaling["slope"] and back.to_markdown() == rep.to_markdown()
        assert Report.load(paths["md"]) == rep and Report.load(tmp_path, stem=stem) == rep
    assert Report.load(tmp_path, stem="wrong").verdict == "disagrees"
    with pytest.raises(ParameterError, match=r"2 saved report\(s\) \(right, wrong\); pass stem="):
        Report.load(tmp_path)
    with pytest.raises(ParameterError, match="no saved report"):
        Report.load(tmp_path, stem="nope")


def test_synthetic_report_round_trip_keeps_nan_and_numbers(tmp_path):
    from symrmt.verify.report import Report

    rep = synthetic_report()
    paths = rep.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy-law.html", "toy-law.json", "toy-law.md", "toy-law.png"]
    back = Report.load(tmp_path)  # the only report in the directory
    assert back == rep and back.verdict == "agrees" and back.statistic == "test_error"
    assert math.isnan(back.scaling["slope"]) and back.scaling["plateau_se"] == 3e-4
    assert back.ladder[1]["error"]["value"] == 0.2 / 100 and back.meta["seed"] == 7
    assert back.plots["verification"] == str(paths["png"])
    assert back != synthetic_report(summary="another") and rep != "not a report"


def test_load_refuses_missing_non_report_and_newer_files(tmp_path):
    from symrmt.errors import ParameterError
    from symrmt.verify.report import FORMAT_VERSION, Report

    with pytest.raises(ParameterError, match="no saved report at .*missing.json"):
        Report.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    for text, fragment in [('{"name": "x"}', "not a symrmt report \\(missing derivation"),
                           ("[1, 2]", "not a symrmt report \\(expected a JSON object"),
                           ("{not json", "not valid JSON")]:
        bad.write_text(text)
        with pytest.raises(ParameterError, match=fragment):
            Report.load(bad)
    data = synthetic_report().to_dict()
    data["format"] = FORMAT_VERSION + 1
    bad.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match=f"format {FORMAT_VERSION + 1} is newer .* upgrade symrmt"):
        Report.load(bad)
    del data["format"]  # written before the field existed: read as format 1
    bad.write_text(json.dumps(data))
    assert Report.load(bad) == synthetic_report()
    data["scaling"] = {"slope": 1}
    bad.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match="no verdict"):
        Report.load(bad)


def test_print_is_short_and_markdown_table(mp_reports):
    right, wrong = mp_reports
    text = str(right)
    assert len(text.splitlines()) == 2 and len(text) < 300
    assert text.startswith(f"{right.derivation}: agrees (ks, 3 size(s) up to n = 400)")
    assert f"ks at n = 400: {right.ladder[-1]['error']['value']:.3g} ± " in text and "log–log slope" in text
    assert "[control: theory at ratio = 0.55]" in str(wrong)
    assert repr(wrong) == f"<Report {wrong.derivation}: disagrees>"
    assert "extrapolated deviation δ: 0.00015 ± 0.0003" in str(synthetic_report())
    table = right._repr_markdown_().splitlines()
    assert len(table) == 3 and table[0].startswith("| derivation | verdict |") and "**agrees**" in table[2]
    assert right.details() == right.to_markdown() and "| 200 |" in right.details()


def test_html_escapes_text_and_references_the_png(tmp_path):
    rep = synthetic_report(summary='<script>alert("x")</script> & [a link](javascript:alert(1))')
    page = rep.to_html()
    assert page.startswith("<!DOCTYPE html>") and "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in page and 'href="javascript' not in page
    assert '<img src="toy-law.png" alt="toy-law verification">' in page
    assert "<th>n</th>" in page and '<td class="num">100</td>' in page and "<strong>agrees</strong>" in page
    section = rep.to_html(full=False, anchor="toy")
    assert section.startswith('<section id="toy">') and "<html" not in section
    assert (rep.save(tmp_path)["html"]).read_text(encoding="utf-8") == rep.to_html(anchor="toy-law")
