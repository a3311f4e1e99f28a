"""PNG plots of a verification: simulated eigenvalues under the theoretical density, and the error
against the matrix size on log–log axes with the fitted power law.  matplotlib is imported lazily
(Agg backend, no display needed)."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["plot_verification", "plot_learning_curve", "plot_spectrum"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _finish(plt, fig, ax, path: Path, xlabel: str, ylabel: str, title: str) -> Path:
    """Labels, a wrapped title and the legend; save the PNG and close the figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_verification(path: str | Path, title: str, scaling: dict, statistic: str,
                      eigenvalues: np.ndarray | None = None, density: Callable | None = None,
                      support: Sequence[tuple[float, float]] | None = None, n: int | None = None) -> Path:
    """Write a PNG with (left) a histogram of ``eigenvalues`` under ``density`` and (right) the error
    ladder of ``scaling`` (a :class:`~symrmt.verify.scaling.FiniteSizeFit` dict) with its fit.

    The left panel is omitted when no eigenvalues are given (scalar observables).
    """
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spectral = eigenvalues is not None
    fig, axes = plt.subplots(1, 2 if spectral else 1, figsize=(11 if spectral else 5.5, 4.2))
    axes = np.atleast_1d(axes)
    if spectral:
        ax = axes[0]
        ev = np.asarray(eigenvalues, dtype=float).ravel()
        ax.hist(ev, bins=min(120, max(20, ev.size // 40)), density=True, alpha=0.5, color="C0",
                label=f"simulation (n = {n}, {ev.size} eigenvalues)")
        if density is not None:
            lo, hi = float(ev.min()), float(ev.max())
            if support:
                lo = min(lo, min(a for a, _ in support))
                hi = max(hi, max(b for _, b in support))
            pad = 0.03 * (hi - lo + 1e-12)
            xs = np.linspace(lo - pad, hi + pad, 1500)
            ax.plot(xs, np.asarray(density(xs), dtype=float), color="C3", lw=1.6, label="theory")
        ax.set_xlabel("eigenvalue")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        ax.set_title(title, fontsize=10)
    ax = axes[-1]
    sizes = np.asarray(scaling["sizes"], dtype=float)
    errs = np.asarray(scaling["errors"], dtype=float)
    ses = np.asarray(scaling["stderrs"], dtype=float)
    ax.errorbar(sizes, errs, yerr=2 * ses, fmt="o", color="C0", capsize=3, label=f"{statistic} (±2 s.e.)")
    grid = np.geomspace(sizes.min(), sizes.max(), 50)
    q = scaling["expected_rate"]
    if scaling.get("model") == "bias":  # signed deviation: linear axis, extrapolation to n → ∞
        ax.axhline(0.0, color="k", lw=0.8)
        ax.plot(grid, scaling["plateau"] + scaling["amplitude"] * grid ** (-q), "C0--",
                label=f"fit δ + C n^-{q:g}: δ = {scaling['plateau']:.2g} ± {scaling['plateau_se']:.1g}")
        ax.axhspan(scaling["plateau"] - 3 * scaling["plateau_se"], scaling["plateau"] + 3 * scaling["plateau_se"],
                   color="C0", alpha=0.1, label="δ ± 3 s.e.")
    else:
        ax.plot(grid, np.exp(scaling["intercept"]) * grid ** scaling["slope"], "C0--",
                label=f"fit: slope {scaling['slope']:.2f} ± {scaling['slope_se']:.2f}")
        ax.plot(grid, errs[0] * (grid / sizes[0]) ** (-q), "k:", lw=1, label=f"n^-{q:g} reference")
        ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel(statistic)
    ax.set_title(f"verdict: {scaling['verdict']}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_learning_curve(path: str | Path, grid: np.ndarray, theory: np.ndarray, points: np.ndarray,
                        means: np.ndarray, cis: np.ndarray, xlabel: str, ylabel: str, title: str = "",
                        theory_label: str = "theory", sim_label: str = "simulation (95% CI)",
                        log: bool = True, extra_curves: dict | None = None) -> Path:
    """Write a PNG of a theoretical curve with simulated means and their confidence intervals.

    ``cis`` has shape ``(len(points), 2)`` (lower, upper); ``log`` uses log–log axes;
    ``extra_curves`` maps labels to further curves on the same ``grid`` (dashed).
    """
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    means, cis = np.asarray(means, dtype=float), np.asarray(cis, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(grid, theory, color="C3", lw=1.6, label=theory_label)
    for i, (label, ys) in enumerate((extra_curves or {}).items()):
        ax.plot(grid, ys, ls="--", lw=1.1, color=f"C{i + 4}", label=label)
    ax.errorbar(points, means, yerr=[means - cis[:, 0], cis[:, 1] - means], fmt="o", color="C0", capsize=3,
                label=sim_label)
    if log:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    return _finish(plt, fig, ax, path, xlabel, ylabel, title)


def plot_spectrum(path: str | Path, eigenvalues: np.ndarray, markers: dict | None = None, title: str = "",
                  xlabel: str = "eigenvalue", log: bool = True, cdf: Any = None,
                  cdf_label: str = "theory") -> Path:
    """Write a PNG histogram of simulated ``eigenvalues`` (log-spaced bins with ``log``) with
    vertical lines at theoretical positions ``markers = {label: x}`` (e.g. predicted outliers)
    and, with ``cdf`` (a vectorized theoretical CDF), the expected count in every bin,
    ``N·(F(b_{i+1}) − F(b_i))``, as a step line."""
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ev = np.asarray(eigenvalues, dtype=float).ravel()
    if log:
        ev = ev[ev > 0]
        bins = np.geomspace(ev.min(), ev.max() * 1.05, 80)
    else:
        bins = np.linspace(ev.min(), ev.max(), 81)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.hist(ev, bins=bins, color="C0", alpha=0.6, label=f"simulation ({ev.size} eigenvalues)")
    if cdf is not None:
        expected = ev.size * np.diff(np.asarray(cdf(bins), dtype=float))
        ax.stairs(np.maximum(expected, 1e-3), bins, color="C1", lw=1.6, label=cdf_label)
    for i, (label, x) in enumerate((markers or {}).items()):
        ax.axvline(float(x), color=f"C{i + 3}", ls="--", lw=1.4, label=label)
    if log:
        ax.set_xscale("log")
    ax.set_yscale("log")
    if cdf is not None:
        ax.set_ylim(bottom=0.5)
    return _finish(plt, fig, ax, path, xlabel, "count", title)
