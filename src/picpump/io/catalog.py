"""Open catalog entries lazily, in the canonical form.

The catalog format, its templates and the URL resolution live in
:mod:`picpump.io.catalog_yaml`, :mod:`picpump.io.templates` and :mod:`picpump.io.resolve`;
this module re-exports their public API. :func:`open_monthly` builds the dask graph
directly: one task per chunk of months, each reading its files with
:class:`picpump.io.ingest.MonthReader`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph
from numpy.typing import NDArray

from picpump.errors import CatalogError, explain
from picpump.grid import Grid
from picpump.io.catalog_yaml import (
    DRIVERS,
    MONTHLY,
    STATIC,
    ZARR,
    Catalog,
    SourceSpec,
    load_catalog,
    months_of,
)
from picpump.io.files import source_fingerprint
from picpump.io.ingest import MonthReader, read_static
from picpump.io.resolve import (
    entry_args,
    entry_context,
    entry_options,
    monthly_source,
    render_template,
    resolve_month_urls,
    resolve_url,
)
from picpump.units import CANONICAL

_COORD_ATTRS = {
    "lat": {"units": "degrees_north", "standard_name": "latitude", "long_name": "latitude"},
    "lon": {"units": "degrees_east", "standard_name": "longitude", "long_name": "longitude"},
    "time": {"standard_name": "time", "long_name": "first day of the month"},
}


@dataclass(frozen=True)
class _Block:
    """One dask task: read consecutive months into a (n, nlat, nlon) block."""

    reader: MonthReader
    files: tuple[tuple[str, pd.Timestamp], ...]

    def __call__(self) -> NDArray[np.float32]:
        out = np.empty((len(self.files), *self.reader.grid.shape), dtype=np.float32)
        for i, (url, month) in enumerate(self.files):
            out[i] = self.reader.read(url, month)
        return out


def stack_months(
    files: Sequence[tuple[pd.Timestamp, str]], reader: MonthReader, months_per_chunk: int
) -> da.Array:
    """Build a lazy (time, lat, lon) dask array, one task per chunk of months.

    Parameters
    ----------
    files : sequence of (pandas.Timestamp, str)
        Month and file, in time order.
    reader : MonthReader
        How to read one file.
    months_per_chunk : int
        Months per chunk (and per task).

    Returns
    -------
    dask.array.Array
        float32, chunks ``(months_per_chunk, nlat, nlon)``; nothing is read until computed.
    """
    n = max(1, int(months_per_chunk))
    pairs = [(url, pd.Timestamp(month)) for month, url in files]
    blocks = [_Block(reader, tuple(pairs[i : i + n])) for i in range(0, len(pairs), n)]
    name = f"read-{reader.canonical or reader.variable}-{tokenize(reader, pairs)}"
    dsk: dict[Any, Any] = {(name, i, 0, 0): (block,) for i, block in enumerate(blocks)}
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    nlat, nlon = reader.grid.shape
    chunks = (tuple(len(b.files) for b in blocks), (nlat,), (nlon,))
    return da.Array(graph, name, chunks, dtype=np.float32, meta=np.empty((0, 0, 0), np.float32))


def open_monthly(
    catalog: Catalog,
    name: str,
    grid: Grid,
    period: tuple[str, str] | None = None,
    months_per_chunk: int = 12,
    **params: Any,
) -> xr.DataArray:
    """Open a monthly source lazily, in the canonical form.

    Plan-time work is the URL resolution and one header read of the first file (variable,
    month, axes, grid and units are checked there, for an early and clear error); no data
    is read and nothing is computed.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A monthly source.
    grid : Grid
        The pipeline grid; every file must be on it.
    period : tuple of str, optional
        ``(first, last)`` months, inclusive; default the whole archive.
    months_per_chunk : int, default 12
        Months per dask chunk (one task reads one chunk).
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        Named after the canonical variable, dims (time, lat, lon), time = first day of the
        month, lat ascending, lon −180…180 (the grid's cell centres), float32, NaN for
        missing, CF attributes, chunks ``(months_per_chunk, nlat, nlon)``.
    """
    spec = monthly_source(catalog, name)
    files = resolve_month_urls(catalog, name, period, **params)
    args = entry_args(catalog, spec, params)
    canonical = str(spec.metadata["canonical"])
    options = entry_options(catalog, spec, entry_context(catalog, spec, params), files[0][1])
    units = args.get("units")
    reader = MonthReader(
        str(args["variable"]),
        canonical,
        str(args["convention"]),
        grid,
        None if units is None else str(units),
        options,
    )
    reader.inspect(files[0][1], files[0][0])
    time = pd.DatetimeIndex([m for m, _ in files]).as_unit("ns")
    return xr.DataArray(
        stack_months(files, reader, months_per_chunk),
        dims=("time", "lat", "lon"),
        coords={
            "time": ("time", time, _COORD_ATTRS["time"]),
            "lat": ("lat", grid.lat, _COORD_ATTRS["lat"]),
            "lon": ("lon", grid.lon, _COORD_ATTRS["lon"]),
        },
        name=canonical,
        attrs=CANONICAL[canonical].attrs(),
    )


def open_static(catalog: Catalog, name: str, **params: Any) -> xr.DataArray:
    """Read a static source (bathymetry, masks) eagerly, lat ascending, lon −180…180.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A ``picpump.netcdf`` source; ``metadata.canonical`` (e.g. ``elevation``), when
        given, sets the unit conversion and the attributes.
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        (lat, lon) on the file's own grid.
    """
    spec = catalog.source(name)
    if spec.driver != STATIC:
        rule = f"'{name}' must be a {STATIC} source to be read as a static field"
        received = f"driver {spec.driver} ({catalog.urlpath})"
        raise CatalogError(explain(rule, received, "use open_monthly for it"))
    url = resolve_url(catalog, name, **params)
    args = entry_args(catalog, spec, params)
    canonical = spec.metadata.get("canonical")
    options = entry_options(catalog, spec, entry_context(catalog, spec, params), url)
    units = args.get("units")
    return read_static(
        url,
        variable=str(args["variable"]),
        canonical=None if canonical is None else str(canonical),
        units=None if units is None else str(units),
        storage_options=options,
    )


__all__ = [
    "DRIVERS",
    "MONTHLY",
    "STATIC",
    "ZARR",
    "Catalog",
    "SourceSpec",
    "load_catalog",
    "months_of",
    "open_monthly",
    "open_static",
    "render_template",
    "resolve_month_urls",
    "resolve_url",
    "source_fingerprint",
    "stack_months",
]
