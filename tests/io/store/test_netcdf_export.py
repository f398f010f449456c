"""The NetCDF form of a product: climatological time as dimension, flags, chunks, same values."""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import xarray as xr

from picpump.io.store.netcdf_export import MAX_TILE, netcdf_ready, write_netcdf


def _climatology() -> xr.Dataset:
    months = np.arange(1, 13)
    times = np.array([f"2001-{m:02d}-01" for m in months], dtype="datetime64[ns]")
    ends = np.array([f"2003-{m:02d}-01" for m in months[1:]] + ["2004-01-01"], "datetime64[ns]")
    mean = np.random.default_rng(1).random((12, 3, 4)).astype("float32")
    mean[0, 0, 0] = np.nan
    ds = xr.Dataset(
        {
            "x_mean": (("month", "lat", "lon"), mean, {"units": "g m-2"}),
            "open_ocean": (("lat", "lon"), np.eye(3, 4, dtype=bool), {"flag_values": [0, 1]}),
        },
        coords={
            "month": months,
            "time": ("month", times, {"climatology": "climatology_bounds"}),
            "climatology_bounds": (("month", "bnds"), np.stack([times, ends], axis=1)),
            "lat": [-1.0, 0.0, 1.0],
            "lon": [0.0, 1.0, 2.0, 3.0],
        },
    )
    return ds


def test_the_climatology_is_on_its_climatological_time() -> None:
    ready = netcdf_ready(_climatology())
    assert ready["x_mean"].dims == ("time", "lat", "lon")
    assert "month" not in ready.variables  # CDO reads the calendar month from time
    assert "climatology_bounds" in ready.data_vars  # a variable, not a coordinate


def test_masks_are_bytes_with_flags_of_their_type() -> None:
    ocean = netcdf_ready(_climatology())["open_ocean"]
    assert ocean.dtype == np.int8 and ocean.attrs["flag_values"].dtype == np.int8


def test_the_file_holds_the_same_values_compressed_and_chunked(tmp_path: Path) -> None:
    ds = _climatology()
    url = write_netcdf(ds.chunk(), str(tmp_path / "sub" / "climatology.nc"))
    back = xr.open_dataset(url)
    np.testing.assert_array_equal(back["x_mean"].values, ds["x_mean"].values)
    np.testing.assert_array_equal(back["open_ocean"].values, ds["open_ocean"].values)
    np.testing.assert_array_equal(back["time"].values, ds["time"].values)
    with netCDF4.Dataset(url) as nc:
        assert nc["x_mean"].chunking() == [1, 3, 4]
        assert nc["x_mean"].filters()["zlib"]
        assert nc["time"].units == nc["climatology_bounds"].units
        assert "_FillValue" not in nc["climatology_bounds"].ncattrs()
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["climatology.nc"]
    assert MAX_TILE >= 4
