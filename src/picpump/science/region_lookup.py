"""Look-ups on region maps: the region of points, region areas, restriction by a mask.

A region map is an int16 (lat, lon) DataArray with CF ``flag_values`` and ``flag_meanings``
(:func:`picpump.science.regions.paper_regions`, or a RECCAP2 mask variable read by
:func:`picpump.io.ancillary.regions.read_reccap2`).
:func:`region_of` gives the id of the cell holding
each point, :func:`region_areas` the area of each region and :func:`restrict_regions` sets the
region to 0 outside a mask.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import GridError, InputError, explain
from picpump.science._checks import check_units
from picpump.science.regions import region_names


def _regular(coord: NDArray[np.float64], name: str) -> tuple[float, float]:
    """Return (first edge, step) of an ascending regular cell-centred axis."""
    step = float(coord[1] - coord[0]) if coord.size > 1 else 0.0
    if coord.size < 2 or step <= 0 or not np.allclose(np.diff(coord), step, atol=step * 1e-3):
        raise GridError(
            explain(
                f"the region map's {name} must be regular and ascending",
                f"{name} {coord[:3].tolist()}… ({coord.size} values)",
                "use a map from paper_regions on a canonical grid",
            )
        )
    return float(coord[0]) - step / 2, step


def _indices(values: NDArray[np.float64], coord: NDArray[np.float64], name: str) -> NDArray[Any]:
    """Nearest-cell index along one axis (longitude wraps when the axis spans 360°)."""
    edge, step = _regular(coord, name)
    wraps = name == "lon" and abs(coord.size * step - 360.0) < step * 1e-3
    offset = np.mod(values - edge, 360.0) if name == "lon" else values - edge
    index = np.floor(offset / step).astype(np.int64)
    if name == "lat":
        index[values == edge + coord.size * step] = coord.size - 1  # the north edge itself
    if wraps:
        return np.mod(index, coord.size)
    outside = (index < 0) | (index >= coord.size)
    if outside.any():
        raise InputError(
            explain(
                f"every point must lie on the region map ({name} cells {coord[0]:g}…{coord[-1]:g})",
                f"{int(outside.sum())} point(s) outside, e.g. {name} {values[outside][0]:g}",
                "drop those points, or use a global region map",
            )
        )
    return index


def region_of(lat: ArrayLike, lon: ArrayLike, regions: xr.DataArray) -> NDArray[np.int16]:
    """Region id of each point: the id of the cell that contains it.

    Parameters
    ----------
    lat, lon : array_like
        Point coordinates [degrees], same shape; lon in −180…180 or 0…360.
    regions : xarray.DataArray
        A (lat, lon) region map on a regular grid, lat ascending.

    Returns
    -------
    numpy.ndarray
        The ids (dtype of the map), shape of ``lat``; 0 where no region.

    Raises
    ------
    InputError
        Non-finite coordinates, lat outside −90…90, lon outside −180…360, shapes that differ.
    """
    y = np.asarray(lat, dtype=np.float64)
    x = np.asarray(lon, dtype=np.float64)
    bad = ~(np.isfinite(y) & np.isfinite(x) & (np.abs(y) <= 90) & (x >= -180) & (x <= 360))
    if y.shape != x.shape or bad.any():
        example = f"e.g. ({y[bad][0]:g}, {x[bad][0]:g})" if y.shape == x.shape else ""
        raise InputError(
            explain(
                "points need finite lat in −90…90 and lon in −180…360, in arrays of one shape",
                f"shapes {y.shape}, {x.shape}; {int(np.sum(bad))} bad point(s) {example}",
                "drop or fix those points",
            )
        )
    grid = regions.transpose("lat", "lon")
    rows = _indices(y, np.asarray(grid["lat"], dtype=np.float64), "lat")
    cols = _indices(x, np.asarray(grid["lon"], dtype=np.float64), "lon")
    return np.asarray(np.asarray(grid)[rows, cols])


def _same_grid(regions: xr.DataArray, other: xr.DataArray, what: str) -> None:
    for dim in ("lat", "lon"):
        a = np.asarray(regions[dim])
        b = np.asarray(other[dim]) if dim in other.coords else np.array([])
        if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-6):
            raise GridError(
                explain(
                    f"the {what} must be on the region map's grid",
                    f"{dim}: {a.size} region cells, {b.size} {what} cells (or other centres)",
                    "compute both on the same Grid",
                )
            )


def restrict_regions(regions: xr.DataArray, keep: xr.DataArray) -> xr.DataArray:
    """Set the region to 0 where ``keep`` is False (e.g. outside the open-ocean mask).

    Parameters
    ----------
    regions : xarray.DataArray
        A region map.
    keep : xarray.DataArray
        bool (lat, lon) on the same grid, e.g. :func:`picpump.science.masks.open_ocean_mask`.

    Returns
    -------
    xarray.DataArray
        The restricted map, same dtype and attributes (lazy on dask input).
    """
    _same_grid(regions, keep, "mask")
    out = regions.where(keep.transpose(*regions.dims).astype(bool).values, 0)
    return out.astype(regions.dtype).assign_attrs(regions.attrs)


def region_areas(regions: xr.DataArray, area: xr.DataArray) -> pd.Series:
    """Area of each region [Mkm² = 1e12 m²].

    Parameters
    ----------
    regions : xarray.DataArray
        A region map with ``flag_values``/``flag_meanings`` (or a RECCAP2 mask variable).
    area : xarray.DataArray
        Cell areas [m2] on the same grid (:func:`picpump.science.area.cell_area`).

    Returns
    -------
    pandas.Series
        float64, index the short names (``region``) in flag order, name ``area_Mkm2``.

    Raises
    ------
    InputError
        The map holds ids that are not among its ``flag_values``.
    """
    check_units(area, "cell_area", expected="m2")
    _same_grid(regions, area, "cell areas")
    names = region_names(regions)
    ids = np.asarray(regions.transpose("lat", "lon")).astype(np.int64).ravel()
    unknown = sorted(set(np.unique(ids).tolist()) - set(names) - {0})
    if unknown:
        raise InputError(
            explain(
                "every non-zero id of a region map must be among its flag_values",
                f"ids {unknown} not in {sorted(names)}",
                "fix the flag_values/flag_meanings attributes",
            )
        )
    weights = np.asarray(area.transpose("lat", "lon"), dtype=np.float64).ravel()
    sums = np.bincount(ids, weights=weights, minlength=max(names) + 1)
    values = [sums[i] / 1e12 for i in names]
    index = pd.Index(list(names.values()), name="region")
    return pd.Series(values, index=index, name="area_Mkm2", dtype=np.float64)


__all__ = ["region_areas", "region_of", "restrict_regions"]
