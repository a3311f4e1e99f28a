"""Speed of the exact free-probability calculus, first call in a fresh process.

Each case runs in its own Python process: import, then time the first call (SymPy's caches
cold), as a user meets it.  The baseline is rmtool (the SymPy port of RMTool), timed the same
way in the same run when it is installed (``pip install rmtool``); otherwise only the
published anchors are printed.  Targets: each free convolution of two degree-≤2 laws,
factor choice included, ≤ 0.03 s; moments up to k = 10 ≤ 0.1 s.

Usage: ``python benchmarks/bench_symbolic.py [--repeat N]``
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

SETUP = {
    "symrmt": "import sympy as sp, symrmt as sr\ng = sp.Symbol('gamma', positive=True)\n"
              "sc = sr.laws.semicircle(); mp = sr.laws.marchenko_pastur(g)\n",
    "rmtool": "import sympy as sp\nfrom rmtool.ensembles import wignerpol, wishartpol\n"
              "from rmtool.operations import AplusB, AtimesB\nfrom rmtool.moments import Lmz2MomS\n"
              "sc = wignerpol(); mp = wishartpol()\n",
}
CASES = {
    "semicircle ⊞ MP(γ)": {"symrmt": "sr.free_add(sc, mp)", "rmtool": "AplusB(sc, mp)"},
    "MP(γ) ⊠ MP(γ)": {"symrmt": "sr.free_multiply(mp, mp)", "rmtool": "AtimesB(mp, mp)"},
    "moments k≤10 of MP(γ)": {"symrmt": "mp.moments(10)", "rmtool": "Lmz2MomS(mp, 10)"},
    "moments k≤10 of SC ⊞ MP(γ)": {"symrmt": "sr.free_add(sc, mp).moments(10)",
                                   "rmtool": "Lmz2MomS(AplusB(sc, mp), 10)"},
}
ANCHORS = {"semicircle ⊞ MP(γ)": 0.06, "MP(γ) ⊠ MP(γ)": 0.03}
TARGETS = {"semicircle ⊞ MP(γ)": 0.03, "MP(γ) ⊠ MP(γ)": 0.03, "moments k≤10 of MP(γ)": 0.1}

RUNNER = """
import time, json
{setup}
t0 = time.perf_counter()
{stmt}
print(json.dumps(time.perf_counter() - t0))
"""


def first_call(tool: str, stmt: str) -> float | None:
    code = RUNNER.format(setup=SETUP[tool], stmt=stmt)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        if "ModuleNotFoundError" in proc.stderr and tool != "symrmt":
            return None
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per case (median)")
    args = ap.parse_args()
    print(f"{'case':30s} {'symrmt [s]':>11s} {'rmtool [s]':>11s} {'ratio':>7s} {'target':>7s}")
    for case, stmts in CASES.items():
        ours = statistics.median(first_call("symrmt", stmts["symrmt"]) for _ in range(args.repeat))
        base_runs = [first_call("rmtool", stmts["rmtool"]) for _ in range(args.repeat)]
        base = None if None in base_runs else statistics.median(base_runs)
        ratio = f"{base / ours:6.1f}x" if base else "   n/a"
        base_s = f"{base:11.4f}" if base else f"{'(' + str(ANCHORS.get(case, '-')) + ')':>11s}"
        tgt = TARGETS.get(case)
        flag = "" if tgt is None else ("  ok" if ours <= tgt else "  MISS")
        print(f"{case:30s} {ours:11.4f} {base_s} {ratio} {str(tgt or '-'):>7s}{flag}")
    print("ratio = rmtool time / symrmt time (higher is better); parentheses: published anchor, rmtool not installed")


if __name__ == "__main__":
    main()
