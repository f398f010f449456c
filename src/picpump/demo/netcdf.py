"""NetCDF helpers of the demo writers: atomic files, axes, fills, the demo bathymetry.

Every file is written under a temporary name beside its final one and renamed when
complete, so a killed build never leaves a half-written file under a final name. Fields
arrive on the canonical grid (lat ascending, NaN = missing); each writer applies its
convention's orientation and fill value. No attribute depends on the clock, so a build is
reproducible byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
from numpy.typing import NDArray
from xarray.backends.locks import HDF5_LOCK as NETCDF_LOCK

from picpump.demo.geography import GRID
from picpump.grid import Grid

Array = NDArray[np.float64]

SYNTHETIC_COMMENT = (
    "synthetic demo data written by picpump (picpump demo build): smooth analytic fields "
    "in the real archive's file layout; not an observation of the real ocean"
)
DATE_CREATED = "2026-01-01T00:00:00.000Z"
"""A fixed creation date: the files must not depend on when they were built."""
PARTIAL_TAG = ".partial-"
"""Marks a file being written (``.<name>.partial-<pid>``)."""

BATHYMETRY_UNITS = "m"


def synthetic_attrs(seed: int) -> dict[str, str]:
    """Return the global attributes every demo file carries.

    Parameters
    ----------
    seed : int
        Seed of the archive.

    Returns
    -------
    dict of str to str
        ``comment``, ``picpump_synthetic`` and ``history``.
    """
    return {
        "comment": SYNTHETIC_COMMENT,
        "picpump_synthetic": "true",
        "history": f"synthetic demo data: picpump demo build (seed {seed})",
    }


def cf_global_attrs(title: str, source: str, seed: int) -> dict[str, str]:
    """Return the global attributes of a demo file in a plain CF layout.

    Parameters
    ----------
    title : str
        The file's ``title``.
    source : str
        How the data were made (``source``).
    seed : int
        Seed of the archive.

    Returns
    -------
    dict of str to str
        ``Conventions``, ``title``, ``source``, ``date_created``, then the
        :func:`synthetic_attrs`.
    """
    attrs = {"Conventions": "CF-1.10", "title": title, "source": source}
    return attrs | {"date_created": DATE_CREATED} | synthetic_attrs(seed)


@contextmanager
def atomic_dataset(path: Path) -> Iterator[netCDF4.Dataset]:
    """Open a new NETCDF4 file under a temporary name; publish it as ``path`` when complete.

    Parameters
    ----------
    path : pathlib.Path
        Final path of the file.

    Yields
    ------
    netCDF4.Dataset
        The open dataset, in write mode.
    """
    partial = path.with_name(f".{path.name}{PARTIAL_TAG}{os.getpid()}")
    with NETCDF_LOCK:  # HDF5 is not thread-safe: never write beside a reading thread
        dataset = netCDF4.Dataset(partial, "w", format="NETCDF4")
        try:
            yield dataset
        except BaseException:
            dataset.close()
            partial.unlink(missing_ok=True)
            raise
        dataset.close()
    os.replace(partial, path)


def set_attrs(target: Any, attrs: Mapping[str, Any]) -> None:
    """Set netCDF attributes on a dataset, group or variable, in order.

    Parameters
    ----------
    target : netCDF4.Dataset or netCDF4.Group or netCDF4.Variable
        Where to set them.
    attrs : mapping
        Name → value (str, or numpy scalar for a typed attribute).
    """
    for key, value in attrs.items():
        target.setncattr(key, value)


def filled(values: Array, fill: float, descending: bool) -> NDArray[np.float32]:
    """Return float32 values with NaN replaced by ``fill``, optionally north to south.

    Parameters
    ----------
    values : numpy.ndarray
        Field on the canonical grid (lat ascending), NaN where missing.
    fill : float
        The fill value.
    descending : bool
        Whether to flip the rows to latitude descending.

    Returns
    -------
    numpy.ndarray of float32
        The values to store.
    """
    rows = values[::-1] if descending else values
    return np.asarray(np.where(np.isfinite(rows), rows, fill), dtype=np.float32)


def write_axes(
    dataset: netCDF4.Dataset,
    descending: bool,
    attrs: Mapping[str, Mapping[str, Any]],
    grid: Grid = GRID,
) -> None:
    """Create the ``lat`` and ``lon`` float32 coordinate variables (and dimensions if absent).

    Parameters
    ----------
    dataset : netCDF4.Dataset
        The file.
    descending : bool
        Whether latitude runs north to south.
    attrs : mapping
        ``{"lat": {...}, "lon": {...}}``: attributes of each coordinate; a ``_FillValue``
        entry is applied as the variable's fill value.
    grid : Grid, optional
        The grid of the axes; default the demo archive's 1° grid.
    """
    lat = grid.lat[::-1] if descending else grid.lat
    for name, values in (("lat", lat), ("lon", grid.lon)):
        if name not in dataset.dimensions:
            dataset.createDimension(name, values.size)
        fill = attrs[name].get("_FillValue", False)
        var = dataset.createVariable(name, "f4", (name,), fill_value=fill)
        set_attrs(var, {k: v for k, v in attrs[name].items() if k != "_FillValue"})
        var[:] = values.astype(np.float32)


def cf_axes() -> dict[str, dict[str, Any]]:
    """Return CF attributes of latitude and longitude coordinates."""
    return {
        "lat": {
            "standard_name": "latitude",
            "long_name": "latitude",
            "units": "degrees_north",
            "axis": "Y",
            "valid_min": np.float32(-90.0),
            "valid_max": np.float32(90.0),
        },
        "lon": {
            "standard_name": "longitude",
            "long_name": "longitude",
            "units": "degrees_east",
            "axis": "X",
            "valid_min": np.float32(-180.0),
            "valid_max": np.float32(180.0),
        },
    }


def write_bathymetry(path: Path, elevation: Array, seed: int, grid: Grid = GRID) -> None:
    """Write the demo bathymetry: ``elevation`` [m, positive up], lat ascending, CF attributes.

    Parameters
    ----------
    path : pathlib.Path
        Final path.
    elevation : numpy.ndarray
        Elevation on the canonical grid.
    seed : int
        Seed of the archive (recorded in ``history``).
    grid : Grid, optional
        The grid of ``elevation``; default the demo archive's 1° grid.
    """
    with atomic_dataset(path) as ds:
        write_axes(ds, descending=False, attrs=cf_axes(), grid=grid)
        var = ds.createVariable("elevation", "f4", ("lat", "lon"), zlib=True, fill_value=False)
        set_attrs(
            var,
            {
                "standard_name": "height_above_mean_sea_level",
                "long_name": "bed elevation relative to sea level (ocean depth < 0)",
                "units": BATHYMETRY_UNITS,
                "positive": "up",
            },
        )
        var[:] = elevation.astype(np.float32)
        title = f"picpump demo bathymetry, {grid.resolution:g} degree"
        source = "synthetic: coastlines of global-land-mask, analytic shelves and ridges"
        set_attrs(ds, cf_global_attrs(title, source, seed))


__all__ = [
    "BATHYMETRY_UNITS",
    "DATE_CREATED",
    "PARTIAL_TAG",
    "SYNTHETIC_COMMENT",
    "atomic_dataset",
    "cf_axes",
    "cf_global_attrs",
    "filled",
    "set_attrs",
    "synthetic_attrs",
    "write_axes",
    "write_bathymetry",
]
