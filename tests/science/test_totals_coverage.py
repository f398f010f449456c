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
