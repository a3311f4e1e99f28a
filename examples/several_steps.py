"""Several large gradient steps before the readout (Dandi et al., arXiv 2305.18270): trained
networks against the spiked model whose spike ``(r, c, γ)`` is carried from step to step by
Gaussian integrals (:func:`symrmt.equivalents.next_spike`), and against the fixed point on each
trained first layer (Cui et al., arXiv 2402.04980; ``one-step-spiked-rf``).

For each number of steps, ``trials`` networks are trained (each step on a fresh batch of
``n0 = α0 d`` samples; η̃ = 2, λ = 0.05, α = 1, α0 = 2, width 1) and ``trials`` spiked models with
the theory's spike after that many steps.  Printed and drawn: the measured spike of the trained
layers (norm of the mean row update ``r``, root-mean-square bulk row ``c``, cosine ``γ`` with w*)
against the recursion; the test errors of the network and of the spiked model against the spiked
model's limit and the network against the theory on its own layer.  Writes ``several-steps.png``.
Usage: ``python examples/several_steps.py`` (d = 300, 6 trials: ~15 s); the table in
``one-step-spiked-rf``'s documentation is ``--d 1000 --trials 10`` with ``--pair`` relu/tanh,
relu/relu, tanh/tanh, tanh/relu; a multi-index target by name, e.g. ``--pair relu/staircase2
--alpha 2`` (the staircase ``z1 + z1 z2``: a ReLU student turns towards z2 at the second step, a
tanh student does not — ``E[κμ1(κ)] = 0`` for an even σ′).
"""
from __future__ import annotations

import math
import numpy as np


def _mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def main(d: int = 300, trials: int = 6, seed: int = 0, activation: str = "relu", target: str = "tanh",
         steps=(1, 2, 3), alpha: float = 1.0, alpha0: float = 2.0,
         path: str | None = "several-steps.png") -> dict:
    import symrmt as sr
    from symrmt.equivalents import solve_one_step, spike_values

    der = sr.load("one-step-spiked-rf")
    rows = {}
    for k in steps:
        p = der.bind(activation=activation, target=target, alpha=alpha, alpha0=alpha0, steps=k)
        net = der.simulate(d, trials=trials, seed=seed + 10 * k, device="cpu", **p)
        own = der.trial_theory(net, der.theory(**p))
        spiked = der.simulate(d, trials=trials, seed=seed + 10 * k + 5, device="cpu",
                              **der.bind(**{**p, "model": "spiked", "form": "limit"}))
        limit = float(solve_one_step(alpha, alpha0, 2.0, 0.05, 1.0, activation, target, steps=k)["test_error"])
        r, c, g = spike_values(2.0, alpha0, activation, target, k)
        theory_spike = [float(r), float(c), *np.atleast_1d(g).tolist()]
        names = ["r", "c"] + (["gamma"] if np.ndim(g) == 0 else [f"gamma_{a + 1}" for a in range(np.size(g))])
        row = {"limit": limit, "spike_theory": theory_spike, "spike_names": names,
               "network": _mean_se(net["test_error"]), "spiked": _mean_se(spiked["test_error"]),
               "diff_layer": _mean_se(np.asarray(net["test_error"]) - own), "given_layer": float(np.mean(own)),
               "spike_measured": [_mean_se(net[q]) for q in names]}
        rows[k] = row
        meas = ", ".join(f"{q} {m:.4f} ± {s:.4f} (theory {t:.4f})"
                         for q, (m, s), t in zip(names, row["spike_measured"], theory_spike))
        print(f"{activation}/{target}, {k} step(s): spike {meas}", flush=True)
        (nm, ns), (sm, ss), (dm, ds) = row["network"], row["spiked"], row["diff_layer"]
        print(f"    test error: network {nm:.4f} ± {ns:.4f} (on its layer {row['given_layer']:.4f}, difference "
              f"{dm:+.4f} ± {ds:.4f}); spiked model {sm:.4f} ± {ss:.4f}; spiked limit {limit:.4f} "
              f"(network {100 * (nm / limit - 1):+.1f} %)", flush=True)
        # means of `trials` independent draws: 4 SE allows for the t tail; 0.01 for d's O(d^{-1/2}) bias
        assert abs(sm - limit) < 4 * ss + 0.01, (k, sm, ss, limit)
        assert abs(dm) < 4 * ds + 0.01, (k, dm, ds)
    if path is not None:
        _figure(rows, d, trials, activation, target, alpha, alpha0, path)
    return rows


def _figure(rows, d, trials, activation, target, alpha, alpha0, path):
    from symrmt.verify.style import pyplot

    plt = pyplot()
    ks = np.array(sorted(rows))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.5, 4.2))
    r = [rows[k] for k in ks]
    ax.errorbar(ks - 0.05, [x["network"][0] for x in r], yerr=[2 * x["network"][1] for x in r], fmt="o", capsize=3,
                label=f"trained networks (d = {d}, {trials} trials, ± 2 SE)")
    ax.errorbar(ks + 0.05, [x["spiked"][0] for x in r], yerr=[2 * x["spiked"][1] for x in r], fmt="D", capsize=3,
                label="trained spiked models with the recursion's (r, c, γ)")
    ax.plot(ks, [x["given_layer"] for x in r], "s--", label="theory on each trained first layer")
    ax.plot(ks, [x["limit"] for x in r], "^:", label="spiked model, d → ∞")
    ax.set_xticks(ks)
    ax.set_xlabel("large gradient steps (fresh batch each)")
    ax.set_ylabel("test error")
    ax.set_title(f"{activation} student, {target} target: α = {alpha:g}, α0 = {alpha0:g}, η̃ = 2, λ = 0.05",
                 fontsize=9)
    ax.legend(fontsize=7)
    for i, (q, mark) in enumerate(zip(r[0]["spike_names"], "os^vD")):
        bx.errorbar(ks, [x["spike_measured"][i][0] for x in r], yerr=[2 * x["spike_measured"][i][1] for x in r],
                    fmt=mark, capsize=3, label=f"{q}: trained layers (± 2 SE)")
        bx.plot(ks, [x["spike_theory"][i] for x in r], "k:", lw=1)
    bx.plot([], [], "k:", lw=1, label="recursion (Gaussian integrals)")
    bx.set_xticks(ks)
    bx.set_xlabel("large gradient steps")
    bx.set_title("spike norm r, bulk row norm c, alignments γ with the target's directions", fontsize=9)
    bx.legend(fontsize=7)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def _arguments():
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", default="relu/tanh", help="student/target, e.g. relu/relu or relu/staircase2")
    ap.add_argument("--steps", default="1,2,3", help="comma-separated numbers of steps")
    ap.add_argument("--alpha", type=float, default=1.0, help="n/d of the readout")
    ap.add_argument("--d", type=int, default=300, help="input dimension")
    ap.add_argument("--trials", type=int, default=6, help="networks and spiked models per number of steps")
    ap.add_argument("--seed", type=int, default=0, help="base seed")
    return ap.parse_args()


if __name__ == "__main__":
    a = _arguments()
    act, tgt = a.pair.split("/")
    main(a.d, a.trials, a.seed, act, tgt, tuple(int(x) for x in a.steps.split(",")), alpha=a.alpha,
         path=f"several-steps-{act}-{tgt}.png")
