"""Ridge resolvent with two data sources, derived from its matrix expression and checked by simulation.

A model sees ``n`` clean samples ``X₁`` (entries of variance 1) and ``m = ρn`` noisier ones
``X₂`` (variance 2) of ``d = γn`` features; the normalized trace of its ridge resolvent,

    tr((X₁ᵀX₁/n + X₂ᵀX₂/m + λ)⁻¹),

is not in the catalogue.  ``sr.deterministic_equivalent`` linearizes the expression into a
pencil, derives the block Dyson equation (one unknown here) and returns a System; the same SymPy
object is simulated in torch by ``sr.registry.from_expression``.  The script solves the curve in
λ for two values of ρ (the solver takes the whole curve at once), simulates ``trials`` draws at
size ``n`` at a few λ, and saves the figure ``matrices_two_sources.png`` (theory lines,
simulated means with 95 % error bars).

Tolerance: the normalized trace of a resolvent fluctuates by O(1/n) between draws and its mean
differs from the limit by O(1/n) (λ > 0 keeps the resolvent bounded by 1/λ), so each simulated
mean must lie within 4 standard errors plus ``5/n`` (relative, for the bias) of the theory.
Usage: ``python examples/matrices_two_sources.py [--n 300] [--trials 8] [--seed 0]``.
"""
from __future__ import annotations

import argparse

import numpy as np


def main(n: int = 300, trials: int = 8, seed: int = 0, out: str = "matrices_two_sources.png") -> dict:
    import matplotlib.pyplot as plt
    import sympy as sp

    import symrmt as sr
    from symrmt import matrices as mx

    gamma, rho, lam = sp.symbols("gamma rho lambda", positive=True)
    X1, X2 = mx.gaussian("X1", 1, gamma), mx.gaussian("X2", rho, gamma, variance=2)
    expr = mx.tr((X1.T * X1 / mx.N + X2.T * X2 / (rho * mx.N) + lam * mx.identity(gamma)) ** -1)
    g = 1.2
    d = sr.registry.from_expression(expr, "two-sources", {"gamma": g, "rho": 0.5, "lambda": 0.1})
    print("Dyson equation:", sp.sstr(d.system.residuals[0]), "= 0")
    print("limit:", sp.sstr(d.system.observables["value"]))

    solver = d.system.compile()
    curve = np.geomspace(1e-2, 10.0, 200)
    marks = np.geomspace(2e-2, 5.0, 5)
    results = {}
    fig, ax = plt.subplots(figsize=(6, 4))
    for r, colour in ((0.25, "C0"), (1.0, "C1")):
        theory = solver.solve(gamma=g, rho=r, **{"lambda": curve})["value"]
        at = solver.solve(gamma=g, rho=r, **{"lambda": marks})["value"]
        means, errs = [], []
        for k, x in enumerate(marks):
            sim = d.simulate(n, trials=trials, seed=seed + k, device="cpu", gamma=g, rho=r, **{"lambda": x})
            v = sim.values["value"]
            means.append(v.mean())
            errs.append(v.std(ddof=1) / np.sqrt(trials))
        means, errs = np.array(means), np.array(errs)
        for x, t, mu, se in zip(marks, at, means, errs):
            print(f"rho={r:4.2f}  lambda={x:6.3f}  theory={t:.5f}  simulated={mu:.5f} ± {se:.5f}  "
                  f"({(mu - t) / t:+.2%})")
        assert np.all(np.abs(means - at) <= 4 * errs + 5 / n * np.abs(at)), (r, means, at, errs)
        ax.plot(curve, theory, color=colour, label=f"theory, ρ = m/n = {r}")
        ax.errorbar(marks, means, yerr=1.96 * errs, fmt="o", color=colour, ms=4, capsize=3,
                    label=f"simulated, n = {n}, {trials} trials")
        results[r] = {"lambda": marks, "theory": at, "simulated": means, "se": errs}
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("λ")
    ax.set_ylabel("tr((X₁ᵀX₁/n + X₂ᵀX₂/m + λ)⁻¹)")
    ax.set_title(f"two data sources, d/n = γ = {g}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print("saved", out)
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="matrices_two_sources.png")
    a = ap.parse_args()
    main(a.n, a.trials, a.seed, a.out)
