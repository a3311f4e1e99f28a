"""The results of a sweep as an :class:`xarray.Dataset`.

Dimensions: the swept parameters (grid) or ``point`` (a set of points, with the parameters as
coordinates along it), then ``size`` and ``trial``.  Variables:

* ``theory`` — the theory's value at each point (NaN where it is not a number, e.g. a law);
* ``measurement`` — the per-trial statistic the derivation measures (a signed relative deviation
  for learning curves, a Kolmogorov–Smirnov distance for spectra); NaN for trials not run;
* ``simulated`` — for signed relative deviations, the simulated quantity per trial;
* ``mean``, ``stderr`` — the statistic's mean and standard error at each size;
* ``deviation``, ``se`` — the deviation extrapolated to n → ∞ and its standard error;
  ``zscore = deviation / se``; ``verdict`` — "agrees", "disagrees", "inconclusive" (or "no
  theory" / "not run");
* ``done`` — which trials were run; ``seed`` — each (point, size, batch) task's seed.

Attributes: the derivation's name and source hash, the versions of the libraries, the base seed
and how task seeds are derived, the device and dtype, sizes, trials, batch, the grid and the fixed
and theory parameters (nested values as JSON text, so that Zarr and netCDF both hold them).
"""
from __future__ import annotations

import json
import time
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["grid_dataset", "points_dataset", "open_sweep", "to_netcdf", "NETCDF_ENGINES"]

#: xarray's netCDF engines, in order of preference (the first installed one is used).
NETCDF_ENGINES = ("h5netcdf", "netcdf4", "scipy")

SEED_RULE = "task seed = symrmt.simulate.derive_seed(seed, *stream, point, size, batch)"


def _variables(d: Any, shape: tuple, dims: tuple, sizes: Sequence[int], out: Mapping) -> dict:
    from ..verify import mean_ci

    P, S, T = out["errors"].shape
    err = out["errors"]
    mean = np.full((P, S), np.nan)
    se = np.full((P, S), np.nan)
    for p in range(P):
        for j in range(S):
            x = err[p, j][np.isfinite(err[p, j])]
            if x.size:
                e = mean_ci(x)
                mean[p, j], se[p, j] = e.value, (e.stderr if x.size > 1 else np.nan)
    fits = out["fits"]
    dev = np.array([f["deviation"] for f in fits], dtype=float)
    dse = np.array([f["se"] for f in fits], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(dse > 0, dev / dse, np.nan)
    z = np.array([f.get("zscore", zi) for f, zi in zip(fits, z)], dtype=float)  # NaN where a kind has no z-score
    verdict = np.array([f["verdict"] for f in fits], dtype="<U12")
    theory = np.asarray(out["theory"], dtype=float)
    full = dims + ("size", "trial")
    v = {
        "theory": (dims, theory.reshape(shape)),
        "measurement": (full, err.reshape(shape + (S, T))),
        "mean": (dims + ("size",), mean.reshape(shape + (S,))),
        "stderr": (dims + ("size",), se.reshape(shape + (S,))),
        "deviation": (dims, dev.reshape(shape)),
        "se": (dims, dse.reshape(shape)),
        "zscore": (dims, z.reshape(shape)),
        "verdict": (dims, verdict.reshape(shape)),
        "done": (full, np.isfinite(err).reshape(shape + (S, T))),
        "seed": (dims + ("size", "batch"), out["seeds"].reshape(shape + out["seeds"].shape[1:])),
    }
    if getattr(d, "scaling_model", None) == "bias":
        v["simulated"] = (full, (theory[:, None, None] + err * np.abs(theory)[:, None, None]).reshape(shape + (S, T)))
    return v


def _attrs(d: Any, sizes, per, batch, manifest: Mapping, device, dtype, seconds: float, out: Mapping) -> dict:
    from ..verify import environment

    return {
        "derivation": d.name, "summary": getattr(d, "summary", ""), "reference": getattr(d, "reference", ""),
        "derivation_source_hash": manifest["source_hash"], "symrmt_version": manifest["symrmt"],
        "versions": json.dumps(environment(device, dtype), sort_keys=True),
        "statistic": getattr(d, "statistic", "error"), "scaling_model": getattr(d, "scaling_model", "power"),
        "quantity": str(getattr(d, "quantity", "")), "expected_rate": float(getattr(d, "expected_rate", 1.0)),
        "seed": int(manifest["seed"]), "seed_rule": SEED_RULE, "device": str(device),
        "dtype": str(dtype).replace("torch.", ""), "sizes": [int(n) for n in sizes],
        "trials": json.dumps({str(n): int(per[n]) for n in sizes}), "batch": int(batch),
        "grid": json.dumps(manifest.get("grid")), "params": json.dumps(manifest.get("params", {})),
        "options": json.dumps(manifest.get("options", {})),
        "theory_params": json.dumps(manifest.get("theory_params", {})), "engine": manifest.get("engine", ""),
        "tasks_run": int(out["ran"]), "tasks_reused": int(out["reused"]),
        "task_seconds": float(out["seconds"]), "task_cpu_seconds": float(out.get("cpu_seconds", 0.0)),
        "wall_seconds": float(seconds),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def grid_dataset(d: Any, grid: Any, sizes, per, batch, out: Mapping, manifest: Mapping, device, dtype,
                 seconds: float):
    """The Dataset of a grid sweep (dims: the swept parameters, size, trial)."""
    import xarray as xr

    coords = {a.name: np.asarray(a.values) for a in grid.axes}
    coords.update(size=np.asarray(sizes, dtype=np.int64), trial=np.arange(out["errors"].shape[2]),
                  batch=np.arange(out["seeds"].shape[2]))
    ds = xr.Dataset(_variables(d, grid.shape, grid.names, sizes, out), coords=coords,
                    attrs=_attrs(d, sizes, per, batch, manifest, device, dtype, seconds, out))
    for a in grid.axes:
        ds[a.name].attrs["log"] = int(a.log)
    return ds


def points_dataset(d: Any, points: Sequence[Mapping[str, float]], sizes, per, batch, out: Mapping,
                   manifest: Mapping, device, dtype, seconds: float):
    """The Dataset of a set of points (dims: point, size, trial; parameters as coordinates)."""
    import xarray as xr

    names = list(points[0]) if points else []
    coords = {k: ("point", np.array([p[k] for p in points], dtype=float)) for k in names}
    coords.update(point=np.arange(len(points)), size=np.asarray(sizes, dtype=np.int64),
                  trial=np.arange(out["errors"].shape[2]), batch=np.arange(out["seeds"].shape[2]))
    return xr.Dataset(_variables(d, (len(points),), ("point",), sizes, out), coords=coords,
                      attrs=_attrs(d, sizes, per, batch, manifest, device, dtype, seconds, out))


def open_sweep(store: Any):
    """A finished sweep's Dataset, loaded in memory: from a store directory (``STORE/dataset.zarr``)
    or from a netCDF file written by ``export=`` / :func:`to_netcdf`.

    Parameters
    ----------
    store : str or Path
        The store directory, or a ``.nc`` file.

    Returns
    -------
    xarray.Dataset
        The sweep's Dataset (the same variables, coordinates and attributes as :func:`sweep`
        returned).

    Raises
    ------
    ParameterError
        When there is no finished sweep there.
    """
    from pathlib import Path

    import xarray as xr

    from ..errors import ParameterError
    path = Path(store)
    if path.suffix == ".nc":
        if not path.is_file():
            raise ParameterError(f"store: netCDF file {str(path)!r} does not exist")
        with xr.open_dataset(path, engine=_netcdf_engine()) as ds:
            return _decode_netcdf(ds.load())
    zpath = path / "dataset.zarr"
    if not zpath.is_dir():
        raise ParameterError(f"store: {str(path)!r} holds no finished sweep (no dataset.zarr); rerun the sweep "
                             "to finish it")
    with xr.open_zarr(zpath) as ds:
        return ds.load()


def _netcdf_engine() -> str:
    import importlib.util

    from ..errors import ParameterError
    modules = {"h5netcdf": "h5netcdf", "netcdf4": "netCDF4", "scipy": "scipy"}
    for engine in NETCDF_ENGINES:
        if importlib.util.find_spec(modules[engine]) is not None:
            return engine
    raise ParameterError("export: writing netCDF needs h5netcdf, netCDF4 or scipy; none is installed")


def to_netcdf(ds: Any, path: Any) -> Any:
    """Write a sweep's Dataset to the netCDF file ``path``, atomically (a temporary file in the same
    directory, renamed into place), with xarray's first installed engine of :data:`NETCDF_ENGINES`.

    netCDF-3 (the scipy engine) has no 64-bit integers: the task seeds (uint64) are written as
    decimal text and :func:`open_sweep` turns them back into integers; every other variable,
    coordinate and attribute reads back equal.

    Parameters
    ----------
    ds : xarray.Dataset
        What :func:`~symrmt.sweep.sweep` returned.
    path : str or Path
        The file, ending in ``.nc``; its directory must exist.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        When ``path`` is not a ``.nc`` file in an existing directory.

    Examples
    --------
    >>> import symrmt as sr                                                   # doctest: +SKIP
    >>> ds = sr.sweep("ridge", {"q": [0.3, 0.6]}, sizes=[20, 40], client="serial")  # doctest: +SKIP
    >>> sr.sweep.to_netcdf(ds, "ridge-q.nc")                                  # doctest: +SKIP
    >>> sr.sweep.open_sweep("ridge-q.nc").deviation                          # doctest: +SKIP
    """
    import os
    import tempfile
    from pathlib import Path

    from ..errors import ParameterError
    out = Path(path)
    if out.suffix != ".nc":
        raise ParameterError(f"path: expected a netCDF file name ending in .nc, got {str(path)!r}")
    if not out.parent.is_dir():
        raise ParameterError(f"path: directory {str(out.parent)!r} does not exist")
    engine = _netcdf_engine()
    enc = ds.copy()
    if "seed" in enc and enc["seed"].dtype.kind in "iu" and enc["seed"].dtype.itemsize == 8:
        enc["seed"] = enc["seed"].copy(data=enc["seed"].values.astype(str))
        enc["seed"].attrs["symrmt_dtype"] = str(ds["seed"].dtype)
    for name in list(enc.attrs):  # netCDF attributes: text, numbers or lists of numbers
        if isinstance(enc.attrs[name], bool):
            enc.attrs[name] = int(enc.attrs[name])
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".nc", dir=out.parent)
    os.close(fd)
    try:
        enc.to_netcdf(tmp, engine=engine)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out


def _decode_netcdf(ds: Any) -> Any:
    """Undo :func:`to_netcdf`'s encodings and netCDF-3's narrowing: the seeds back to integers,
    32-bit integer coordinates back to 64-bit, text back to fixed-width strings, list attributes
    back to lists."""
    if "seed" in ds and "symrmt_dtype" in ds["seed"].attrs:
        dtype = np.dtype(ds["seed"].attrs["symrmt_dtype"])
        values = np.array([dtype.type(int(x)) for x in ds["seed"].values.astype(str).ravel()],
                          dtype=dtype).reshape(ds["seed"].shape)
        attrs = {k: v for k, v in ds["seed"].attrs.items() if k != "symrmt_dtype"}
        ds["seed"] = ds["seed"].copy(data=values)
        ds["seed"].attrs = attrs
    for name in list(ds.variables):
        v = ds[name]
        if v.dtype == np.int32:
            ds[name] = v.astype(np.int64)
        elif v.dtype == object:
            ds[name] = v.astype(str)
    for name, value in list(ds.attrs.items()):
        if isinstance(value, np.ndarray):
            ds.attrs[name] = value.tolist()
        elif isinstance(value, np.generic):
            ds.attrs[name] = value.item()
    if "sizes" in ds.attrs and not isinstance(ds.attrs["sizes"], list):  # a one-element list reads back as a number
        ds.attrs["sizes"] = [ds.attrs["sizes"]]
    return ds
