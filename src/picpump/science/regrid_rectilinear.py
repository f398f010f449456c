r"""Conservative (area-weighted) regridding of any rectilinear field to a global regular grid.

A target cell takes the area-weighted mean of the valid source cells it overlaps:

.. math:: \bar x_T = \frac{\sum_s w_{Ts}\, x_s}{\sum_{s\ \mathrm{valid}} w_{Ts}}, \qquad
          w_{Ts} = \Delta\lambda_{Ts}\,(\sin\varphi_N - \sin\varphi_S)_{Ts}

with separable overlap weights (lat weights × lon weights) from :mod:`picpump.science.overlap`
(Jones 1999, Mon. Weather Rev. 127:2204, doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2).
NaN cells are left out and the weights renormalised. Integer coarsening of regular grids,
blockwise, is :func:`picpump.science.regrid.coarsen_conservative`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from picpump.errors import GridError, explain
from picpump.grid import Grid
from picpump.science._field_dims import check_lat_lon_last
from picpump.science.overlap import axis_edges, lat_overlap, lon_overlap, np_regrid_conservative


def _canonical_axes(da: xr.DataArray) -> xr.DataArray:
    """Wrap lon to −180…180 and sort lat and lon ascending (lazy); refuse duplicates."""
    lon = (np.asarray(da["lon"].values, dtype=np.float64) + 180.0) % 360.0 - 180.0
    out = da.assign_coords(lon=("lon", lon, da["lon"].attrs)).sortby(["lat", "lon"])
    for name in ("lat", "lon"):
        if np.any(np.diff(out[name].values) <= 0):
            raise GridError(
                explain(
                    f"'{name}' must hold distinct cell centres",
                    f"repeated {name} values (after wrapping lon to −180…180)",
                    "drop the duplicated row or column (e.g. a repeated 0°/360° column)",
                )
            )
    return out


def regrid_conservative(
    da: xr.DataArray, target: Grid, *, min_fraction: float = 0.0, fraction: bool = False
) -> xr.DataArray:
    r"""Regrid a field on any rectilinear grid to a global regular grid, conservatively.

    .. math:: \bar x_T = \sum_s w_{Ts} x_s \Big/ \sum_{s\ \mathrm{valid}} w_{Ts}, \quad
              w_{Ts} = \Delta\lambda_{Ts}\,(\sin\varphi_N - \sin\varphi_S)_{Ts}

    (Jones 1999, doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2). Source cell edges are
    the midpoints between centres (ends half a step out, latitude clipped to ±90°). Latitude may
    be descending and longitude 0…360: both are put in canonical order first. Lazy on dask input;
    each block holds the whole (lat, lon) plane, leading dims keep their chunks.

    Parameters
    ----------
    da : xarray.DataArray
        Field with dims (..., lat, lon).
    target : Grid
        The target grid.
    min_fraction : float, default 0.0
        Share of the target cell's area that must be valid, else NaN.
    fraction : bool, default False
        Return the valid area fraction (0…1) of each target cell instead of the mean.

    Returns
    -------
    xarray.DataArray
        (..., lat, lon) on ``target`` (same attrs and name), or its valid fraction [1].

    Raises
    ------
    GridError
        For fields not ending in (lat, lon), or with repeated cell centres.
    """
    check_lat_lon_last(da, "regrid_conservative")
    src = _canonical_axes(da)
    lat_w = lat_overlap(axis_edges(src["lat"].values, 90.0), axis_edges(target.lat, 90.0))
    lon_w = lon_overlap(axis_edges(src["lon"].values), axis_edges(target.lon))
    dtype = np.float64 if fraction else np.result_type(da.dtype, np.float32)
    out = xr.apply_ufunc(
        np_regrid_conservative,
        src,
        input_core_dims=[["lat", "lon"]],
        output_core_dims=[["lat", "lon"]],
        exclude_dims={"lat", "lon"},
        kwargs={
            "lat_weights": lat_w,
            "lon_weights": lon_w,
            "min_fraction": min_fraction,
            "fraction": fraction,
        },
        dask="parallelized",
        output_dtypes=[dtype],
        dask_gufunc_kwargs={
            "output_sizes": {"lat": target.nlat, "lon": target.nlon},
            "allow_rechunk": True,
        },
        keep_attrs=True,
    )
    out = out.assign_coords(lat=("lat", target.lat), lon=("lon", target.lon))
    if fraction:
        out.attrs = {"units": "1", "long_name": "valid fraction of the cell area"}
    return out


__all__ = ["regrid_conservative"]
