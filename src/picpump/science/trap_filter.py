"""The paper's selection of trap rows, and water depths from a bathymetry grid.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §2.2) keeps deployments of 31 days or less in open
ocean (water depth ≥ 200 m): :func:`paper_filter` validates a trap table
(:func:`picpump.science.trap_qc.validate_traps`) and flags the other rows with
:data:`~picpump.science.traps.FILTER_FLAGS`. Unknown water depths are filled first from an
elevation grid with :func:`fill_water_depth`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import GridError, explain
from picpump.science.trap_qc import validate_traps
from picpump.science.traps import (
    FLAG_LONG_DEPLOYMENT,
    FLAG_SHALLOW_WATER,
    FLAG_UNKNOWN_WATER_DEPTH,
    add_flag,
    as_trap_table,
)


def paper_filter(
    df: pd.DataFrame, *, max_duration_d: float = 31.0, min_water_depth_m: float = 200.0
) -> pd.DataFrame:
    """Validate, then flag what the paper leaves out (Toullec 2026, §2.2).

    Adds ``long_deployment`` (duration > ``max_duration_d``), ``shallow_water`` (water
    depth < ``min_water_depth_m``) and ``unknown_water_depth`` (no water depth: fill it
    first with :func:`fill_water_depth`). Rows stay in the table; select the kept ones with
    :func:`~picpump.science.traps.good_rows`.

    Parameters
    ----------
    df : DataFrame
        A trap table.
    max_duration_d : float, optional
        Longest deployment kept [d] (paper: 31).
    min_water_depth_m : float, optional
        Shallowest water column kept [m] (paper: 200, open ocean only).

    Returns
    -------
    DataFrame
        The validated table with the filter flags added.
    """
    out = validate_traps(df)
    duration = out["duration_d"].to_numpy(float)
    water = out["water_depth_m"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        qc = add_flag(out["qc"], duration > max_duration_d, FLAG_LONG_DEPLOYMENT)
        qc = add_flag(qc, water < min_water_depth_m, FLAG_SHALLOW_WATER)
    out["qc"] = add_flag(qc, np.isnan(water), FLAG_UNKNOWN_WATER_DEPTH)
    return out


def _coordinate(elevation: xr.DataArray, names: tuple[str, ...]) -> str:
    for name in names:
        if name in elevation.coords:
            return name
    raise GridError(
        explain(
            f"an elevation grid needs a coordinate named one of {list(names)}",
            f"coordinates {list(elevation.coords)}",
            "rename the coordinates to lat / lon",
        )
    )


def water_depth_from_bathymetry(
    lat: ArrayLike, lon: ArrayLike, elevation: xr.DataArray
) -> NDArray[np.float64]:
    """Water depth [m, positive down] at points, from the nearest cell of an elevation grid.

    Parameters
    ----------
    lat, lon : array_like
        Positions [degrees]; lon in −180…180 (a 0…360 grid is handled).
    elevation : DataArray
        2-D elevation [m, positive up], coordinates ``lat``/``lon`` (or
        ``latitude``/``longitude``), any order or sort direction.

    Returns
    -------
    ndarray of float64
        ``-elevation`` of the nearest cell, 0 on land cells, NaN for missing positions.
    """
    lat_name = _coordinate(elevation, ("lat", "latitude"))
    lon_name = _coordinate(elevation, ("lon", "longitude"))
    lat_a = np.asarray(lat, dtype=float).ravel()
    lon_a = np.asarray(lon, dtype=float).ravel()
    grid_lon = np.asarray(elevation[lon_name].values, dtype=float)
    if grid_lon.size and np.nanmax(grid_lon) > 180.0:
        lon_a = np.mod(lon_a, 360.0)
    ok = np.isfinite(lat_a) & np.isfinite(lon_a)
    out = np.full(lat_a.shape, np.nan)
    if ok.any():
        points = elevation.sel(
            {lat_name: xr.DataArray(lat_a[ok]), lon_name: xr.DataArray(lon_a[ok])},
            method="nearest",
        )
        out[ok] = np.maximum(-np.asarray(points.values, dtype=float), 0.0)
    return out


def fill_water_depth(df: pd.DataFrame, elevation: xr.DataArray) -> pd.DataFrame:
    """Fill unknown water depths of a trap table from an elevation grid.

    Parameters
    ----------
    df : DataFrame
        A trap table.
    elevation : DataArray
        Elevation [m, positive up] (see :func:`water_depth_from_bathymetry`).

    Returns
    -------
    DataFrame
        A copy; known water depths are kept as they are.
    """
    out = as_trap_table(df)
    unknown = out["water_depth_m"].isna().to_numpy()
    if unknown.any():
        rows = out.loc[unknown]
        depth = water_depth_from_bathymetry(rows["lat"], rows["lon"], elevation)
        out.loc[unknown, "water_depth_m"] = depth
    return out


__all__ = ["fill_water_depth", "paper_filter", "water_depth_from_bathymetry"]
