"""Where the tasks of a sweep run: in this process, or on a Dask distributed cluster.

* ``client=None`` — an embedded :class:`dask.distributed.LocalCluster` sized to the machine (one
  process per core, one thread each; torch, OpenMP and BLAS set to one thread per worker), closed
  at the end;
* ``client="serial"`` — in this process, one task after the other, with one torch thread as on a
  worker (same numbers);
* ``client="tcp://host:port"`` — an existing scheduler (refused within a few seconds when it
  cannot be reached);
* ``client=<dask.distributed.Client>`` — an existing client (left open).

Whatever the engine, a task's numbers depend only on its seed (:mod:`symrmt.sweep.tasks`).
On a cluster the tasks are sent in chunks of several tasks per call (:meth:`Engine.chunk_size`:
about four chunks per worker), which amortizes the per-call overhead of scheduling and transfer;
a chunk's tasks keep their own seeds and records, so the chunk size changes no number.
"""
from __future__ import annotations

import contextlib
import os
import re
from typing import Any, Callable, Iterator, Sequence

from ..errors import ParameterError

__all__ = ["Engine", "open_engine", "local_cluster", "CONNECT_TIMEOUT", "default_workers", "CHUNKS_PER_WORKER",
           "THREAD_ENV"]

#: Seconds to wait for an existing scheduler before giving up.
CONNECT_TIMEOUT = 3
#: Chunks per worker on a cluster: enough for the load to balance (the last chunks finish within about
#: a quarter of a worker's share), few enough for the per-call overhead to be amortized.
CHUNKS_PER_WORKER = 4
#: The environment of an embedded cluster's worker processes: one OpenMP/BLAS thread each.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
_ADDRESS = re.compile(r"^(tcp|tls|ucx|ws|wss)://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}/?$")


def default_workers() -> int:
    """Cores this process may use (the affinity mask where there is one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Engine:
    """Runs calls ``fn(*args)`` and yields ``(index, result)`` as they finish.

    Attributes
    ----------
    kind : str
        ``"serial"``, ``"local"`` (an embedded LocalCluster) or ``"cluster"``.
    workers : int
        Number of workers (1 for serial).
    threads : int
        torch threads a task runs with: 1 everywhere (in this process too, restored after the
        run), so that a result does not depend on the engine — multithreaded reductions would
        change the last bits.
    """

    def __init__(self, kind: str, client: Any = None, workers: int = 1):
        self.kind = kind
        self.client = client
        self.workers = workers
        self.threads = 1

    @property
    def local(self) -> bool:
        """Whether tasks run in this process (objects are passed without pickling)."""
        return self.kind == "serial"

    def chunk_size(self, tasks: int) -> int:
        """Tasks per engine call for ``tasks`` tasks: 1 in this process (each task recorded as soon
        as it ends), else ``ceil(tasks / (CHUNKS_PER_WORKER · workers))``."""
        if self.kind == "serial" or tasks <= 0:
            return 1
        return max(1, -(-tasks // (CHUNKS_PER_WORKER * self.workers)))

    def run(self, fn: Callable, calls: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """Yield ``(i, fn(*calls[i]))`` in order of completion; the first failure is raised (the
        remaining calls are cancelled)."""
        if self.kind == "serial":
            from ..simulate.device import one_torch_thread

            one_torch_thread()  # as on a worker: the same numbers (the process stays on one thread)
            for i, args in enumerate(calls):
                yield i, fn(*args)
            return
        from distributed import as_completed

        if not calls:
            return
        futs = self.client.map(fn, *zip(*calls), pure=False)  # one submission for all the calls
        futures = {f: i for i, f in enumerate(futs)}
        try:
            for fut, result in as_completed(list(futures), with_results=True):
                yield futures[fut], result
        finally:
            pending = [f for f in futures if not f.done()]
            if pending:
                self.client.cancel(pending)

    def warm(self, fn: Callable, *args: Any) -> None:
        """Run ``fn(*args)`` once on every worker (e.g. import torch and load the derivation), so
        that no task pays for it and the first tasks are spread evenly."""
        if self.kind != "serial":
            self.client.run(fn, *args)

    def describe(self) -> str:
        return {"serial": "this process", "local": f"a LocalCluster of {self.workers} worker(s)",
                "cluster": f"the cluster at {getattr(self.client, 'scheduler', None) and self.client.scheduler.address}"
                }[self.kind]


def check_address(address: str) -> str:
    """A scheduler address ``tcp://host:port`` (or tls/ucx/ws/wss), else :class:`ParameterError`."""
    if not isinstance(address, str) or not _ADDRESS.match(address.strip()):
        raise ParameterError(f"scheduler: expected an address like tcp://host:8786, got {address!r}")
    return address.strip()


@contextlib.contextmanager
def open_engine(client: Any = None, workers: int | None = None, tasks: int | None = None) -> Iterator[Engine]:
    """The engine for ``client`` (see the module docstring), closed on exit when opened here.

    Parameters
    ----------
    client : None, "serial", an address string or a dask.distributed.Client
    workers : int or None
        Workers of the embedded LocalCluster (default: the machine's cores, at most ``tasks``).
    tasks : int or None
        How many tasks will run (the embedded cluster is no larger than that).
    """
    if isinstance(client, str) and client.strip().lower() == "serial":
        yield Engine("serial")
        return
    if client is None:
        if workers is not None:
            from .._checks import integer

            workers = integer("workers", workers, low=1)
        n = workers or default_workers()
        if tasks is not None:
            n = max(1, min(n, tasks))
        if n == 1 and workers is None:
            yield Engine("serial")  # one core: a cluster would only add overhead
            return
        cluster, cl = local_cluster(n)
        try:
            yield Engine("local", cl, n)
        finally:
            cl.close()
            cluster.close()
        return
    if isinstance(client, str):
        address = check_address(client)
        cl = _connect(address)
        try:
            yield Engine("cluster", cl, _worker_count(cl))
        finally:
            cl.close()
        return
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ParameterError("client: dask.distributed is not installed") from exc
    if not isinstance(client, Client):
        raise ParameterError(f"client: expected None, 'serial', a scheduler address or a dask.distributed.Client, "
                             f"got {type(client).__name__}")
    yield Engine("cluster", client, _worker_count(client))


def _worker_count(client: Any) -> int:
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001 - only informative
        return 1


def local_cluster(n: int) -> tuple[Any, Any]:
    """An embedded LocalCluster of ``n`` worker processes, one thread each, with one torch,
    OpenMP and BLAS thread per worker (:data:`THREAD_ENV`), and its client: ``(cluster, client)``.

    Parameters
    ----------
    n : int
        Worker processes.

    Returns
    -------
    tuple
        ``(distributed.LocalCluster, distributed.Client)``; close both when done.
    """
    import logging

    import dask
    from distributed import Client, LocalCluster

    # Dask sets MALLOC_TRIM_THRESHOLD_ in its workers by default, which also fixes glibc's mmap
    # threshold: every array above 128 KiB is then mapped and unmapped afresh, and a ridge task at
    # d = 400 spends a third more CPU time than in this process.  The workers keep glibc's default
    # (dynamic thresholds) instead; a task's memory is bounded beforehand by ``check_ladder``.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               scheduler_kwargs={"dashboard": False}, silence_logs=logging.ERROR,
                               env=dict(THREAD_ENV))
    client = Client(cluster)
    client.register_plugin(_torch_threads_plugin())
    return cluster, client


def _connect(address: str):
    from distributed import Client

    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT}s")
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"scheduler: cannot reach {address} within {CONNECT_TIMEOUT} s "
                             f"({type(exc).__name__}); is a scheduler running there? "
                             f"(omit --scheduler for a local cluster)") from exc


def _torch_threads_plugin():
    from distributed.diagnostics.plugin import WorkerPlugin

    class TorchThreads(WorkerPlugin):
        """One torch thread per worker process."""

        name = "symrmt-torch-threads"

        def setup(self, worker):
            from symrmt.simulate.device import one_torch_thread

            one_torch_thread()

    return TorchThreads()
