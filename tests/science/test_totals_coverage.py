"""Missing is never zero: a month without open-ocean coverage has a NaN total."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from picpump.grid import Grid
from picpump.science import area, totals
from picpump.science.registry import variant

DIMS = ("time", "lat", "lon")


def _production() -> xr.DataArray:
    values = np.ones((3, 2, 4))
    values[1] = np.nan  # an all-fill month
    values[2, :, :3] = np.nan  # a quarter of the cells
    return xr.DataArray(values, dims=DIMS, attrs={"units": "mg m-2 d-1"})


CELLS = area.cell_area(Grid(90.0), variant("cell_area", "sphere"))
OCEAN = xr.DataArray(np.ones((2, 4), bool), dims=("lat", "lon"))


def test_empty_month_is_nan_not_zero() -> None:
    rate = totals.global_rate_pg_per_yr(_production(), CELLS, OCEAN).values
    assert np.isfinite(rate[0]) and np.isnan(rate[1]) and rate[2] > 0
    stock = totals.global_stock_tg(_production().assign_attrs(units="g m-2"), CELLS, OCEAN)
    assert np.isnan(stock.values[1])


def test_min_coverage_threshold_is_applied_and_recorded() -> None:
    rate = totals.global_rate_pg_per_yr(_production(), CELLS, OCEAN, min_coverage=0.5)
    assert np.isfinite(rate.values[0]) and np.isnan(rate.values[1:]).all()
    assert rate.attrs["min_coverage"] == 0.5
    assert totals.coverage(_production(), OCEAN).values.tolist() == [1.0, 0.0, 0.25]


def test_nan_months_are_left_out_of_the_mean() -> None:
    rate = totals.global_rate_pg_per_yr(_production(), CELLS, OCEAN)
    mean, _ = totals.mean_sd(rate)
    assert float(mean) == pytest.approx(np.nanmean(rate.values))


def test_coverage_and_totals_are_the_same_on_dask_tiles_and_in_memory() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 5, (5, 2, 4)).astype(np.float32)
    values[rng.uniform(size=values.shape) < 0.3] = np.nan
    field = xr.DataArray(values, dims=DIMS, attrs={"units": "mg m-2 d-1"})
    ocean = OCEAN.copy(data=np.array([[True, False, True, True], [True, True, True, False]]))
    tiled = field.chunk({"time": 2, "lat": 1, "lon": 2})
    expected = np.count_nonzero(np.isfinite(values) & ocean.values, axis=(1, 2)) / 6
    for data in (field, tiled):
        np.testing.assert_array_equal(totals.coverage(data, ocean).values, expected)
    rate = totals.global_rate_pg_per_yr(field, CELLS, ocean).values
    np.testing.assert_allclose(totals.global_rate_pg_per_yr(tiled, CELLS, ocean).values, rate)
    weights = np.where(ocean.values, CELLS.values, 0.0)
    by_hand = np.nansum(values.astype(np.float64) * weights, axis=(1, 2)) * 365e-3 / 1e15
    np.testing.assert_allclose(rate, by_hand, rtol=1e-12)
