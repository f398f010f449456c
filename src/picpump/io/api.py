"""Open catalog entries lazily, in the canonical form.

The catalog format, its templates and the URL resolution live in :mod:`picpump.io.catalog`;
this module re-exports their public API. :func:`open_monthly` builds the dask graph
directly: one task per chunk of months, each reading its files with
:class:`picpump.io.ingest.reader.MonthReader`; ARCO Zarr entries go to
:mod:`picpump.io.ingest.arco`. :func:`open_climatology` reads a monthly climatology entry
(12 calendar months).

Provenance: when the entry's ``duplicates`` rule picked a file for a month, or a month had
no file (``allow_gaps``), the returned field says so in its ``source_file_choices`` and
``missing_months`` attributes.
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

from picpump.errors import CatalogError, InputError, explain
from picpump.grid import Grid
from picpump.io.catalog.model import (
    ARCO,
    DRIVERS,
    MONTHLY,
    STATIC,
    ZARR,
    Catalog,
    SourceSpec,
    is_climatology,
    load_catalog,
    months_of,
)
from picpump.io.catalog.resolve import (
    MonthFiles,
    entry_args,
    entry_context,
    entry_options,
    monthly_source,
    render_template,
    resolve_month_urls,
    resolve_months,
    resolve_url,
)
from picpump.io.ingest.arco import open_arco
from picpump.io.ingest.ingested import INGESTED, open_ingested
from picpump.io.ingest.reader import MonthReader, read_static
from picpump.io.store.fs import source_fingerprint
from picpump.units import CANONICAL

_COORD_ATTRS = {
    "lat": {"units": "degrees_north", "standard_name": "latitude", "long_name": "latitude"},
    "lon": {"units": "degrees_east", "standard_name": "longitude", "long_name": "longitude"},
    "time": {"standard_name": "time", "long_name": "first day of the month"},
}


@dataclass(frozen=True)
class _Block:
    """One dask task: read consecutive months into a (n, nlat, nlon) block (NaN for gaps)."""

    reader: MonthReader
    files: tuple[tuple[str | None, pd.Timestamp], ...]

    def __call__(self) -> NDArray[np.float32]:
        out = np.full((len(self.files), *self.reader.grid.shape), np.nan, dtype=np.float32)
        for i, (url, month) in enumerate(self.files):
            if url is not None:
                out[i] = self.reader.read(url, month)
        return out


def stack_months(
    files: Sequence[tuple[pd.Timestamp, str | None]], reader: MonthReader, months_per_chunk: int
) -> da.Array:
    """Build a lazy (time, lat, lon) dask array, one task per chunk of months.

    Parameters
    ----------
    files : sequence of (pandas.Timestamp, str or None)
        Month and file, in time order; None is a month without a file (all NaN).
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


def _reader(
    catalog: Catalog,
    spec: SourceSpec,
    grid: Grid,
    first: str,
    params: dict[str, Any],
    coarsen: bool = False,
) -> MonthReader:
    """Build the reader of a monthly entry (``first``: a file URL, for storage options)."""
    args = entry_args(catalog, spec, params)
    canonical = spec.metadata.get("canonical")
    units = args.get("units")
    return MonthReader(
        str(args["variable"]),
        None if canonical is None else str(canonical),
        str(args["convention"]),
        grid,
        None if units is None else str(units),
        entry_options(catalog, spec, entry_context(catalog, spec, params), first),
        climatology=is_climatology(spec),
        coarsen=coarsen,
    )


def _opened(
    catalog: Catalog,
    name: str,
    grid: Grid,
    period: tuple[str, str] | None,
    params: dict[str, Any],
    coarsen: bool = False,
) -> tuple[MonthFiles, MonthReader, dict[str, Any]]:
    """Resolve the files, build the reader, check the first file; return the attributes."""
    spec = monthly_source(catalog, name)
    resolved = resolve_months(catalog, name, period, **params)
    if not resolved.present:
        rule = f"'{name}' must have at least one file in the period"
        raise InputError(explain(rule, f"period {period}: every month is missing", "check"))
    first_month, first_url = resolved.present[0]
    reader = _reader(catalog, spec, grid, first_url, params, coarsen)
    info = reader.inspect(first_url, first_month)
    if reader.canonical is None:
        keep = ("units", "long_name", "standard_name")
        attrs = {k: str(info.attrs[k]) for k in keep if k in info.attrs}
    else:
        attrs = CANONICAL[reader.canonical].attrs()
    if resolved.choices:
        attrs["source_file_choices"] = "; ".join(c.describe() for c in resolved.choices)
    if resolved.gaps:
        label = "%m" if reader.climatology else "%Y-%m"
        attrs["missing_months"] = ", ".join(f"{m:{label}}" for m in resolved.gaps)
    return resolved, reader, attrs


def open_monthly(
    catalog: Catalog,
    name: str,
    grid: Grid,
    period: tuple[str, str] | None = None,
    months_per_chunk: int = 12,
    *,
    access: str = "maps",
    coarsen: bool = False,
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
        A monthly source (``picpump.monthly_netcdf`` or ``picpump.arco_zarr``).
    grid : Grid
        The pipeline grid; every file must be on it.
    period : tuple of str, optional
        ``(first, last)`` months, inclusive; default the whole archive.
    months_per_chunk : int, default 12
        Months per dask chunk (one task reads one chunk); ARCO stores keep their own chunks.
    access : {"maps", "climatology", "series"}, default "maps"
        How the field will be used; picks the ARCO Zarr layout (see
        :func:`picpump.io.ingest.arco.choose_layout`); ignored by NetCDF archives.
    coarsen : bool, default False
        Average files on an integer refinement of ``grid`` (9 km or 4 km for 1°, ...) onto
        it, area-weighted over the valid sub-cells; without it they are refused.
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        Named after the canonical variable (the stored name for ``canonical: null``), dims
        (time, lat, lon), time = first day of the month, lat ascending, lon −180…180 (the
        grid's cell centres), float32, NaN for missing, CF attributes (plus
        ``source_file_choices`` / ``missing_months`` when a rule applied), chunks
        ``(months_per_chunk, nlat, nlon)``.
    """
    if catalog.source(name).driver == ARCO:
        return open_arco(catalog, name, grid, period, access=access, **params)
    if catalog.source(name).driver == INGESTED:
        return open_ingested(catalog, name, grid, period, months_per_chunk)
    if is_climatology(monthly_source(catalog, name)):
        rule = f"'{name}' is a monthly climatology (12 calendar months), not a time series"
        raise CatalogError(explain(rule, catalog.urlpath, "open it with open_climatology"))
    resolved, reader, attrs = _opened(catalog, name, grid, period, params, coarsen)
    if coarsen:
        attrs["regridding"] = "finer files averaged conservatively onto the grid (area-weighted)"
    time = pd.DatetimeIndex([m for m, _ in resolved.files]).as_unit("ns")
    return xr.DataArray(
        stack_months(resolved.files, reader, months_per_chunk),
        dims=("time", "lat", "lon"),
        coords={
            "time": ("time", time, _COORD_ATTRS["time"]),
            "lat": ("lat", grid.lat, _COORD_ATTRS["lat"]),
            "lon": ("lon", grid.lon, _COORD_ATTRS["lon"]),
        },
        name=reader.canonical or reader.variable,
        attrs=attrs,
    )


def open_climatology(
    catalog: Catalog, name: str, grid: Grid, months_per_chunk: int = 12, **params: Any
) -> xr.DataArray:
    """Open a monthly-climatology source lazily (e.g. NASA ``L3m.MC``): 12 calendar months.

    The entry declares ``args.time: {climatology: true, start, end}``; its urlpath uses
    ``{{ mm }}``, ``{{ cfirst }}`` and ``{{ clast }}`` (see
    :func:`picpump.io.catalog.templates.climatology_fields`). Each file must cover its calendar
    month (its period starts and ends in that month).

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A climatology entry.
    grid : Grid
        The pipeline grid.
    months_per_chunk : int, default 12
        Calendar months per dask chunk.
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        Dims (month, lat, lon), ``month`` = 1…12 (int), as :func:`open_monthly` otherwise,
        with a ``climatology_record`` attribute (``start … end`` of the record).
    """
    spec = monthly_source(catalog, name)
    if not is_climatology(spec):
        rule = f"'{name}' must declare args.time.climatology: true to be read as a climatology"
        raise CatalogError(explain(rule, catalog.urlpath, "use open_monthly for a time series"))
    resolved, reader, attrs = _opened(catalog, name, grid, None, params)
    time = spec.args["time"]
    attrs["climatology_record"] = f"{time['start']} … {time['end']}"
    return xr.DataArray(
        stack_months(resolved.files, reader, months_per_chunk),
        dims=("month", "lat", "lon"),
        coords={
            "month": ("month", np.arange(1, 13), {"long_name": "calendar month"}),
            "lat": ("lat", grid.lat, _COORD_ATTRS["lat"]),
            "lon": ("lon", grid.lon, _COORD_ATTRS["lon"]),
        },
        name=reader.canonical or reader.variable,
        attrs=attrs,
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
    "ARCO",
    "DRIVERS",
    "MONTHLY",
    "STATIC",
    "ZARR",
    "Catalog",
    "SourceSpec",
    "load_catalog",
    "MonthFiles",
    "months_of",
    "open_climatology",
    "open_monthly",
    "open_static",
    "render_template",
    "resolve_month_urls",
    "resolve_months",
    "resolve_url",
    "source_fingerprint",
    "stack_months",
]
