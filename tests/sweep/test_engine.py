"""Engines: a 2-worker LocalCluster gives the serial numbers; an unreachable scheduler fails fast;
a sweep killed with SIGKILL loses no finished task and resumes to the uninterrupted result."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from symrmt.errors import ParameterError
from symrmt.sweep import sweep
from symrmt.sweep.engine import open_engine

ROOT = Path(__file__).resolve().parents[2]
GRID = {"q": [0.3, 0.5, 0.7], "ridge": [0.1, 1.0]}
KW = dict(sizes=[20, 40], trials=4, seed=11, batch=2, progress=False)


def test_cluster_matches_serial(cluster):
    serial = sweep("ridge", GRID, client="serial", **KW)
    par = sweep("ridge", GRID, client=cluster, **KW)
    assert par.attrs["engine"].startswith("the cluster")
    for v in ("measurement", "theory", "deviation", "se"):
        np.testing.assert_array_equal(serial[v].values, par[v].values)
    assert list(serial["verdict"].values.ravel()) == list(par["verdict"].values.ravel())


def test_cluster_by_address(cluster):
    addr = cluster.scheduler.address
    ds = sweep("ridge", {"q": [0.4]}, client=addr, **KW)
    ref = sweep("ridge", {"q": [0.4]}, client="serial", **KW)
    np.testing.assert_array_equal(ds["measurement"].values, ref["measurement"].values)


def test_unreachable_scheduler_fails_fast():
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match="cannot reach tcp://127.0.0.1:9"):
        with open_engine("tcp://127.0.0.1:9"):
            pass
    assert time.perf_counter() - t0 < 10
    with pytest.raises(ParameterError, match="expected an address"):
        with open_engine("127.0.0.1"):
            pass


SCRIPT = textwrap.dedent("""
    import sys
    from symrmt.sweep import sweep
    if __name__ == "__main__":
        sweep("ridge", {{"q": [0.3, 0.5, 0.7], "ridge": [0.1, 1.0]}}, sizes=[20, 40], trials=4, seed=11,
              batch=1, client={client!r}, store=sys.argv[1], progress=False)
""")


def test_sigkill_then_resume(tmp_path, cluster):
    store = tmp_path / "killed"
    script = tmp_path / "run_sweep.py"
    script.write_text(SCRIPT.format(client="serial"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(script), str(store)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tasks = store / "tasks"
    deadline = time.time() + 120
    try:
        while time.time() < deadline and proc.poll() is None:
            if tasks.is_dir() and len(list(tasks.glob("*.json"))) >= 5:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before it could be killed: " + proc.stderr.read().decode()[-500:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    kept = {f.name: f.read_bytes() for f in tasks.glob("*.json")}
    total = 6 * (4 + 4)
    assert 5 <= len(kept) < total
    assert not (store / "dataset.zarr").exists()
    resumed = sweep("ridge", GRID, sizes=[20, 40], trials=4, seed=11, batch=1, client=cluster, store=store,
                    progress=False)
    assert resumed.attrs["tasks_reused"] == len(kept) and resumed.attrs["tasks_run"] == total - len(kept)
    for name, data in kept.items():  # every finished task kept as it was
        assert (tasks / name).read_bytes() == data
    fresh = sweep("ridge", GRID, sizes=[20, 40], trials=4, seed=11, batch=1, client="serial", progress=False)
    for v in ("measurement", "deviation", "se", "zscore"):
        np.testing.assert_array_equal(resumed[v].values, fresh[v].values)
    assert list(resumed["verdict"].values.ravel()) == list(fresh["verdict"].values.ravel())


def test_serial_runs_one_torch_thread_and_restores_the_setting():
    import torch

    before = torch.get_num_threads()
    seen = []
    with open_engine("serial") as engine:
        list(engine.run(lambda: seen.append(torch.get_num_threads()), [()]))
    assert seen == [1] and torch.get_num_threads() == before


def test_chunking_changes_no_number(cluster, tmp_path):
    """Several tasks per engine call (chunks) amortize the per-call overhead; every task keeps its
    own seed and record, so the numbers are those of one task per call, serial or on 2 workers."""
    one = sweep("ridge", GRID, client="serial", chunk=1, **KW)
    serial_chunks = sweep("ridge", GRID, client="serial", chunk=5, **KW)
    store = tmp_path / "chunked"
    par = sweep("ridge", GRID, client=cluster, chunk=3, store=store, **KW)  # 24 tasks in 8 calls
    auto = sweep("ridge", GRID, client=cluster, **KW)  # ceil(24 / (4 * 2)) = 3 tasks per call
    for other in (serial_chunks, par, auto):
        for v in ("measurement", "deviation", "se"):
            np.testing.assert_array_equal(one[v].values, other[v].values)
    assert len(list((store / "tasks").glob("*.json"))) == 6 * 2 * 2  # one record per task, not per chunk
    with pytest.raises(ParameterError, match="chunk"):
        sweep("ridge", GRID, client="serial", chunk=0, **KW)


def test_chunk_size_rule():
    from symrmt.sweep.engine import CHUNKS_PER_WORKER, Engine

    assert Engine("serial").chunk_size(40) == 1  # in this process: each task recorded as it ends
    local = Engine("local", None, 2)
    assert local.chunk_size(40) == 5 and local.chunk_size(7) == 1 and local.chunk_size(0) == 1
    assert local.chunk_size(41) == 6  # ceil(41 / 8): at most CHUNKS_PER_WORKER (4) chunks per worker
    assert Engine("cluster", None, 3).chunk_size(100) == -(-100 // (CHUNKS_PER_WORKER * 3))


def test_workers_run_one_thread(cluster):
    def threads():
        import os

        import torch

        return torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS"), os.environ.get("OPENBLAS_NUM_THREADS")

    assert set(cluster.run(threads).values()) == {(1, "1", "1")}
