"""The documentation pages: every Python code block of the tutorials and guides runs, and the site's
configuration finds what it documents.

Each page's ```` ```python ```` blocks run in order in one namespace, in a temporary directory.
A block preceded by the comment ``<!-- slow -->`` is heavy: the default suite runs the page
without its slow blocks (which must not depend on them), and the ``slow`` suite runs the page
whole. ``make docs`` itself (Sphinx with warnings as errors) runs under ``slow`` too.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: the pages whose code blocks are executed (the tutorials, the guide, the runnable topic pages)
#: topic pages written to be run as they stand (others quote fragments)
RUNNABLE_TOPICS = ["data.md", "operations.md", "sweep.md", "kernels.md", "matrices.md"]
PAGES = sorted(DOCS.glob("tutorials/*.md")) + [DOCS / "guide.md"] + [DOCS / name for name in RUNNABLE_TOPICS]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n", re.M)


@dataclass
class Block:
    """One fenced code block of a page."""

    language: str
    code: str
    line: int
    slow: bool


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order, with the slow mark of each."""
    blocks, pos = [], 0
    while (m := _FENCE.search(text, pos)) is not None:
        fence, indent = m.group("fence"), m.group("indent")
        close = re.compile(rf"^{re.escape(indent)}{fence[0]}{{{len(fence)},}}[ \t]*$", re.M)
        end = close.search(text, m.end())
        if end is None:
            raise ValueError(f"unclosed code fence at line {text.count(chr(10), 0, m.start()) + 1}")
        body = text[m.end():end.start()]
        before = text[:m.start()].rstrip().splitlines()
        slow = bool(before) and before[-1].strip() == "<!-- slow -->"
        language = m.group("info").strip().split(" ")[0].strip("{}")
        lines = [line[len(indent):] if line.startswith(indent) else line for line in body.splitlines()]
        blocks.append(Block(language, "\n".join(lines) + "\n", text.count("\n", 0, m.start()) + 1, slow))
        pos = end.end()
    return blocks


def python_blocks(path: Path) -> list[Block]:
    return [b for b in code_blocks(path.read_text(encoding="utf-8")) if b.language == "python"]


def run_blocks(path: Path, blocks: list[Block], workdir: Path) -> dict:
    """Run ``blocks`` of ``path`` in order in one namespace, with ``workdir`` as the current directory."""
    namespace: dict = {"__name__": "__main__"}
    old = Path.cwd()
    os.chdir(workdir)
    try:
        for block in blocks:
            code = compile(block.code, f"{path.relative_to(ROOT)}:{block.line}", "exec")
            exec(code, namespace)  # the page's own code, as a reader would paste it
    finally:
        os.chdir(old)
    return namespace


@pytest.fixture
def agg_backend(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if "matplotlib" in sys.modules:
        import matplotlib
        matplotlib.use("Agg", force=True)


def _ids(paths):
    return [p.relative_to(DOCS).with_suffix("").as_posix() for p in paths]


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_page_code_runs(page, tmp_path, agg_backend):
    blocks = [b for b in python_blocks(page) if not b.slow]
    run_blocks(page, blocks, tmp_path)


SLOW_PAGES = [p for p in PAGES if any(b.slow for b in python_blocks(p))]


@pytest.mark.slow
@pytest.mark.parametrize("page", SLOW_PAGES, ids=_ids(SLOW_PAGES))
def test_page_code_runs_whole(page, tmp_path, agg_backend):
    run_blocks(page, python_blocks(page), tmp_path)


def test_code_blocks_parse():
    text = "intro\n\n```python\nx = 1\n```\n\n<!-- slow -->\n```python\ny = x\n```\n\n````text\n```python\nno\n```\n````\n"
    blocks = code_blocks(text)
    assert [(b.language, b.code, b.slow) for b in blocks] == [
        ("python", "x = 1\n", False), ("python", "y = x\n", True), ("text", "```python\nno\n```\n", False)]
    with pytest.raises(ValueError, match="unclosed"):
        code_blocks("```python\nx = 1\n")


def test_every_tutorial_is_listed():
    index = (DOCS / "tutorials" / "index.md").read_text(encoding="utf-8")
    for page in DOCS.glob("tutorials/*.md"):
        if page.name != "index.md":
            assert page.stem in index, f"{page.name} is missing from the tutorials' toctree"


def test_every_page_has_python_code():
    for page in PAGES:
        if page.name != "index.md":
            assert python_blocks(page), f"{page.relative_to(ROOT)} has no Python code block"


def test_generated_pages(tmp_path, monkeypatch):
    """The gallery has a page per example and the API reference a page per importable face."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("symrmt_docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    examples = sorted(p.stem for p in (ROOT / "examples").glob("*.py"))
    assert conf.write_gallery_pages() == examples
    for stem in examples:
        page = (DOCS / "gallery" / f"{stem}.md").read_text(encoding="utf-8")
        assert f"../../examples/{stem}.py" in page
    faces = conf.write_api_pages()
    assert {"symrmt", "symrmt.symbolic", "symrmt.codegen", "symrmt.derivation", "symrmt.verify"} <= set(faces)


@pytest.mark.slow
def test_make_docs_builds_without_warnings(tmp_path):
    """What ``make docs`` runs: Sphinx with warnings as errors."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", str(DOCS), str(tmp_path / "html")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert (tmp_path / "html" / "index.html").exists()
