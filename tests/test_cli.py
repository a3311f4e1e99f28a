"""The ``symrmt`` command line: outputs, ``--json``, and one-line errors with exit status 2."""
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import symrmt
from symrmt.cli import main, parse_number, parse_param
from symrmt.verify.report import Report

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_and_json(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "marchenko-pastur" in out and "silverstein" in out
    code, out, _ = run(capsys, "list", "--json")
    names = {d["name"] for d in json.loads(out)}
    assert {"marchenko-pastur", "semicircle", "semicircle-plus-mp", "mp-times-mp", "silverstein"} <= names


def test_show_text_latex_json(capsys):
    code, out, _ = run(capsys, "show", "semicircle")
    assert code == 0 and "minimal polynomial" in out
    code, out, _ = run(capsys, "show", "semicircle", "--latex")
    assert "variance" in out and "m^{2}" in out
    code, out, _ = run(capsys, "show", "semicircle", "--json")
    assert json.loads(out)["equations"][0]["latex"]


def test_show_an_option_variant(capsys):
    """``show --option``: the equations of that variant (a multi-index target has no closed-form
    spike: the recursion is shown); the catalogue's entry keeps its defaults; bad values are one
    line naming the choices."""
    from symrmt.registry import load

    code, out, _ = run(capsys, "show", "one-step-spiked-rf", "--option", "target=staircase2")
    assert code == 0 and "z₁⋅z₂ + z₁" in out and "A⊥_b" in out
    assert load("one-step-spiked-rf").options["target"] == "tanh"
    code, out, _ = run(capsys, "show", "one-step-spiked-rf")
    assert "A⊥_b" not in out
    code, _, err = run(capsys, "show", "one-step-spiked-rf", "--option", "target=stairs")
    assert code == 2 and "staircase2" in err and len(err.strip().splitlines()) == 1


def test_solve_with_params_json(capsys):
    code, out, _ = run(capsys, "solve", "marchenko-pastur", "--param", "ratio=1/4", "--at", "1,2", "--json")
    data = json.loads(out)
    assert code == 0 and data["params"]["ratio"] == 0.25
    # MP(1/4) support [(1 - 1/2)², (1 + 1/2)²] = [0.25, 2.25]
    assert data["support"][0] == pytest.approx([0.25, 2.25], rel=1e-8)
    assert len(data["density"]) == 2


def test_verify_small_ladder_json_and_plot(capsys, tmp_path):
    png = tmp_path / "sc.png"
    code, out, _ = run(capsys, "verify", "semicircle", "--sizes", "50,100,200,400", "--trials", "4",
                       "--seed", "1", "--device", "cpu", "--plot", str(png), "--json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "agrees" and data["meta"]["seed"] == 1
    assert png.read_bytes()[:4] == b"\x89PNG"
    rep = Report.from_dict(data)  # the printed JSON is a saved report
    assert rep.to_dict() == data and rep.verdict == "agrees" and rep.meta["sizes"] == [50, 100, 200, 400]


@pytest.mark.parametrize("argv, fragment", [
    (["show", "no-such-law"], "unknown derivation 'no-such-law'"),
    (["show", "marchenko-pastr"], "unknown derivation 'marchenko-pastr'; did you mean 'marchenko-pastur'? available:"),
    (["verify", "semicircel", "--help"], "did you mean 'semicircle'"),
    (["solve", "marchenko-pastur", "--param", "ratio"], "expected NAME=NUMBER"),
    (["solve", "marchenko-pastur", "--param", "ratio=__import__('os')"], "is not a number"),
    (["solve", "marchenko-pastur", "--param", "ratio=1/0"], "not a finite number"),
    (["solve", "marchenko-pastur", "--param", "ratio=-1"], "ratio: must satisfy ratio > 0"),
    (["solve", "marchenko-pastur", "--param", "gamma=1"], "unknown parameter"),
    (["verify", "semicircle", "--n", "1"], "--n: expected an integer >= 2"),
    (["verify", "semicircle", "--sizes", "1,10,20"], "sizes: expected an integer >= 2"),
    (["verify", "semicircle", "--trials", "0", "--n", "40"], "trials"),
    (["solve", "one-step-spiked-rf", "--param", "form=finite-d"],
     "form is an option of one-step-spiked-rf, not a numeric parameter; use --option form=VALUE (allowed: given-layer, limit, finite-d, trained-limit)"),
    (["solve", "one-step-spiked-rf", "--option", "form=exact"], "form: expected one of 'given-layer', 'limit', 'finite-d', 'trained-limit', got 'exact'"),
    (["solve", "one-step-spiked-rf", "--option", "form"], "--option: expected NAME=VALUE"),
    (["solve", "one-step-spiked-rf", "--option", "form=limit", "--option", "form=limit"], "form given twice"),
    (["solve", "one-step-spiked-rf", "--option", "alpha=1"], "it is a numeric parameter: use --param"),
    (["solve", "one-step-spiked-rf", "--option", "activation=__import__('os')"], "activation: expected one of"),
    (["verify", "one-step-spiked-rf", "--option", "nope=1"], "unknown option 'nope'"),
    (["solve", "ridge", "--option", "spectrum=1"], "cannot be set from text"),
    (["solve", "ridge", "--param", "spectrum=mp"], "it cannot be set from the command line"),
    (["frobnicate"], "invalid choice"),
    (["verify"], "required"),
])
def test_bad_input_one_line_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("symrmt: error:") and fragment in err
    assert out == ""


def test_number_parsing_is_exact_and_safe():
    assert parse_number("1/2") == Fraction(1, 2)
    assert parse_number("-0.25") == Fraction(-1, 4)
    assert parse_number("1e-3") == Fraction(1, 1000)
    assert parse_param("ratio=3") == ("ratio", Fraction(3))
    for bad in ["1+1", "x", "", "1/2/3", "nan", "inf"]:
        with pytest.raises(ValueError):
            parse_number(bad)


def test_console_entry_point_runs_as_a_process():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "symrmt.cli", "show", "missing"], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("symrmt: error: unknown derivation")


def test_codegen_writes_a_standalone_module(capsys, tmp_path):
    target = tmp_path / "mp_solver.py"
    code, out, err = run(capsys, "codegen", "marchenko-pastur", "-o", str(target), "--param", "ratio=1/2")
    assert code == 0, err
    assert target.exists() and "numba" in target.read_text()


def test_demo_writes_index_and_plots(capsys, tmp_path):
    code, out, err = run(capsys, "demo", "--out", str(tmp_path), "--only", "semicircle", "--json")
    data = json.loads(out)
    assert code == 0, err
    assert [(r["name"], r["verdict"]) for r in data["results"]] == [
        ("semicircle", "agrees"), ("marchenko-pastur-wrong-ratio", "disagrees"), ("ridge-wrong-noise", "disagrees")]
    index = (tmp_path / "index.md").read_text()
    assert "marchenko-pastur-wrong-ratio" in index and "semicircle.png" in index and "ridge-wrong-noise.png" in index
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page
    for stem in ("semicircle", "marchenko-pastur-wrong-ratio", "ridge-wrong-noise"):
        assert f'<a href="{stem}.html">{stem}</a>' in page and f'<img src="{stem}.png"' in page
        assert f'<img src="{stem}.png"' in (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
        assert Report.load(tmp_path, stem=stem).verdict == ("agrees" if stem == "semicircle" else "disagrees")
    assert (tmp_path / "semicircle.png").exists() and (tmp_path / "summary.json").exists()


def test_demo_unknown_name_is_bad_input(capsys, tmp_path):
    code, _, err = run(capsys, "demo", "--out", str(tmp_path), "--only", "nope")
    assert code == 2 and "unknown derivation" in err


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and out == f"symrmt {symrmt.__version__}\n" and err == ""


def test_verify_help_lists_a_derivations_parameters(capsys):
    code, out, _ = run(capsys, "verify", "--help")
    assert code == 0 and "verify NAME --help" in " ".join(out.split()) and "parameters of" not in out
    code, out, _ = run(capsys, "verify", "marchenko-pastur", "--help")
    assert code == 0 and "--sizes" in out and "parameters of marchenko-pastur (--param K=V):" in out
    assert "  ratio=0.5  " in out and "allowed: ratio > 0" in out and "  variance=1  " in out
    code, out, _ = run(capsys, "verify", "ridge", "-h")
    assert code == 0 and "allowed: noise >= 0" in out


def test_option_sets_a_derivations_option(capsys):
    """``--option`` reaches the derivation: relu/relu through the CLI gives the Python API's value
    for relu/relu, which differs from the default tanh/tanh."""
    from symrmt.equivalents import solve_one_step

    code, out, err = run(capsys, "solve", "one-step-spiked-rf", "--option", "activation=relu",
                         "--option", "target= ReLU", "--option", "form=limit", "--param", "alpha0=2", "--json")
    assert code == 0, err
    got = json.loads(out)["test_error"]
    assert got == pytest.approx(float(solve_one_step(1, 2, 2, 0.05, 1, "relu", "relu")["test_error"]), rel=1e-12)
    assert got != pytest.approx(float(solve_one_step(1, 2, 2, 0.05, 1)["test_error"]), rel=1e-3)


def test_verify_help_lists_a_derivations_options(capsys):
    code, out, _ = run(capsys, "verify", "one-step-spiked-rf", "--help")
    assert code == 0 and "options of one-step-spiked-rf (--option K=V):" in out
    assert "  form=given-layer  allowed: given-layer, limit, finite-d" in out and "  hermite=off  allowed: off, on" in out
    code, out, _ = run(capsys, "verify", "marchenko-pastur", "--help")
    assert "--option K=V):" not in out  # no options settable from text


@pytest.mark.parametrize("name, option, value", [("random-features", "activation", "tanh"),
                                                 ("kernel-gcv", "kernel", "relu"),
                                                 ("digits-gcv", "representation", "pixels")])
def test_named_options_of_the_catalogue_are_settable(capsys, name, option, value):
    """Each text option of the catalogue is listed in ``--help`` and refuses a value outside its set."""
    code, out, _ = run(capsys, "verify", name, "--help")
    assert code == 0 and f"options of {name} (--option K=V):" in out and value in out
    code, _, err = run(capsys, "solve", name, "--option", f"{option}=nope")
    assert code == 2 and f"{option}: expected one of" in err


def test_random_features_activation_through_the_cli(capsys):
    from symrmt.equivalents import solve_random_features

    code, out, err = run(capsys, "solve", "random-features", "--option", "activation=tanh", "--json")
    assert code == 0, err
    want = float(solve_random_features(1.5, 1.2, 0.05, "tanh", 1, 0.3, 0.4)["risk"])
    assert json.loads(out)["risk"] == pytest.approx(want, rel=1e-12)


def test_help_lists_measure_parameters_apart(capsys):
    """``spectrum`` (a measure) is not offered as ``--param K=V`` but named as set from Python."""
    code, out, _ = run(capsys, "verify", "ridge", "--help")
    params = out.split("parameters of ridge (--param K=V):")[1]
    assert code == 0 and "spectrum=" not in params
    assert "set from Python only (measures): spectrum" in out
