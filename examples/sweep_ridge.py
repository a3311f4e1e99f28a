"""A ridge learning curve swept over q = N/P: theory against trained models at every point, with
a resumable store, a netCDF copy and the figure (the theory curve with simulated means and 95 % CIs per size).

The sweep runs in this process here (``client="serial"``) to stay short; drop that argument to
run the same tasks on an embedded Dask LocalCluster, or pass ``client="tcp://host:8786"`` for an
existing cluster — the numbers are the same (each task's seed is derived from its point, size
and batch).
"""
import tempfile
from pathlib import Path

import numpy as np

import symrmt as sr
from symrmt.sweep import open_sweep, plot_sweep, sweep

if __name__ == "__main__":  # Dask's worker processes re-import this file: keep the work under the guard
    out = Path(tempfile.mkdtemp(prefix="sweep-ridge-"))
    store = out / "ridge-q.sweep"
    grid = {"q": "0.2:1.6:8"}
    ds = sweep(sr.load("ridge"), grid, sizes=[25, 50, 100], trials=8, seed=0, client="serial", store=store,
               params={"ridge": 0.1}, progress=False)
    print(ds[["theory", "deviation", "se", "verdict"]].to_dataframe().to_string())

    # rerunning the same sweep finds every task in the store and runs none
    again = sweep("ridge", grid, sizes=[25, 50, 100], trials=8, seed=0, client="serial", store=store,
                  params={"ridge": 0.1}, progress=False)
    assert again.attrs["tasks_run"] == 0 and again.attrs["tasks_reused"] == 8 * 3
    np.testing.assert_array_equal(open_sweep(store)["measurement"].values, ds["measurement"].values)

    # the theory is right: no point's extrapolated deviation is far from 0 in units of its SE
    assert bool(ds["done"].all()) and float(np.abs(ds["zscore"]).max()) < 5
    # the same Dataset as a netCDF file, read back identical
    nc = sr.sweep.to_netcdf(ds, out / "ridge-q.nc")
    np.testing.assert_array_equal(open_sweep(nc)["seed"].values, ds["seed"].values)
    png = plot_sweep(ds, out / "ridge-q.png")
    print(f"figure: {png}\ndataset: {store / 'dataset.zarr'}")
