"""Rules that bring one stored field to the canonical form, one function per rule.

Order (:func:`picpump.io.ingest.reader.read_month`): month → axes → orientation and grid → units
are checked on the file's metadata before any data is read; then the data are masked
(fill values), unpacked, squeezed, oriented, converted and, for ocean-colour quantities,
cleared of non-positive values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import netCDF4
import numpy as np
from numpy.typing import NDArray

from picpump.errors import GridError, explain
from picpump.grid import Grid
from picpump.io.ingest.conventions import Axes, FileInfo
from picpump.units import conversion

POSITIVE_ONLY = frozenset({"pic", "par", "kd490", "poc", "npp"})
"""Ocean-colour quantities: a value ≤ 0 is missing (GlobColour rule); not SST."""

Float32Array = NDArray[np.float32]


@dataclass(frozen=True)
class Layout:
    """How to bring a stored variable to (lat ascending, lon −180…180).

    Attributes
    ----------
    axes : Axes
        Positions of the lat, lon and time axes in the stored array.
    flip_lat : bool
        Latitude is stored descending and must be reversed.
    lon_shift : int
        Columns to roll (stored 0…360 longitudes → −180…180); 0 for none.
    lat, lon : numpy.ndarray
        The coordinates after flipping and rolling.
    """

    axes: Axes
    flip_lat: bool
    lon_shift: int
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]


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
    """Decide the orientation rules of a variable from its coordinates.

    Rules: latitude stored descending (north first, as NASA L3m and often GlobColour) is
    reversed. Longitude stored 0…360 is rolled so that it runs −180…180: the columns at or
    east of 180° move to the front, with 360° subtracted.

    Parameters
    ----------
    info : FileInfo
        The file's description.
    axes : Axes
        The axes found by :func:`picpump.io.ingest.conventions.find_axes`.

    Returns
    -------
    Layout
        The rules and the resulting coordinates.
    """
    lat = _coordinate(info, axes.lat)
    lon = _coordinate(info, axes.lon)
    flip = lat.size > 1 and bool(lat[0] > lat[-1])
    shift = int(np.searchsorted(lon, 180.0)) if lon.size and lon.max() > 180.0 else 0
    if shift:
        lon = np.concatenate([lon[shift:] - 360.0, lon[:shift]])
    return Layout(axes, flip, shift, lat[::-1] if flip else lat, lon)


def _span(values: NDArray[np.float64]) -> str:
    return f"{values[0]:.6g}…{values[-1]:.6g}" if values.size else "empty"


def check_grid(lay: Layout, grid: Grid, url: str) -> None:
    """Check that the oriented coordinates are the grid's cell centres.

    Rule: the shape is ``grid.shape`` and every coordinate is within 1e-3 × resolution of
    the grid's cell centre. No regridding happens here.

    Parameters
    ----------
    lay : Layout
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


def refinement(lay: Layout, grid: Grid, url: str) -> int:
    """Return how many times finer than ``grid`` a field's regular global grid is.

    Rule: the field's shape is an integer multiple ``k`` of the grid's along both axes and its
    coordinates are the cell centres of the grid of resolution ``grid.resolution / k``; 1 for
    the grid itself. Anything else is refused as in :func:`check_grid`.

    Parameters
    ----------
    lay : Layout
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


def units_rule(canonical: str | None, info: FileInfo, override: str | None) -> tuple[float, float]:
    """Return ``(factor, offset)`` to the canonical units.

    Rule: the catalog's ``units`` override wins, else the variable's ``units`` attribute;
    :func:`picpump.units.conversion` refuses missing, unknown and ambiguous units (PIC in
    ``mg m-3``). ``canonical=None`` (a variable with no canonical form) is left as stored.

    Parameters
    ----------
    canonical : str or None
        Canonical variable name.
    info : FileInfo
        The file's description.
    override : str or None
        Units declared in the catalog.

    Returns
    -------
    tuple of float
        ``canonical = raw * factor + offset``.
    """
    if canonical is None:
        return 1.0, 0.0
    units = override if override is not None else info.attrs.get("units")
    return conversion(canonical, None if units is None else str(units), source=info.url)


def _fill_values(attrs: Mapping[str, Any], dtype: np.dtype[Any]) -> list[Any]:
    """Return the stored values that mean "missing" (``_FillValue``, ``missing_value``)."""
    values = [v for k in ("_FillValue", "missing_value") for v in np.ravel(attrs.get(k, []))]
    if "_FillValue" not in attrs and dtype.itemsize > 1:
        values.append(netCDF4.default_fillvals.get(dtype.str[1:], None))
    return [v for v in values if v is not None]


def missing_mask(raw: NDArray[Any], attrs: Mapping[str, Any]) -> NDArray[np.bool_]:
    """Return where a stored (packed) array is missing.

    Rule: ``_FillValue`` (else the netCDF default fill of the type), every ``missing_value``,
    NaN, and values outside ``valid_min``/``valid_max``/``valid_range`` — compared on the
    stored values, before ``scale_factor``/``add_offset``, as CF specifies.

    Parameters
    ----------
    raw : numpy.ndarray
        The stored values (not unpacked, not masked).
    attrs : mapping
        The variable's attributes.

    Returns
    -------
    numpy.ndarray of bool
        True where missing.
    """
    mask = np.isnan(raw) if raw.dtype.kind == "f" else np.zeros(raw.shape, bool)
    for value in _fill_values(attrs, raw.dtype):
        mask |= raw == value
    low, high = np.ravel(attrs.get("valid_range", [None, None]))[:2]
    low = attrs.get("valid_min", low)
    high = attrs.get("valid_max", high)
    if low is not None:
        mask |= raw < low
    if high is not None:
        mask |= raw > high
    return mask


def unpack(raw: NDArray[Any], attrs: Mapping[str, Any]) -> Float32Array:
    """Return float32 values: ``raw * scale_factor + add_offset`` (CF packing), missing NaN.

    Parameters
    ----------
    raw : numpy.ndarray
        The stored values.
    attrs : mapping
        The variable's attributes.

    Returns
    -------
    numpy.ndarray of float32
        A new array.
    """
    mask = missing_mask(raw, attrs)
    data = raw.astype(np.float32)
    scale, offset = attrs.get("scale_factor", 1.0), attrs.get("add_offset", 0.0)
    if scale != 1.0:
        data *= np.float32(scale)
    if offset != 0.0:
        data += np.float32(offset)
    data[mask] = np.nan
    return data


def orient[T: np.generic](data: NDArray[T], lay: Layout) -> NDArray[T]:
    """Squeeze the time axis, order (lat, lon), flip latitude and roll longitude.

    Parameters
    ----------
    data : numpy.ndarray
        Values in the stored axis order.
    lay : Layout
        The rules from :func:`layout`.

    Returns
    -------
    numpy.ndarray
        A C-contiguous (lat, lon) array.
    """
    if lay.axes.time is not None:
        data = np.take(data, 0, axis=lay.axes.time)
    lat_axis = lay.axes.lat - int(lay.axes.time is not None and lay.axes.time < lay.axes.lat)
    if lat_axis == 1:
        data = data.T
    if lay.flip_lat:
        data = data[::-1]
    if lay.lon_shift:
        return np.concatenate([data[:, lay.lon_shift :], data[:, : lay.lon_shift]], axis=1)
    return np.ascontiguousarray(data)


def convert(data: Float32Array, factor: float, offset: float) -> Float32Array:
    """Apply ``data * factor + offset`` in place (float32)."""
    if factor != 1.0:
        data *= np.float32(factor)
    if offset != 0.0:
        data += np.float32(offset)
    return data


def clear_non_positive(data: Float32Array, canonical: str | None) -> Float32Array:
    """Set values ≤ 0 to NaN for ocean-colour quantities (:data:`POSITIVE_ONLY`), in place.

    Rule (GlobColour): concentrations, light, attenuation and production are strictly
    positive; zero or negative values are retrieval failures, not measurements. SST is
    exempt.
    """
    if canonical in POSITIVE_ONLY:
        data[data <= 0] = np.nan
    return data


__all__ = [
    "POSITIVE_ONLY",
    "Layout",
    "check_grid",
    "clear_non_positive",
    "convert",
    "layout",
    "missing_mask",
    "orient",
    "unpack",
    "units_rule",
]
