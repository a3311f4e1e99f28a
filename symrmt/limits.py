"""Resource limits: refuse a computation whose estimated memory or work is too large, before it starts.

Every simulation entry point (the ``simulate`` and ``verify`` methods of all derivations, and
:func:`symrmt.simulate.sample_eigenvalues`) estimates the peak memory and the number of
floating-point operations of the run from its sizes and parameters, and every symbolic entry
point with an order (``law.moments(k)``, ``free_cumulants``, the B-series and IMDE functions of
:mod:`symrmt.odes`) checks the order, *before* allocating anything.  A run over a limit raises
:class:`~symrmt.errors.ParameterError` whose message states the estimate and the limit, instead of
exhausting the memory of the machine or running for days.

==================  ===============================  ============================  =======================
limit               default                          environment variable          meaning
==================  ===============================  ============================  =======================
max_memory_gb       half of the physical RAM         ``SYMRMT_MAX_MEMORY_GB``      peak memory of one
                    (8 GiB when it cannot be read)                                 simulation (GiB)
max_work            ``1e15``                         ``SYMRMT_MAX_WORK``           floating-point
                                                                                   operations of one run
max_moment_order    ``200``                          ``SYMRMT_MAX_MOMENT_ORDER``   largest ``k`` of
                                                                                   ``moments(k)``
max_tree_order      ``14``                           ``SYMRMT_MAX_TREE_ORDER``     largest rooted-tree
                                                                                   order of a B-series
==================  ===============================  ============================  =======================

Why these defaults: a dense float64 eigenproblem of size n holds a few ``n²`` doubles, so half the
RAM leaves room for the rest of the process and the operating system; ``1e15`` operations is about
a day at ``1e10`` operations per second (one CPU socket running LAPACK) and minutes on a GPU — the
default ``verify`` ladders need ``1e9``–``1e12``; the moment recursion costs about ``k³`` products
of exact coefficients (``k = 200`` takes seconds, ``k = 400`` minutes, for Marchenko–Pastur); the
number of rooted trees grows like ``2.95ⁿ`` (OEIS A000081: 1, 1, 2, 4, 9, 20, 48, 115, 286, 719,
…), and generating the 53 272 trees of orders ``<= 14`` already takes seconds.

Precedence: :func:`set` (innermost first) over the environment variable over the default.  The
environment is read at every check, so it may change while the process runs.

Examples
--------
>>> import symrmt.limits as limits
>>> with limits.set(max_memory_gb=64, max_work=1e16):   # for the duration of the block
...     pass
>>> limits.current().max_moment_order
200
"""
from __future__ import annotations

import contextvars
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

from .errors import ParameterError

__all__ = ["Limits", "Cost", "current", "set", "reset", "physical_memory", "default_memory",
           "check_cost", "check_memory", "check_work", "check_moment_order", "check_tree_order",
           "dense_cost", "rooted_trees", "rooted_trees_upto", "format_bytes", "REFERENCE_FLOPS"]

#: Operations per second used to turn a work estimate into a rough time in messages (one CPU
#: socket running LAPACK in float64; a GPU is 10–100 times faster).
REFERENCE_FLOPS = 1e10
#: Fraction of the physical memory one simulation may use by default.
MEMORY_FRACTION = 0.5
#: Memory assumed when the physical memory cannot be read.
FALLBACK_MEMORY = 8 << 30

_GIB = float(1 << 30)
_ENV = {"max_memory_gb": "SYMRMT_MAX_MEMORY_GB", "max_work": "SYMRMT_MAX_WORK",
        "max_moment_order": "SYMRMT_MAX_MOMENT_ORDER", "max_tree_order": "SYMRMT_MAX_TREE_ORDER"}
_INTEGER = ("max_moment_order", "max_tree_order")
_OVERRIDES: contextvars.ContextVar[tuple] = contextvars.ContextVar("symrmt_limits", default=())


# ---------------------------------------------------------------------- the limits
@dataclass(frozen=True)
class Limits:
    """The limits in force (see the module docstring).

    Attributes
    ----------
    max_memory_gb : float
        Peak memory of one simulation, in GiB (2**30 bytes).
    max_work : float
        Floating-point operations of one simulation run (all trials, all sizes of a ladder).
    max_moment_order : int
        Largest ``k`` accepted by ``moments(k)``, ``free_cumulants(k)`` and ``stieltjes_series``.
    max_tree_order : int
        Largest order of the rooted trees a B-series computation may enumerate.
    """

    max_memory_gb: float
    max_work: float
    max_moment_order: int
    max_tree_order: int

    @property
    def max_memory(self) -> int:
        """:attr:`max_memory_gb` in bytes."""
        return int(self.max_memory_gb * _GIB)


def physical_memory() -> int | None:
    """Physical memory of the machine in bytes, or None when it cannot be read.

    Uses ``os.sysconf`` (Linux, macOS, the BSDs) and falls back to ``/proc/meminfo``.
    """
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        if pages > 0 and size > 0:
            return int(pages) * int(size)
    except (AttributeError, ValueError, OSError):
        pass
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_memory() -> int:
    """Default :attr:`Limits.max_memory`: half of :func:`physical_memory` (8 GiB if unknown)."""
    total = physical_memory()
    return int(total * MEMORY_FRACTION) if total else FALLBACK_MEMORY


def _defaults() -> dict[str, Any]:
    return {"max_memory_gb": default_memory() / _GIB, "max_work": 1e15, "max_moment_order": 200,
            "max_tree_order": 14}


def _validated(name: str, value: Any, source: str) -> float | int:
    """A limit's value: a finite number > 0 (an integer >= 1 for the orders)."""
    if name in _INTEGER:
        from ._checks import integer

        return integer(source, value, low=1)
    from ._checks import positive

    return positive(source, value)


def _from_env(name: str) -> float | int | None:
    var = _ENV[name]
    text = os.environ.get(var)
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{var}: expected a positive number, got {text!r}") from None
    if name in _INTEGER and math.isfinite(value) and value == math.floor(value):
        value = int(value)
    return _validated(name, value, var)


def current() -> Limits:
    """The limits in force now: :func:`set` overrides, else the environment, else the defaults."""
    values = _defaults()
    for name in _ENV:
        env = _from_env(name)
        if env is not None:
            values[name] = env
    for overrides in _OVERRIDES.get():
        values.update(overrides)
    return Limits(**values)


class _Override:
    """Returned by :func:`set`: already in force; as a context manager, undone on exit."""

    def __init__(self, token: contextvars.Token, values: dict):
        self._token, self.values = token, values

    def __enter__(self) -> Limits:
        return current()

    def __exit__(self, *exc: Any) -> None:
        self.undo()

    def undo(self) -> None:
        """Remove this override (and any made after it in the same context)."""
        if self._token is not None:
            _OVERRIDES.reset(self._token)
            self._token = None

    def __repr__(self) -> str:
        return f"<symrmt.limits override {self.values}>"


def set(*, max_memory_gb: float | None = None, max_work: float | None = None,  # noqa: A001
        max_moment_order: int | None = None, max_tree_order: int | None = None) -> _Override:
    """Override limits; in force at once, and undone at the end of a ``with`` block.

    Parameters
    ----------
    max_memory_gb : float, optional
        Peak memory of one simulation, GiB.
    max_work : float, optional
        Floating-point operations of one simulation run.
    max_moment_order : int, optional
        Largest ``k`` of ``moments(k)``.
    max_tree_order : int, optional
        Largest rooted-tree order of a B-series computation.

    Returns
    -------
    An override handle: use it as ``with symrmt.limits.set(...):`` (restored on exit), or call
    ``set(...)`` on its own to change the limits for the rest of the context and ``.undo()``
    (or :func:`reset`) to go back.

    Raises
    ------
    ParameterError
        A value that is not a positive number (an integer >= 1 for the orders).
    """
    given = {"max_memory_gb": max_memory_gb, "max_work": max_work, "max_moment_order": max_moment_order,
             "max_tree_order": max_tree_order}
    values = {k: _validated(k, v, k) for k, v in given.items() if v is not None}
    token = _OVERRIDES.set(_OVERRIDES.get() + (values,))
    return _Override(token, values)


def reset() -> None:
    """Drop every :func:`set` override of the current context (the environment and defaults stay)."""
    _OVERRIDES.set(())


# ---------------------------------------------------------------------- estimates
@dataclass(frozen=True)
class Cost:
    """Estimated resources of one run.

    Attributes
    ----------
    memory : float
        Peak bytes held at once.
    work : float
        Floating-point operations in total.
    """

    memory: float
    work: float

    def __add__(self, other: "Cost") -> "Cost":
        """Runs one after the other: the larger peak, the summed work."""
        return Cost(max(self.memory, other.memory), self.work + other.work)


def dense_cost(shapes: Iterable[Sequence[float]], trials: float = 1, itemsize: int = 8, copies: float = 2,
               repeats: float = 1) -> Cost:
    """The cost of dense linear algebra on matrices of the given shapes, per trial.

    Parameters
    ----------
    shapes : iterable of (rows, cols)
        The matrices one trial holds at once (a data matrix, its Gram matrix, a factorization).
    trials : number
        Trials run one after the other (the memory is that of one trial).
    itemsize : int
        Bytes per entry (8 for float64).
    copies : number
        Temporaries per matrix (a product's result, a factorization's workspace).
    repeats : number
        Times each trial repeats the work (e.g. the members of an ensemble).

    Returns
    -------
    Cost
        ``memory = copies·itemsize·Σ rows·cols``; ``work = trials·repeats·Σ 2·rows·cols·min(rows,
        cols)`` (a Gram product, a solve or an eigendecomposition of each matrix).
    """
    mem = work = 0.0
    for r, c in shapes:
        r, c = float(r), float(c)
        mem += r * c
        work += 2.0 * r * c * min(r, c)
    return Cost(copies * itemsize * mem, float(trials) * float(repeats) * work)


def format_bytes(n: float) -> str:
    """``12.0 GiB``-style size (``inf`` when not finite)."""
    if not math.isfinite(n):
        return "inf bytes"
    for unit, scale in (("EiB", 1 << 60), ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30),
                        ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} bytes"


def _format_time(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    for unit, scale in (("years", 3.15e7), ("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


# ---------------------------------------------------------------------- checks
def _gpu_memory(device: Any) -> int | None:
    """Total memory of a CUDA ``device`` (None for the CPU or when torch is not loaded)."""
    import sys

    if device is None or "torch" not in sys.modules or getattr(device, "type", None) != "cuda":
        return None
    import torch

    try:
        return int(torch.cuda.get_device_properties(device).total_memory)
    except (RuntimeError, AssertionError):  # pragma: no cover - a device that vanished
        return None


def check_memory(nbytes: float, what: str, device: Any = None) -> None:
    """Raise :class:`ParameterError` if ``nbytes`` exceeds the memory limit.

    Parameters
    ----------
    nbytes : float
        Estimated peak bytes.
    what : str
        The run, for the message (e.g. ``"simulating marchenko-pastur at n=1000000000"``).
    device : torch.device, optional
        A CUDA device also caps the limit at its total memory.
    """
    lim = current()
    limit, source = float(lim.max_memory), f"max_memory_gb = {lim.max_memory_gb:.3g}"
    gpu = _gpu_memory(device)
    if gpu is not None and gpu < limit:
        limit, source = float(gpu), f"the memory of {device}"
    if not nbytes <= limit:
        raise ParameterError(f"{what}: needs an estimated {format_bytes(nbytes)} of memory, over the limit of "
                             f"{format_bytes(limit)} ({source}; raise it with SYMRMT_MAX_MEMORY_GB or "
                             f"symrmt.limits.set(max_memory_gb=...)); use a smaller size")


def check_work(flops: float, what: str) -> None:
    """Raise :class:`ParameterError` if ``flops`` exceeds :attr:`Limits.max_work`."""
    lim = current()
    if not flops <= lim.max_work:
        raise ParameterError(f"{what}: needs an estimated {flops:.3g} floating-point operations (about "
                             f"{_format_time(flops / REFERENCE_FLOPS)} at {REFERENCE_FLOPS:.0e}/s), over the limit "
                             f"max_work = {lim.max_work:.3g} (raise it with SYMRMT_MAX_WORK or "
                             f"symrmt.limits.set(max_work=...)); use fewer trials or smaller sizes")


def check_cost(cost: Cost, what: str, device: Any = None) -> Cost:
    """:func:`check_memory` and :func:`check_work` of ``cost``; returns ``cost``."""
    check_memory(cost.memory, what, device)
    check_work(cost.work, what)
    return cost


def check_moment_order(k: int, what: str = "k") -> int:
    """Raise :class:`ParameterError` if a moment order ``k`` exceeds :attr:`Limits.max_moment_order`.

    The implicit-function recursion for ``m_1..m_k`` multiplies truncated series of length up to
    ``k`` about ``k`` times per power of ``m``: of the order of ``k³`` exact products.
    """
    lim = current().max_moment_order
    if k > lim:
        raise ParameterError(f"{what}: order {k} needs about {float(k) ** 3:.3g} exact series-term products "
                             f"(~k³), over the limit max_moment_order = {lim} (~{float(lim) ** 3:.3g}; raise it "
                             f"with SYMRMT_MAX_MOMENT_ORDER or symrmt.limits.set(max_moment_order=...))")
    return k


@lru_cache(maxsize=None)
def _tree_counts(n: int) -> tuple[int, ...]:
    a = [0, 1]
    for m in range(1, n):
        s = 0
        for k in range(1, m + 1):
            s += sum(d * a[d] for d in range(1, k + 1) if k % d == 0) * a[m - k + 1]
        a.append(s // m)
    return tuple(a)


def rooted_trees(n: int) -> int:
    """Number of rooted trees with ``n`` nodes (OEIS A000081), by the Cayley–Pólya recursion."""
    return _tree_counts(n)[n] if n >= 1 else 0


def rooted_trees_upto(n: int) -> int:
    """Number of rooted trees with ``1..n`` nodes."""
    return sum(_tree_counts(n)[1:n + 1]) if n >= 1 else 0


def check_tree_order(order: int, what: str = "order", needed: int | None = None) -> int:
    """Raise :class:`ParameterError` if a B-series computation needs trees beyond :attr:`Limits.max_tree_order`.

    Parameters
    ----------
    order : int
        The order the caller asked for (returned unchanged).
    what : str
        Its name, for the message.
    needed : int, optional
        The largest tree order the computation enumerates (default ``order``; the IMDE to
        ``h^K`` needs trees of order ``K + 1``).
    """
    needed = order if needed is None else needed
    lim = current().max_tree_order
    if needed > lim:
        # the count grows like 2.95^n; beyond a few hundred only its size matters
        count = f"{rooted_trees_upto(needed):,}" if needed <= 60 else f"about 10^{needed * math.log10(2.9557):.0f}"
        raise ParameterError(f"{what}: {order} needs the rooted trees of orders <= {needed}, {count} of them, over "
                             f"the limit max_tree_order = {lim} ({rooted_trees_upto(lim):,} trees; raise it with "
                             f"SYMRMT_MAX_TREE_ORDER or symrmt.limits.set(max_tree_order=...))")
    return order
