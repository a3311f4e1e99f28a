"""The package's floor plan (docs/architecture.md), checked on the source with :mod:`ast`.

* each stage imports only itself and the stages to its left (function-local imports count); the
  one exception is ``law.compile()`` / ``System.compile()`` calling codegen from a function body;
* no import cycles between modules;
* no private name (``_x``) and no private module crosses a package boundary;
* no torch in the theory libraries;
* the catalogue (``derivations/*.py``) uses the public faces only.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "symrmt"

FOUNDATION = {"symrmt.errors", "symrmt._version", "symrmt._checks", "symrmt._numbers", "symrmt.limits", "symrmt._progress",
              "symrmt._importing"}
THEORY = {"measures", "equivalents", "learning", "kernels", "odes", "matrices"}
# stage -> the stages it may import (besides the foundation and itself)
ALLOWED = {
    "foundation": set(),
    "symbolic": set(),
    "codegen": {"symbolic"},
    **{t: {"symbolic", "codegen"} | THEORY for t in THEORY},
    "simulate": {"symbolic", "codegen", "odes", "measures"},
    "data": {"symbolic", "codegen", "simulate"} | THEORY,
    "verify": {"symbolic", "codegen", "simulate"} | THEORY,
    "derivation": {"symbolic", "codegen", "simulate", "verify", "data"} | THEORY,
    "registry": {"derivation"},
    "sweep": {"symbolic", "codegen", "simulate", "verify", "derivation", "registry", "data"} | THEORY,
    "cli": {"symbolic", "codegen", "simulate", "verify", "derivation", "registry", "sweep", "data"} | THEORY,
    "root": None,  # the package face: anything, lazily
}
#: the documented upward reach: symbolic objects compile themselves lazily
# law.compile()/System.compile() reach codegen, law.sample()/law.matrix() the simulation, lazily
LAZY_EXCEPTIONS = {("symrmt.symbolic.algebraic_law", "codegen"), ("symrmt.symbolic.system", "codegen"),
                   ("symrmt.symbolic.algebraic_law", "simulate")}
NO_TORCH = {"symbolic", "measures", "equivalents", "learning", "kernels", "odes", "matrices"}
FACES = {"symrmt", "symrmt.derivation", "symrmt.errors", "symrmt.limits"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def stage(mod: str) -> str:
    if mod in FOUNDATION:
        return "foundation"
    parts = mod.split(".")
    if len(parts) == 1:
        return "root"
    return parts[1]


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(mod: str):
    """``(target module, imported names, local?, line)`` for every import of ``mod``."""
    path = MODULES[mod]
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    out = []

    def visit(node, local):
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for a in child.names:
                    out.append((a.name, [], local, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(mod, is_package, child)
                for a in child.names:
                    sub = f"{target}.{a.name}"
                    if sub in MODULES:
                        out.append((sub, [], local, child.lineno))
                    else:
                        out.append((target, [a.name], local, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return out


def internal(target: str) -> str | None:
    """The symrmt module an import target names (the longest existing prefix), else None."""
    parts = target.split(".")
    while parts:
        name = ".".join(parts)
        if name in MODULES:
            return name
        parts.pop()
    return None


def graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, _, _, _ in imports(m):
            t = internal(target) if target.startswith("symrmt") else None
            if t and t != m:
                g[m].add(t)
    return g


def test_stages_import_only_to_their_left():
    bad = []
    for m in sorted(MODULES):
        s = stage(m)
        allowed = ALLOWED.get(s, set())
        if allowed is None:
            continue
        for target, _, local, line in imports(m):
            if not target.startswith("symrmt"):
                continue
            t = internal(target)
            if t is None:
                bad.append(f"{m}:{line} imports a module that does not exist: {target}")
                continue
            ts = stage(t)
            if ts in ("foundation", s) or ts in allowed:
                continue
            if local and (m, ts) in LAZY_EXCEPTIONS:
                continue
            bad.append(f"{m}:{line} ({s}) imports {t} ({ts})")
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    g = graph()
    cycles, state = [], {}

    def dfs(v, stack):
        state[v] = 1
        stack.append(v)
        for w in sorted(g[v]):
            if state.get(w) == 1:
                cycles.append(" -> ".join(stack[stack.index(w):] + [w]))
            elif w not in state:
                dfs(w, stack)
        stack.pop()
        state[v] = 2

    for v in sorted(g):
        if v not in state:
            dfs(v, [])
    assert not cycles, "\n".join(cycles)


def test_no_private_name_crosses_a_package_boundary():
    bad = []
    for m in sorted(MODULES):
        for target, names, _, line in imports(m):
            if not target.startswith("symrmt"):
                continue
            t = internal(target)
            if t is None or stage(t) == stage(m):
                continue
            private_module = any(p.startswith("_") and not p.startswith("__") for p in t.split(".")[1:])
            if private_module and t not in FOUNDATION:
                bad.append(f"{m}:{line} imports the private module {t}")
            bad += [f"{m}:{line} imports the private name {t}.{n}" for n in names
                    if n.startswith("_") and not n.startswith("__")]
    assert not bad, "\n".join(bad)


def test_no_private_attribute_of_another_package():
    """``from ..symbolic import hermite`` then ``hermite._helper(...)`` crosses the boundary too."""
    bad = []
    for m in sorted(MODULES):
        tree = ast.parse(MODULES[m].read_text())
        is_package = MODULES[m].name == "__init__.py"
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(m, is_package, node)
                for a in node.names:
                    sub = f"{target}.{a.name}"
                    if sub in MODULES and stage(sub) != stage(m):
                        aliases[a.asname or a.name] = sub
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"{m}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not bad, "\n".join(bad)


def test_theory_libraries_hold_no_torch():
    bad = [f"{m}:{line}" for m in sorted(MODULES) if stage(m) in NO_TORCH
           for target, _, _, line in imports(m) if target.split(".")[0] == "torch"]
    assert not bad, "torch imported in a theory library: " + ", ".join(bad)


@pytest.mark.parametrize("path", sorted((ROOT / "derivations").glob("*.py")), ids=lambda p: p.name)
def test_catalogue_uses_public_faces(path):
    tree = ast.parse(path.read_text(), str(path))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symrmt"):
            mod = node.module
            face = mod in FACES or (mod in MODULES and MODULES[mod].name == "__init__.py")
            if not face:
                bad.append(f"line {node.lineno}: from {mod} import ... (a submodule, not a package face)")
            bad += [f"line {node.lineno}: private name {n.name}" for n in node.names if n.name.startswith("_")]
        elif isinstance(node, ast.Import):
            bad += [f"line {node.lineno}: import {a.name}" for a in node.names
                    if a.name.startswith("symrmt.") and a.name not in FACES
                    and not (a.name in MODULES and MODULES[a.name].name == "__init__.py")]
    assert not bad, "\n".join(bad)


def test_the_checker_sees_a_violation(tmp_path):
    """The rules are not vacuous: a planted upward import and a private crossing are found."""
    src = "from ..verify.stats import _private\nfrom ..derivation import Derivation\n"
    tree = ast.parse(src)
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    targets = [_resolve("symrmt.simulate.models", False, n) for n in nodes]
    assert targets == ["symrmt.verify.stats", "symrmt.derivation"]
    assert stage(internal(targets[1])) not in ALLOWED["simulate"]
    assert stage(internal(targets[0])) not in ALLOWED["simulate"] | {"simulate"}
