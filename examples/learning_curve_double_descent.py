"""Double descent of random-features ridge regression: Mei–Montanari theory vs trained models.

Solves the ``random-features`` equivalent on a fine grid of ψ1 = N/d (the generated solver takes
the whole curve at once) and trains ReLU random-feature models at a few ψ1 (d = 100 by default;
``--d 1000`` for the paper-size check), then plots the curve with the simulated means and 95 %
confidence intervals.  Usage: ``python examples/learning_curve_double_descent.py [--out FILE]``.
"""
from __future__ import annotations

import argparse

import numpy as np


def main(out: str = "double_descent.png", d: int = 100, trials: int = 3, seed: int = 0) -> dict:
    import symrmt as sr

    rf = sr.load("random-features")
    parameter, grid, points, fixed = rf.curve          # psi2 = 1, ridge = 1e-3: the peak sits at psi1 = 1
    res = rf.learning_curve(out, parameter, grid, points, n=d, trials=trials, seed=seed, **fixed)
    for p, t, m, (lo, hi) in zip(points, res["theory"], res["simulated"], res["ci"]):
        print(f"psi1={p:4.1f}  theory={t:.4f}  simulated={m:.4f}  CI=[{lo:.4f}, {hi:.4f}]")
    # the peak: the risk near the interpolation threshold exceeds both ends of the sweep, in theory
    # and in the trained models
    th, sim = np.asarray(res["theory"]), np.asarray(res["simulated"])
    peak = int(np.argmin(np.abs(np.asarray(points) - 1.0)))
    assert th[peak] > max(th[0], th[-1]) and sim[peak] > max(sim[0], sim[-1]), (th, sim)
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="double_descent.png")
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--trials", type=int, default=3)
    a = ap.parse_args()
    main(a.out, a.d, a.trials)
