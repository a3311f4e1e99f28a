"""Where the tasks of a sweep run: in this process, or on a Dask distributed cluster.

* ``client=None`` — an embedded :class:`dask.distributed.LocalCluster` sized to the machine (one
  process per core, one thread each; torch set to one thread per worker), closed at the end;
* ``client="serial"`` — in this process, one task after the other, with one torch thread as on a
  worker (same numbers);
* ``client="tcp://host:port"`` — an existing scheduler (refused within a few seconds when it
  cannot be reached);
* ``client=<dask.distributed.Client>`` — an existing client (left open).

Whatever the engine, a task's numbers depend only on its seed (:mod:`symrmt.sweep.tasks`).
"""
from __future__ import annotations

import contextlib
import os
import re
from typing import Any, Callable, Iterator, Sequence

from ..errors import ParameterError

__all__ = ["Engine", "open_engine", "CONNECT_TIMEOUT", "default_workers"]

#: Seconds to wait for an existing scheduler before giving up.
CONNECT_TIMEOUT = 3
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

    def run(self, fn: Callable, calls: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """Yield ``(i, fn(*calls[i]))`` in order of completion; the first failure is raised (the
        remaining calls are cancelled)."""
        if self.kind == "serial":
            import torch

            before = torch.get_num_threads()
            torch.set_num_threads(1)  # as on a worker: the same numbers (and restored afterwards)
            try:
                for i, args in enumerate(calls):
                    yield i, fn(*args)
            finally:
                torch.set_num_threads(before)
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
        cluster, cl = _local_cluster(n)
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


def _local_cluster(n: int):
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_kwargs={"dashboard": False},
                           silence_logs=logging.ERROR, env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
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
            import torch

            torch.set_num_threads(1)

    return TorchThreads()
