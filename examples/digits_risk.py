"""Predict the risk of ridge on real images from their measured spectrum, and check it.

scikit-learn's bundled handwritten digits (1797 images of 8×8 pixels, standardized; centred
one-hot targets) in two representations: the raw pixels (linear kernel) and the one-hidden-layer
ReLU NTK (:mod:`symrmt.kernels`).  The 1797 points are the population: the deterministic
equivalent ("omniscient risk", Wei, Hu & Steinhardt, arXiv 2203.06176) is computed from the
eigenvalues of K/M and the targets' coefficients on its eigenvectors, and compared with the
held-out risk of ridge fitted on n random points (10 subsamples per point by default, seed 0,
95 % intervals) and with GCV computed from the training points alone.  The script checks that the
NTK's prediction is within 10 % of the held-out risk over the whole grid and that on raw pixels
at λ̃ = 1e-4 the held-out risk is at least 1.5 times the prediction (see docs/data.md).  Three figures per representation:

* risk against the ridge λ̃ at several n (held-out with intervals, GCV, deterministic equivalent);
* risk against n on log–log axes at a small ridge, with the fitted and the predicted exponents;
* the spectrum and the source (tail sums of the squared coefficients) with their power-law fits.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from symrmt.data import (digits, fit_risk_exponent, fit_spectrum, kernel_matrix, one_hot, predicted_risk_exponent,
                         risk_table, spectral_data, subsample_risk)
from symrmt.verify.style import FIT, REFERENCE, SIMULATION, THEORY, pyplot


def representations(names=("pixels", "ntk")):
    X, labels = digits()
    Y = one_hot(labels)
    out = {}
    for name in names:
        out[name] = X @ X.T if name == "pixels" else kernel_matrix(X, "ntk", "relu")
    return out, Y


def plot_risk_vs_ridge(path, name, spec, m):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    lam = np.geomspace(m.ridges.min(), m.ridges.max(), 60)
    mean, ci, g = m.mean("heldout"), m.interval("heldout"), m.mean("gcv")
    for i, n in enumerate(m.sizes):
        c = f"C{i}"
        ax.errorbar(m.ridges, mean[i], yerr=[mean[i] - ci[i, :, 0], ci[i, :, 1] - mean[i]], fmt="o", ms=3, color=c,
                    label=f"held-out, n = {n}")
        ax.plot(m.ridges, g[i], "x", color=c, ms=5)
        ax.plot(lam, spec.risk(n, lam)["test_error"], "-", color=c, lw=1)
    ax.plot([], [], "x", color="gray", label="GCV (training points)")
    ax.plot([], [], "-", color="gray", label="deterministic equivalent")
    ax.set(xscale="log", yscale="log", xlabel="per-sample ridge λ̃", ylabel="test MSE per output",
           title=f"digits, {name}: {m.subsamples} subsamples, seed {m.seed}, 95 % CI")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_risk_vs_n(path, name, spec, m, fit):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    mean, ci = m.mean("heldout")[:, 0], m.interval("heldout")[:, 0]
    se = m.heldout[:, 0].std(axis=-1, ddof=1) / np.sqrt(m.subsamples)
    r, r_se = fit_risk_exponent(m.sizes, mean, se)
    ns = np.geomspace(m.sizes.min(), m.sizes.max(), 60)
    de = spec.risk(ns, m.ridges[0])["test_error"]
    pred, pred_se = predicted_risk_exponent(fit.alpha, fit.beta, fit.alpha_stderr, fit.beta_stderr)
    ax.errorbar(m.sizes, mean, yerr=[mean - ci[:, 0], ci[:, 1] - mean], fmt="o", color=SIMULATION,
                label=f"held-out (fit: n^-{r:.2f}±{r_se:.2f})")
    ax.plot(ns, de, "-", color=THEORY, label="deterministic equivalent")
    ax.plot(ns, mean[0] * (ns / ns[0]) ** (-pred), ":", color=REFERENCE,
            label=f"n^-min(β−1, 2α) = n^-{pred:.2f}±{pred_se:.2f}")
    ax.set(xscale="log", yscale="log", xlabel="training points n", ylabel="test MSE per output",
           title=f"digits, {name}: λ̃ = {m.ridges[0]:g}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path, (r, r_se), (pred, pred_se)


def plot_spectrum_and_source(path, name, spec, fit):
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.3))
    k = np.arange(1, spec.eigenvalues.size + 1)
    tail = np.append(np.cumsum(spec.coef2[::-1])[::-1][1:], 0.0)
    lo, hi = fit.k_range()
    kk = np.arange(lo, hi + 1)
    axes[0].loglog(k, spec.eigenvalues, ".", ms=2, color=SIMULATION, label="eigenvalues of K/M")
    axes[0].loglog(kk, fit.spectrum(kk), "-", color=FIT if FIT != SIMULATION else "C1",
                   label=f"k^-α, α = {fit.alpha:.2f} ± {fit.alpha_stderr:.2f} (k = {lo}..{hi})")
    keep = tail > 0
    axes[1].loglog(k[keep], tail[keep], ".", ms=2, color=SIMULATION, label="Σ_{j>k} c_j²")
    axes[1].loglog(kk, fit.tail.amplitude * (kk + 0.5) ** (-fit.tail.exponent), "-", color="C1",
                   label=f"β = {fit.beta:.2f} ± {fit.beta_stderr:.2f}")
    for ax in axes:
        ax.axvspan(lo, hi, color="0.9", zorder=0)
        ax.set_xlabel("mode k")
        ax.legend()
    axes[0].set_title(f"digits, {name}: spectrum")
    axes[1].set_title("source (tail sums), fit range shaded")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def main(out: str = "digits_risk", sizes=(50, 100, 200, 400), ridges=(1e-4, 1e-3, 1e-2, 1e-1, 1.0),
         subsamples: int = 10, seed: int = 0, names=("pixels", "ntk")) -> dict:
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    reps, Y = representations(names)
    results = {}
    for name, K in reps.items():
        spec = spectral_data(Y, kernel=K)
        m = subsample_risk(Y, sizes, ridges, kernel=K, subsamples=subsamples, seed=seed)
        fit = fit_spectrum(spec)
        table = risk_table(spec, m)
        p1 = plot_risk_vs_ridge(directory / f"{name}-risk-vs-ridge.png", name, spec, m)
        p2, measured, predicted = plot_risk_vs_n(directory / f"{name}-risk-vs-n.png", name, spec, m, fit)
        p3 = plot_spectrum_and_source(directory / f"{name}-spectrum.png", name, spec, fit)
        results[name] = {"table": table, "alpha": (fit.alpha, fit.alpha_stderr), "beta": (fit.beta, fit.beta_stderr),
                         "fit_range": fit.k_range(), "measured_exponent": measured, "predicted_exponent": predicted,
                         "figures": [p1, p2, p3]}
        print(f"{name}: α = {fit.alpha:.3f} ± {fit.alpha_stderr:.3f}, β = {fit.beta:.3f} ± {fit.beta_stderr:.3f} "
              f"(k = {fit.k_range()}); risk ∝ n^-r at λ̃ = {ridges[0]:g}: measured r = {measured[0]:.3f} ± "
              f"{measured[1]:.3f}, min(β−1, 2α) = {predicted[0]:.3f} ± {predicted[1]:.3f}")
        print(f"{'n':>5} {'ridge':>8} {'held-out':>9} {'95% CI':>19} {'GCV':>8} {'DE':>8}  DE in CI  GCV in CI")
        for r in table:
            print(f"{r['n']:5d} {r['ridge']:8.0e} {r['heldout']:9.5f} [{r['ci95'][0]:.5f}, {r['ci95'][1]:.5f}] "
                  f"{r['gcv']:8.5f} {r['de']:8.5f}  {str(r['de_in_ci']):8s}  {r['gcv_in_ci']}")
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="digits_risk")
    ap.add_argument("--subsamples", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    res = main(a.out, subsamples=a.subsamples, seed=a.seed)
    # the claims of docs/data.md: the NTK's deterministic equivalent within 10 % of the held-out
    # risk over the whole grid; raw pixels at λ̃ = 1e-4 at least 1.5 times the prediction (measured
    # 1.9–3.6 with these 10 subsamples, seed 0)
    assert all(abs(r["de_rel"]) < 0.10 for r in res["ntk"]["table"])
    assert all(r["heldout"] > 1.5 * r["de"] for r in res["pixels"]["table"] if r["ridge"] == 1e-4)
