"""A ReLU network after one large gradient step, against two theories: the d → ∞ spiked
random-features model and the fixed point on the trained first layer itself (Cui et al., arXiv
2402.04980; Dandi et al., arXiv 2410.18938).

For each batch size α0 = n0/d, ``trials`` networks are trained (ReLU student, tanh target,
η̃ = 2, λ = 0.05, α = n/d = 1, width 1); each trial's test error is compared with the theory of its
own first layer (``form="given-layer"``, the default of ``one-step-spiked-rf``), and all with the
spiked model's limit.  The network sits several per cent below the spiked model at every α0 — the
trained bulk is not ``cW0`` — and the theory on the trained layer follows it, as does the trained
layer's d → ∞ theory (``form="trained-limit"``: the bulk's spectrum and forms derived from the
step's matrix expression; ``--trained-limit`` adds it to the output and the figure, at the cost of
deriving and compiling its solver, ~3 min cold).  Writes ``one-step-network-gap.png``.  Usage:
``python examples/one_step_network_gap.py`` (d = 300, 8 trials: ~10 s); the table in
``one-step-spiked-rf``'s documentation is
``--d 1000 --trials 10 --alphas 0.5,1,2,4 --pair relu/tanh`` (and ``--pair relu/relu --seed 1``).
"""
from __future__ import annotations

import math
import numpy as np


def main(d: int = 300, trials: int = 8, seed: int = 0, activation: str = "relu", target: str = "tanh",
         alphas=(1.0,), alpha0s=(1.0, 2.0, 8.0), path: str | None = "one-step-network-gap.png",
         trained_limit: bool = False) -> dict:
    import symrmt as sr
    from symrmt.equivalents import solve_one_step, solve_one_step_trained

    der = sr.load("one-step-spiked-rf")
    rows = {}
    for i, alpha in enumerate(alphas):
        for k, a0 in enumerate(alpha0s):
            p = der.bind(activation=activation, target=target, alpha=alpha, alpha0=a0)
            sample = der.simulate(d, trials=trials, seed=seed + 100 * i + k, device="cpu", **p)
            net = np.asarray(sample["test_error"])
            own = der.trial_theory(sample, der.theory(**p))
            limit = float(solve_one_step(alpha, a0, 2.0, 0.05, 1.0, activation, target)["test_error"])
            trained = float(solve_one_step_trained(alpha, 0.05, a0, 2.0, 1.0, activation, target)["test_error"]) \
                if trained_limit else math.nan
            diff = net - own
            se = diff.std(ddof=1) / math.sqrt(trials)
            row = {"network": net.mean(), "network_se": net.std(ddof=1) / math.sqrt(trials),
                   "given_layer": own.mean(), "diff": diff.mean(), "diff_se": se, "limit": limit,
                   "trained_limit": trained}
            rows[alpha, a0] = row
            print(f"{activation}/{target} α = {alpha:g}, α0 = {a0:g}: network {net.mean():.4f} ± "
                  f"{row['network_se']:.4f}, theory on the trained layer {own.mean():.4f} (difference "
                  f"{diff.mean():+.4f} ± {se:.4f}), "
                  + (f"trained layer at d → ∞ {trained:.4f}, " if trained_limit else "")
                  + f"spiked limit {limit:.4f} (network "
                  f"{100 * (net.mean() / limit - 1):+.1f} %)", flush=True)
            # the paired difference is a mean of `trials` independent draws: 4 SE allows for its t tail
            assert abs(diff.mean()) < 4 * se + 0.01, (alpha, a0, diff.mean(), se)
    if path is not None:
        _figure(rows, alphas[0], alpha0s, d, trials, activation, target, path)
    return rows


def _figure(rows, alpha, alpha0s, d, trials, activation, target, path):
    from symrmt.verify.style import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    a0s = np.array(alpha0s)
    r = [rows[alpha, a] for a in alpha0s]
    ax.errorbar(a0s, [x["network"] for x in r], yerr=[2 * x["network_se"] for x in r], fmt="o", capsize=3,
                label=f"trained networks (d = {d}, {trials} trials, ± 2 SE)")
    ax.plot(a0s, [x["given_layer"] for x in r], "s--", label="theory on each trained first layer")
    if not math.isnan(r[0]["trained_limit"]):
        ax.plot(a0s, [x["trained_limit"] for x in r], "d-", label="trained first layer, d → ∞")
    ax.plot(a0s, [x["limit"] for x in r], "^:", label="spiked random features, d → ∞")
    ax.set_xscale("log")
    ax.set_xticks(a0s, [f"{a:g}" for a in a0s])
    ax.minorticks_off()
    ax.set_xlabel("α0 = n0/d (samples in the gradient step)")
    ax.set_ylabel("test error")
    ax.set_title(f"{activation} student, {target} target, one step η̃ = 2; ridge readout α = {alpha:g}, λ = 0.05")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=300)
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pair", default="relu/tanh", help="student/target, e.g. relu/relu")
    ap.add_argument("--alphas", default="1", help="comma-separated n/d values")
    ap.add_argument("--alpha0s", default="1,2,8", help="comma-separated n0/d values")
    ap.add_argument("--trained-limit", action="store_true", help="add the trained layer's d → ∞ theory (~3 min cold)")
    a = ap.parse_args()
    act, tgt = a.pair.split("/")
    main(a.d, a.trials, a.seed, act, tgt, tuple(float(x) for x in a.alphas.split(",")),
         tuple(float(x) for x in a.alpha0s.split(",")), trained_limit=a.trained_limit)
