"""Speed of a composed learning model's generated solver vs scipy.optimize.fsolve, in the same run.

Model: depth-3 linear random features (widths 2.0, 0.8, 1.5) on a 3-atom data spectrum, the
first and last layers with a 2-atom row covariance of the weights, noise 0.1, K = 1
(:mod:`symrmt.learning`).  A 1000-point learning curve in ``samples = P/D`` is solved (a) by the
generated numba solver of ``model.solve`` (one call, arrays) and (b) point by point by
``scipy.optimize.fsolve`` on the same equations written here in numpy (unknowns κ, κ_w1, κ_w3),
warm-started from the previous point.  Also times the cold derivation + compile of a new model
in an empty cache directory.  Prints the times, the ratio and the largest difference.
"""
from __future__ import annotations

import argparse
import os
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


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    args = ap.parse_args(argv)
    samples = np.geomspace(0.2, 10, args.points)[::-1]  # from the easy end, for the warm starts

    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("SYMRMT_CACHE_DIR")
        os.environ["SYMRMT_CACHE_DIR"] = tmp
        try:
            t0 = time.perf_counter()
            m = build_model()
            m.solve(samples=1.5, ridge=RIDGE)
            cold = time.perf_counter() - t0
        finally:
            if old is None:
                os.environ.pop("SYMRMT_CACHE_DIR")
            else:
                os.environ["SYMRMT_CACHE_DIR"] = old
    m = build_model()
    m.solve(samples=1.5, ridge=RIDGE)  # compiled (or loaded) before timing
    t0 = time.perf_counter()
    res = m.solve(samples=samples, ridge=RIDGE)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = scipy_curve(samples)
    t_scipy = time.perf_counter() - t0
    diff = float(np.max(np.abs(res["kappa"] - ref[:, 0]) / ref[:, 0]))
    print(f"cold derivation + compile of a new model: {cold:.2f} s")
    print(f"generated solver, {args.points} points: {t_gen * 1e3:.2f} ms")
    print(f"scipy fsolve (warm-started), same points: {t_scipy * 1e3:.1f} ms")
    print(f"ratio: {t_scipy / t_gen:.0f}x;  max relative difference in kappa: {diff:.1e}")
    return {"cold_s": cold, "generated_s": t_gen, "scipy_s": t_scipy, "ratio": t_scipy / t_gen, "diff": diff}


if __name__ == "__main__":
    main()
