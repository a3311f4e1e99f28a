"""On-disk cache of generated modules: real files, so that numba's ``cache=True`` works.

Layout of the cache directory (``$SYMRMT_CACHE_DIR``, else ``$XDG_CACHE_HOME/symrmt`` or
``~/.cache/symrmt``), subdirectory ``gen/``:

* ``symrmt_gen_<h>.py`` -- a generated module; ``h`` is a sha256 of its source and options.  The
  last line is ``# sha256: <digest of everything above>``; a file whose digest does not match
  (truncated, corrupted) is treated as absent and regenerated.
* ``key_<k>.txt`` -- maps the hash ``k`` of a generation request (the symbolic input, generator
  version and options) to a module name, so that a warm load needs no SymPy work at all.  The
  index is not trusted: a module made by :func:`cached_module` ends with the line
  ``_SYMRMT_REQUEST = "<sha256 of the request>"``, and a module named by the index is used only
  if that line matches the request (otherwise the entry is discarded and the module regenerated
  and self-checked).
* ``<name>.lock`` -- ``fcntl`` lock files serializing writers across processes.
* ``__pycache__/`` -- numba's cache (``cache=True``).  An index or data file numba cannot read
  (truncated, garbled) is deleted and the function recompiled, with a :class:`RuntimeWarning`.

Files are written atomically (temporary file in the same directory, then ``os.replace``); a
directory deleted meanwhile is recreated, and a module deleted between its writing and its import
is written again.  A file system error is a :class:`~symrmt.errors.CodegenError` naming the path.

A cache directory this process cannot write to (another user's, a read-only mount) is only read
from: writes go to a private fallback (``$XDG_CACHE_HOME/symrmt``, else
``<tempdir>/symrmt-<uid>``) with a :class:`RuntimeWarning`, and a warm module found in the
read-only directory is copied there together with its numba cache files.  When numba finds no
writable place for its own cache, it is pointed at ``<cache>/numba`` for the import.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import sys
import tempfile
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

from .._importing import import_file
from ..errors import CodegenError

__all__ = ["cache_dir", "digest", "file_lock", "atomic_write", "load_module", "cached_module",
           "module_path", "interpreted"]

_TRAILER = "# sha256: "
_REQUEST = "_SYMRMT_REQUEST"
_LOADED: dict[str, ModuleType] = {}
_WRITABLE: dict[str, bool] = {}  # write-probe results per directory (this process)


def _configured_root() -> Path:
    """``$SYMRMT_CACHE_DIR``, else the per-user default :func:`_default_root`."""
    root = os.environ.get("SYMRMT_CACHE_DIR")
    return Path(root) if root else _default_root()


def _default_root() -> Path:
    """``$XDG_CACHE_HOME/symrmt``, else ``~/.cache/symrmt``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symrmt"


def _probe_writable(path: Path) -> bool:
    """Whether a file can actually be created in ``path`` (made if missing).

    An actual write probe rather than permission bits, which root ignores and ACLs or read-only
    mounts override.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".probe-")
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    return True


def _writable(path: Path) -> bool:
    """:func:`_probe_writable`, probed once per directory and process."""
    key = str(path)
    if key not in _WRITABLE:
        _WRITABLE[key] = _probe_writable(path)
    return _WRITABLE[key]


def _private_roots(configured: Path) -> list[Path]:
    """Fallback cache roots of this user, in order of preference (never ``configured``)."""
    roots = [_default_root(), Path(tempfile.gettempdir()) / f"symrmt-{os.getuid()}"]
    return [r for r in roots if r != configured]


def _own_dir(path: Path) -> bool:
    """Whether ``path`` is (or is now made) a real directory of this user, mode 0700 when made
    here: in a shared temporary directory another user could have placed a link or a directory."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return False
    return not os.path.islink(path) and os.path.isdir(path) and st.st_uid == os.getuid()


def _dirs() -> tuple[Path, Path | None]:
    """``(write_dir, read_only_dir)``: where modules are written and imported from, and the
    configured directory when it cannot be written (read warm modules from it), else None."""
    root = _configured_root()
    gen = root / "gen"
    if _writable(gen):
        return gen, None
    for alt in _private_roots(root):
        if _own_dir(alt) and _writable(alt / "gen"):
            if f"warned:{gen}" not in _WRITABLE:
                _WRITABLE[f"warned:{gen}"] = True
                warnings.warn(f"the symrmt cache directory {gen} is not writable by this process; "
                              f"generated modules go to {alt / 'gen'} instead (set SYMRMT_CACHE_DIR to a "
                              f"writable directory to choose)", RuntimeWarning, stacklevel=4)
            return alt / "gen", (gen if gen.is_dir() else None)
    raise CodegenError(f"the symrmt cache directory {gen} is not writable and no fallback is "
                       f"(tried {[str(r / 'gen') for r in _private_roots(root)]}); set SYMRMT_CACHE_DIR "
                       f"to a writable directory")


def cache_dir() -> Path:
    """The directory generated modules are written to and imported from (created if needed).

    ``$SYMRMT_CACHE_DIR/gen`` (default ``$XDG_CACHE_HOME/symrmt/gen`` or ``~/.cache/symrmt/gen``),
    or a private fallback when that is not writable (see the module docstring).
    """
    return _dirs()[0]


def _fs_error(path: Path, exc: OSError, what: str) -> CodegenError:
    """A CodegenError for a file system error on a cache file, naming it and the way out."""
    if os.path.isdir(path):
        return CodegenError(f"cannot {what} the cache file {path}: a directory is in its place; remove "
                            f"it (symrmt never makes it) or set SYMRMT_CACHE_DIR to another directory")
    return CodegenError(f"cannot {what} the cache file {path}: {exc.strerror or exc}; check the "
                        f"permissions and free space of {path.parent}, or set SYMRMT_CACHE_DIR to "
                        f"another directory")


def _mkdir(path: Path) -> None:
    """Create a cache directory (again: it may have been deleted by another process)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CodegenError(f"cannot create the cache directory {path}: {exc.strerror or exc}; set "
                           f"SYMRMT_CACHE_DIR to a writable directory") from exc


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
    """Exclusive inter-process lock on ``path`` (``fcntl.flock``), released on exit.

    Its directory is recreated if it was deleted; any other file system error is a
    :class:`~symrmt.errors.CodegenError` naming ``path``.
    """
    path = Path(path)
    fd = _in_cache_dir(path, "create the lock", lambda: os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, text: str | bytes, *, shared: bool = False) -> None:
    """Write ``text`` (or bytes) to ``path`` atomically (readers see the old file or the whole new
    one).  ``shared``: the file gets the permissions of a normally created file (``0666`` under
    the umask, e.g. ``0644``) instead of the private ``0600`` of a temporary file -- for files a
    user writes out (standalone modules).  File system errors propagate (:class:`OSError`)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        if shared:
            os.fchmod(fd, 0o666 & ~_umask())
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write(path: Path, data: str | bytes) -> None:
    """:func:`atomic_write` of a cache file: its directory is recreated if it was deleted, and a
    file system error is a :class:`~symrmt.errors.CodegenError` naming ``path``."""
    _in_cache_dir(path, "write", lambda: atomic_write(path, data))


def _in_cache_dir(path: Path, what: str, action: Callable[[], Any]) -> Any:
    """Run ``action`` (a file operation on ``path``), recreating ``path``'s directory once if it was
    deleted; any other file system error is a :class:`~symrmt.errors.CodegenError` naming ``path``."""
    for attempt in (0, 1):
        try:
            return action()
        except FileNotFoundError as exc:
            if attempt:
                raise _fs_error(path, exc, what) from exc
            _mkdir(path.parent)
        except OSError as exc:
            raise _fs_error(path, exc, what) from exc


def seal(source: str) -> str:
    """Append the integrity trailer to a module source."""
    if not source.endswith("\n"):
        source += "\n"
    return f"{source}{_TRAILER}{digest(source)}\n"


def _read(path: Path) -> str | None:
    """The text of ``path``, or None if it cannot be read (missing, a directory, not UTF-8)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _sealed_text(path: Path) -> str | None:
    """The text of ``path`` if it exists and its trailer matches its content, else None."""
    text = _read(path)
    if text is None:
        return None
    body, sep, tail = text.rpartition(_TRAILER)
    return text if sep and tail.strip() == digest(body) and text.endswith("\n") else None


def _valid(path: Path) -> bool:
    """Whether ``path`` exists and its trailer matches its content."""
    return _sealed_text(path) is not None


def _request_line(kd: str) -> str:
    """The line that ties a generated module to the request digest ``kd`` (see :func:`cached_module`)."""
    return f'\n{_REQUEST} = "{kd}"\n'


_STAMP_HEAD = ("\n\n# sha256 of the generation request this module was made for: a module found through\n"
               "# the key index is used only for that request.")


def _stamp(source: str, kd: str) -> str:
    """``source`` with the request line appended (before the seal)."""
    if not source.endswith("\n"):
        source += "\n"
    return f"{source}{_STAMP_HEAD}{_request_line(kd)}"


def standalone_text(path: Path) -> str:
    """The sealed source of the cached module ``path`` without its request line (which ties it
    to this cache's index only): the same text as ``seal`` of the generated source."""
    text = Path(path).read_text(encoding="utf-8")
    body = text.rpartition(_TRAILER)[0] if _TRAILER in text else text
    head, sep, line = body.rpartition(_STAMP_HEAD)
    if sep and line.startswith(f'\n{_REQUEST} = "') and line.count("\n") == 2:
        return seal(head)
    return text


def module_path(name: str) -> Path:
    """Path of the generated module ``name`` in the cache directory."""
    return cache_dir() / f"{name}.py"


# ---------------------------------------------------------------------- numba's cache
def _numba_files(cache) -> list[Path]:
    """The index and data files of one numba function cache (``numba.core.caching.Cache``)."""
    index = Path(cache._cache_file._index_path)
    base = index.name[: -len(".nbi")]
    return [index, *index.parent.glob(f"{base}.*.nbc")]


def _drop_numba_files(cache, exc: Exception, what: str) -> None:
    files = []
    with contextlib.suppress(Exception):
        files = _numba_files(cache)
    for f in files:
        with contextlib.suppress(OSError):
            f.unlink()
    where = files[0] if files else "its cache directory"
    func = getattr(cache, "_py_func", None)
    func = f"{func.__module__}.{func.__qualname__}" if func is not None else "a generated function"
    warnings.warn(f"numba's cache of {func} ({where}) could not "
                  f"be {what} ({type(exc).__name__}: {exc}); its files were deleted and the function is "
                  + ("compiled again" if what == "read" else "used uncached in this process"),
                  RuntimeWarning, stacklevel=3)


def _guarded_load(cache, load, sig, target_context):
    """``Cache.load_overload`` that treats an unreadable cache file as a miss (numba reads its
    index lazily, at the first call of each signature: this is where a corrupted file surfaces)."""
    try:
        return load(sig, target_context)
    except Exception as exc:  # UnpicklingError, EOFError, ... from a truncated or garbled file
        _drop_numba_files(cache, exc, "read")
        return None


def _guarded_save(cache, save, sig, data):
    """``Cache.save_overload`` whose failure leaves the compiled function usable, uncached."""
    try:
        save(sig, data)
    except Exception as exc:
        _drop_numba_files(cache, exc, "written")


def _guard_numba_cache(module: ModuleType) -> None:
    """Make the ``cache=True`` functions of ``module`` recover from a corrupted numba cache."""
    try:
        from numba.core.caching import Cache
        from numba.core.dispatcher import Dispatcher
    except ImportError:  # pragma: no cover - numba is a dependency
        return
    for obj in list(vars(module).values()):
        cache = getattr(obj, "_cache", None) if isinstance(obj, Dispatcher) else None
        if isinstance(cache, Cache) and hasattr(cache, "_cache_file") and not getattr(cache, "_symrmt_guard", False):
            cache.load_overload = functools.partial(_guarded_load, cache, cache.load_overload)
            cache.save_overload = functools.partial(_guarded_save, cache, cache.save_overload)
            cache._symrmt_guard = True


def _import_caching_elsewhere(name: str, path: Path) -> ModuleType:
    """Import ``path`` with numba's cache in a writable directory of ours (``NUMBA_CACHE_DIR``
    is read at numba's import; its config value is consulted when a ``cache=True`` function is
    defined, so it is set for this import only)."""
    from numba.core import config

    root = _configured_root()
    for cand in [root, *_private_roots(root)]:
        if _writable(cand / "numba"):
            break
    else:
        raise CodegenError(f"numba finds no writable directory for the cache of {path}; set NUMBA_CACHE_DIR "
                           f"or SYMRMT_CACHE_DIR to a writable directory")
    old = config.CACHE_DIR
    config.CACHE_DIR = str(cand / "numba")
    try:
        module = import_file(name, path)
    finally:
        config.CACHE_DIR = old
    warnings.warn(f"numba cannot cache next to {path} nor in its user-wide directory; its cache for this "
                  f"module is in {cand / 'numba'}", RuntimeWarning, stacklevel=4)
    return module


def _import(name: str, path: Path) -> ModuleType:
    key = f"{name}@{path}"
    if key in _LOADED:
        return _LOADED[key]
    try:
        try:
            module = import_file(name, path)
        except RuntimeError as exc:
            if "no locator available" not in str(exc):
                raise
            module = _import_caching_elsewhere(name, path)
    except CodegenError:
        raise
    except Exception as exc:
        raise CodegenError(f"generated module {path} failed to import: {exc}") from exc
    _guard_numba_cache(module)
    _LOADED[key] = module
    return module


def _forget(name: str, path: Path) -> None:
    _LOADED.pop(f"{name}@{path}", None)
    sys.modules.pop(name, None)


_NJIT_IMPORT = "from numba import njit\n"
_NJIT_IDENTITY = ("def njit(*args, **kwargs):  # interpreted twin: the decorator does nothing\n"
                  "    return args[0] if len(args) == 1 and callable(args[0]) and not kwargs else (lambda f: f)\n")


def interpreted(module: ModuleType) -> ModuleType:
    """A pure-Python twin of a generated module: its own source run with ``njit`` as the identity.

    The self-checks compare the generated expressions with SymPy at a few points; running the
    twin checks the same printed source without compiling the checked functions a second time
    with CPython wrappers (numba compiles the kernels, and the cores they call, once, at the
    first solve).  Only functions of the generated source are reached: nothing user-supplied.
    """
    src = Path(module.__file__).read_text(encoding="utf-8")
    if _NJIT_IMPORT not in src:
        raise CodegenError(f"{module.__name__}: not a generated module (no numba import)")
    twin = ModuleType(module.__name__ + "_interpreted")
    twin.__file__ = module.__file__
    code = compile(src.replace(_NJIT_IMPORT, _NJIT_IDENTITY, 1), module.__file__, "exec")
    exec(code, twin.__dict__)  # safe: the generated module's own source (as its import runs it)
    return twin


def load_module(source: str, options: str = "", check: Callable[[ModuleType], None] | None = None) -> ModuleType:
    """Write (if needed) and import the module with this source.

    The file name is ``symrmt_gen_<sha256(source, options)[:32]>.py``; a file of that name with
    other content is replaced.  Writing happens under an inter-process lock; ``check(module)``
    runs before the module is handed out (if it raises, the file is removed and the error
    propagates).  A file that vanishes before its import completes (its directory deleted by
    another process) is written again.
    """
    name = "symrmt_gen_" + digest(source, options)[:32]
    sealed = seal(source)
    for attempt in range(3):
        path = module_path(name)
        with file_lock(path.with_suffix(".lock")):
            if _read(path) != sealed:
                _forget(name, path)
                _write(path, sealed)
            try:
                module = _import(name, path)
                if check is not None:
                    check(module)
            except BaseException as exc:
                _forget(name, path)
                if isinstance(exc, Exception) and attempt < 2 and not path.is_file():
                    continue  # deleted under us: write it again
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
            return module
    raise AssertionError("unreachable")  # pragma: no cover


def cached_module(key: str, generate: Callable[[], tuple[str, str]],
                  check: Callable[[ModuleType], None] | None = None) -> ModuleType:
    """The module for a generation request ``key``; ``generate() -> (source, options)`` on a miss.

    A warm hit reads ``key_<hash>.txt`` and imports the module it names without calling
    ``generate``, provided that module is intact and was made for this very request: the
    generated source gets the line ``_SYMRMT_REQUEST = "<sha256 of key>"``, compared on every
    load (a string comparison -- no SymPy work).  A missing, stale, corrupted or mismatched
    entry is discarded and the module generated and checked again.

    Parameters
    ----------
    key
        The full generation request (symbolic input, generator fingerprint, options).
    generate
        Called on a miss only; returns the module source and the options string.
    check
        The self-check of a module reached by generation (see :func:`load_module`).

    Returns
    -------
    ModuleType
        The imported module.

    Raises
    ------
    CodegenError
        If the module fails its check or to import, or a cache file cannot be written (the
        message names the file).
    """
    d, read_only = _dirs()
    kd = digest(key)
    kh = kd[:32]
    module = _lookup(d, kh, kd)
    if module is None and read_only is not None:
        module = _copy_in(read_only, d, kh, kd)
    if module is not None:
        return module
    source, options = generate()
    module = load_module(_stamp(source, kd), options, check)
    index = d / f"key_{kh}.txt"
    with file_lock(index.with_suffix(".lock")):
        _write(index, module.__name__ + "\n")
    return module


def _index_name(index: Path) -> str:
    """The module name an index file holds, or "" (missing, unreadable, not a module name)."""
    name = (_read(index) or "").strip()
    return name if name.startswith("symrmt_gen_") and name.isidentifier() else ""


def _lookup(d: Path, kh: str, kd: str) -> ModuleType | None:
    """The module the index of ``d`` names for request digest ``kd``, if intact and made for it."""
    index = d / f"key_{kh}.txt"
    name = _index_name(index)
    if not name:
        return None
    path = d / f"{name}.py"
    text = _sealed_text(path)
    if text is None:
        return None
    if _request_line(kd) in text:
        try:
            module = _import(name, path)
        except CodegenError:
            if path.is_file():
                raise
            return None  # deleted meanwhile: a miss
        if getattr(module, _REQUEST, None) == kd:
            return module
    # made for another request (swapped or stale entry): never trusted by name
    with file_lock(index.with_suffix(".lock")):
        if _index_name(index) == name:
            with contextlib.suppress(OSError):
                index.unlink()
    return None


def _copy_in(src: Path, d: Path, kh: str, kd: str) -> ModuleType | None:
    """Copy the warm module for ``kd`` from the read-only cache ``src`` into ``d``, with its numba
    cache files (their stamp is a hash of the module's content, so they stay valid)."""
    name = _index_name(src / f"key_{kh}.txt")
    text = _sealed_text(src / f"{name}.py") if name else None
    if text is None or _request_line(kd) not in text:
        return None
    path = d / f"{name}.py"
    with file_lock(path.with_suffix(".lock")):
        if _read(path) != text:
            _write(path, text)
            for f in sorted((src / "__pycache__").glob(f"{name}.*.nb[ic]")):
                with contextlib.suppress(OSError, CodegenError):
                    _write(d / "__pycache__" / f.name, f.read_bytes())
    index = d / f"key_{kh}.txt"
    with file_lock(index.with_suffix(".lock")):
        _write(index, name + "\n")
    return _lookup(d, kh, kd)
