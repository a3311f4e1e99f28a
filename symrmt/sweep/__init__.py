"""Sweeps and falsification at scale: theory against simulation over parameter grids, on Dask
distributed, resumable, with results as an :class:`xarray.Dataset` written to Zarr (and netCDF when asked).

* :func:`sweep` — every point of a grid: the theory (one vectorized solve), the simulations (one
  task per point × size × trial batch), the extrapolated deviation with its standard error and
  the verdict per point (see ``docs/sweep.md``);
* :func:`falsify` — an adaptive search for where theory and simulation disagree;
* :func:`open_sweep` — a finished sweep's Dataset read back from its store (or a netCDF file);
* :func:`to_netcdf` — a sweep's Dataset written to a netCDF file;
* :func:`plot_sweep` — the 1-D curve with simulated means and CIs, or the 2-D z-score heatmap.

The package itself is callable — ``symrmt.sweep(derivation, grid, ...)`` is :func:`sweep` — so
that ``sr.sweep`` means the same whether it names the function or this package.  Nothing heavy
(dask, xarray, torch, matplotlib) is imported until a function runs.
"""
from __future__ import annotations

import sys
import types

from .grid import Axis, Grid, parse_axis, parse_range

__all__ = ["sweep", "falsify", "open_sweep", "to_netcdf", "plot_sweep", "plot_falsification", "Axis", "Grid", "parse_axis",
           "parse_range", "Falsification", "holm"]


def __getattr__(name: str):
    if name == "sweep":
        from .run import sweep
        return sweep
    if name in ("falsify", "Falsification", "holm"):
        from . import search
        return getattr(search, name)
    if name in ("open_sweep", "to_netcdf"):
        from . import dataset
        return getattr(dataset, name)
    if name in ("plot_sweep", "plot_falsification"):
        from . import plots
        return getattr(plots, name)
    raise AttributeError(f"module 'symrmt.sweep' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`symrmt.sweep.run.sweep`."""

    def __call__(self, *args, **kwargs):
        from .run import sweep

        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
