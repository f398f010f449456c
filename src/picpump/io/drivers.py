"""The table of catalog drivers: for each, how an entry is opened and fingerprinted.

:data:`OPENERS` holds one :class:`Driver` per name of
:data:`picpump.io.catalog.model.DRIVERS` (a test keeps the two in step); a
:class:`Request` says how the caller will use the opened entry.
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
from picpump.io.catalog.entry import ResolvedEntry
from picpump.io.catalog.model import ARCO, MONTHLY, STATIC, ZARR, is_climatology
from picpump.io.ingest.arco import open_arco
from picpump.io.ingest.ingested import INGESTED, ingested_fingerprint, open_ingested
from picpump.io.ingest.monthly import open_climatology_files, open_month_files
from picpump.io.ingest.reader import read_static
from picpump.io.references import REFERENCES, open_references
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import open_product
from picpump.io.traps import TRAP_DRIVERS, read_trap_entry

TABLE = "picpump.table"
REGIONS = "picpump.regions"
TAXA = "picpump.taxa"
PATHWAYS = "picpump.pathways"
STANDARD_ZARR = "zarr"
"""Intake's standard Zarr driver (intake-xarray): the gridded products of a run catalog."""
STANDARD_PARQUET = "parquet"
"""Intake's standard Parquet driver (intake-parquet): the table products of a run catalog."""
SERIES = (MONTHLY, ARCO, INGESTED, REFERENCES)
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


def _open_references(entry: ResolvedEntry, request: Request) -> xr.DataArray:
    return open_references(entry, request.the_grid(entry), request.months_per_chunk)


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
    REFERENCES: Driver(_open_references),
    ZARR: Driver(lambda e, r: open_product(str(e.url), e.options)),
    TABLE: Driver(lambda e, r: read_table(str(e.url), e.options)),
    STANDARD_ZARR: Driver(lambda e, r: open_product(str(e.url), e.options)),
    STANDARD_PARQUET: Driver(lambda e, r: read_table(str(e.url), e.options)),
    REGIONS: Driver(_open_regions),
    TAXA: Driver(_open_taxa),
    PATHWAYS: Driver(_open_pathways),
} | {driver: Driver(_open_traps) for driver in TRAP_DRIVERS}
"""Every catalog driver (:data:`picpump.io.catalog.model.DRIVERS`) and how it is opened."""


OPENED_WITH = {
    MONTHLY: "open_monthly (open_climatology for a climatology)",
    ARCO: "open_monthly",
    INGESTED: "open_monthly",
    REFERENCES: "open_monthly",
    STATIC: "open_static",
    ZARR: "picpump.io.products.open_source",
    TABLE: "picpump.io.products.open_table",
    STANDARD_ZARR: "picpump.io.products.open_source",
    STANDARD_PARQUET: "picpump.io.products.open_table",
}
"""The one-call function that reads each driver's entries, for error messages."""


__all__ = [
    "ARCO",
    "INGESTED",
    "MONTHLY",
    "OPENED_WITH",
    "OPENERS",
    "PATHWAYS",
    "REFERENCES",
    "REGIONS",
    "SERIES",
    "STANDARD_PARQUET",
    "STANDARD_ZARR",
    "STATIC",
    "TABLE",
    "TAXA",
    "ZARR",
    "Driver",
    "Opener",
    "Request",
]
