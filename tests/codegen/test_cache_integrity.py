"""Integrity of the module cache: the key index is checked against the request, and numba-cache
corruption, deleted or replaced files and a read-only cache directory are recovered from or
reported as CodegenError (never a raw OSError, UnpicklingError or wrong numbers)."""
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.codegen import cache, compile as cg
from symrmt.errors import CodegenError

X, Y = sp.symbols("x y")


def _mp_density(x, gamma):
    """Marchenko–Pastur density sqrt((b - x)(x - a))/(2π γ x), a, b = (1 ∓ √γ)², exactly."""
    x, gamma = sp.nsimplify(x), sp.nsimplify(gamma)
    a, b = (1 - sp.sqrt(gamma)) ** 2, (1 + sp.sqrt(gamma)) ** 2
    return float(sp.sqrt((b - x) * (x - a)) / (2 * sp.pi * gamma * x))


def _sc_density(x):
    """Semicircle density sqrt(4 - x²)/(2π) (variance 1)."""
    x = sp.nsimplify(x)
    return float(sp.sqrt(4 - x ** 2) / (2 * sp.pi))


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache directory, and no module of an earlier test remembered in this process."""
    monkeypatch.setenv("SYMRMT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setattr(cache, "_WRITABLE", {}, raising=False)
    return tmp_path / "cache" / "gen"


def _count_generation(monkeypatch, attr):
    # reaching the generator means going past the in-process memo of compiled objects
    from symrmt.symbolic.compile_memo import clear_compiled

    clear_compiled()
    calls = []
    orig = getattr(cg, attr)
    monkeypatch.setattr(cg, attr, lambda *a, **k: calls.append(1) or orig(*a, **k))
    return calls


def _index_of(gen, module_name):
    hits = [p for p in gen.glob("key_*.txt") if p.read_text().strip() == module_name]
    assert len(hits) == 1
    return hits[0]


# ---------------------------------------------------------------------- item 3: the key index
def test_swapped_key_index_files_are_not_trusted(fresh, monkeypatch):
    mp_law = sr.laws.marchenko_pastur(ratio=sp.Rational(1, 2))
    sc_law = sr.laws.semicircle()
    mp, sc = mp_law.compile(), sc_law.compile()
    i_mp, i_sc = _index_of(fresh, mp.module.__name__), _index_of(fresh, sc.module.__name__)
    t_mp, t_sc = i_mp.read_text(), i_sc.read_text()
    i_mp.write_text(t_sc)
    i_sc.write_text(t_mp)

    calls = _count_generation(monkeypatch, "law_source")
    mp2, sc2 = mp_law.compile(), sc_law.compile()
    assert np.allclose(mp2.density([0.5]), _mp_density(0.5, 0.5), rtol=1e-10, atol=0)
    assert np.allclose(sc2.density([0.5]), _sc_density(0.5), rtol=1e-10, atol=0)
    assert mp2.module.__name__ == mp.module.__name__ and sc2.module.__name__ == sc.module.__name__
    assert len(calls) == 2                            # both regenerated (and checked) ...
    assert i_mp.read_text() == t_mp and i_sc.read_text() == t_sc   # ... and the index repaired
    mp_law.compile(), sc_law.compile()
    assert len(calls) == 2                            # warm again: no generation


def test_index_to_a_module_of_another_request_is_regenerated(fresh, monkeypatch):
    """An index entry naming an intact (sealed) module that was not made for this request -- here
    one without any request line, as made by an older version -- is discarded."""
    f = cg.compile_function([X * Y], [X, Y], name="h")
    index = _index_of(fresh, f.__module__)
    other = "symrmt_gen_" + "0" * 32
    (fresh / (other + ".py")).write_text(cache.seal("META = {}\n\n\ndef h(x, y):\n    return (x * y + 1.0,)\n"))
    index.write_text(other + "\n")
    calls = _count_generation(monkeypatch, "function_source")
    g = cg.compile_function([X * Y], [X, Y], name="h")
    assert g(2.0, 3.0) == (6.0,) and g.__module__ == f.__module__
    assert len(calls) == 1 and index.read_text().strip() == f.__module__


# ---------------------------------------------------------------------- item 10: numba's cache
NUMBA_SCRIPT = textwrap.dedent("""
    import json, warnings
    import sympy as sp
    from symrmt.codegen.compile import compile_function
    x, y = sp.symbols("x y")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = compile_function([sp.sqrt(x) * y + 1], [x, y], name="nk")
        value = f(4.0, 0.5)[0]
    print(json.dumps({"value": value, "hits": len(f.stats.cache_hits), "misses": len(f.stats.cache_misses),
                      "module": f.__module__,
                      "warnings": [str(w.message) for w in caught if "cache" in str(w.message)]}))
""")


def _run_numba_script(cache_root):
    env = dict(os.environ, SYMRMT_CACHE_DIR=str(cache_root))
    proc = subprocess.run([sys.executable, "-c", NUMBA_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _truncate(path):
    path.write_bytes(path.read_bytes()[:20])


def _garble(path):
    data = bytearray(path.read_bytes())
    data[10:60] = b"x" * 50
    path.write_bytes(bytes(data))


def test_garbled_numba_cache_files_are_deleted_and_recompiled(tmp_path):
    """Each run is a fresh process: numba reads its index lazily, at the first call of a
    ``cache=True`` function (here ``f(4.0, 0.5)``; for a law, ``stieltjes_kernel`` at the first
    ``density``), which in-process state of an earlier compile would skip."""
    first = _run_numba_script(tmp_path)
    assert first["value"] == 2.0 and first["misses"] == 1
    pyc = tmp_path / "gen" / "__pycache__"
    for suffix, damage in (("nbi", _truncate), ("nbc", _garble)):
        files = sorted(pyc.glob(f"{first['module']}.nk-*.{suffix}"))
        assert files
        for p in files:
            damage(p)
        r = _run_numba_script(tmp_path)
        assert r["value"] == 2.0 and r["module"] == first["module"]
        assert r["misses"] == 1 and any("could not be read" in w for w in r["warnings"]), r
    r = _run_numba_script(tmp_path)                   # the rewritten cache is used again
    assert r["hits"] == 1 and r["misses"] == 0 and not r["warnings"], r
    assert r["value"] == 2.0


# ---------------------------------------------------------------------- item 10: file system faults
@pytest.mark.parametrize("what", ["gen directory", "module file"])
def test_deleted_between_write_and_import_is_written_again(fresh, monkeypatch, what):
    orig = cache.import_file
    done = []

    def deleting_import(name, path):
        if not done:
            done.append(1)
            if what == "gen directory":
                shutil.rmtree(path.parent)
            else:
                path.unlink()
        return orig(name, path)

    monkeypatch.setattr(cache, "import_file", deleting_import)
    f = cg.compile_function([X + 2 * Y], [X, Y], name="k")
    assert done and f(1.0, 2.0) == (5.0,)
    assert (fresh / (f.__module__ + ".py")).is_file()
    assert _index_of(fresh, f.__module__).is_file()


def test_gen_directory_deleted_before_the_write_is_recreated(fresh, monkeypatch):
    orig = cache.atomic_write
    done = []

    def deleting_write(path, text):
        if not done:
            done.append(1)
            shutil.rmtree(path.parent)
        return orig(path, text)

    monkeypatch.setattr(cache, "atomic_write", deleting_write)
    f = cg.compile_function([X - Y], [X, Y], name="k2")
    assert done and f(3.0, 1.0) == (2.0,)
    assert (fresh / (f.__module__ + ".py")).is_file()


@pytest.mark.parametrize("which", ["module", "module lock", "index", "index lock"])
def test_directory_in_place_of_a_cache_file_is_a_codegen_error(tmp_path, monkeypatch, which):
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setenv("SYMRMT_CACHE_DIR", str(tmp_path / "a"))
    f = cg.compile_function([X * X + Y], [X, Y], name="q")
    module = tmp_path / "a" / "gen" / (f.__module__ + ".py")
    index = _index_of(module.parent, f.__module__)
    target = {"module": module, "module lock": module.with_suffix(".lock"), "index": index,
              "index lock": index.with_suffix(".lock")}[which]
    gen_b = tmp_path / "b" / "gen"
    bad = gen_b / target.name
    bad.mkdir(parents=True)
    monkeypatch.setenv("SYMRMT_CACHE_DIR", str(tmp_path / "b"))
    with pytest.raises(CodegenError, match="directory is in its place") as info:
        cg.compile_function([X * X + Y], [X, Y], name="q")
    assert str(bad) in str(info.value)


def _deny_writes_under(monkeypatch, root):
    """Make every open for writing under ``root`` fail with EACCES, as for a directory of another
    user.  The tests run as root, which ignores permission bits (a chmod'ed directory stays
    writable), so the read-only directory is simulated at ``os.open`` -- what ``tempfile``, the lock
    files and numba's writability probe use -- and the cache's write probe sees it fail."""
    real_open = os.open
    prefix = str(root) + os.sep

    def guarded(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and os.path.abspath(os.fspath(path)).startswith(prefix):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


def _tree(root):
    return sorted((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in root.rglob("*") if p.is_file())


def test_read_only_cache_directory_falls_back_to_a_private_one(tmp_path, monkeypatch):
    """Another user's cache (simulated: see ``_deny_writes_under``): its warm module is copied to
    the private fallback ``$XDG_CACHE_HOME/symrmt`` with its numba cache, a new module is made
    there, and nothing is written to the shared directory."""
    shared = tmp_path / "shared"
    monkeypatch.setenv("SYMRMT_CACHE_DIR", str(shared))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setattr(cache, "_WRITABLE", {}, raising=False)
    law = sr.laws.semicircle()
    first = law.compile()
    assert first.density([0.5]) == pytest.approx(_sc_density(0.5), rel=1e-10)
    before = _tree(shared)

    _deny_writes_under(monkeypatch, shared)
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setattr(cache, "_WRITABLE", {}, raising=False)
    monkeypatch.delitem(sys.modules, first.module.__name__)
    calls = _count_generation(monkeypatch, "law_source")
    with pytest.warns(RuntimeWarning, match="not writable"):
        warm = law.compile()
    private = tmp_path / "xdg" / "symrmt" / "gen"
    assert calls == [] and warm.module.__file__ == str(private / (first.module.__name__ + ".py"))
    assert warm.density([0.5]) == pytest.approx(_sc_density(0.5), rel=1e-10)
    assert len(warm.module.stieltjes_kernel.stats.cache_hits) == 1   # numba's files came along

    f = cg.compile_function([X * Y + 1], [X, Y], name="ro")          # a miss: made in the fallback
    assert f(2.0, 3.0) == (7.0,)
    assert (private / (f.__module__ + ".py")).is_file()
    assert _tree(shared) == before


def test_numba_without_a_writable_cache_location_is_pointed_at_ours(fresh, monkeypatch):
    """numba's ``cache=True`` needs a writable directory next to the module or user-wide, else
    "no locator available" at import; numba's own probe is made to fail here for every place but
    ``<cache>/numba``."""
    from numba.core import caching

    ours = str(fresh.parent / "numba") + os.sep
    orig = caching._CacheLocator.ensure_cache_path

    def ensure(self):
        if not (str(self.get_cache_path()) + os.sep).startswith(ours):
            raise PermissionError(errno.EACCES, "Permission denied", self.get_cache_path())
        return orig(self)

    monkeypatch.setattr(caching._CacheLocator, "ensure_cache_path", ensure)
    with pytest.warns(RuntimeWarning, match="numba cannot cache"):
        f = cg.compile_function([X * Y - X], [X, Y], name="nl")
    assert f(2.0, 3.0) == (4.0,)
    assert list((fresh.parent / "numba").rglob(f"{f.__module__}.nl-*.nbi"))
