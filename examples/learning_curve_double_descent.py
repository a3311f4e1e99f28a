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
    from symrmt.equivalents import solve_random_features
    from symrmt.equivalents.simulate import simulate_random_features

    psi2, ridge, F1, Fstar, tau = 1.0, 1e-3, 1.0, 0.3, 0.3
    grid = np.geomspace(0.1, 10, 400)
    theory = solve_random_features(grid, psi2, ridge, "relu", F1, Fstar, tau)
    points = np.array([0.3, 0.6, 0.9, 1.2, 2.0, 4.0])
    sims = [simulate_random_features(d, p, psi2, ridge, "relu", F1, Fstar, tau, trials=trials, seed=seed + i)
            for i, p in enumerate(points)]
    means = np.array([s.mean("risk") for s in sims])
    cis = np.array([s.ci("risk") for s in sims])

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(grid, theory["risk"], label="Mei–Montanari (generated solver)")
    ax.errorbar(points, means, yerr=[means - cis[:, 0], cis[:, 1] - means], fmt="o", capsize=3,
                label=f"trained models (d={d}, {trials} trials, 95% CI)")
    ax.axvline(psi2, color="grey", lw=0.5, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ψ1 = N/d")
    ax.set_ylabel("excess test risk")
    ax.set_title(f"ReLU random features, ψ2 = {psi2}, λ = {ridge}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    th_at = solve_random_features(points, psi2, ridge, "relu", F1, Fstar, tau)["risk"]
    for p, t, m, (lo, hi) in zip(points, th_at, means, cis):
        print(f"psi1={p:4.1f}  theory={t:.4f}  simulated={m:.4f}  CI=[{lo:.4f}, {hi:.4f}]")
    return {"psi1": points, "theory": th_at, "simulated": means, "ci": cis}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="double_descent.png")
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--trials", type=int, default=3)
    a = ap.parse_args()
    main(a.out, a.d, a.trials)
