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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import xarray as xr

from picpump.errors import CatalogError, explain
from picpump.grid import Grid
from picpump.io.ancillary.pathways import read_pathways
from picpump.io.ancillary.regions import read_reccap2
from picpump.io.ancillary.taxa import read_taxa
from picpump.io.catalog.entry import ResolvedEntry, resolve_entry
from picpump.io.catalog.model import (
    ARCO,
    DRIVERS,
    MONTHLY,
    STATIC,
    ZARR,
    Catalog,
    CatalogEntry,
    is_climatology,
    load_catalog,
)
from picpump.io.ingest.arco import open_arco
from picpump.io.ingest.ingested import INGESTED, ingested_fingerprint, open_ingested
from picpump.io.ingest.monthly import open_climatology_files, open_month_files
from picpump.io.ingest.reader import global_attributes, read_static
from picpump.io.store.cache import fetch
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import open_product
from picpump.io.traps import TRAP_DRIVERS, read_trap_entry
from picpump.period import Period

TABLE = "picpump.table"
REGIONS = "picpump.regions"
TAXA = "picpump.taxa"
PATHWAYS = "picpump.pathways"
SERIES = (MONTHLY, ARCO, INGESTED)
"""Drivers of monthly time series."""


@dataclass(frozen=True)
class Request:
    """How the caller will use an opened entry.

    Attributes
    ----------
    grid : Grid or None
        The run's grid (gridded entries must be on it; taxa are regridded onto it).
    months_per_chunk : int
        Months per dask chunk of monthly fields.
    access : {"maps", "climatology", "series"}
        Picks the layout of an ARCO store.
    coarsen : bool
        Average monthly files on an integer refinement of ``grid`` onto it.
    """

    grid: Grid | None = None
    months_per_chunk: int = 12
    access: str = "maps"
    coarsen: bool = False

    def the_grid(self, entry: ResolvedEntry) -> Grid:
        """Return the grid, refusing a request without one for a gridded entry."""
        if self.grid is None:
            raise CatalogError(
                explain(
                    f"opening a {entry.driver} entry needs the run's grid",
                    f"no grid for '{entry.name}'",
                    "pass Request(grid=Grid(1.0)) (or the spec's grid)",
                )
            )
        return self.grid


Opener = Callable[[ResolvedEntry, Request], Any]


@dataclass(frozen=True)
class Driver:
    """What picpump does with the entries of one driver.

    Attributes
    ----------
    open : callable
        ``(entry, request) -> object``: a lazy DataArray, a Dataset or a DataFrame.
    fingerprint : callable
        ``entry -> str``: identifies the entry's content without reading it.
    """

    open: Opener
    fingerprint: Callable[[ResolvedEntry], str] = ResolvedEntry.fingerprint


def _reader_kwargs(entry: ResolvedEntry, drop: tuple[str, ...]) -> dict[str, Any]:
    """Return the rendered args a file reader takes, plus ``storage_options`` if any."""
    kwargs = {k: v for k, v in entry.args.items() if k not in drop}
    return kwargs | ({"storage_options": dict(entry.options)} if entry.options else {})


def _open_monthly(entry: ResolvedEntry, request: Request) -> xr.DataArray:
    grid = request.the_grid(entry)
    if is_climatology(entry.entry):
        return open_climatology_files(entry, grid, request.months_per_chunk)
    return open_month_files(entry, grid, request.months_per_chunk, request.coarsen)


def _open_static(entry: ResolvedEntry, request: Request) -> xr.DataArray:
    canonical = entry.entry.metadata.get("canonical")
    units = entry.args.get("units")
    return read_static(
        str(entry.url),
        variable=str(entry.args["variable"]),
        canonical=None if canonical is None else str(canonical),
        units=None if units is None else str(units),
        storage_options=dict(entry.options),
    )


def _open_arco(entry: ResolvedEntry, request: Request) -> xr.DataArray:
    grid = request.the_grid(entry)
    period = None if entry.period is None else entry.period.bounds()
    return open_arco(entry.catalog, entry.name, grid, period, access=request.access, **entry.params)


def _open_ingested(entry: ResolvedEntry, request: Request) -> xr.DataArray:
    return open_ingested(entry, request.the_grid(entry), request.months_per_chunk)


def _open_traps(entry: ResolvedEntry, request: Request) -> Any:
    args = {"urlpath": entry.url} | _reader_kwargs(entry, ("variable",))
    return read_trap_entry(entry.driver, args, entry.name)


def _open_regions(entry: ResolvedEntry, request: Request) -> xr.Dataset:
    return read_reccap2(str(entry.url), dict(entry.options) or None)


def _open_taxa(entry: ResolvedEntry, request: Request) -> xr.Dataset:
    kwargs = _reader_kwargs(entry, ("variable", "xarray_kwargs"))
    return read_taxa(str(entry.url), grid=request.the_grid(entry), **kwargs)


def _open_pathways(entry: ResolvedEntry, request: Request) -> xr.Dataset:
    return read_pathways(str(entry.url), **_reader_kwargs(entry, ("variable", "xarray_kwargs")))


OPENERS: Mapping[str, Driver] = {
    MONTHLY: Driver(_open_monthly),
    STATIC: Driver(_open_static),
    ARCO: Driver(_open_arco),
    INGESTED: Driver(_open_ingested, ingested_fingerprint),
    ZARR: Driver(lambda e, r: open_product(str(e.url), e.options)),
    TABLE: Driver(lambda e, r: read_table(str(e.url), e.options)),
    REGIONS: Driver(_open_regions),
    TAXA: Driver(_open_taxa),
    PATHWAYS: Driver(_open_pathways),
} | {driver: Driver(_open_traps) for driver in TRAP_DRIVERS}
"""Every catalog driver (:data:`picpump.io.catalog.model.DRIVERS`) and how it is opened."""


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


OPENED_WITH = {
    MONTHLY: "open_monthly (open_climatology for a climatology)",
    ARCO: "open_monthly",
    INGESTED: "open_monthly",
    STATIC: "open_static",
    ZARR: "picpump.io.products.open_source",
    TABLE: "picpump.io.products.open_table",
}
"""The one-call function that reads each driver's entries, for error messages."""


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
