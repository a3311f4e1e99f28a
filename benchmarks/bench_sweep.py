"""Sweep engine: overhead per task on a 2-worker LocalCluster, and the 2-worker speedup of a
40-point ridge sweep at d = 400 (4 trials) over the serial loop, measured in the same run.

Targets: overhead <= 20 ms per task (trivially small simulations); speedup >= 1.6x on a 2-core
machine.  Overhead per task = (wall time x workers - time spent inside the tasks) / tasks: the
worker time a task costs beyond its own work (scheduling, transfer, recording, the dataset).

The cluster is the one ``client=None`` embeds (:func:`symrmt.sweep.engine.local_cluster`: two
worker processes, one thread each, one torch/OpenMP/BLAS thread per worker); tasks go to it in
chunks (about four per worker, :meth:`~symrmt.sweep.engine.Engine.chunk_size`).  The serial
baseline is ``client="serial"``: the same tasks one after the other in this process, with one
torch thread (as on a worker), so the ratio compares one core with two.  Timings are alternated
(serial, cluster, serial, ...) three times; the target is checked on the median of the three
paired ratios (best-of-three is printed too); the machine's load average is
printed next to every timing, since a shared machine makes them noisy — rerun on an idle machine
for the figure to quote.
"""
from __future__ import annotations

import os
import time

from symrmt.sweep import sweep  # imports symrmt: its import cost is not part of the timings
from symrmt.sweep.engine import THREAD_ENV, local_cluster


def _load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _threads() -> tuple:
    import torch

    return (torch.get_num_threads(),) + tuple(os.environ.get(k) for k in sorted(THREAD_ENV))


def main() -> int:
    import torch

    from symrmt.sweep.engine import open_engine

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count()
    print(f"machine: {cores} core(s) usable, {_load()}")
    t0 = time.perf_counter()
    cluster, client = local_cluster(2)
    start = time.perf_counter() - t0
    ok = True
    try:
        # warm-up: workers import symrmt and torch and load the derivation once
        sweep("ridge", {"q": [0.5, 0.6]}, sizes=[4], trials=1, client=client, progress=False)
        sweep("ridge", {"q": [0.5]}, sizes=[4], trials=1, client="serial", progress=False)
        with open_engine("serial") as engine:
            serial_threads = [r for _, r in engine.run(_threads, [()])][0]
        print(f"threads (torch, {', '.join(sorted(THREAD_ENV))}): workers {sorted(set(client.run(_threads).values()))}"
              f"; serial loop {serial_threads} (torch set to 1 for the run, {torch.get_num_threads()} outside it)")

        grid = {"q": "0.2:2:200"}
        for chunk in (None, 1):
            t1 = time.perf_counter()
            ds = sweep("ridge", grid, sizes=[4], trials=1, client=client, progress=False, chunk=chunk)
            wall = time.perf_counter() - t1
            tasks = ds.attrs["tasks_run"]
            overhead = (wall * 2 - ds.attrs["task_seconds"]) / tasks
            per_call = "auto: ceil(200 / 8) = 25" if chunk is None else "1"
            print(f"overhead per task, 2-worker LocalCluster, {tasks} trivially small tasks, tasks per call "
                  f"{per_call}: {1e3 * overhead:.1f} ms (wall {wall:.2f} s; {_load()})")
            if chunk is None:
                ok &= overhead <= 0.020
                print("  target <= 20 ms:", "ok" if overhead <= 0.020 else "ABOVE")
        t1 = time.perf_counter()
        ser = sweep("ridge", grid, sizes=[4], trials=1, client="serial", progress=False)
        wall_serial = time.perf_counter() - t1
        print(f"serial engine: {1e3 * (wall_serial - ser.attrs['task_seconds']) / tasks:.1f} ms per task")

        grid = {"q": "0.2:2:40"}
        kw = dict(sizes=[400], trials=4, seed=1, progress=False)
        t_serial, t_par, share_s, share_p = [], [], [], []

        def timed(engine, times, shares, label):
            t1 = time.perf_counter()
            ds = sweep("ridge", grid, client=engine, **kw)
            times.append(time.perf_counter() - t1)
            shares.append(ds.attrs["task_cpu_seconds"] / ds.attrs["task_seconds"])
            print(f"  {label} {times[-1]:6.2f} s (tasks: {ds.attrs['task_seconds']:.2f} s wall, "
                  f"{ds.attrs['task_cpu_seconds']:.2f} s CPU, {100 * shares[-1]:.0f} % of a core each; {_load()})")
            return ds

        for _ in range(3):  # alternated, best of three: the machine may be shared
            serial = timed("serial", t_serial, share_s, "serial loop")
            par = timed(client, t_par, share_p, "2 workers  ")
        same = bool((serial["measurement"] == par["measurement"]).all())
        i, j = t_serial.index(min(t_serial)), t_par.index(min(t_par))
        speedup = t_serial[i] / t_par[j]
        print(f"40-point ridge sweep, d = 400, 4 trials (40 tasks, {par.attrs['tasks_run']} run): serial loop "
              f"{t_serial[i]:.2f} s (one torch thread), 2-worker LocalCluster {t_par[j]:.2f} s -> speedup "
              f"{speedup:.2f}x (best of 3; target >= 1.6x; {t_serial[i] / (t_par[j] + start):.2f}x with the "
              f"cluster's start-up of {start:.1f} s); same numbers: {same}")
        # on a shared machine a task gets only a share of a core; scaled to whole cores (an estimate)
        print(f"  scaled to whole cores (serial {100 * share_s[i]:.0f} %, workers {100 * share_p[j]:.0f} % of a core "
              f"in those runs): about {speedup * share_s[i] / share_p[j]:.2f}x on an idle machine (an estimate; "
              f"measure there)")
        pairs = sorted(a / b for a, b in zip(t_serial, t_par))
        median = pairs[len(pairs) // 2]
        print(f"  per alternated pair: {', '.join(f'{r:.2f}x' for r in pairs)}; median {median:.2f}x (the target's "
              f"figure: each pair ran back to back, so a drift of the machine's speed cancels in it)")
        ok &= median >= 1.6 and same
    finally:
        client.close()
        cluster.close()
    print(f"bench_sweep: {'ok' if ok else 'BELOW TARGET'} ({_load()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
