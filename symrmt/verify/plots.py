"""PNG plots of a verification: simulated eigenvalues under the theoretical density at every size
(small multiples), scalar observables (theory against simulated means with 95 % intervals along
the ladder), and the error against the size with the fitted finite-size model.  matplotlib is
imported lazily (Agg backend, no display needed); the style is :mod:`symrmt.verify.style`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .style import FIT, REFERENCE, SIMULATION, THEORY, wrap_title

__all__ = ["plot_verification", "plot_learning_curve", "plot_spectrum"]


def _pyplot():
    from .style import pyplot

    return pyplot()


def _finish(plt, fig, ax, path: Path, xlabel: str, ylabel: str, title: str) -> Path:
    """Labels, a wrapped title and the legend; save the PNG and close the figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(wrap_title(title), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_verification(path: str | Path, title: str, scaling: dict, statistic: str,
                      eigenvalues: np.ndarray | None = None, density: Callable | None = None,
                      support: Sequence[tuple[float, float]] | None = None, n: int | None = None,
                      histograms: Sequence[dict] | None = None, ladder: Sequence[dict] | None = None) -> Path:
    """Write the PNG of a verification.

    Parameters
    ----------
    path : str or Path
        The PNG to write (its directory is created).
    title : str
        The figure's title (the derivation and its parameters).
    scaling : dict
        The finite-size fit (:class:`~symrmt.verify.scaling.FiniteSizeFit` as a dict) of the ladder.
    statistic : str
        Name of the per-trial error (the y-axis of the ladder panel).
    eigenvalues, density, support, n
        A spectral check at one size: the simulated eigenvalues under the theoretical ``density``.
    histograms : sequence of dict, optional
        A spectral check at every size: dicts with ``eigenvalues`` and ``n`` (drawn as small
        multiples under ``density``); takes precedence over ``eigenvalues``.
    ladder : sequence of dict, optional
        The report's ladder rows; for a scalar check (rows with ``theory``, ``simulated`` and
        ``ci95``) a panel of the theory against the simulated means with their 95 % intervals
        along the ladder.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if histograms is None and eigenvalues is not None:
        histograms = [{"eigenvalues": eigenvalues, "n": n}]
    histograms = list(histograms or [])
    scalar = [r for r in (ladder or []) if all(k in r for k in ("theory", "simulated", "ci95"))]
    panels = len(histograms) + (1 if scalar else 0) + 1
    fig, axes = plt.subplots(1, panels, figsize=(min(3.2 * panels + 2.3, 17), 3.9), squeeze=False)
    axes = axes[0]
    for ax, h in zip(axes, histograms):
        _histogram(ax, h["eigenvalues"], h.get("n"), density, support)
    if scalar:
        _scalar_panel(axes[len(histograms)], scalar, statistic)
    _ladder_panel(axes[-1], scaling, statistic)
    fig.suptitle(wrap_title(f"{title} — verdict: {scaling['verdict']}", 110), fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _histogram(ax, eigenvalues, n, density, support) -> None:
    ev = np.asarray(eigenvalues, dtype=float).ravel()
    ax.hist(ev, bins=min(120, max(20, ev.size // 40)), density=True, alpha=0.5, color=SIMULATION,
            label=f"simulation ({ev.size} eigenvalues)")
    if density is not None:
        lo, hi = float(ev.min()), float(ev.max())
        if support:
            lo = min(lo, min(a for a, _ in support))
            hi = max(hi, max(b for _, b in support))
        pad = 0.03 * (hi - lo + 1e-12)
        xs = np.linspace(lo - pad, hi + pad, 1500)
        ax.plot(xs, np.asarray(density(xs), dtype=float), color=THEORY, lw=1.4, label="theory")
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density")
    ax.set_title(f"n = {n}" if n is not None else "spectrum")
    ax.legend()


def _scalar_panel(ax, rows: Sequence[dict], statistic: str) -> None:
    ns = np.array([r["n"] for r in rows], dtype=float)
    sim = np.array([r["simulated"] for r in rows], dtype=float)
    ci = np.array([r["ci95"] for r in rows], dtype=float)
    th = np.array([r["theory"] for r in rows], dtype=float)
    ax.errorbar(ns, sim, yerr=[sim - ci[:, 0], ci[:, 1] - sim], fmt="o", color=SIMULATION, capsize=3,
                label="simulated mean (95 % CI)")
    ax.plot(ns, th, "s--" if np.ptp(th) > 0 else "-", color=THEORY, lw=1.4,
            label="theory" + (" (mean over the trials' draws)" if np.ptp(th) > 0 else ""))
    ax.set_xscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel(str(rows[0].get("quantity", "observable")).replace("_", " "))
    ax.set_title("theory vs simulation along the ladder")
    ax.legend()


def _ladder_panel(ax, scaling: dict, statistic: str) -> None:
    sizes = np.asarray(scaling["sizes"], dtype=float)
    errs = np.asarray(scaling["errors"], dtype=float)
    ses = np.asarray(scaling["stderrs"], dtype=float)
    ax.errorbar(sizes, errs, yerr=2 * ses, fmt="o", color=SIMULATION, capsize=3, label=f"{statistic} (±2 s.e.)")
    grid = np.geomspace(sizes.min(), sizes.max(), 50)
    q = scaling["expected_rate"]
    if scaling.get("model") == "bias":  # signed deviation: linear axis, extrapolation to n → ∞
        ax.axhline(0.0, color=REFERENCE, lw=0.8)
        ax.plot(grid, scaling["plateau"] + scaling["amplitude"] * grid ** (-q), "--", color=FIT,
                label=f"fit δ + C n^-{q:g}: δ = {scaling['plateau']:.2g} ± {scaling['plateau_se']:.1g}")
        ax.axhspan(scaling["plateau"] - 3 * scaling["plateau_se"], scaling["plateau"] + 3 * scaling["plateau_se"],
                   color=FIT, alpha=0.1, label="δ ± 3 s.e. (n → ∞)")
    elif len(sizes) >= 2 and np.isfinite(scaling["slope"]):
        ax.plot(grid, np.exp(scaling["intercept"]) * grid ** scaling["slope"], "--", color=FIT,
                label=f"fit: slope {scaling['slope']:.2f} ± {scaling['slope_se']:.2f}")
        ax.plot(grid, errs[0] * (grid / sizes[0]) ** (-q), ":", color=REFERENCE, lw=1, label=f"n^-{q:g} reference")
        ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel(statistic)
    ax.set_title(f"finite-size scaling: {scaling['verdict']}")
    ax.legend()


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
    ax.plot(grid, theory, color=THEORY, lw=1.6, label=theory_label)
    for i, (label, ys) in enumerate((extra_curves or {}).items()):
        ax.plot(grid, ys, ls="--", lw=1.1, color=f"C{i + 4}", label=label)
    ax.errorbar(points, means, yerr=[means - cis[:, 0], cis[:, 1] - means], fmt="o", color=SIMULATION, capsize=3,
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
    ax.hist(ev, bins=bins, color=SIMULATION, alpha=0.6, label=f"simulation ({ev.size} eigenvalues)")
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
