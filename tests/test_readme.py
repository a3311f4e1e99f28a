"""The README is a front page that stays true: its code blocks run, its links lead somewhere, and
what it counts matches the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_docs import code_blocks, python_blocks, run_blocks

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_readme_starts_with_the_two_commands():
    blocks = code_blocks(README.read_text(encoding="utf-8"))
    first = blocks[0].code.splitlines()
    assert [line.split()[:2] for line in first[:2]] == [["make", "demo"], ["make", "test"]]


def test_readme_code_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = [b for b in python_blocks(README) if not b.slow]
    assert blocks, "the README has no Python block to run"
    namespace = run_blocks(README, blocks, tmp_path)
    assert namespace["report"].verdict == "agrees"
    # what the tour's comments claim, checked against independent closed forms
    import sympy as sp

    g = namespace["g"]
    moments = [sp.expand(m) for m in namespace["mu"].moments(4)]
    assert moments[:3] == [1, g + 2, g**2 + 3 * g + 4]            # SC ⊞ MP(γ): free cumulants add


@pytest.mark.slow
def test_readme_code_runs_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_blocks(README, python_blocks(README), tmp_path)


def test_readme_links_exist():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [link.split("#")[0] for link in links if "://" not in link and not link.startswith("#")]
    assert local, "the README links no documentation page"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_readme_counts_the_catalogue():
    import symrmt as sr

    count = int(re.search(r"`symrmt list` shows the (\d+) named derivations", README.read_text(encoding="utf-8")).group(1))
    assert count == len(sr.available())


def test_readme_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    used = set(re.findall(r"`make ([a-z-]+)`", README.read_text(encoding="utf-8")))
    assert used and used <= targets, used - targets
