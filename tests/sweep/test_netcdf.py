"""netCDF: a sweep's Dataset written with ``export=`` / ``to_netcdf`` reads back equal (values,
dtypes, coordinates, attributes), including the uint64 seeds netCDF-3 cannot hold as integers."""
import numpy as np
import pytest
import xarray as xr

from symrmt.errors import ParameterError
from symrmt.simulate import derive_seed
from symrmt.sweep import open_sweep, sweep, to_netcdf

KW = dict(sizes=[20, 40], trials=3, seed=5, client="serial", progress=False)


def _assert_same(a, b):
    xr.testing.assert_identical(a, b)
    assert set(a.variables) == set(b.variables)
    for k in a.variables:
        assert a[k].dtype == b[k].dtype, k
        assert a[k].attrs == b[k].attrs, k
        np.testing.assert_array_equal(a[k].values, b[k].values)  # NaN == NaN here
    assert a.attrs == b.attrs


def test_export_round_trip(tmp_path):
    path = tmp_path / "ridge.nc"
    ds = sweep("ridge", {"q": [0.3, 0.6], "ridge": [0.1, 1.0]}, store=tmp_path / "s", export=path, batch=2, **KW)
    back = open_sweep(path)
    _assert_same(ds, back)
    _assert_same(open_sweep(tmp_path / "s"), back)  # the Zarr store holds the same Dataset
    # the seeds are the derived ones (not only equal to what was written): point 3 = (0.6, 1.0)
    assert int(back["seed"].sel(q=0.6, ridge=1.0, size=40, batch=1)) == derive_seed(5, 3, 40, 1)
    assert not list(tmp_path.glob(".tmp-*"))  # written atomically: no temporary left


def test_to_netcdf_with_trials_not_run_and_one_size(tmp_path):
    ds = sweep("ridge", {"q": [0.4, 0.5, 0.7]}, sizes=[30], trials=2, seed=1, client="serial", progress=False)
    ds["measurement"][1, 0, 1] = np.nan  # a trial not run reads back as NaN
    assert to_netcdf(ds, tmp_path / "one.nc") == tmp_path / "one.nc"
    back = open_sweep(tmp_path / "one.nc")
    _assert_same(ds, back)
    assert back.attrs["sizes"] == [30] and np.isnan(back["measurement"].values[1, 0, 1])


def test_bad_paths(tmp_path):
    ds = sweep("ridge", {"q": [0.4]}, sizes=[20], trials=2, client="serial", progress=False)
    with pytest.raises(ParameterError, match="export: expected a netCDF file name ending in .nc"):
        sweep("ridge", {"q": [0.4]}, export=tmp_path / "x.zarr", **KW)
    with pytest.raises(ParameterError, match="export: directory .* does not exist"):
        sweep("ridge", {"q": [0.4]}, export=tmp_path / "missing" / "x.nc", **KW)
    with pytest.raises(ParameterError, match="store: .*a store is a directory.*export="):
        sweep("ridge", {"q": [0.4]}, store=tmp_path / "x.nc", **KW)
    with pytest.raises(ParameterError, match="path: expected a netCDF file name"):
        to_netcdf(ds, tmp_path / "x.txt")
    with pytest.raises(ParameterError, match="does not exist"):
        open_sweep(tmp_path / "absent.nc")
