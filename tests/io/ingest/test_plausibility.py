"""Plausibility rules, the float64 unit conversion and NaN coordinates, on small arrays."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.errors import GridError, UnitsError
from picpump.grid import Grid
from picpump.io.ingest.lazy import outside_lazy, plausible_lazy
from picpump.io.ingest.plausibility import (
    PLAUSIBLE,
    UNIT_ERROR_FRACTION,
    implausible,
    mask_implausible,
)
from picpump.io.ingest.records import conversion_flags
from picpump.io.ingest.rules import check_grid, orientation
from picpump.io.ingest.values import convert, outside_valid_range
from tests.conftest import raise_if_dask_computes


def test_kelvin_to_celsius_is_rounded_once_from_float64() -> None:
    kelvin = np.array([271.35, 288.15, 300.0], dtype=np.float32)
    expected = (kelvin.astype(np.float64) - 273.15).astype(np.float32)
    assert np.array_equal(convert(kelvin.copy(), 1.0, -273.15), expected)
    float32_constant = kelvin + np.float32(-273.15)
    assert not np.array_equal(expected, float32_constant)


def test_identity_conversion_leaves_the_values_alone() -> None:
    values = np.array([1.1, np.nan], dtype=np.float32)
    assert convert(values, 1.0, 0.0) is values


def test_inf_and_out_of_range_are_implausible_but_not_nan() -> None:
    sst = np.array([np.nan, 20.0, -5.0, 45.0, np.inf, -np.inf], dtype=np.float32)
    assert implausible(sst, "sst").tolist() == [False, False, True, True, True, True]


def test_non_positive_ocean_colour_is_left_to_the_positivity_rule() -> None:
    pic = np.array([-1.0, 0.0, 1e-4, 1.0, -np.inf], dtype=np.float32)
    assert implausible(pic, "pic").tolist() == [False, False, False, True, True]


def test_a_few_bad_cells_are_masked_and_counted() -> None:
    data = np.full((4, 5), 20.0, dtype=np.float32)
    data[0, :3] = [np.inf, 1e30, -40.0]
    masked, count = mask_implausible(data, "sst", "f.nc (month 2001-02)")
    assert count == 3 and np.isnan(masked[0, :3]).all() and not np.isnan(masked[1:]).any()


def test_cells_outside_the_files_valid_range_are_counted_too() -> None:
    raw = np.array([-32767.0, 10.0, 50.0, 60.0], dtype=np.float32)
    attrs = {"_FillValue": np.float32(-32767.0), "valid_min": -2.0, "valid_max": 45.0}
    assert outside_valid_range(raw, attrs) == 2


def test_most_of_a_month_out_of_range_is_refused_with_file_and_month() -> None:
    data = np.full(100, 0.5, dtype=np.float32)  # PIC in mmol labelled mol
    with pytest.raises(UnitsError, match=r"plausibility rule[\s\S]*f\.nc \(month 2001-02\)"):
        mask_implausible(data, "pic", "f.nc (month 2001-02)")


def test_the_refusal_threshold_is_the_documented_fraction() -> None:
    n = 100
    bad = int(UNIT_ERROR_FRACTION * n)
    data = np.full(n, 10.0, dtype=np.float32)
    data[:bad] = 99.0
    assert mask_implausible(data.copy(), "sst", "f.nc")[1] == bad
    data[bad] = 99.0
    with pytest.raises(UnitsError):
        mask_implausible(data, "sst", "f.nc")


def test_every_canonical_input_has_a_range() -> None:
    assert set(PLAUSIBLE) == {"pic", "sst", "par", "kd490", "poc", "npp"}
    assert (PLAUSIBLE["sst"].low, PLAUSIBLE["sst"].high) == (-3.0, 40.0)


def _field(values: np.ndarray) -> xr.DataArray:
    time = pd.date_range("2001-01", periods=values.shape[0], freq="MS")
    return xr.DataArray(
        da.from_array(values, chunks=(1, 2, 2)),
        dims=("time", "lat", "lon"),
        coords={"time": time},
    )


def test_lazy_rule_masks_and_counts_without_computing() -> None:
    values = np.full((2, 4, 4), 10.0, dtype=np.float32)
    values[1, 0, :2] = [np.inf, 99.0]
    with raise_if_dask_computes():
        out = plausible_lazy(_field(values), "sst", "store.zarr", flags=2)
    assert out["sst_implausible_cells"].values.tolist() == [0, 2]
    assert out["sst_conversions"].values.tolist() == [2, 2]
    assert int(np.isnan(out.values).sum()) == 2


def test_lazy_rule_refuses_a_unit_error_when_computed() -> None:
    values = np.full((2, 4, 4), 300.0, dtype=np.float32)  # K labelled degC
    out = plausible_lazy(_field(values), "sst", "store.zarr", flags=0)
    with pytest.raises(UnitsError, match=r"store\.zarr \(month 2001-0[12]\)"):
        out["sst_implausible_cells"].compute()


def test_lazy_rule_counts_values_outside_the_stores_valid_range() -> None:
    values = np.full((2, 4, 4), 10.0, dtype=np.float32)
    values[0, 0, 0] = 50.0  # above valid_max: set missing by the valid-range rule
    field = _field(values)
    with raise_if_dask_computes():
        outside = outside_lazy(field, {"valid_min": -2.0, "valid_max": 45.0})
        out = plausible_lazy(field.where(field < 45.0), "sst", "s.zarr", 0, outside)
    assert out["sst_implausible_cells"].values.tolist() == [1, 0]


def test_nan_in_lat_is_named_as_such() -> None:
    grid = Grid(10.0)
    lat = grid.lat.copy()
    lat[3] = np.nan
    with pytest.raises(GridError, match="NaN value"):
        check_grid(orientation(lat, grid.lon), grid, "f.nc")


def test_conversion_flags() -> None:
    grid = Grid(10.0)
    north_first = orientation(grid.lat[::-1], grid.lon)
    assert conversion_flags(north_first, 1.0, -273.15) == 1 | 2
    assert conversion_flags(orientation(grid.lat, grid.lon), 1.0, 0.0) == 0
