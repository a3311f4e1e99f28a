"""The unit of work of a sweep: one (point, size, trial batch), run where a worker is.

:func:`plan` lists the tasks of a set of points; each task's seed is derived from the base seed,
the point's index, the size and the batch with :func:`symrmt.simulate.derive_seed` (a stable hash),
so the numbers do not depend on the number of workers or the order in which tasks finish.
:func:`run_task` is the function a worker runs: it simulates one batch and measures it against
the theory with ``Derivation.measure_size`` (the step ``verify`` runs at each size).

A derivation reaches a worker as its registry name when ``symrmt.load(name)`` gives it back (the
worker loads it once per process), else as the object itself (pickled).  The theory reaches it as
a number when it is one; otherwise (a spectral law's solver) the worker computes it once per
process and point — the generated solver comes from the on-disk cache (``SYMRMT_CACHE_DIR``),
which workers on other hosts share through a shared filesystem, so nothing is compiled twice.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..simulate.device import one_torch_thread

__all__ = ["Task", "plan", "run_task", "run_tasks", "chunked", "warm", "derivation_spec", "own_ladder"]


@dataclass(frozen=True)
class Task:
    """One batch of trials at one point and size.

    Attributes
    ----------
    point : int
        Index of the point (row-major in a grid).
    n : int
        The size.
    batch : int
        Index of the trial batch at this point and size.
    first : int
        Index of the batch's first trial.
    trials : int
        Trials in the batch.
    seed : int
        The batch's seed (derived, see :func:`plan`).
    """

    point: int
    n: int
    batch: int
    first: int
    trials: int
    seed: int

    @property
    def key(self) -> str:
        """A name for the task's record: ``p<point>-n<n>-b<batch>``."""
        return f"p{self.point}-n{self.n}-b{self.batch}"


def chunked(items: Sequence[Any], size: int) -> list[list[Any]]:
    """``items`` dealt into ``ceil(len(items) / size)`` chunks of at most ``size``, round-robin
    (chunk ``i`` holds items ``i, i + m, i + 2m, ...``).

    A chunk is what one engine call runs: the tasks in it keep their own seeds and records, so
    the numbers do not depend on the chunk size (it only amortizes the per-call overhead).
    Dealing round-robin gives every chunk a like share of the costly tasks (the plan lists the
    largest sizes first, and a task's cost varies smoothly along a grid), so the chunks take
    about the same time and the workers finish together."""
    size = max(1, int(size))
    m = -(-len(items) // size)
    return [list(items[i::m]) for i in range(m)]


def own_ladder(derivation: Any) -> bool:
    """Whether ``derivation`` runs a ladder of its own instead of one row per size (it overrides
    ``Derivation.run_ladder``, like the ODE kind whose ladder runs over IMDE truncation orders at
    one training-set size)."""
    from ..derivation.base import Derivation

    run_ladder = getattr(type(derivation), "run_ladder", None)
    return run_ladder is not None and run_ladder is not Derivation.run_ladder


def plan(points: int, sizes: Sequence[int], trials: Mapping[int, int], batch: int, seed: int,
         stream: Sequence[int] = ()) -> list[Task]:
    """Tasks for ``points`` points × ``sizes`` × trial batches of at most ``batch`` trials.

    Parameters
    ----------
    points : int
        Number of points.
    sizes : sequence of int
        The sizes.
    trials : mapping size -> int
        Trials at each size.
    batch : int
        Most trials in one task.
    seed : int
        Base seed.
    stream : sequence of int
        Extra keys of the seed (a falsification round uses its own stream of seeds).

    Returns
    -------
    list of Task
        Largest sizes first (the longest tasks start first), seeds
        ``derive_seed(seed, *stream, point, n, batch)``.
    """
    from ..simulate.device import derive_seed

    out = []
    for n in sorted(sizes, reverse=True):
        t_n = int(trials[n])
        for p in range(points):
            for b, first in enumerate(range(0, t_n, batch)):
                k = min(batch, t_n - first)
                out.append(Task(p, int(n), b, first, k, derive_seed(seed, *stream, p, int(n), b)))
    return out


def derivation_spec(derivation: Any) -> Any:
    """What is sent to a worker for ``derivation``: ``("name", name)`` when the registry gives the
    same object back, else the object itself."""
    from ..registry import load

    try:
        if load(derivation.name) is derivation:
            return ("name", derivation.name)
    except Exception:  # noqa: BLE001 - not in the registry: send the object
        pass
    return derivation


_LOADED: dict[str, Any] = {}
_THEORY: dict[tuple, Any] = {}


def _key_value(v: Any) -> Any:
    """A setting as part of the theory cache's key: numbers as floats, options (text, arrays,
    SymPy objects) by their text."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return repr(v)


def _resolve(spec: Any) -> Any:
    if isinstance(spec, tuple) and len(spec) == 2 and spec[0] == "name":
        if spec[1] not in _LOADED:
            from ..registry import load

            _LOADED[spec[1]] = load(spec[1])
        return _LOADED[spec[1]]
    return spec


def warm(spec: Any, threads: int | None = None) -> None:
    """Prepare a worker process: torch imported (on one thread if ``threads`` is 1; more threads
    are torch's default) and the derivation loaded."""
    import torch  # noqa: F401  (imported here, once per worker)

    if threads == 1:
        one_torch_thread()
    _resolve(spec)


def run_task(spec: Any, params: Mapping[str, Any], theory_params: Mapping[str, Any], theory: Any, n: int,
             trials: int, seed: int, device: Any = None, dtype: Any = None, threads: int | None = None) -> dict:
    """Simulate one batch and measure it against the theory (runs on a worker).

    Parameters
    ----------
    spec : see :func:`derivation_spec`
    params : mapping
        The point's parameters (as given to ``simulate``).
    theory_params : mapping
        The parameters of the theory (``params`` unless a control overrides some).
    theory : object or None
        The theory (a number, or the object ``Derivation.theory`` returns); None: computed here,
        once per process and point.
    n, trials, seed : int
        Size, trials and seed of the batch.
    device, dtype
        As for ``Derivation.simulate``.
    threads : int or None
        1: this process runs torch on one thread; other values (and None) leave torch's default
        (see :func:`symrmt.simulate.device.one_torch_thread`).

    Returns
    -------
    dict
        ``{"errors": per-trial statistic (list), "seconds": wall time, "cpu_seconds": CPU time of
        the thread that ran it}`` (on a loaded machine the two differ); for a derivation with a
        ladder of its own (:func:`own_ladder`), also ``"rows"``: the rows of
        ``Derivation.run_ladder`` at size ``n`` (what its ``conclude`` decides on), with
        ``"errors"`` the per-trial statistic of the theory's row.
    """
    t0, c0 = time.perf_counter(), time.thread_time()
    der = _resolve(spec)
    if threads == 1:
        one_torch_thread()
    if theory is None:
        key = (id(der), tuple(sorted((k, _key_value(v)) for k, v in theory_params.items())))
        if key not in _THEORY:
            _THEORY[key] = der.theory(**der.bind(**theory_params))
        theory = _THEORY[key]
    if own_ladder(der):
        rows, _ = der.run_ladder([n], trials, seed, theory, device, dtype, _NO_BAR, **params)
        rows = _plain(rows)
        row = next((r for r in rows if r.get("theory") is True), rows[-1])
        return {"errors": [float(x) for x in row["per_trial"]], "rows": rows, "seconds": time.perf_counter() - t0,
                "cpu_seconds": time.thread_time() - c0}
    row = der.measure_size(n, trials, seed, theory, device=device, dtype=dtype, **params)
    errors = np.asarray(row["per_trial"], dtype=float).ravel()
    return {"errors": errors.tolist(), "seconds": time.perf_counter() - t0, "cpu_seconds": time.thread_time() - c0}


def run_tasks(spec: Any, items: Sequence[tuple], device: Any = None, dtype: Any = None,
              threads: int | None = None) -> list[dict]:
    """Run a chunk of tasks one after the other on a worker: :func:`run_task` for each item
    ``(params, theory_params, theory, n, trials, seed)``; the list of their results, in order.

    One engine call per chunk instead of per task amortizes the scheduling and transfer
    overhead (:func:`chunked`); each task keeps its own seed, so the results are those of the
    tasks run one by one."""
    return [run_task(spec, params, tparams, theory, n, trials, seed, device, dtype, threads)
            for params, tparams, theory, n, trials, seed in items]


class _NoBar:
    """The progress bar ``run_ladder`` expects, drawing nothing (a sweep has one bar of its own)."""

    def size(self, i: int):
        import contextlib

        return contextlib.nullcontext()


_NO_BAR = _NoBar()


def _plain(x: Any) -> Any:
    """``x`` with numpy scalars and arrays as Python numbers and lists (a task record is JSON)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, np.generic):
        return x.item()
    return x
