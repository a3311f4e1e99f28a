"""Sphinx configuration of the symrmt documentation (``make docs``).

Pages are Markdown (MyST). Three groups of pages are generated here at build time, into folders
that version control ignores, so they always match the code:

* ``api/`` — one page per public package face that exists (autodoc + napoleon, numpy style);
* ``gallery/`` — one page per ``examples/*.py``: its docstring, its code, and what it printed
  and drew when the build ran it (``gallery/_output/<name>/``, re-run only when the script
  changed; ``SYMRMT_DOCS_EXAMPLES=0`` skips running them: the pages then show the code alone);
* ``_placeholders/`` — a stand-in page for a topic page that is not written yet.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

from symrmt import __version__  # noqa: E402

project = "symrmt"
author = "the symrmt authors"
copyright = "the symrmt authors"  # noqa: A001
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

html_theme = "alabaster"
html_title = f"symrmt {__version__}"
html_static_path: list[str] = []

# ---------------------------------------------------------------------------------------------
# generated pages

#: the public faces documented in the API reference, in the order of the stages
API_MODULES = [
    ("symrmt", "The top-level face: laws, free operations, errors, and lazy access to the stages."),
    ("symrmt.symbolic", "The exact free-probability calculus (pure SymPy)."),
    ("symrmt.symbolic.laws", "The catalogue of named laws (``sr.laws``)."),
    ("symrmt.symbolic.system", "Systems of equations with unknowns, parameters and observables."),
    ("symrmt.measures", "Empirical, power-law and law-backed measures."),
    ("symrmt.measures.estimators", "Trace, log-determinant, edges and condition number of a large matrix from its law."),
    ("symrmt.learning", "Learning models composed like laws: equations by S-transforms."),
    ("symrmt.matrices", "Random-matrix expressions, linear pencils and their deterministic equivalents."),
    ("symrmt.codegen", "Generated, cached, self-checked numba solvers and standalone export."),
    ("symrmt.equivalents", "Deterministic equivalents of learning curves."),
    ("symrmt.kernels", "NNGP and NTK of dot-product kernels; activations from kernels."),
    ("symrmt.odes", "Tableaux, B-series, modified equations and IMDEs."),
    ("symrmt.simulate", "Every torch simulation."),
    ("symrmt.data", "Risk prediction from data: measured spectra, GCV, power-law fits."),
    ("symrmt.verify", "Statistics with confidence intervals, finite-size scaling, verdicts, reports."),
    ("symrmt.derivation", "The Derivation base class, its kinds, parameters and discovery."),
    ("symrmt.registry", "The registry face of symrmt.derivation."),
    ("symrmt.sweep", "Grids and falsification on Dask, results as xarray."),
    ("symrmt.limits", "Resource limits checked before any allocation."),
    ("symrmt.errors", "The exceptions."),
]

#: topic pages written beside this one; a placeholder stands in for a missing one
TOPIC_PAGES = {"sweep": "Sweeps and falsification", "measures": "Measures"}


#: faces that failed to import, reported as warnings once Sphinx is set up
_BROKEN: list[str] = []


def _exists(module: str) -> bool:
    try:  # a folder without its __init__ yet (a namespace package) is not a face
        spec = importlib.util.find_spec(module)
        return spec is not None and spec.origin is not None
    except ModuleNotFoundError:
        return False


def _write(path: Path, text: str) -> None:
    """Write ``text`` only when it changed (keeps Sphinx's incremental build honest)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _clean(folder: Path, keep: set[str]) -> None:
    if folder.is_dir():
        for page in folder.glob("*.md"):
            if page.name not in keep:
                page.unlink()


#: names the top-level package resolves lazily (its ``__getattr__``), listed on its page when they resolve
LAZY_ROOT = ["System", "expect", "deterministic_equivalent", "load", "available", "Derivation", "sweep", "symbolic", "measures", "codegen",
             "equivalents", "kernels", "odes", "matrices", "data", "simulate", "verify", "derivation", "registry", "limits", "errors"]


def _exports(module: str) -> dict[str, object]:
    mod = importlib.import_module(module)
    names = list(getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")])
    if module == "symrmt":
        names += [n for n in LAZY_ROOT if n not in names and _resolves(mod, n)]
    return {name: getattr(mod, name) for name in names}


def _resolves(mod: object, name: str) -> bool:
    try:
        getattr(mod, name)
    except (AttributeError, ImportError):
        return False
    return True


def _home(obj: object, faces: dict[str, dict[str, object]]) -> str:
    """The face an exported object is documented on: among the faces exporting it, the one
    nearest to where it is defined (most module-path components in common), the first on ties."""
    where = (getattr(obj, "__module__", None) or "").split(".")
    best, score = None, -1
    for face, exports in faces.items():
        if any(value is obj for value in exports.values()):
            parts = face.split(".")
            common = next((i for i, (a, b) in enumerate(zip(parts, where)) if a != b),
                          min(len(parts), len(where)))
            if common > score:
                best, score = face, common
    return best


def write_api_pages() -> list[str]:
    """One page per face; each object is described once, on its home face (see :func:`_home`),
    and the other faces that re-export it link there."""
    folder = DOCS / "api"
    faces = {}
    for module, _ in API_MODULES:
        if _exists(module):
            try:
                faces[module] = _exports(module)
            except Exception as exc:  # reported (a warning fails ``make docs``); the rest builds
                _BROKEN.append(f"{module} does not import: {type(exc).__name__}: {exc}"[:500])
    blurbs = dict(API_MODULES)
    for module, exports in faces.items():
        own, elsewhere, submodules = [], [], []
        for name, obj in exports.items():
            if inspect.ismodule(obj):
                if obj.__name__ in faces:
                    submodules.append(f"- `{name}`: {{doc}}`{obj.__name__}`")
                continue
            home = _home(obj, faces)
            if home == module:
                own.append(name)
            else:
                elsewhere.append(f"- {{py:obj}}`{name} <{home}.{name}>` (documented in "
                                 f"{{doc}}`{home}`)")
        text = [f"# `{module}`\n", f"{blurbs[module]}\n", "```{eval-rst}",
                f".. automodule:: {module}", "   :no-members:", ""]
        for name in own:
            obj = exports[name]
            if inspect.isclass(obj) or callable(obj):
                kind = "autoclass" if inspect.isclass(obj) else "autofunction"
                text += [f".. {kind}:: {module}.{name}", ""]
            else:  # a constant: its value (a builtin's own docstring would say nothing)
                value = repr(obj) if len(repr(obj)) <= 300 else f"{type(obj).__name__} of {len(obj)}"
                text += [f".. py:data:: {module}.{name}", f"   :value: {value}", ""]
        text += ["```\n"]
        if submodules:
            text += ["## Modules\n", *submodules, ""]
        if elsewhere:
            text += ["## Also exported here\n", *elsewhere, ""]
        _write(folder / f"{module}.md", "\n".join(text))
    toc = "\n".join(faces)
    _write(folder / "index.md",
           "# API reference\n\nThe public faces, in the order of the stages "
           "(see [the architecture](../architecture.md)). Each page describes the names its "
           "package exports (its `__all__`); a name re-exported by several faces is described "
           "once, on the face nearest to where it is defined, and linked from the others.\n\n"
           f"```{{toctree}}\n:maxdepth: 1\n\n{toc}\n```\n")
    _clean(folder, {f"{n}.md" for n in faces} | {"index.md"})
    return list(faces)


def _docstring(path: Path) -> tuple[str, str]:
    """A script's title (the first sentence of its docstring, or the words before its first colon
    when that sentence is long) and the text to show under it (the rest, or all when cut short)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or path.stem
    end = re.search(r"\.(\s|$)", doc)
    sentence = " ".join((doc[:end.start()] if end else doc).split())
    if len(sentence) <= 100:
        return sentence, doc[end.end():].strip() if end else ""
    head = sentence[:100].split(": ")[0] if ": " in sentence[:100] else sentence[:97].rsplit(" ", 1)[0] + " …"
    return head, doc


#: output lines of an example shown on its gallery page (the end of what it printed)
_OUTPUT_LINES = 40


def run_example(script: Path) -> tuple[str, list[Path]] | None:
    """Run ``script`` in its own output folder (``gallery/_output/<stem>/``, the figures it saves
    land there) and return ``(the end of its output, its figures)``; reused while the script's
    source is unchanged.  None when running is switched off; a failure is reported as a build
    warning (which fails ``make docs``)."""
    import hashlib
    import shutil
    import subprocess

    if os.environ.get("SYMRMT_DOCS_EXAMPLES", "1") == "0":
        return None
    out = DOCS / "gallery" / "_output" / script.stem
    stamp, log = out / "source.sha256", out / "output.txt"
    digest = hashlib.sha256(script.read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == digest and log.is_file()):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        env = {**os.environ, "MPLBACKEND": "Agg",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        try:
            proc = subprocess.run([sys.executable, str(script)], cwd=out, env=env, capture_output=True,
                                  text=True, timeout=900)
        except subprocess.TimeoutExpired:
            _BROKEN.append(f"examples/{script.name} did not finish within 900 s")
            return None
        if proc.returncode != 0:
            _BROKEN.append(f"examples/{script.name} failed: {(proc.stderr or proc.stdout)[-400:]}")
            return None
        log.write_text("\n".join(proc.stdout.rstrip().splitlines()[-_OUTPUT_LINES:]) + "\n", encoding="utf-8")
        stamp.write_text(digest)
    return log.read_text(encoding="utf-8"), sorted(out.rglob("*.png"))


def write_gallery_pages() -> list[str]:
    folder = DOCS / "gallery"
    names = []
    lines = ["# Gallery\n",
             "Short scripts in `examples/`, each asserting its own claims; the test suite runs "
             "every one of them (`tests/test_examples.py`), and this page shows what each printed "
             "and drew when the documentation was built. Run one with "
             "`.venv/bin/python examples/NAME.py`.\n"]
    for script in sorted((ROOT / "examples").glob("*.py")):
        title, body = _docstring(script)
        names.append(script.stem)
        lines.append(f"- [{title}]({script.stem}.md) — `examples/{script.name}`")
        ran = run_example(script)
        shown = ""
        if ran is not None:
            text, figures = ran
            shown = "## Output\n\n" + (f"```text\n{text}```\n\n" if text.strip() else "(no output)\n\n")
            shown += "".join(f"![{fig.stem}]({fig.relative_to(folder).as_posix()})\n\n" for fig in figures)
        _write(folder / f"{script.stem}.md",
               f"# {title}\n\n```{{eval-rst}}\n{body}\n```\n\n"
               f"Run: `.venv/bin/python examples/{script.name}`\n\n"
               f"```{{literalinclude}} ../../examples/{script.name}\n:language: python\n```\n\n{shown}")
    toc = "\n".join(names)
    _write(folder / "index.md", "\n".join(lines) + f"\n\n```{{toctree}}\n:hidden:\n\n{toc}\n```\n")
    _clean(folder, {f"{n}.md" for n in names} | {"index.md"})
    return names


#: the pages of this folder that are not topic pages (they have their own place in index.md)
OWN_PAGES = {"index", "guide", "architecture", "performance"}


def topic_documents() -> list[str]:
    """Document names of the topic pages: each of :data:`TOPIC_PAGES` (the real page, or a
    placeholder), then any other top-level page written beside them, by name."""
    docs = []
    folder = DOCS / "_placeholders"
    for name, title in TOPIC_PAGES.items():
        if (DOCS / f"{name}.md").exists():
            docs.append(name)
            (folder / f"{name}.md").unlink(missing_ok=True)
        else:
            docs.append(f"_placeholders/{name}")
            _write(folder / f"{name}.md", f"# {title}\n\nThis page is not written yet.\n")
    extra = sorted(p.stem for p in DOCS.glob("*.md") if p.stem not in OWN_PAGES | set(TOPIC_PAGES))
    return docs + extra


write_api_pages()
write_gallery_pages()
_TOPICS = topic_documents()
if not any((DOCS / "_placeholders").glob("*.md")):
    exclude_patterns.append("_placeholders")



def _insert_topics(app, docname, source):
    """``%TOPIC_PAGES%`` (a toctree line in index.md) becomes the topic pages, and ``%sweep%``,
    ``%measures%`` (in a ``{doc}`` role, anywhere) the absolute name of that page or its placeholder."""
    text = source[0].replace("%TOPIC_PAGES%", "\n".join(_TOPICS))
    for name, doc in zip(TOPIC_PAGES, _TOPICS):
        text = text.replace(f"%{name}%", f"/{doc}")
    source[0] = text


def _report_broken(app):
    from sphinx.util import logging
    for message in _BROKEN:
        logging.getLogger(__name__).warning("API reference: %s", message)


def _reread_index(app, env, added, changed, removed):
    """The index lists the topic pages found at build time: re-read it in every (incremental) build."""
    return ["index"]


def setup(app):
    app.connect("source-read", _insert_topics)
    app.connect("env-get-outdated", _reread_index)
    app.connect("builder-inited", _report_broken)
    return {"parallel_read_safe": True}
