"""Speed of deterministic equivalents derived from matrix expressions (``symrmt.matrices``).

Two targets, both measured on one expression of four declared matrices (X₁, X₂ Gaussian, S
deterministic with two atoms, W Wigner):

    tr((X₁ᵀ S X₁/n + X₂ᵀX₂/m + W − z)⁻¹),   X₁: n × γn,  X₂: m × γn,  m = ρn.

1. **Cold derivation + compile ≤ 10 s**: in a fresh interpreter with empty ``SYMRMT_CACHE_DIR``
   and ``NUMBA_CACHE_DIR``, the split pencil + Dyson derivation / ``compile()`` / first solve
   (the first solve includes numba's compilation of the generated module), with the load average
   (the machine may be shared).
2. **The derived curve as fast as a hand-written System (≤ 1.2×)**: the same equations written
   by hand from the subordination formulas (Silverstein for X₁ᵀSX₁/n, Marchenko–Pastur for
   X₂ᵀX₂/m, the semicircle's R-transform for W),

       m = 1/(E_t[t/(1 + γ t m)] + ρ/(ρ + γ m) − m − z),      t ~ spectrum of S,

   as a ``System`` in the unknowns ``m`` and ``g = E_t[t/(1 + γ t m)]`` (the derived one's unknowns),
   compiled with the same options, both solving a 1000-point curve in ``z``; best of ``repeat``
   runs each, the ratio and the largest difference of the two curves.
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
from timing import best

ATOMS = ([0.5, 2.0], [0.7, 0.3])
PARAMS = {"gamma": 0.7, "rho": 0.5}


def expression():
    """The four-matrix trace and its symbols ``(expr, gamma, rho, z)``."""
    import sympy as sp

    import symrmt as sr
    from symrmt import matrices as mx

    g, rho = sp.symbols("gamma rho", positive=True)
    z = sp.Symbol("z")
    S = mx.deterministic("S", 1, sr.measures.empirical(*ATOMS))
    X1, X2, W = mx.gaussian("X1", 1, g), mx.gaussian("X2", rho, g), mx.wigner("W", g)
    A = X1.T * S * X1 / mx.N + X2.T * X2 / (rho * mx.N) + W - z * mx.identity(g)
    return mx.tr(A ** -1), g, rho, z


def hand_system():
    """The same equations written by hand (see the module docstring)."""
    import sympy as sp

    import symrmt as sr

    g, rho = sp.symbols("gamma rho", positive=True)
    z, m, e, t = sp.symbols("z m g t")
    mu = sr.measures.empirical(*ATOMS)
    eqs = [m - 1 / (e + rho / (rho + g * m) - m - z), e - sr.expect(t / (1 + g * t * m), t, mu)]
    return sr.System(eqs, [m, e], [g, rho, z], observables={"value": m}, domains={m: "upper"},
                     initial={m: -1 / z, e: sum(a * w for a, w in zip(*ATOMS))}, name="hand-written")


def curve(points: int) -> np.ndarray:
    return np.linspace(-2.0, 5.0, points) + 0.02j


def cold() -> dict:
    """Run in a fresh interpreter: import / derive / compile / first solve, in seconds."""
    t0 = time.perf_counter()
    import symrmt as sr

    t1 = time.perf_counter()
    expr, *_ = expression()
    system = sr.deterministic_equivalent(expr)
    t2 = time.perf_counter()
    solver = system.compile()
    t3 = time.perf_counter()
    res = solver.solve(z=curve(1000), **PARAMS)
    t4 = time.perf_counter()
    return {"import": t1 - t0, "derive": t2 - t1, "compile": t3 - t2, "first_solve": t4 - t3,
            "unknowns": len(system.unknowns), "converged": int(np.sum(res.converged))}


def measure_cold() -> dict:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as numba_cache:
        env = {**os.environ, "SYMRMT_CACHE_DIR": cache, "NUMBA_CACHE_DIR": numba_cache}
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--cold"], env=env, capture_output=True, text=True,
                              check=True)
        wall = time.perf_counter() - t0
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(wall=wall, load=load)
    return out


def main(points: int = 1000, repeat: int = 7) -> None:
    import symrmt as sr

    c = measure_cold()
    total = c["derive"] + c["compile"] + c["first_solve"]
    print(f"cold (fresh interpreter, empty caches; load average {c['load']:.2f} on {os.cpu_count()} cores):")
    print(f"  import symrmt          : {c['import']:6.2f} s")
    print(f"  pencil + Dyson derive  : {c['derive']:6.2f} s   ({c['unknowns']} unknowns)")
    print(f"  compile()              : {c['compile']:6.2f} s")
    print(f"  first solve (1000 pts) : {c['first_solve']:6.2f} s   (numba compiles here; "
          f"converged {c['converged']}/1000)")
    print(f"  derive+compile+solve   : {total:6.2f} s   (target <= 10 s; whole process {c['wall']:.2f} s)")

    expr, *_ = expression()
    derived = sr.deterministic_equivalent(expr).compile()
    hand = hand_system().compile(spectral="z")
    zs = curve(points)
    a, b = derived.solve(z=zs, **PARAMS), hand.solve(z=zs, **PARAMS)   # warm: compiled and loaded
    t_derived = best(lambda: derived.solve(z=zs, **PARAMS), repeat)
    t_hand = best(lambda: hand.solve(z=zs, **PARAMS), repeat)
    diff = np.max(np.abs(a["value"] - b["value"]) / np.abs(b["value"]))
    print(f"warm curve, {points} points in z (Im z = 0.02), best of {repeat}:")
    print(f"  derived System         : {t_derived * 1e3:8.1f} ms  (converged {int(a.converged.sum())}/{points})")
    print(f"  hand-written System    : {t_hand * 1e3:8.1f} ms  (converged {int(b.converged.sum())}/{points})")
    print(f"  ratio derived/hand     : {t_derived / t_hand:8.2f}    (target <= 1.2)")
    print(f"  max relative difference of the curves: {diff:.2e}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="(internal) the cold measurement, printed as JSON")
    args = ap.parse_args()
    if args.cold:
        print(json.dumps(cold()))
    else:
        main(args.points, args.repeat)
