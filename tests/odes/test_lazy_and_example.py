"""import symrmt.odes stays light; the example script runs."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code_or_args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *code_or_args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_import_is_lazy():
    r = _run(["-c", "import sys, symrmt.odes; print('torch' in sys.modules, 'matplotlib' in sys.modules)"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False"]


def test_example_runs_symbolic_part():
    r = _run([str(ROOT / "examples" / "imde_pendulum.py"), "--no-train"])
    assert r.returncode == 0, r.stderr
    assert "divergence of each h^k term: [0, -cos(q), p*sin(q)/2]" in r.stdout
    assert "rk4: symplectic=False, first nonzero divergence: h^5" in r.stdout
