"""Finding derivations: the catalogue shipped with symrmt, the user's directories, and registered ones.

A derivation is a module exporting ``DERIVATION`` (a :class:`~symrmt.derivation.Derivation`),
found by its registry name (``marchenko-pastur`` ↔ ``marchenko_pastur.py``) in, in order:

1. the directories in the environment variable ``SYMRMT_DERIVATIONS`` (``os.pathsep``-separated);
2. the catalogue installed with the package (the checkout's ``derivations/`` directory, installed
   as the package ``symrmt_derivations`` — in a wheel as in an editable install);
3. ``derivations/`` in the current directory;

and among the derivations added with :func:`register` (which take precedence).
"""
from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from pathlib import Path

from .._importing import import_file
from ..errors import DerivationError, ParameterError
from .base import Derivation

__all__ = ["register", "registered", "search_paths", "available", "load", "CATALOGUE"]

#: the package the catalogue of named derivations is installed as
CATALOGUE = "symrmt_derivations"

_REGISTERED: dict[str, Derivation] = {}
_DISCOVERED: dict[str, tuple[Path, Derivation | None]] | None = None


def register(derivation: Derivation) -> Derivation:
    """Add a derivation to the registry (replacing one of the same name); returns it."""
    if not isinstance(derivation, Derivation) or not derivation.name:
        raise ParameterError("register: expected a Derivation instance with a name")
    _REGISTERED[derivation.name] = derivation
    return derivation


def registered() -> list[str]:
    """Names of the derivations added with :func:`register` in this process (a fresh process,
    e.g. a worker, finds only the catalogue's and the search paths' derivations)."""
    return sorted(_REGISTERED)


def _catalogue_dirs() -> list[Path]:
    try:
        spec = importlib.util.find_spec(CATALOGUE)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations if Path(p).is_dir()]


def search_paths() -> list[Path]:
    """Directories searched for derivation files, in order (existing ones, each once)."""
    paths = [Path(p) for p in os.environ.get("SYMRMT_DERIVATIONS", "").split(os.pathsep) if p]
    paths += _catalogue_dirs() + [Path.cwd() / "derivations"]
    seen, out = set(), []
    for p in paths:
        key = p.resolve()
        if key not in seen and p.is_dir():
            seen.add(key)
            out.append(p)
    return out


def _scan() -> dict[str, tuple[Path, Derivation | None]]:
    global _DISCOVERED
    if _DISCOVERED is None:
        found: dict[str, tuple[Path, Derivation | None]] = {}
        for d in search_paths():
            for f in sorted(d.glob("*.py")):
                if f.name.startswith("_"):
                    continue
                found.setdefault(f.stem.replace("_", "-"), (f, None))
        _DISCOVERED = found
    return _DISCOVERED


def _import(path: Path) -> Derivation:
    mod_name = f"{CATALOGUE}.{path.stem}"
    if mod_name in sys.modules:
        mod = sys.modules[mod_name]
    else:
        try:
            mod = import_file(mod_name, path)  # a project file, imported like any module
        except ImportError as exc:
            raise DerivationError(f"cannot import derivation file {path.name}: {exc}") from exc
    der = getattr(mod, "DERIVATION", None)
    if not isinstance(der, Derivation):
        raise DerivationError(f"{path.name} does not export DERIVATION (a symrmt.derivation.Derivation)")
    return der


def available() -> list[str]:
    """Names of all derivations (registered and discovered), sorted."""
    return sorted(set(_REGISTERED) | set(_scan()))


def load(name: str) -> Derivation:
    """The derivation called ``name`` (a registered one, else the file ``<name with _>.py``).

    An unknown name raises :class:`~symrmt.errors.ParameterError` whose message suggests the
    closest names (``did you mean 'marchenko-pastur'?``) before listing all of them.

    Examples
    --------
    >>> load("marchenko-pastur").name
    'marchenko-pastur'
    """
    if not isinstance(name, str):
        raise ParameterError(f"name: expected a string, got {type(name).__name__}")
    if name in _REGISTERED:
        return _REGISTERED[name]
    found = _scan()
    key = name.replace("_", "-")
    if key not in found:
        names = available()
        close = difflib.get_close_matches(key.lower(), names, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise ParameterError(f"unknown derivation {name!r}; {hint}available: {', '.join(names) or 'none'}")
    path, der = found[key]
    if der is None:
        der = _import(path)
        if der.name != key:
            raise DerivationError(f"{path.name}: DERIVATION.name is {der.name!r}, expected {key!r}")
        found[key] = (path, der)
    return der
