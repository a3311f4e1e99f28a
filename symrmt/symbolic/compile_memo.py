"""The in-process memo of compiled solvers: ``System.compile`` and ``AlgebraicLaw.compile``.

Compiling is cached twice: on disk by the code generator (a module file per source hash, see
:mod:`symrmt.codegen.cache`), and here, in memory, by the symbolic object's content.  The memo
maps ``(kind, content key, normalized options, cache directory)`` to the compiled object, so that
compiling an equal System (same :meth:`~symrmt.symbolic.system.System._fingerprint`) or an equal
law twice with the same options returns the same object without generating, checking or loading
anything.  The cache directory is part of the key: pointing ``SYMRMT_CACHE_DIR`` elsewhere
compiles afresh.

The memo is bounded (least recently used entries are dropped beyond :data:`MAX_ENTRIES`) and
guarded by a lock (held only to read and insert; two threads compiling the same object at
once both build it, and the first one stored is returned to both).  :func:`clear_compiled` empties it (for tests, or to free memory).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

__all__ = ["MAX_ENTRIES", "memoized", "clear_compiled", "memo_size", "option_key"]

#: Entries kept before the least recently used one is dropped.
MAX_ENTRIES = 128

_MEMO: OrderedDict = OrderedDict()
_LOCK = threading.RLock()


def memoized(key: Hashable | None, build: Callable[[], Any]) -> Any:
    """The object memoized under ``key``, built by ``build()`` (and memoized) on a miss.

    ``key=None`` (content that cannot be hashed) builds without memoizing.  A failing ``build``
    memoizes nothing.
    """
    if key is None:
        return build()
    try:
        hash(key)
    except TypeError:
        return build()
    with _LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    value = build()  # outside the lock: other compilations proceed meanwhile
    with _LOCK:
        value = _MEMO.setdefault(key, value)  # a concurrent build of the same key: the first wins
        _MEMO.move_to_end(key)
        while len(_MEMO) > MAX_ENTRIES:
            _MEMO.popitem(last=False)
        return value


def clear_compiled() -> None:
    """Forget every memoized compiled object (the on-disk module cache is left as it is)."""
    with _LOCK:
        _MEMO.clear()


def memo_size() -> int:
    """How many compiled objects are memoized."""
    with _LOCK:
        return len(_MEMO)


def option_key(options: dict) -> tuple:
    """Options as a hashable key; each value tagged with its type (``1`` and ``True`` differ)."""
    return tuple(sorted((k, type(v).__name__, v) for k, v in options.items()))
