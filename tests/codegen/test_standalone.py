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
    path = write_standalone(law, tmp_path / "mp_solver.py")
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
