"""Rules that bring one stored field to the canonical form, one function per rule.

One set of rules for every reader: NetCDF months and static fields
(:mod:`picpump.io.ingest.reader`), ARCO Zarr stores (:mod:`picpump.io.ingest.arco`, lazily
through :mod:`picpump.io.ingest.lazy`) and small ancillary grids
(:func:`picpump.io.ingest.lonlat.canonical_lonlat`). Order: month → axes → orientation and
grid → units are checked on the metadata before any data is read; then the data are masked
(fill values), unpacked, squeezed, oriented, converted and, for ocean-colour quantities,
cleared of non-positive values (the value rules live in :mod:`picpump.io.ingest.values` and
are exported here too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from picpump.errors import GridError, explain
from picpump.grid import Grid
from picpump.io.ingest.conventions import Axes, FileInfo
from picpump.io.ingest.values import (
    POSITIVE_ONLY,
    clear_non_positive,
    convert,
    missing_mask,
    out_of_range,
    standardise,
    standardise_decoded,
    unpack,
)
from picpump.units import conversion


@dataclass(frozen=True)
class Orientation:
    """How to bring (lat, lon) axes to lat ascending, lon −180…180 ascending.

    Attributes
    ----------
    flip_lat : bool
        Latitude is stored descending and must be reversed.
    lon_shift : int
        Columns to roll (stored 0…360 longitudes → −180…180); 0 for none.
    lat, lon : numpy.ndarray
        The coordinates after flipping and rolling (float64).
    """

    flip_lat: bool
    lon_shift: int
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]

    def lat_index(self) -> NDArray[np.intp]:
        """Return the stored row of each oriented row."""
        rows = np.arange(self.lat.size)
        return rows[::-1] if self.flip_lat else rows

    def lon_index(self) -> NDArray[np.intp]:
        """Return the stored column of each oriented column."""
        return np.roll(np.arange(self.lon.size), -self.lon_shift)


@dataclass(frozen=True)
class Layout(Orientation):
    """The orientation of a stored variable and the positions of its axes.

    Attributes
    ----------
    axes : Axes
        Positions of the lat, lon and time axes in the stored array.
    """

    axes: Axes


def orientation(lat: ArrayLike, lon: ArrayLike) -> Orientation:
    """Decide the orientation rules from the stored coordinates.

    Rules: latitude stored descending (north first, as NASA L3m and often GlobColour) is
    reversed. Longitude stored 0…360 (any value above 180°) is rolled so that it runs
    −180…180: the columns at or east of 180° move to the front, with 360° subtracted.

    Parameters
    ----------
    lat, lon : array_like
        The stored 1-D coordinates.

    Returns
    -------
    Orientation
        The rules and the resulting float64 coordinates.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    flip = lat.size > 1 and bool(lat[0] > lat[-1])
    shift = int(np.searchsorted(lon, 180.0)) if lon.size and lon.max() > 180.0 else 0
    if shift:
        lon = np.concatenate([lon[shift:] - 360.0, lon[:shift]])
    return Orientation(flip, shift, lat[::-1] if flip else lat, lon)


def _coordinate(info: FileInfo, axis: int) -> NDArray[np.float64]:
    """Return the coordinate variable of one axis, refusing a missing one."""
    dim = info.dims[axis]
    if dim not in info.coords:
        raise GridError(
            explain(
                "each horizontal dimension must have a coordinate variable of the same name",
                f"no coordinate variable '{dim}' in {info.url}",
                "add the lat/lon coordinate variables to the file",
            )
        )
    return np.asarray(info.coords[dim], dtype=np.float64)


def layout(info: FileInfo, axes: Axes) -> Layout:
    """Decide the orientation rules of a variable from its coordinates (:func:`orientation`).

    Parameters
    ----------
    info : FileInfo
        The file's description.
    axes : Axes
        The axes found by :func:`picpump.io.ingest.conventions.find_axes`.

    Returns
    -------
    Layout
        The rules, the resulting coordinates and the axes.
    """
    found = orientation(_coordinate(info, axes.lat), _coordinate(info, axes.lon))
    return Layout(found.flip_lat, found.lon_shift, found.lat, found.lon, axes)


def _span(values: NDArray[np.float64]) -> str:
    return f"{values[0]:.6g}…{values[-1]:.6g}" if values.size else "empty"


def _refuse_nan_coordinates(lay: Orientation, url: str) -> None:
    """Refuse NaN latitudes or longitudes, saying so (not as a mere grid mismatch)."""
    bad = {name: int(np.isnan(c).sum()) for name, c in (("lat", lay.lat), ("lon", lay.lon))}
    if any(bad.values()):
        received = ", ".join(f"{n} NaN value(s) in {name}" for name, n in bad.items() if n)
        raise GridError(
            explain(
                "coordinates must be finite: every lat and lon is a cell centre, never NaN",
                f"{url}: {received}",
                "repair the file's lat/lon coordinate variables (or download it again)",
            )
        )


def check_grid(lay: Orientation, grid: Grid, url: str) -> None:
    """Check that the oriented coordinates are the grid's cell centres.

    Rule: the shape is ``grid.shape`` and every coordinate is within 1e-3 × resolution of
    the grid's cell centre. No regridding happens here.

    Parameters
    ----------
    lay : Orientation
        The oriented coordinates.
    grid : Grid
        The pipeline's grid.
    url : str
        The file, for the message.

    Raises
    ------
    GridError
        When the field is on another grid.
    """
    _refuse_nan_coordinates(lay, url)
    tol = 1e-3 * grid.resolution
    shape = (lay.lat.size, lay.lon.size)
    same = shape == grid.shape
    same = same and bool(np.all(np.abs(lay.lat - grid.lat) <= tol))
    same = same and bool(np.all(np.abs(lay.lon - grid.lon) <= tol))
    if not same:
        raise GridError(
            explain(
                f"fields must be on the pipeline grid ({grid.resolution:g}°: shape {grid.shape}, "
                f"lat {_span(grid.lat)}, lon {_span(grid.lon)}, cell centres)",
                f"{url}: shape {shape}, lat {_span(lay.lat)}, lon {_span(lay.lon)} "
                "(after orientation)",
                "set the pipeline grid to the archive's resolution, or grid.coarsen_inputs: true "
                "in the spec to average finer archives onto it",
            )
        )


def refinement(lay: Orientation, grid: Grid, url: str) -> int:
    """Return how many times finer than ``grid`` a field's regular global grid is.

    Rule: the field's shape is an integer multiple ``k`` of the grid's along both axes and its
    coordinates are the cell centres of the grid of resolution ``grid.resolution / k``; 1 for
    the grid itself. Anything else is refused as in :func:`check_grid`.

    Parameters
    ----------
    lay : Orientation
        The oriented coordinates.
    grid : Grid
        The pipeline's grid.
    url : str
        The file, for the message.

    Returns
    -------
    int
        The factor ``k``.

    Raises
    ------
    GridError
        When the field is not on the grid or on an integer refinement of it.
    """
    k = lay.lat.size // grid.nlat if grid.nlat else 0
    if k >= 1 and (lay.lat.size, lay.lon.size) == (k * grid.nlat, k * grid.nlon):
        check_grid(lay, Grid(grid.resolution / k), url)
        return k
    check_grid(lay, grid, url)
    return 1


def units_rule(
    canonical: str | None, attrs: Mapping[str, Any], override: str | None, source: str
) -> tuple[float, float]:
    """Return ``(factor, offset)`` to the canonical units.

    Rule: the catalog's ``units`` override wins, else the variable's ``units`` attribute;
    :func:`picpump.units.conversion` refuses missing, unknown and ambiguous units (PIC in
    ``mg m-3``). ``canonical=None`` (a variable with no canonical form) is left as stored.

    Parameters
    ----------
    canonical : str or None
        Canonical variable name.
    attrs : mapping
        The variable's attributes.
    override : str or None
        Units declared in the catalog.
    source : str
        The file or store, for the message.

    Returns
    -------
    tuple of float
        ``canonical = raw * factor + offset``.
    """
    if canonical is None:
        return 1.0, 0.0
    units = override if override is not None else attrs.get("units")
    return conversion(canonical, None if units is None else str(units), source=source)


def lat_lon_last[T: np.generic](data: NDArray[T], axes: Axes) -> NDArray[T]:
    """Squeeze the length-1 time axis and order the others (lat, lon).

    Parameters
    ----------
    data : numpy.ndarray
        Values in the stored axis order.
    axes : Axes
        Their positions (:func:`picpump.io.ingest.conventions.find_axes`).

    Returns
    -------
    numpy.ndarray
        A (lat, lon) view.
    """
    if axes.time is not None:
        data = np.take(data, 0, axis=axes.time)
    lat_axis = axes.lat - int(axes.time is not None and axes.time < axes.lat)
    return data.T if lat_axis == 1 else data


def orient[A: Any](data: A, rules: Orientation) -> A:
    """Flip latitude and roll longitude of the last two axes, (lat, lon).

    Written with numpy functions that dask arrays also implement, so that the same rule
    runs on a stored numpy array and lazily on a dask one (:mod:`picpump.io.ingest.lazy`).

    Parameters
    ----------
    data : numpy.ndarray or dask.array.Array
        Values whose last two axes are (lat, lon) as stored.
    rules : Orientation
        The rules from :func:`orientation`.

    Returns
    -------
    array
        The oriented values (a view when nothing is rolled).
    """
    if rules.flip_lat:
        data = data[..., ::-1, :]
    if rules.lon_shift:
        data = np.roll(data, -rules.lon_shift, axis=-1)
    return data


__all__ = [
    "POSITIVE_ONLY",
    "Layout",
    "Orientation",
    "check_grid",
    "clear_non_positive",
    "convert",
    "lat_lon_last",
    "layout",
    "missing_mask",
    "orient",
    "orientation",
    "out_of_range",
    "refinement",
    "standardise",
    "standardise_decoded",
    "unpack",
    "units_rule",
]
