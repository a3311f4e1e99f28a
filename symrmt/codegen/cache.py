"""On-disk cache of generated modules: real files, so that numba's ``cache=True`` works.

Layout of the cache directory (``$SYMRMT_CACHE_DIR``, else ``$XDG_CACHE_HOME/symrmt`` or
``~/.cache/symrmt``), subdirectory ``gen/``:

* ``symrmt_gen_<h>.py`` -- a generated module; ``h`` is a sha256 of its source and options.  The
  last line is ``# sha256: <digest of everything above>``; a file whose digest does not match
  (truncated, corrupted) is treated as absent and regenerated.
* ``key_<k>.txt`` -- maps the hash ``k`` of a generation request (the symbolic input, generator
  version and options) to a module name, so that a warm load needs no SymPy work at all.
* ``<name>.lock`` -- ``fcntl`` lock files serializing writers across processes.

Files are written atomically (temporary file in the same directory, then ``os.replace``).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

from .._importing import import_file
from ..errors import CodegenError

__all__ = ["cache_dir", "digest", "file_lock", "atomic_write", "load_module", "cached_module",
           "module_path"]

_TRAILER = "# sha256: "
_LOADED: dict[str, ModuleType] = {}


def cache_dir() -> Path:
    """The directory of generated modules (created if needed)."""
    root = os.environ.get("SYMRMT_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "symrmt")
    path = Path(root) / "gen"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CodegenError(f"cannot create the cache directory {path} (set SYMRMT_CACHE_DIR): {exc}") from exc
    return path


def digest(*parts: str) -> str:
    """sha256 hex digest of the parts, separated unambiguously."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode()
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Exclusive inter-process lock on ``path`` (``fcntl.flock``), released on exit."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (readers see the old file or the whole new one)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def seal(source: str) -> str:
    """Append the integrity trailer to a module source."""
    if not source.endswith("\n"):
        source += "\n"
    return f"{source}{_TRAILER}{digest(source)}\n"


def _valid(path: Path) -> bool:
    """Whether ``path`` exists and its trailer matches its content."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    body, sep, tail = text.rpartition(_TRAILER)
    return bool(sep) and tail.strip() == digest(body) and text.endswith("\n")


def module_path(name: str) -> Path:
    """Path of the generated module ``name`` in the cache directory."""
    return cache_dir() / f"{name}.py"


def _import(name: str, path: Path) -> ModuleType:
    key = f"{name}@{path}"
    if key in _LOADED:
        return _LOADED[key]
    try:
        module = import_file(name, path)
    except Exception as exc:
        raise CodegenError(f"generated module {path} failed to import: {exc}") from exc
    _LOADED[key] = module
    return module


def load_module(source: str, options: str = "", check: Callable[[ModuleType], None] | None = None) -> ModuleType:
    """Write (if needed) and import the module with this source.

    The file name is ``symrmt_gen_<sha256(source, options)[:32]>.py``.  Writing happens under an
    inter-process lock; ``check(module)`` runs on a freshly written module before it is handed
    out (if it raises, the file is removed and the error propagates).
    """
    name = "symrmt_gen_" + digest(source, options)[:32]
    path = module_path(name)
    with file_lock(path.with_suffix(".lock")):
        if _valid(path):
            return _import(name, path)
        _LOADED.pop(f"{name}@{path}", None)
        atomic_write(path, seal(source))
        try:
            module = _import(name, path)
            if check is not None:
                check(module)
        except BaseException:
            _LOADED.pop(f"{name}@{path}", None)
            sys.modules.pop(name, None)
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return module


def cached_module(key: str, generate: Callable[[], tuple[str, str]],
                  check: Callable[[ModuleType], None] | None = None) -> ModuleType:
    """The module for a generation request ``key``; ``generate() -> (source, options)`` on a miss.

    A warm hit reads ``key_<hash>.txt`` and imports the module it names without calling
    ``generate``; a missing, stale or corrupted entry falls back to generation.
    """
    d = cache_dir()
    kh = digest(key)[:32]
    index = d / f"key_{kh}.txt"
    try:
        name = index.read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    if name.startswith("symrmt_gen_") and name.isidentifier() and _valid(module_path(name)):
        return _import(name, module_path(name))
    source, options = generate()
    module = load_module(source, options, check)
    with file_lock(index.with_suffix(".lock")):
        atomic_write(index, module.__name__ + "\n")
    return module
