"""Small gridded ancillary files: open eagerly, find and canonicalise the lat/lon axes.

Shared by the readers of the calcifier biomass (:mod:`picpump.io.ancillary.taxa`) and export-pathway
(:mod:`picpump.io.ancillary.pathways`) grids. Canonical orientation, the rule of every reader
(:func:`picpump.io.ingest.rules.orientation`): lat ascending, lon −180…180 ascending, dims named
``lat`` and ``lon``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from picpump.errors import GridError, InputError, explain
from picpump.grid import Grid
from picpump.io.ingest.names import LAT_NAMES, LON_NAMES, named
from picpump.io.ingest.rules import orientation
from picpump.io.store.fs import local_copy


def open_small_netcdf(url: str, storage_options: Mapping[str, Any] | None = None) -> xr.Dataset:
    """Read a small NetCDF file whole into memory (any fsspec URL).

    Parameters
    ----------
    url : str
        Local path or fsspec URL.
    storage_options : mapping, optional
        fsspec options of the URL's filesystem.

    Returns
    -------
    xarray.Dataset
        The loaded dataset (fill values masked, scale factors applied).

    Raises
    ------
    InputError
        When the file is missing or not a readable NetCDF file.
    """
    try:
        with local_copy(url, storage_options) as path:
            with xr.open_dataset(path, engine="netcdf4") as ds:
                return ds.load()
    except (OSError, ValueError) as err:
        raise InputError(
            explain(
                "an ancillary grid must be a readable NetCDF file",
                f"{url}: {err}",
                "check the path in the catalog entry (args.urlpath)",
            )
        ) from err


def find_name(names: Sequence[str], given: str | None, candidates: Sequence[str], url: str) -> str:
    """Return ``given`` if present, else the first candidate present, or raise InputError.

    Parameters
    ----------
    names : sequence of str
        Names in the file (dims, coordinates or columns).
    given : str, optional
        Name chosen by the user.
    candidates : sequence of str
        Names to try when ``given`` is None.
    url : str
        The file, for the message.

    Returns
    -------
    str
        The name found.
    """
    wanted = [given] if given is not None else list(candidates)
    for name in wanted:
        if name in names:
            return name
    raise InputError(
        explain(
            f"the file must hold one of {wanted}",
            f"{url} holds {sorted(map(str, names))}",
            "name it in the catalog entry args (e.g. lat_name: latitude)",
        )
    )


def find_lonlat(
    names: Sequence[str], lat_name: str | None, lon_name: str | None, url: str
) -> tuple[str, str]:
    """Return the names of the latitude and longitude axes (see :func:`find_name`).

    Parameters
    ----------
    names : sequence of str
        Names in the file (dims or columns).
    lat_name, lon_name : str, optional
        Names chosen by the user; by default the first of
        :data:`picpump.io.ingest.names.LAT_NAMES` and :data:`~picpump.io.ingest.names.LON_NAMES`
        present, compared case-insensitively.
    url : str
        The file, for the message.

    Returns
    -------
    tuple of str
        ``(lat, lon)``.
    """
    lat = find_name(names, lat_name, named(names, "lat") or LAT_NAMES, url)
    return lat, find_name(names, lon_name, named(names, "lon") or LON_NAMES, url)


def canonical_lonlat(obj: xr.Dataset, lat: str, lon: str, url: str) -> xr.Dataset:
    """Rename to lat/lon and orient: lat ascending, lon −180…180 ascending.

    The orientation is :func:`picpump.io.ingest.rules.orientation`, applied to every variable
    on the lat or lon axis: descending latitudes are reversed, 0…360 longitudes rolled.

    Parameters
    ----------
    obj : xarray.Dataset
        Data with 1-D ``lat`` and ``lon`` coordinates (under any names), each monotonic.
    lat, lon : str
        Their names in ``obj``.
    url : str
        The file, for the messages.

    Returns
    -------
    xarray.Dataset
        Canonical orientation, float64 coordinates.

    Raises
    ------
    GridError
        For non-finite, repeated or unordered coordinates, latitudes beyond ±90° or
        longitudes outside −180…360.
    """
    ds = obj.rename({lat: "lat", lon: "lon"}) if (lat, lon) != ("lat", "lon") else obj
    rules = orientation(ds["lat"].values, ds["lon"].values)
    _check_range(rules.lat, 90.0, "lat", url)
    _check_range(ds["lon"].values, 360.0, "lon", url, low=-180.0)
    ds = ds.isel(lat=rules.lat_index(), lon=rules.lon_index())
    ds = ds.assign_coords(lat=("lat", rules.lat), lon=("lon", rules.lon))
    for name in ("lat", "lon"):
        if np.any(np.diff(ds[name].values) <= 0):
            raise GridError(
                explain(
                    f"'{name}' must hold distinct cell centres, in order",
                    f"repeated or unordered values in {url} (lon compared after moving "
                    "0…360 to −180…180)",
                    "drop the repeated row or column (e.g. a 0°/360° duplicate), or sort the file",
                )
            )
    return ds


def _check_range(
    values: Any, high: float, name: str, url: str, *, low: float | None = None
) -> None:
    """Refuse non-finite coordinates and coordinates outside ``low…high`` (default ±high)."""
    values = np.asarray(values, dtype=np.float64)
    low = -high if low is None else low
    if not (np.all(np.isfinite(values)) and np.all((values >= low) & (values <= high))):
        raise GridError(
            explain(
                f"'{name}' values must be finite and within {low:g}…{high:g}°",
                url,
                f"fix the {name} coordinate",
            )
        )


def onto_grid(ds: xr.Dataset, grid: Grid, url: str) -> xr.Dataset:
    """Place a canonical dataset onto ``grid`` (missing cells NaN); refuse off-grid points.

    Parameters
    ----------
    ds : xarray.Dataset
        Canonical orientation (:func:`canonical_lonlat`).
    grid : Grid
        The grid whose cell centres the coordinates must match (to 1 % of a cell).
    url : str
        The file, for the message.

    Returns
    -------
    xarray.Dataset
        On the full ``grid``.
    """
    tolerance = grid.resolution / 100.0
    for name, centres in (("lat", grid.lat), ("lon", grid.lon)):
        values = ds[name].values
        nearest = np.clip(np.searchsorted(centres, values), 0, centres.size - 1)
        below = np.clip(nearest - 1, 0, centres.size - 1)
        gap = np.minimum(np.abs(centres[nearest] - values), np.abs(centres[below] - values))
        if np.any(gap > tolerance):
            raise GridError(
                explain(
                    f"the {name} values must be cell centres of the {grid.resolution:g}° grid",
                    f"{url}: e.g. {name} = {values[np.argmax(gap)]:g}",
                    "regrid the file first, or read it without grid= and regrid the result",
                )
            )
    return ds.reindex(lat=grid.lat, lon=grid.lon, method="nearest", tolerance=tolerance)


__all__ = [
    "LAT_NAMES",
    "LON_NAMES",
    "canonical_lonlat",
    "find_lonlat",
    "find_name",
    "onto_grid",
    "open_small_netcdf",
]
