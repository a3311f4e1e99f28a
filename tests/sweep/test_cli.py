"""``symrmt sweep`` / ``symrmt falsify`` handlers, through an argparse parser built by ``add_parsers``."""
import argparse
import json

import pytest

from symrmt.errors import ParameterError
from symrmt.sweep.cli import add_parsers


def run(argv):
    p = argparse.ArgumentParser(prog="symrmt")
    add_parsers(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    return args.fn(args)


def test_sweep_json_and_resume(tmp_path, capsys):
    argv = ["sweep", "ridge", "--param", "q=0.3:0.6:2", "--param", "noise=1/4", "--sizes", "20,40", "--trials", "2",
            "--serial", "--out", str(tmp_path / "s"), "--plot", str(tmp_path / "s.png"), "--json"]
    assert run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dims"] == {"q": 2} and data["tasks_run"] == 4 and len(data["points"]) == 2
    assert (tmp_path / "s.png").exists()
    assert run(argv[:-1]) == 0
    out = capsys.readouterr().out
    assert "0 task(s) run, 4 reused" in out and "verdicts:" in out


@pytest.mark.parametrize("argv, match", [
    (["sweep", "ridge", "--param", "q=0.3:0.6", "--out", "X"], "LO:HI:NUM"),
    (["sweep", "ridge", "--param", "q=0.5", "--out", "X"], "at least one range"),
    (["sweep", "ridge", "--param", "zeta=0:1:2", "--out", "X"], "unknown parameter"),
    (["sweep", "ridge", "--param", "q=0.3:0.6:2", "--param", "q=1", "--out", "X"], "given twice"),
    (["sweep", "ridge", "--param", "q=0.3:0.6:2", "--sizes", "a,b", "--out", "X"], "--sizes"),
    (["sweep", "ridge", "--param", "q=0.3:0.6:2", "--serial", "--scheduler", "tcp://h:1", "--out", "X"], "one of"),
    (["sweep", "ridge", "--param", "q=0.3:0.6:2", "--scheduler", "nowhere", "--out", "X"], "scheduler"),
    (["falsify", "ridge"], "--range"),
    (["falsify", "ridge", "--range", "q=0.6:0.2"], "LO < HI"),
    (["falsify", "ridge", "--range", "q=0.2:0.6", "--param", "ridge=0:1:3"], "--range"),
])
def test_bad_input(argv, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match=match):
        run(argv)


def test_falsify_text(tmp_path, capsys):
    assert run(["falsify", "ridge", "--range", "q=0.3:0.6", "--sizes", "20,40,80", "--trials", "3", "--budget", "20",
                "--serial", "--plot", str(tmp_path / "f.png")]) == 0
    out = capsys.readouterr().out
    assert "Holm" in out and (tmp_path / "f.png").exists()


def test_sweep_export_netcdf(tmp_path, capsys):
    from symrmt.sweep import open_sweep

    argv = ["sweep", "ridge", "--param", "q=0.3:0.6:2", "--sizes", "20,40", "--trials", "2", "--serial", "--chunk",
            "2", "--out", str(tmp_path / "s"), "--export", str(tmp_path / "s.nc"), "--json"]
    assert run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["export"] == str(tmp_path / "s.nc")
    a, b = open_sweep(tmp_path / "s"), open_sweep(tmp_path / "s.nc")
    assert list(b["q"].values) == [0.3, 0.6] and (a["measurement"].values == b["measurement"].values).all()


def test_falsify_out_resumes(tmp_path, capsys):
    argv = ["falsify", "ridge", "--range", "q=0.3:0.6", "--sizes", "20,40,80", "--trials", "3", "--budget", "20",
            "--serial", "--out", str(tmp_path / "f"), "--json"]
    assert run(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["reused"] == 0 and (tmp_path / "f" / "falsify.json").is_file()
    assert run(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["reused"] == second["tasks"] == first["tasks"]
    assert second["confirmations"] == first["confirmations"]


def test_option_reaches_sweep_and_falsify(tmp_path, capsys):
    """``--option K=V`` fixes a derivation's option for the whole run (recorded in the store)."""
    argv = ["sweep", "random-features", "--param", "psi1=0.5:2:2", "--option", "activation=tanh", "--sizes",
            "20,40", "--trials", "2", "--serial", "--out", str(tmp_path / "s"), "--json"]
    assert run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    manifest = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert manifest["options"] == {"activation": "tanh"}
    import symrmt as sr

    d = sr.load("random-features")
    assert data["points"][1]["theory"] == pytest.approx(d.theory(**d.bind(psi1=2.0, activation="tanh")), rel=1e-9)
    assert run(["falsify", "random-features", "--range", "psi1=0.5:2", "--option", "activation=tanh", "--sizes",
                "20,40,80", "--trials", "3", "--budget", "20", "--serial", "--out", str(tmp_path / "f")]) == 0
    assert json.loads((tmp_path / "f" / "sweep.json").read_text())["options"] == {"activation": "tanh"}


@pytest.mark.parametrize("option, match", [("activation=softsign", "activation"), ("psi2=1", "numeric parameter"),
                                           ("activation", "NAME=VALUE")])
def test_bad_option(option, match, tmp_path):
    from symrmt.errors import SymrmtError

    with pytest.raises(SymrmtError, match=match):
        run(["sweep", "random-features", "--param", "psi1=0.5:2:2", "--option", option, "--serial",
             "--out", str(tmp_path / "s")])
