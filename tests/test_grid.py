"""The pipeline grid: cell centres, CF coordinates and cell bounds."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from picpump.grid import Grid


@pytest.mark.parametrize("resolution", [10.0, 1.0, 0.25, 1 / 12])
def test_bounds_are_contiguous_cover_the_globe_and_centre_the_cells(resolution: float) -> None:
    grid = Grid(resolution)
    bounds = grid.bounds()
    for name, centres, edge in (("lat", grid.lat, 90.0), ("lon", grid.lon, 180.0)):
        pairs = bounds[f"{name}_bnds"]
        assert pairs.dims == (name, "bnds") and pairs.shape == (centres.size, 2)
        low, high = pairs.values[:, 0], pairs.values[:, 1]
        assert (low[0], high[-1]) == (-edge, edge)
        np.testing.assert_array_equal(high[:-1], low[1:])
        np.testing.assert_allclose(high - low, resolution, rtol=1e-12)
        np.testing.assert_allclose((low + high) / 2, centres, rtol=0, atol=1e-12)


def test_coords_carry_cf_attributes_and_build_a_dataarray() -> None:
    grid = Grid(10.0)
    coords = grid.coords()
    da = xr.DataArray(np.zeros(grid.shape), dims=("lat", "lon"), coords=coords)
    np.testing.assert_array_equal(da["lat"].values, grid.lat)
    np.testing.assert_array_equal(da["lon"].values, grid.lon)
    assert da["lat"].attrs == {
        "standard_name": "latitude",
        "long_name": "latitude",
        "units": "degrees_north",
        "axis": "Y",
        "bounds": "lat_bnds",
    }
    assert da["lon"].attrs["units"] == "degrees_east" and da["lon"].attrs["axis"] == "X"
    assert da["lon"].attrs["bounds"] in grid.bounds()
    ds = da.to_dataset(name="x").assign_coords(grid.bounds())
    assert ds["lat_bnds"].attrs["units"] == "degrees_north"


def test_coords_attributes_are_not_shared_between_calls() -> None:
    grid = Grid(10.0)
    grid.coords()["lat"].attrs["units"] = "changed"
    assert grid.coords()["lat"].attrs["units"] == "degrees_north"
