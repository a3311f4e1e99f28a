"""The in-process memo of compiled systems and laws (System.compile, AlgebraicLaw.compile)."""
import functools

import numpy as np
import pytest
import sympy as sp

import symrmt as sr
from symrmt.symbolic import compile_memo
from symrmt.symbolic.system import System

m, z, s2 = sp.symbols("m z s2")


def _semicircle_system(name="sc"):
    return System([s2 * m**2 + z * m + 1], [m], [z, s2], domains={m: "upper"}, initial={m: -1 / z}, name=name)


@pytest.fixture
def counted(monkeypatch):
    """Count the calls that reach the code generator."""
    from symrmt.codegen import compile as cg

    calls = {"system": 0, "law": 0}

    def counting(kind, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            calls[kind] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(cg, "compile_system", counting("system", cg.compile_system))
    monkeypatch.setattr(cg, "compile_law", counting("law", cg.compile_law))
    compile_memo.clear_compiled()
    yield calls
    compile_memo.clear_compiled()


def test_equal_systems_compile_once(counted):
    a = _semicircle_system().compile()
    b = _semicircle_system().compile()          # a different but equal System
    assert a is b and counted["system"] == 1
    assert _semicircle_system().compile(maxit=100, tol=1e-13) is a   # the defaults, spelled out
    assert _semicircle_system().compile(spectral=z) is _semicircle_system().compile(spectral="z")
    # the semicircle's Stieltjes transform at z = 2i (independent closed form)
    zz = 2j
    want = (-zz + np.sqrt(zz - 2) * np.sqrt(zz + 2)) / 2
    np.testing.assert_allclose(a.solve(z=zz, s2=1.0)["m"], want, rtol=1e-10)


def test_different_options_or_systems_give_different_objects(counted):
    a = _semicircle_system().compile()
    assert _semicircle_system().compile(maxit=50) is not a
    assert _semicircle_system().compile(spectral=False) is not a
    assert _semicircle_system(name="other").compile() is not a
    n = counted["system"]
    assert _semicircle_system().compile(maxit=50) is _semicircle_system().compile(maxit=50)
    assert counted["system"] == n


def test_bad_options_are_still_refused(counted):
    _semicircle_system().compile(maxit=1)
    with pytest.raises(sr.ParameterError, match="maxit"):
        _semicircle_system().compile(maxit=True)      # True == 1, but not a valid maxit
    with pytest.raises(TypeError):
        _semicircle_system().compile(bogus=1)


def test_clear_and_bound(counted, monkeypatch):
    _semicircle_system().compile()
    assert compile_memo.memo_size() >= 1
    compile_memo.clear_compiled()
    assert compile_memo.memo_size() == 0
    _semicircle_system().compile()
    assert counted["system"] == 2
    monkeypatch.setattr(compile_memo, "MAX_ENTRIES", 2)
    for k in range(4):
        compile_memo.memoized(("test", k), lambda: object())
    assert compile_memo.memo_size() == 2


def test_cache_directory_is_part_of_the_key(counted, monkeypatch, tmp_path):
    a = _semicircle_system().compile()
    monkeypatch.setenv("SYMRMT_CACHE_DIR", str(tmp_path))
    b = _semicircle_system().compile()
    assert b is not a and counted["system"] == 2


def test_equal_laws_compile_once(counted):
    g = sp.Symbol("gamma", positive=True)
    a = sr.laws.marchenko_pastur(ratio=g).compile()
    assert sr.laws.marchenko_pastur(ratio=g).compile() is a and counted["law"] == 1
    assert sr.laws.marchenko_pastur(ratio=g, variance=2).compile() is not a
    assert sr.laws.semicircle().compile() is not a
