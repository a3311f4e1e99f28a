"""Figures of a sweep (matplotlib, Agg; imported when a figure is drawn), saved where the caller says.

* 1-D sweep: the theory curve with the simulated means and their 95 % confidence intervals over
  it, one series per size (for a derivation whose theory is not a number — a spectral law — the
  mean statistic per size, whose theory value is 0);
* 2-D sweep: a heatmap of the deviation z-scores ``δ / SE(δ)`` with the "disagrees" region outlined
  (solid) and the "agrees" region outlined (dashed);
* a falsification: its points coloured by |z| with the significant region(s) boxed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["plot_sweep", "plot_falsification"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _ci(x: np.ndarray) -> tuple[float, float, float]:
    from ..verify import mean_ci

    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.nan, np.nan, np.nan
    e = mean_ci(x)
    return e.value, e.low, e.high


def _setting(v: Any) -> str:
    """A fixed setting in a title: numbers in %g, options as their text."""
    return f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _swept(ds) -> list[str]:
    return [d for d in ds["theory"].dims]


def plot_sweep(ds: Any, path: str | Path, title: str | None = None) -> Path:
    """Draw a sweep's figure into the PNG ``path`` (1-D: curve with CIs; 2-D: z-score heatmap).

    Parameters
    ----------
    ds : xarray.Dataset
        What :func:`symrmt.sweep.sweep` returned (or :func:`~symrmt.sweep.open_sweep` read).
    path : str or Path
        The PNG to write (its directory must exist).
    title : str, optional
        Default: the derivation's name and the fixed parameters.

    Returns
    -------
    Path
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise ParameterError(f"path: directory {str(path.parent)!r} does not exist")
    dims = _swept(ds)
    if len(dims) not in (1, 2):
        raise ParameterError(f"plot: a figure needs a 1-D or 2-D sweep, got {len(dims)} swept parameters {dims} "
                             "(select some with ds.sel(...) first)")
    plt = _pyplot()
    if title is None:
        import json

        fixed = {**json.loads(ds.attrs.get("params", "{}") or "{}"),
                 **json.loads(ds.attrs.get("options", "{}") or "{}")}
        title = ds.attrs.get("derivation", "") + (" (" + ", ".join(f"{k} = {_setting(v)}" for k, v in fixed.items())
                                                  + ")" if fixed else "")
    if len(dims) == 1:
        fig, ax = plt.subplots(figsize=(6, 4.2))
        _curve(ax, ds, dims[0])
    else:
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
        _heatmap(fig, ax, ds, dims)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _curve(ax, ds, name: str) -> None:
    x = np.asarray(ds[name].values, dtype=float)
    theory = np.asarray(ds["theory"].values, dtype=float)
    scalar = "simulated" in ds and np.isfinite(theory).any()
    var = "simulated" if scalar else "measurement"
    if scalar:
        dense = x if x.size > 1 else x
        ax.plot(dense, theory, "k-", lw=1.5, label="theory", zorder=3)
    else:
        ax.axhline(0.0, color="k", lw=1, label="theory (statistic 0)")
    sizes = [int(n) for n in ds["size"].values]
    width = (x.max() - x.min()) / max(len(x), 1) * 0.15 if x.size > 1 else 0.0
    for j, n in enumerate(sizes):
        stats = np.array([_ci(np.asarray(ds[var].isel(size=j).values[i], dtype=float)) for i in range(x.size)])
        off = (j - (len(sizes) - 1) / 2) * width / max(len(sizes), 1)
        ax.errorbar(x + off, stats[:, 0], yerr=[stats[:, 0] - stats[:, 1], stats[:, 2] - stats[:, 0]], fmt="o",
                    ms=3.5, capsize=2, label=f"simulated, n = {n} (95 % CI)")
    if int(ds[name].attrs.get("log", 0)):
        ax.set_xscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel(ds.attrs.get("quantity") or ds.attrs.get("statistic", "value") if scalar
                  else ds.attrs.get("statistic", "statistic"))
    ax.legend(fontsize=7)


def _heatmap(fig, ax, ds, dims) -> None:
    ya, xa = dims
    x = np.asarray(ds[xa].values, dtype=float)
    y = np.asarray(ds[ya].values, dtype=float)
    z = np.asarray(ds["zscore"].values, dtype=float)
    lim = max(3.0, float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 3.0)
    mesh = ax.pcolormesh(_edges(x, bool(int(ds[xa].attrs.get("log", 0)))), _edges(y, bool(int(ds[ya].attrs.get("log", 0)))),
                         z, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="flat")
    fig.colorbar(mesh, ax=ax, label="deviation z-score δ / SE(δ)")
    verdict = np.asarray(ds["verdict"].values).astype(str)
    xe, ye = _edges(x, bool(int(ds[xa].attrs.get("log", 0)))), _edges(y, bool(int(ds[ya].attrs.get("log", 0))))
    for name, style in (("disagrees", "-"), ("agrees", "--")):
        mask = verdict == name
        _outline(ax, xe, ye, mask, style)
        if name == "disagrees":
            for (i, k) in zip(*np.nonzero(mask)):
                ax.plot(x[k], y[i], "kx", ms=5)
    ax.plot([], [], "k-", label="disagrees (outlined, ×)")
    ax.plot([], [], "k--", label="agrees (outlined)")
    if int(ds[xa].attrs.get("log", 0)):
        ax.set_xscale("log")
    if int(ds[ya].attrs.get("log", 0)):
        ax.set_yscale("log")
    ax.set_xlabel(xa)
    ax.set_ylabel(ya)
    ax.legend(fontsize=7, loc="upper left")


def _edges(c: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around centres ``c`` (midpoints; geometric midpoints on a log axis)."""
    if c.size == 1:
        return np.array([c[0] * 0.9, c[0] * 1.1]) if log else np.array([c[0] - 0.5, c[0] + 0.5])
    t = np.log(c) if log else c
    mid = (t[1:] + t[:-1]) / 2
    e = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
    return np.exp(e) if log else e


def _outline(ax, xe: np.ndarray, ye: np.ndarray, mask: np.ndarray, style: str) -> None:
    """Draw the boundary of the cells where ``mask`` (rows: y, columns: x) is True."""
    ny, nx = mask.shape
    pad = np.zeros((ny + 2, nx + 2), dtype=bool)
    pad[1:-1, 1:-1] = mask
    for i, k in zip(*np.nonzero(mask)):
        a, b = i + 1, k + 1
        if not pad[a - 1, b]:
            ax.plot([xe[k], xe[k + 1]], [ye[i], ye[i]], "k" + style, lw=1.5)
        if not pad[a + 1, b]:
            ax.plot([xe[k], xe[k + 1]], [ye[i + 1], ye[i + 1]], "k" + style, lw=1.5)
        if not pad[a, b - 1]:
            ax.plot([xe[k], xe[k]], [ye[i], ye[i + 1]], "k" + style, lw=1.5)
        if not pad[a, b + 1]:
            ax.plot([xe[k + 1], xe[k + 1]], [ye[i], ye[i + 1]], "k" + style, lw=1.5)


def plot_falsification(result: Any, path: str | Path) -> Path:
    """Draw a falsification's points (colour: ``|z|`` of the exploration, size: trials), the confirmed
    points and the region(s) of disagreement (boxes) into the PNG ``path``."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ParameterError(f"path: directory {str(path.parent)!r} does not exist")
    plt = _pyplot()
    names = list(result.ranges)
    pts = np.array([[p[k] for k in names] for p in result.points], dtype=float)
    z = np.abs(np.asarray(result.zscores, dtype=float))
    fig, ax = plt.subplots(figsize=(6.2, 4.6))
    if len(names) == 1:
        ax.scatter(pts[:, 0], z, c="C0", s=14, label="explored points")
        for c in result.confirmations:
            ax.plot(c["point"][names[0]], abs(c["z"]), "r*" if c["significant"] else "k+", ms=10)
        ax.axhline(result.threshold, color="r", ls=":", lw=1, label=f"confirmation threshold |z| = {result.threshold:.2f}")
        ax.set_ylabel("|z| = |δ| / SE(δ)")
        for reg in result.regions:
            lo, hi = reg["bounds"][names[0]]
            ax.axvspan(lo, hi, color="r", alpha=0.15)
    else:
        sc = ax.scatter(pts[:, 0], pts[:, 1], c=z, cmap="viridis", s=18, vmin=0)
        fig.colorbar(sc, ax=ax, label="|z| of the exploration")
        for c in result.confirmations:
            ax.plot(c["point"][names[0]], c["point"][names[1]], "r*" if c["significant"] else "k+", ms=11)
        for reg in result.regions:
            (x0, x1), (y0, y1) = reg["bounds"][names[0]], reg["bounds"][names[1]]
            ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="r", lw=2))
        ax.set_ylabel(names[1])
        if result.log.get(names[1]):
            ax.set_yscale("log")
    if result.log.get(names[0]):
        ax.set_xscale("log")
    ax.set_xlabel(names[0])
    ax.plot([], [], "r*", label="confirmed disagreement (Holm)")
    ax.plot([], [], "k+", label="not confirmed")
    ax.legend(fontsize=7)
    ax.set_title(f"falsify {result.derivation}: {result.summary_line()}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
