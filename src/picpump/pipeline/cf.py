"""CF-1.10 coordinates of the products: axes with bounds, cell measures, cell methods and flags.

:func:`with_cf_coordinates` completes a product's coordinates: ``lat``/``lon`` with their CF
attributes and cell edges (``lat_bnds``, ``lon_bnds``), ``time`` with ``time_bnds`` (each month
from its first day to the first day of the next), and for the climatology a climatological time
``time(month)`` with ``climatology_bounds`` (CF §7.4), and for the annual maps a scalar
climatological time spanning the period. The Zarr store of the climatology keeps its ``month``
dimension; the NetCDF export makes ``time`` the dimension
(:func:`picpump.io.store.netcdf_export.netcdf_ready`).
Gridded products carry ``cell_area``, named by every field's ``cell_measures``. The data of the
product variables are not touched: only attributes and coordinates are added.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from picpump.grid import BOUNDS_DIM, COORD_ATTRS, Grid
from picpump.period import Period
from picpump.pipeline.spec import PipelineSpec
from picpump.science.area import cell_area

TIME_ATTRS = {
    "standard_name": "time",
    "long_name": "first day of the month",
    "axis": "T",
    "bounds": "time_bnds",
}
"""CF attributes of the monthly ``time`` axis (each month spans ``time_bnds``)."""

CLIMATOLOGY_TIME_ATTRS = {
    "standard_name": "time",
    "long_name": "climatological time: first day of the calendar month in its first year",
    "climatology": "climatology_bounds",
}
"""CF attributes of the climatological time (CF §7.4)."""

MONTH_ATTRS = {
    "long_name": "calendar month",
    "units": "1",
    "comment": "1 = January ... 12 = December. CF meaning: the climatological time 'time(month)' "
    "with 'climatology_bounds' spans each calendar month over the years of the period; "
    "the NetCDF export (picpump export) has 'time' as the dimension, in place of 'month'.",
}
"""Attributes of the climatology's ``month`` dimension (kept for xarray users)."""

CELL_MEASURES = "area: cell_area"
FLAG_ATTRS: dict[str, Any] = {
    "flag_values": np.array([0, 1], dtype=np.int8),
    "flag_meanings": "not_open_ocean open_ocean",
}
"""Flag attributes of the ``open_ocean`` mask (stored as bool; written as 0/1)."""

MONTHLY_MEAN = "time: mean"
OVER_YEARS = {
    "mean": "time: mean within years time: mean over years",
    "std": "time: mean within years time: standard_deviation over years",
    "count": "time: mean within years time: sum over years "
    "(comment: number of years with a valid monthly value)",
}
"""Cell methods of the climatology statistics (CF §7.4)."""
ANNUAL_METHODS = {
    "mean": "time: mean within years time: mean over years "
    "(comment: mean of the calendar-month climatology)",
    "cv": "time: standard_deviation within years time: mean over years "
    "(comment: seasonal coefficient of variation: standard deviation over the calendar months "
    "of the monthly climatology divided by its mean)",
    "residence": "time: mean within years time: mean over years "
    "(comment: ratio of annual means: 0-100 m stock divided by production)",
}
"""Cell methods of the annual product's variables."""
GLOBAL_METHODS = {
    "total": "area: sum (comment: over open-ocean cells) time: mean",
    "coverage": "area: mean (comment: fraction of open-ocean cells) time: mean",
}
"""Cell methods of the global totals (monthly area integrals)."""


def month_bounds(times: Any) -> np.ndarray[Any, Any]:
    """Return ``(n, 2)`` month edges: each month's first day and the next month's first day."""
    start = pd.DatetimeIndex(np.asarray(times)).to_period("M").to_timestamp()
    pairs = [start.to_numpy(), (start + pd.offsets.MonthBegin(1)).to_numpy()]
    return np.stack(pairs, axis=1).astype("datetime64[ns]")


def climatological_time(months: Any, period: Period) -> tuple[np.ndarray[Any, Any], Any]:
    """Climatological time and bounds of calendar months over a period (CF §7.4).

    Parameters
    ----------
    months : array_like of int
        Calendar months (1-12).
    period : Period
        The months averaged.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        ``time`` (n,): the first day of each calendar month in its first year of the period;
        ``climatology_bounds`` (n, 2): from that day to the end of its last occurrence.
    """
    all_months = period.months
    times, bounds = [], []
    for month in np.asarray(months, dtype=int):
        hits = all_months[all_months.month == month]
        first, last = (hits[0], hits[-1]) if len(hits) else (all_months[0], all_months[0])
        times.append(first)
        bounds.append((first, last + pd.offsets.MonthBegin(1)))
    return (
        np.asarray(times, dtype="datetime64[ns]"),
        np.asarray(bounds, dtype="datetime64[ns]"),
    )


def _with_grid_axes(ds: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Add ``cell_area`` when missing; give ``lat``/``lon`` their CF attributes and bounds.

    The attributes are set last: assigning a field with bare coordinates replaces them.
    """
    out = ds
    grid = _grid_of(ds, spec)
    if "cell_area" not in out.variables:
        out = out.assign(cell_area=cell_area(grid, spec.variants.cell_area))
    out = out.assign_coords(
        {name: out[name].assign_attrs(COORD_ATTRS[name]) for name in ("lat", "lon")}
    )
    out = out.assign_coords(grid.bounds())
    for name, var in out.data_vars.items():
        if name != "cell_area" and {"lat", "lon"} <= set(var.dims):
            var.attrs["cell_measures"] = CELL_MEASURES
    return out


def _grid_of(ds: xr.Dataset, spec: PipelineSpec) -> Grid:
    """Return the product's own grid: the run's, or the 1° grid of map products on a fine run."""
    if ds.sizes["lat"] == spec.grid.nlat:
        return spec.grid
    return Grid(180.0 / ds.sizes["lat"])


def _with_time_bounds(ds: xr.Dataset) -> xr.Dataset:
    time = ds["time"].assign_attrs({**ds["time"].attrs, **TIME_ATTRS})
    out = ds.assign_coords(time=time)
    bounds = xr.Variable(("time", BOUNDS_DIM), month_bounds(ds["time"].values))
    return out.assign_coords(time_bnds=bounds)


def _with_climatological_time(ds: xr.Dataset, period: Period) -> xr.Dataset:
    times, bounds = climatological_time(ds["month"].values, period)
    out = ds.assign_coords(month=ds["month"].assign_attrs(MONTH_ATTRS))
    return out.assign_coords(
        time=xr.Variable("month", times, CLIMATOLOGY_TIME_ATTRS),
        climatology_bounds=xr.Variable(("month", BOUNDS_DIM), bounds),
    )


def _with_period_time(ds: xr.Dataset, period: Period) -> xr.Dataset:
    """Add a scalar climatological time spanning the whole period (to annual-mean maps)."""
    start, end = period.months[0], period.months[-1] + pd.offsets.MonthBegin(1)
    attrs = {**CLIMATOLOGY_TIME_ATTRS, "long_name": "climatological time: the whole period"}
    return ds.assign_coords(
        time=xr.Variable((), np.datetime64(start, "ns"), attrs),
        climatology_bounds=xr.Variable(
            (BOUNDS_DIM,), np.array([start, end], dtype="datetime64[ns]")
        ),
    )


def with_cf_coordinates(ds: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Complete the CF coordinates of a product (attributes and coordinates only).

    Parameters
    ----------
    ds : xarray.Dataset
        A product (lazy or opened).
    spec : PipelineSpec
        The run's spec (grid, period, cell-area variant).

    Returns
    -------
    xarray.Dataset
        ``ds`` with CF axes, bounds, cell measures and flag attributes.
    """
    out = ds
    if {"lat", "lon"} <= set(ds.dims):
        out = _with_grid_axes(out, spec)
    if "time" in ds.dims:
        out = _with_time_bounds(out)
    if "month" in ds.dims:
        out = _with_climatological_time(out, spec.period)
    elif "time" not in ds.dims and {"lat", "lon"} <= set(ds.dims):
        out = _with_period_time(out, spec.period)
    if "open_ocean" in out.data_vars:
        attrs = {k: v for k, v in out["open_ocean"].attrs.items() if k != "units"}
        out["open_ocean"].attrs = {**attrs, **FLAG_ATTRS}
    return out


def cell_methods(name: str, product: str, dims: tuple[Any, ...]) -> str | None:
    """Return the CF ``cell_methods`` of a product variable, or None when it has none.

    Parameters
    ----------
    name : str
        The variable.
    product : str
        The product it belongs to.
    dims : tuple
        Its dimensions.

    Returns
    -------
    str or None
        A valid CF-1.10 ``cell_methods`` string.
    """
    if name in ("cell_area", "open_ocean"):
        return None
    if "month" in dims:
        stat = name.rsplit("_", 1)[-1]
        return OVER_YEARS.get(stat)
    if product == "global_totals" or name.startswith("global_"):
        return GLOBAL_METHODS["coverage" if name == "production_coverage" else "total"]
    if product == "annual":
        kind = "cv" if name.endswith("_cv") else "mean"
        return ANNUAL_METHODS["residence" if name.endswith("residence_time") else kind]
    return MONTHLY_MEAN if "time" in dims else None


__all__ = [
    "CELL_MEASURES",
    "FLAG_ATTRS",
    "MONTH_ATTRS",
    "cell_methods",
    "climatological_time",
    "month_bounds",
    "with_cf_coordinates",
]
