"""Populations as data: speed of measure-backed solvers against numpy baselines, in the same run.

1. Ridge (``solve_ridge(spectrum=measure)``) with a 10⁴-atom population, a learning curve of 1000
   ridge values: the generated solver (a loop over the atoms inside the numba Newton kernel)
   against a vectorized numpy Newton on ``κ(1 − q·df1(κ)) = λ`` (all λ at once, the 1000 × 10⁴
   resolvent matrix per iteration).  Compile time for 10², 10⁴ and 10⁶ atoms, each in a fresh
   process and a fresh cache directory (generation + numba compile + the first solve), and the
   compile time of a further measure once one is compiled (the module is shared).
2. Silverstein density of a 10⁴-atom population at 2000 real points (inside and around the
   support) against a vectorized numpy fixed point ``m̲ = −1/(z − c E[t/(1 + t m̲)])`` at
   ``η = 1e-6`` reached in stages (timed on 40 of the points and scaled by 50, the cost being
   linear in the number of points), with the largest density difference between the two.
3. ``CompiledLaw.density`` and ``cdf`` of MP(1/2) at 1000 points against ``stieltjes``.

Run ``python benchmarks/bench_measures.py`` (best of ``--repeat`` runs for each timing), or
``python benchmarks/bench_measures.py --cold`` for the cold compile figures alone (best of
``--cold-repeat`` fresh processes per size, with the load average before and after: on a shared
machine other processes inflate them).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from timing import best, load_average

_COLD = """
import time, numpy as np
t0 = time.perf_counter()
from symrmt.equivalents import solve_ridge
from symrmt.measures import empirical
t1 = time.perf_counter()
mu = empirical(np.random.default_rng(0).uniform(0.1, 2.0, size={n}))
solve_ridge(0.5, 0.1, 0.1, 1.0, spectrum=mu)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def numpy_newton_ridge(t, w, q, lam, noise, signal, tol=1e-13):
    """Vectorized Newton on g(κ) = κ(1 − q df1(κ)) − λ from κ = λ + q (all λ at once)."""
    k = lam + q * float(w @ t)
    for _ in range(100):
        r = t[None, :] / (t[None, :] + k[:, None])          # 1000 × N
        df1 = r @ w
        ddf1 = -(r / (t[None, :] + k[:, None])) @ w
        g = k * (1 - q * df1) - lam
        dg = 1 - q * df1 - q * k * ddf1
        step = g / dg
        k = np.maximum(k - step, 0.5 * k)
        if np.all(np.abs(step) <= tol * k):
            break
    r2 = 1.0 / (t[None, :] + k[:, None]) ** 2
    df2 = (r2 * t[None, :] ** 2) @ w
    t2 = (r2 * t[None, :]) @ w
    return k, (k**2 * signal * t2 + noise) / (1 - q * df2)


def numpy_fixed_point(x, t, w, c, etas=(1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6), iters=300):
    m = -1.0 / (x + 1j * etas[0])
    for eta in etas:
        z = x + 1j * eta
        for _ in range(iters):
            new = 0.5 * m - 0.5 / (z - c * ((w * t)[None, :] / (1 + m[:, None] * t[None, :])).sum(axis=1))
            done = np.max(np.abs(new - m)) <= 1e-13 * np.max(np.abs(m))
            m = new
            if done:
                break
    return m.imag / (np.pi * c)


def cold_compile(n: int) -> tuple[float, float]:
    """``(imports, compile)`` seconds in a fresh process with empty symrmt and numba cache
    directories: the imports, then generation, self-check, numba compile and the first solve."""
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, SYMRMT_CACHE_DIR=os.path.join(d, "symrmt"), NUMBA_CACHE_DIR=os.path.join(d, "numba"))
        out = subprocess.run([sys.executable, "-c", _COLD.format(n=n)], env=env, capture_output=True, text=True,
                             check=True)
        imports, compile_ = out.stdout.strip().splitlines()[-1].split()
        return float(imports), float(compile_)


def bench_cold(repeat: int) -> None:
    print(f"cold compile (fresh process and caches) + first solve, ridge with a measure population, best of {repeat}; "
          f"{os.cpu_count()} CPUs, load average {load_average()}")
    for n in (100, 10_000, 1_000_000):
        runs = [cold_compile(n) for _ in range(repeat)]
        ts = [c for _, c in runs]
        print(f"  {n:>9} atoms: compile + first solve {min(ts):.2f} s (runs: {', '.join(f'{t:.2f}' for t in ts)}), "
              f"after imports of {min(i for i, _ in runs):.2f} s; load average {load_average()}")


def bench_ridge(repeat: int) -> None:
    from symrmt.equivalents import solve_ridge
    from symrmt.measures import empirical

    rng = np.random.default_rng(0)
    pts = rng.gamma(2.0, 0.5, size=10_000)
    mu = empirical(pts)
    lam = np.logspace(-4, 1, 1000)
    solve_ridge(0.7, lam[:3], 0.2, 1.0, spectrum=mu)  # compile / load
    t_gen = best(lambda: solve_ridge(0.7, lam, 0.2, 1.0, spectrum=mu), repeat)
    t_np = best(lambda: numpy_newton_ridge(pts, mu.weights, 0.7, lam, 0.2, 1.0), repeat)
    res = solve_ridge(0.7, lam, 0.2, 1.0, spectrum=mu)
    k, err = numpy_newton_ridge(pts, mu.weights, 0.7, lam, 0.2, 1.0)
    diff = float(np.max(np.abs(res["test_error"] / err - 1)))
    print(f"ridge, 10^4 atoms, 1000 ridge values: generated {t_gen * 1e3:.1f} ms, numpy Newton "
          f"{t_np * 1e3:.1f} ms, ratio {t_np / t_gen:.1f}x; max rel. difference {diff:.1e}")
    t0 = time.perf_counter()
    solve_ridge(0.7, 0.1, 0.2, 1.0, spectrum=empirical(rng.uniform(0.1, 3.0, size=10_000)))
    print(f"  a further 10^4-atom measure (module shared): compile + solve {1e3 * (time.perf_counter() - t0):.1f} ms")


def bench_silverstein(repeat: int) -> None:
    from symrmt.measures import empirical, sample_covariance

    rng = np.random.default_rng(1)
    mu = empirical(rng.uniform(0.5, 2.0, size=10_000))
    c = 0.3
    t0 = time.perf_counter()
    cs = sample_covariance(mu, c).compile()
    sup = cs.support()
    t_setup = time.perf_counter() - t0
    a, b = sup[0][0], sup[-1][1]
    x = np.linspace(a - 0.05 * (b - a), b + 0.05 * (b - a), 2000)
    cs.density(x[:10])
    t_gen = best(lambda: cs.density(x), repeat)
    sub = x[::50]
    t0 = time.perf_counter()
    d_np = numpy_fixed_point(sub, mu.points, mu.weights, c)
    t_np = 50 * (time.perf_counter() - t0)
    diff = float(np.max(np.abs(cs.density(sub) - d_np)) / np.max(d_np))
    print(f"Silverstein density, 10^4 atoms, 2000 real points: generated {t_gen * 1e3:.0f} ms "
          f"(compile + support {t_setup:.2f} s), numpy fixed point (eta=1e-6) ~{t_np:.1f} s, "
          f"ratio {t_np / t_gen:.0f}x; max difference {diff:.1e} of the peak density")


def bench_law(repeat: int) -> None:
    import sympy as sp

    import symrmt as sr

    sol = sr.laws.marchenko_pastur(ratio=sp.Rational(1, 2)).compile()
    x = np.linspace(0.01, 3.0, 1000)
    z = x + 0.1j  # off the axis: consecutive points are joined by tracking (the fast path)
    sol.stieltjes(z[:3]), sol.density(x[:3]), sol.cdf(x[:3])
    ts = best(lambda: sol.stieltjes(z), repeat)
    td = best(lambda: sol.density(x), repeat)
    tc = best(lambda: sol.cdf(x), repeat)
    from symrmt.codegen.law import CompiledLaw

    tf = best(lambda: CompiledLaw(sol.law, sol.module).cdf(x), repeat)  # a fresh object: nothing memoized
    print(f"CompiledLaw MP(1/2), 1000 points: stieltjes {ts * 1e3:.2f} ms, density {td * 1e3:.2f} ms "
          f"({td / ts:.1f}x), cdf {tc * 1e3:.1f} ms ({tc / ts:.1f}x; first call on a fresh object "
          f"{tf * 1e3:.1f} ms, {tf / ts:.1f}x)")


def main(repeat: int = 5, cold_repeat: int = 3, cold_only: bool = False) -> None:
    if not cold_only:
        bench_ridge(repeat)
    bench_cold(cold_repeat)
    if not cold_only:
        bench_silverstein(repeat)
        bench_law(repeat)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cold-repeat", type=int, default=3, help="fresh processes per size for the cold compile")
    ap.add_argument("--cold", action="store_true", help="only the cold compile figures")
    args = ap.parse_args()
    main(args.repeat, args.cold_repeat, args.cold)
