"""Progress reporting: one bar per verification ladder that advances trial by trial, the
``--progress/--no-progress`` flags, and the default (off under ``CI``, off without a terminal)."""
import io
import re
import sys

import numpy as np
import pytest
import torch

import symrmt as sr
from symrmt import _progress
from symrmt.cli import main
from symrmt.registry import Derivation, load


class FakeBar:
    """Stands in for ``tqdm.auto.tqdm``: records what the bar is told."""

    made = []

    def __init__(self, total=None, desc="", file=None, **kwargs):
        self.total, self.desc, self.n, self.updates, self.postfixes, self.closed = total, desc, 0.0, [], [], False
        FakeBar.made.append(self)

    def update(self, k):
        self.updates.append(k)
        self.n += k

    def set_postfix_str(self, s, refresh=True):
        self.postfixes.append(s)

    def close(self):
        self.closed = True


@pytest.fixture
def fake_bar(monkeypatch):
    import tqdm.auto

    FakeBar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    return FakeBar


def _trials(der, sizes, trials):
    return [der.trials_for(n, sizes, trials) for n in sizes]


@pytest.mark.parametrize("name", ["semicircle", "semicircle-plus-mp"])  # tridiagonal and dense models
def test_bar_advances_per_trial_over_the_whole_ladder(fake_bar, name):
    der, sizes = load(name), (16, 32, 64)
    rep = der.verify(sizes=sizes, trials=4, device="cpu", progress=True)
    assert len(fake_bar.made) == 1  # one bar for the whole ladder, none per size or batch
    bar = fake_bar.made[0]
    per_size = _trials(der, sizes, 4)
    assert [r["trials"] for r in rep.ladder] == per_size
    assert len(bar.updates) == sum(per_size)  # one update per trial
    assert all(u > 0 for u in bar.updates) and bar.n == pytest.approx(bar.total)
    # weighted by cost: a trial at n = 64 moves the bar further than one at n = 16
    assert bar.updates[-1] > bar.updates[0]
    assert bar.postfixes[-1] == f"n=64, trial {per_size[-1]}/{per_size[-1]}" and bar.closed


class Toy(Derivation):
    """A derivation whose simulation reports nothing (or every trial, with ``report=True``)."""

    name, summary, reference = "toy", "toy", "none"
    sizes, trials = (8, 16), 3

    def __init__(self, report):
        self.report = report

    def theory(self, **params):
        return 0.0

    def simulate(self, n, trials=1, seed=0, device=None, dtype=None, progress=None, **params):
        out = []
        for t in range(trials):
            out.append(np.random.default_rng([seed, t]).normal(size=8) / n)
            if self.report:
                _progress.advance(1)
        return out

    def measure(self, sample, theory):
        return {"errors": [float(np.abs(s).mean()) for s in sample]}


@pytest.mark.parametrize("report", [False, True])
def test_unreported_trials_are_counted_when_their_size_ends(fake_bar, report):
    der = Toy(report)
    der.verify(trials=3, progress=True)
    bar = fake_bar.made[0]
    per_size = _trials(der, der.sizes, 3)
    assert len(bar.updates) == (sum(per_size) if report else len(per_size))
    assert bar.n == pytest.approx(bar.total)


def test_no_bar_when_off(fake_bar):
    load("semicircle").verify(sizes=(16, 32), trials=3, device="cpu", progress=False)
    assert fake_bar.made == []


def test_bar_on_a_stream_and_same_results():
    der, stream = load("semicircle-plus-mp"), io.StringIO()
    on = der.verify(sizes=(16, 32), trials=3, device="cpu", progress=stream)
    off = der.verify(sizes=(16, 32), trials=3, device="cpu", progress=False)
    assert "semicircle-plus-mp" in stream.getvalue() and "%|" in stream.getvalue()
    assert [r["per_trial"] for r in on.ladder] == [r["per_trial"] for r in off.ladder]


def test_sample_eigenvalues_reports_trials_and_its_own_bar(fake_bar):
    law = sr.free_add(sr.laws.semicircle(1), sr.laws.atoms([0, 1]))  # a dense model
    from symrmt.simulate import sample_eigenvalues

    quiet = sample_eigenvalues(law, 12, 5, seed=3, device="cpu", progress=False)
    shown = sample_eigenvalues(law, 12, 5, seed=3, device="cpu", progress=True)
    assert torch.equal(quiet, shown)  # matrix by matrix or batched: the same eigenvalues
    assert len(fake_bar.made) == 1 and fake_bar.made[0].updates and len(fake_bar.made[0].updates) == 5


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_default_on_a_terminal_unless_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert _progress.default_enabled(Tty()) and not _progress.default_enabled(io.StringIO())
    for value in ("true", "1"):
        monkeypatch.setenv("CI", value)
        assert not _progress.default_enabled(Tty())
    monkeypatch.setenv("CI", "false")
    assert _progress.default_enabled(Tty())


ARGS = ("verify", "semicircle", "--sizes", "16,32", "--trials", "3", "--device", "cpu")


def test_cli_flags(capsys, fake_bar, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert main([*ARGS, "--no-progress"]) == 0
    assert fake_bar.made == []
    assert main([*ARGS, "--progress"]) == 0
    assert len(fake_bar.made) == 1 and len(fake_bar.made[0].updates) == 3 + 2
    capsys.readouterr()


def test_cli_default_is_off_under_ci_and_without_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.setenv("CI", "true")
    assert main(list(ARGS)) == 0
    assert "%|" not in sys.stderr.getvalue()
    monkeypatch.delenv("CI")
    assert main(list(ARGS)) == 0  # a terminal and no CI: the bar is drawn
    assert "%|" in sys.stderr.getvalue()
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal
    assert main(list(ARGS)) == 0
    assert "%|" not in sys.stderr.getvalue()


def test_demo_prints_a_line_per_derivation(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("symrmt.cli.DEMO_CONTROLS", {
        "semicircle-wrong-variance": ("semicircle", {"variance": 2}, "control")})
    code = main(["demo", "--out", str(tmp_path / "r"), "--only", "semicircle", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0
    assert re.search(r"^semicircle\s+agrees\s+\d+\.\d s$", err, re.M)
    assert re.search(r"^semicircle-wrong-variance\s+disagrees\s+\d+\.\d s$", err, re.M)
    assert "%|" not in err


@pytest.mark.slow  # minutes with a cold solver cache; run by make test-slow
def test_demo_in_parallel_gives_the_serial_numbers(capsys, tmp_path, monkeypatch):
    """Two worker processes (spawned) verify the same runs with the same seeds as one process."""
    import json

    monkeypatch.setattr("symrmt.cli.DEMO_CONTROLS", {
        "semicircle-wrong-variance": ("semicircle", {"variance": 2}, "control")})
    serial = main(["demo", "--out", str(tmp_path / "a"), "--only", "semicircle", "--jobs", "1", "--json"])
    a = json.loads(capsys.readouterr().out)
    parallel = main(["demo", "--out", str(tmp_path / "b"), "--only", "semicircle", "--jobs", "2", "--json"])
    b = json.loads(capsys.readouterr().out)
    assert serial == parallel == 0
    assert [r["name"] for r in a["results"]] == [r["name"] for r in b["results"]]
    for r in a["results"]:
        ra = json.loads((tmp_path / "a" / r["json"]).read_text())
        rb = json.loads((tmp_path / "b" / r["json"]).read_text())
        # same draws; the last digits may differ (one BLAS thread per worker sums in another order)
        for xa, xb in zip(ra["ladder"], rb["ladder"]):
            np.testing.assert_allclose(xa["per_trial"], xb["per_trial"], rtol=1e-9, atol=1e-12)
        assert ra["scaling"]["verdict"] == rb["scaling"]["verdict"]
    assert main(["demo", "--out", str(tmp_path / "c"), "--jobs", "0"]) == 2
