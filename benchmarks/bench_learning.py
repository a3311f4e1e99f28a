"""Speed of a composed learning model's generated solver vs scipy.optimize.fsolve, in the same run.

Model: depth-3 linear random features (widths 2.0, 0.8, 1.5) on a 3-atom data spectrum, the
first and last layers with a 2-atom row covariance of the weights, noise 0.1, K = 1
(:mod:`symrmt.learning`).  A 1000-point learning curve in ``samples = P/D`` is solved (a) by the
generated numba solver of ``model.solve`` (one call, arrays) and (b) point by point by
``scipy.optimize.fsolve`` on the same equations written here in numpy (unknowns κ, κ_w1, κ_w3),
warm-started from the previous point.  Prints the times, the ratio and the largest difference,
after the cold derivation + compile below (``--cold``: that part only).

The cold derivation + compile of a new model (target: at most 5 s) is timed in a fresh
Python process with empty ``SYMRMT_CACHE_DIR`` and ``NUMBA_CACHE_DIR`` (temporary directories),
split into import, SymPy derivation (the System the solver compiles), code generation, the
generated module's self-check and load, numba compilation (the first ``solve`` minus a second
one) and a solve; wall-clock and CPU seconds of the process (the CPU time is the comparable
number on a loaded machine), with the load average.  The ridge model (no layers, one unknown)
is timed as well: what any learning model pays for the generic solver kernels.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

SIGMA = (np.array([0.5, 1.0, 2.0]), np.array([0.3, 0.4, 0.3]))
C = (np.array([0.5, 1.5]), np.array([0.5, 0.5]))
WIDTHS = (2.0, 0.8, 1.5)
RIDGE, NOISE = 0.05, 0.1


def build_model():
    import symrmt.learning as sl

    return sl.model(data=SIGMA, noise=NOISE, layers=[sl.linear(WIDTHS[0], weights=C), sl.linear(WIDTHS[1]),
                                                     sl.linear(WIDTHS[2], weights=C)])


def _df(mu, k):
    p, w = mu
    return float(np.sum(w * p / (p + k)))


def residual(u, samples):
    """The κ equation and the two row-covariance equations (symrmt.learning.algebra, steps 1–2)."""
    k, kw1, kw3 = u
    if min(u) <= 0:
        return [1e3, 1e3, 1e3]
    D = _df(SIGMA, k)
    g1, g2, g3 = WIDTHS
    d1, d3 = D, D / g2
    inv_s = g3 * (1 - D / g1) * (1 - D / g2) * (1 - D / g3) * (kw1 * d1 / (1 - d1)) * (kw3 * d3 / (1 - d3))
    return [k * inv_s * (1 - D / samples) - RIDGE, _df(C, kw1) - d1, _df(C, kw3) - d3]


def scipy_curve(samples):
    from scipy.optimize import fsolve

    out = np.empty((samples.size, 3))
    guess = np.array([1.0, 1.0, 1.0])
    for j, s in enumerate(samples):
        guess = fsolve(residual, guess, args=(s,), xtol=1e-12)
        out[j] = guess
    return out


def _cold_child(which: str) -> dict:
    """The split of a cold derivation + compile, in this (fresh) process: ``{phase: (wall, cpu)}``."""
    clocks = [time.perf_counter(), time.process_time()]
    out: dict = {"model": which, "load_average": list(os.getloadavg())}

    def lap(phase: str) -> None:
        now = [time.perf_counter(), time.process_time()]
        out[phase] = [now[0] - clocks[0], now[1] - clocks[1]]
        clocks[:] = now

    import symrmt.learning as sl
    from symrmt.codegen.compile import canonical_system, system_source

    lap("import")
    m = build_model() if which == "depth-3" else sl.model(data=SIGMA, noise=NOISE)
    system = m.system(assembled=False)
    lap("derive")
    system.compile()
    lap("generate+check")
    source = system_source(canonical_system(system)[0])
    lap("generate")
    m.solve(samples=1.5, ridge=RIDGE)
    lap("first solve")
    m.solve(samples=1.7, ridge=RIDGE)
    lap("solve")
    out["check"] = [a - b for a, b in zip(out["generate+check"], out["generate"])]
    out["numba"] = [a - b for a, b in zip(out["first solve"], out["solve"])]
    out["total"] = [sum(out[k][i] for k in ("import", "derive", "generate+check", "first solve")) for i in (0, 1)]
    out["unknowns"], out["observables"] = len(system.unknowns), len(system.observables)
    out["source_lines"] = source.count("\n")
    return out


def cold(which: str = "depth-3") -> dict:
    """:func:`_cold_child` in a fresh interpreter with empty symrmt and numba caches."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SYMRMT_CACHE_DIR": os.path.join(tmp, "symrmt"),
               "NUMBA_CACHE_DIR": os.path.join(tmp, "numba")}
        proc = subprocess.run([sys.executable, __file__, "--cold-child", which], env=env, capture_output=True,
                              text=True)
    if proc.returncode:
        raise SystemExit(f"the cold run of the {which} model failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print_cold(res: dict) -> None:
    la = ", ".join(f"{v:.2f}" for v in res["load_average"])
    print(f"cold derivation + compile, {res['model']} model ({res['unknowns']} unknowns, "
          f"{res['observables']} compiled observables, {res['source_lines']} generated lines); "
          f"load average {la}")
    for phase in ("import", "derive", "generate", "check", "numba", "solve", "total"):
        print(f"  {phase:>9}: {res[phase][0]:6.2f} s wall  {res[phase][1]:6.2f} s cpu")
    print(f"  target: total <= 5 s ({'met' if res['total'][0] <= 5 else 'not met'} in wall-clock time, "
          f"{'met' if res['total'][1] <= 5 else 'not met'} in CPU time)")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--cold", action="store_true", help="time the cold derivation + compile only")
    ap.add_argument("--cold-child", choices=("depth-3", "ridge"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.cold_child:
        print(json.dumps(_cold_child(args.cold_child)))
        return {}
    runs = {which: cold(which) for which in ("depth-3", "ridge")}
    for res in runs.values():
        _print_cold(res)
    if args.cold:
        return runs
    samples = np.geomspace(0.2, 10, args.points)[::-1]  # from the easy end, for the warm starts
    m = build_model()
    m.solve(samples=1.5, ridge=RIDGE)  # compiled (or loaded) before timing
    t0 = time.perf_counter()
    res = m.solve(samples=samples, ridge=RIDGE)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = scipy_curve(samples)
    t_scipy = time.perf_counter() - t0
    diff = float(np.max(np.abs(res["kappa"] - ref[:, 0]) / ref[:, 0]))
    print(f"generated solver, {args.points} points: {t_gen * 1e3:.2f} ms")
    print(f"scipy fsolve (warm-started), same points: {t_scipy * 1e3:.1f} ms")
    print(f"ratio: {t_scipy / t_gen:.0f}x;  max relative difference in kappa: {diff:.1e}")
    return {"cold": runs, "generated_s": t_gen, "scipy_s": t_scipy, "ratio": t_scipy / t_gen, "diff": diff}


if __name__ == "__main__":
    main()
