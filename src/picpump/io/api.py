"""One door to every catalog entry: resolve it once, open it with its driver's opener.

:func:`resolve` turns an entry into a :class:`~picpump.io.catalog.entry.ResolvedEntry`
(templates rendered, folders listed once, the gap and duplicates rules applied). The
pipeline resolves each input once and hands the same value to the fingerprint, the plan and
the run. :func:`open_entry` opens a resolved entry with the opener :data:`OPENERS` holds
for its driver, after fetching and verifying the pinned ancillary files it names (the only
place a download happens). :func:`open_monthly`, :func:`open_climatology` and
:func:`open_static` are the one-call forms.

Provenance: when the entry's ``duplicates`` rule picked a file for a month, or a month had
no file (``allow_gaps``), the returned field says so in its ``source_file_choices`` and
``missing_months`` attributes.
"""

from __future__ import annotations

from typing import Any

import xarray as xr

from picpump.errors import CatalogError, explain
from picpump.grid import Grid
from picpump.io.catalog.entry import ResolvedEntry, resolve_entry
from picpump.io.catalog.model import DRIVERS, Catalog, CatalogEntry, is_climatology, load_catalog
from picpump.io.drivers import (
    ARCO,
    INGESTED,
    MONTHLY,
    OPENED_WITH,
    OPENERS,
    PATHWAYS,
    REGIONS,
    SERIES,
    STATIC,
    TABLE,
    TAXA,
    ZARR,
    Driver,
    Request,
)
from picpump.io.ingest.reader import global_attributes
from picpump.io.store.cache import fetch
from picpump.period import Period


def resolve(
    catalog: Catalog, name: str, period: Period | tuple[str, str] | None = None, **params: Any
) -> ResolvedEntry:
    """Resolve a catalog entry once (see :func:`picpump.io.catalog.entry.resolve_entry`).

    Headers are read only when a ``duplicates`` rule compares ``date_created``.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        The entry.
    period : Period or tuple of str, optional
        Months to resolve (monthly entries); default the whole archive.
    **params
        User parameters of the entry.

    Returns
    -------
    ResolvedEntry
        URLs, rendered args, storage options and stamps.
    """
    return resolve_entry(catalog, name, period, header=global_attributes, **params)


def driver_of(entry: ResolvedEntry, expected: tuple[str, ...] = ()) -> Driver:
    """Return the entry's driver, refusing one outside ``expected`` (when given)."""
    if expected and entry.driver not in expected:
        how = OPENED_WITH.get(entry.driver, "picpump.io.api.open_entry")
        raise CatalogError(
            explain(
                f"'{entry.name}' must be a {' or '.join(expected)} entry here",
                f"driver {entry.driver} ({entry.catalog.urlpath})",
                f"name an entry of the right kind; read a {entry.driver} entry with {how}",
            )
        )
    return OPENERS[entry.driver]


def open_entry(
    entry: ResolvedEntry, request: Request | None = None, expected: tuple[str, ...] = ()
) -> Any:
    """Open a resolved entry with its driver's opener (lazy for gridded monthly entries).

    Pinned ancillary files the entry names are fetched and verified first (a verified
    cached copy is used without network).

    Parameters
    ----------
    entry : ResolvedEntry
        From :func:`resolve`.
    request : Request, optional
        Grid, chunking, access and coarsening.
    expected : tuple of str, optional
        Drivers the caller accepts; another driver is refused with a clear message.

    Returns
    -------
    object
        A DataArray (monthly, static, ARCO, ingested), a Dataset (products, regions, taxa,
        pathways), a DataFrame (traps) or a (DataFrame, attrs) pair (tables).
    """
    driver = driver_of(entry, expected)
    for name in entry.ancillary:
        fetch(name)
    return driver.open(entry, request or Request())


def fingerprint(entry: ResolvedEntry) -> str:
    """Identify a resolved entry's content without reading it (see :class:`Driver`)."""
    return OPENERS[entry.driver].fingerprint(entry)


def open_monthly(
    catalog: Catalog,
    name: str,
    grid: Grid,
    period: Period | tuple[str, str] | None = None,
    months_per_chunk: int = 12,
    *,
    access: str = "maps",
    coarsen: bool = False,
    **params: Any,
) -> xr.DataArray:
    """Resolve and open a monthly entry lazily, in the canonical form.

    Plan-time work is the URL resolution and one header read of the first file (variable,
    month, axes, grid and units are checked there, for an early and clear error); no data
    is read and nothing is computed.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A monthly source (``picpump.monthly_netcdf``, ``picpump.arco_zarr`` or
        ``picpump.ingested``).
    grid : Grid
        The pipeline grid; every file must be on it.
    period : Period or tuple of str, optional
        Months to open; default the whole archive.
    months_per_chunk : int, default 12
        Months per dask chunk (one task reads one chunk); ARCO stores keep their own chunks.
    access : {"maps", "climatology", "series"}, default "maps"
        How the field will be used; picks the ARCO Zarr layout.
    coarsen : bool, default False
        Average files on an integer refinement of ``grid`` onto it, area-weighted over the
        valid sub-cells; without it they are refused.
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        Named after the canonical variable, dims (time, lat, lon), time = first day of the
        month, lat ascending, lon −180…180, float32, NaN for missing, CF attributes.
    """
    entry = resolve(catalog, name, period, **params)
    return open_series(entry, Request(grid, months_per_chunk, access, coarsen))


def open_series(entry: ResolvedEntry, request: Request) -> xr.DataArray:
    """Open a resolved monthly time series (NetCDF months, ARCO store or ingest store).

    Parameters
    ----------
    entry : ResolvedEntry
        A ``picpump.monthly_netcdf`` (not a climatology), ``picpump.arco_zarr`` or
        ``picpump.ingested`` entry.
    request : Request
        Grid, chunking, access and coarsening.

    Returns
    -------
    xarray.DataArray
        As :func:`open_monthly`.
    """
    if entry.driver == MONTHLY and is_climatology(entry.entry):
        rule = f"'{entry.name}' is a monthly climatology (12 calendar months), not a time series"
        received = f"{entry.name} ({entry.catalog.urlpath})"
        raise CatalogError(explain(rule, received, "open it with open_climatology"))
    return open_entry(entry, request, expected=SERIES)


def open_climatology(
    catalog: Catalog, name: str, grid: Grid, months_per_chunk: int = 12, **params: Any
) -> xr.DataArray:
    """Resolve and open a monthly-climatology entry (e.g. NASA ``L3m.MC``): 12 months.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        An entry declaring ``args.time: {climatology: true, start, end}``.
    grid : Grid
        The pipeline grid.
    months_per_chunk : int, default 12
        Calendar months per dask chunk.
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        Dims (month, lat, lon), ``month`` = 1…12, ``climatology_record`` attribute.
    """
    spec = catalog.source(name)
    if spec.driver != MONTHLY or not is_climatology(spec):
        rule = f"'{name}' must declare args.time.climatology: true to be read as a climatology"
        raise CatalogError(explain(rule, catalog.urlpath, "use open_monthly for a time series"))
    entry = resolve(catalog, name, **params)
    return open_entry(entry, Request(grid, months_per_chunk))


def open_static(catalog: Catalog, name: str, **params: Any) -> xr.DataArray:
    """Resolve and read a static entry (bathymetry, masks) eagerly, lat ascending.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A ``picpump.netcdf`` entry; ``metadata.canonical`` (e.g. ``elevation``) sets the
        unit conversion and the attributes.
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
    return open_entry(resolve(catalog, name, **params))


__all__ = [
    "ARCO",
    "DRIVERS",
    "INGESTED",
    "MONTHLY",
    "PATHWAYS",
    "REGIONS",
    "SERIES",
    "STATIC",
    "TABLE",
    "TAXA",
    "ZARR",
    "OPENERS",
    "Catalog",
    "Driver",
    "Request",
    "ResolvedEntry",
    "CatalogEntry",
    "driver_of",
    "fingerprint",
    "load_catalog",
    "open_climatology",
    "open_entry",
    "open_monthly",
    "open_series",
    "open_static",
    "resolve",
]
