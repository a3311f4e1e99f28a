"""Standalone modules run with numpy + numba only and agree with closed forms."""
import json
import os
import subprocess
import sys

import numpy as np
import sympy as sp

import symrmt as sr
from symrmt.codegen import standalone_source, write_standalone
from symrmt.symbolic.system import System

from .conftest import mp_closed


def test_law_standalone_runs_without_symrmt(tmp_path):
    law = sr.laws.marchenko_pastur(sp.Symbol("gamma", positive=True))
    old = os.umask(0o022)
    try:
        path = write_standalone(law, tmp_path / "mp_solver.py")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # a normal file under the umask, not a private 0600 temporary
    src = path.read_text()
    assert "import symrmt" not in src and "from symrmt" not in src
    code = ("import sys, numpy as np; sys.modules['symrmt'] = None\n"
            "import mp_solver as s\n"
            "z = np.array([0.5 + 0.01j, 1.0 + 0j, 4.0 + 0j])\n"
            "m = s.stieltjes(z, gamma=0.5)\n"
            "import json; print(json.dumps([m.real.tolist(), m.imag.tolist()]))")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), NUMBA_CACHE_DIR=str(tmp_path / "nb"))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    re_, im_ = json.loads(out.stdout.strip().splitlines()[-1])
    got = np.array(re_) + 1j * np.array(im_)
    z = np.array([0.5 + 0.01j, 1.0 + 0j, 4.0 + 0j])
    assert np.max(np.abs(got - mp_closed(z, 0.5))) <= 1e-12


def test_system_standalone_source():
    u, p = sp.symbols("u p")
    s = System([u**2 - p], [u], [p], domains={u: "positive"}, observables={"twice": 2 * u})
    src = standalone_source(s)
    cs = s.compile()
    assert src == standalone_source(cs)   # the cached module file is the standalone module
    assert "import symrmt" not in src and "from symrmt" not in src
    res = cs.module.solve(p=np.array([4.0, 9.0, -1.0]))   # its numpy-only wrapper
    assert res["converged"].tolist() == [True, True, False]
    assert np.allclose(res["u"][:2], [2.0, 3.0]) and np.allclose(res["twice"][:2], [4.0, 6.0])
    assert np.isnan(res["u"][2])


def test_law_standalone_cdf_and_support_equal_the_compiled_law(tmp_path):
    """One implementation (symrmt.codegen.law_runtime) behind both: equal to 1e-12 in a process
    that cannot import symrmt, at a ratio without and one with an atom (mass 1 - 1/γ at 0)."""
    gam = sp.Symbol("gamma", positive=True)
    law = sr.laws.marchenko_pastur(gam)
    write_standalone(law, tmp_path / "mp_law.py")
    c = law.compile()
    x = [-1.0, 0.0, 0.05, 0.3, 1.0, 2.5, 5.0, 6.0]
    ratios = [0.5, 2.0]
    want = [(c.support(gamma=g), c.atoms(gamma=g), c.cdf(x, gamma=g).tolist()) for g in ratios]
    code = ("import sys, json; sys.modules['symrmt'] = None\n"
            "import mp_law as s\n"
            f"print(json.dumps([(s.support(gamma=g), s.atoms(gamma=g), s.cdf({x}, gamma=g).tolist()) "
            f"for g in {ratios}]))")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), NUMBA_CACHE_DIR=str(tmp_path / "nb"))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for (s_got, a_got, c_got), (support, atoms, cdf) in zip(got, want):
        assert len(s_got) == len(support) and len(a_got) == len(atoms)
        np.testing.assert_allclose(np.ravel(s_got), np.ravel(support), rtol=0, atol=1e-12)
        np.testing.assert_allclose(np.ravel(a_got), np.ravel(atoms), rtol=0, atol=1e-12)
        np.testing.assert_allclose(c_got, cdf, rtol=0, atol=1e-12)
    # and both are right: edges (1 ± √γ)², the atom 1 - 1/γ at 0, total mass 1
    for (s_got, a_got, c_got), g in zip(got, ratios):
        assert np.allclose(s_got[-1], [(1 - g**0.5) ** 2, (1 + g**0.5) ** 2], atol=1e-12)
        assert abs(c_got[-1] - 1.0) < 1e-12
    assert not got[0][1] and abs(got[1][1][0][1] - 0.5) < 1e-12 and abs(got[1][1][0][0]) < 1e-12


def test_law_standalone_embeds_the_runtime_once():
    src = standalone_source(sr.laws.marchenko_pastur(sp.Rational(1, 2)))
    from symrmt.codegen import law_runtime

    assert src.count("class LawNumerics") == 1 and "def cdf(x, **params)" in src
    assert src == standalone_source(sr.laws.marchenko_pastur(sp.Rational(1, 2)).compile())
    assert "class LawNumerics" in open(law_runtime.__file__, encoding="utf-8").read()
