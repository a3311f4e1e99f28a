"""The on-disk module cache: cross-process reuse, concurrent writers, corruption, env override."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import sympy as sp

from symrmt.codegen import cache, compile as cg

SCRIPT = textwrap.dedent("""
    import json, sys, time
    import numba  # imported first so that the timing below is the symrmt part only
    import numpy as np, sympy as sp
    import symrmt.codegen.compile as cg
    calls = []
    orig = cg.system_source
    cg.system_source = lambda *a, **k: calls.append(1) or orig(*a, **k)
    from symrmt.symbolic.system import System
    u, v, p = sp.symbols("u v p")
    s = System([u * v - p, u + v - 3], [u, v], [p], initial={u: 2.5, v: 0.5}, name="cachetest")
    t0 = time.perf_counter()
    cs = s.compile()
    res = cs.solve(p=np.array([2.0, 1.25]))
    dt = time.perf_counter() - t0
    st = cs.module.solve_kernel.stats
    print(json.dumps({"generated": len(calls), "hits": len(st.cache_hits), "misses": len(st.cache_misses),
                      "u": sorted(np.real(res["u"]).tolist()), "ok": bool(res.converged.all()),
                      "file": cs.module.__file__, "seconds": dt}))
""")


def _spawn(cache_dir):
    env = dict(os.environ, SYMRMT_CACHE_DIR=str(cache_dir))
    return subprocess.Popen([sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(proc):
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_concurrent_writers_then_warm_load_without_compiling(tmp_path):
    first = [_spawn(tmp_path), _spawn(tmp_path)]          # same system, same moment, empty cache
    r1, r2 = (_result(p) for p in first)
    assert r1["ok"] and r2["ok"]
    # u v = p, u + v = 3 from (2.5, 0.5): p = 2 -> u = 2; p = 1.25 -> u = 2.5
    assert np.allclose(sorted(r1["u"]), [2.0, 2.5]) and r1["u"] == r2["u"]
    assert r1["file"] == r2["file"]
    assert r1["generated"] + r2["generated"] >= 1
    r3 = _result(_spawn(tmp_path))
    assert r3["generated"] == 0                       # no SymPy generation on a warm load
    assert r3["misses"] == 0 and r3["hits"] >= 1      # numba loaded the kernel from its cache
    assert r3["u"] == r1["u"]


def test_corrupted_module_is_regenerated(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMRMT_CACHE_DIR", str(tmp_path))
    x, y = sp.symbols("x y")
    f = cg.compile_function([x * y + sp.sqrt(x), x - y], [x, y], name="g")
    assert np.allclose(f(4.0, 0.5), (4.0, 3.5))
    path = tmp_path / "gen" / (f.__module__ + ".py")
    assert path.exists() and cache.cache_dir() == tmp_path / "gen"
    good = path.read_text()
    for bad in (good[: len(good) // 2], good.replace("a0*a1", "a0*a0")):
        path.write_text(bad)
        cache._LOADED.clear()
        sys.modules.pop(f.__module__, None)
        g = cg.compile_function([x * y + sp.sqrt(x), x - y], [x, y], name="g")
        assert path.read_text() == good
        assert np.allclose(g(4.0, 0.5), (4.0, 3.5))


def test_atomic_write_and_seal(tmp_path):
    p = tmp_path / "m.py"
    cache.atomic_write(p, cache.seal("X = 1\n"))
    assert cache._valid(p)
    p.write_text(p.read_text().replace("X = 1", "X = 2"))
    assert not cache._valid(p)
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".tmp-")]
