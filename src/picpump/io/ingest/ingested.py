"""Open a store written by ``picpump ingest`` as a pipeline input (driver ``picpump.ingested``).

A catalog entry ``{driver: picpump.ingested, args: {urlpath: stores/pic.zarr}}`` lets a run
read the months an incremental ingest committed instead of the archive's files. Only the
committed months exist for a reader (the store's consolidated metadata lists them); the
run's period must lie inside them, on the run's grid, with the canonical units the store
records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from picpump.errors import CatalogError, GridError, InputError, explain
from picpump.grid import Grid
from picpump.io.catalog.entry import ResolvedEntry
from picpump.io.store.fs import source_fingerprint
from picpump.io.store.ingest_store import RECORD
from picpump.period import Period
from picpump.units import CANONICAL

INGESTED = "picpump.ingested"
"""Driver of ingest-store entries."""


def _record(ds: xr.Dataset, url: str) -> dict[str, Any]:
    record = ds.attrs.get(RECORD)
    if not isinstance(record, dict) or not record.get("months"):
        raise InputError(
            explain(
                "a picpump.ingested entry must point at a store written by `picpump ingest`",
                f"{url} has no committed months",
                "run `picpump ingest CATALOG ENTRY --out STORE` first, or fix args.urlpath",
            )
        )
    return record


def _check_grid(da: xr.DataArray, grid: Grid, url: str) -> None:
    same = da.shape[1:] == grid.shape and np.allclose(da["lat"], grid.lat, atol=1e-6)
    if not (same and np.allclose(da["lon"], grid.lon, atol=1e-6)):
        raise GridError(
            explain(
                f"an ingest store must be on the run's grid ({grid.resolution:g}°, {grid.shape})",
                f"{url}: shape {da.shape[1:]}",
                "ingest again with --grid matching the pipeline spec",
            )
        )


def _months(da: xr.DataArray, period: Period | None, url: str) -> xr.DataArray:
    if period is None:
        return da
    wanted = period.months
    present = pd.DatetimeIndex(da["time"].values)
    missing = wanted.difference(present)
    if len(missing):
        raise InputError(
            explain(
                "the run's period must be committed in the ingest store",
                f"{url} lacks {len(missing)} months, first {missing[0]:%Y-%m}",
                "run `picpump ingest` for these months, or shorten the period",
            )
        )
    return da.sel(time=wanted)


def open_ingested(entry: ResolvedEntry, grid: Grid, months_per_chunk: int = 12) -> xr.DataArray:
    """Open the committed months of an ingest store lazily, in the canonical form.

    Parameters
    ----------
    entry : ResolvedEntry
        A ``picpump.ingested`` entry; its period's months must all be committed.
    grid : Grid
        The run's grid; the store must be on it.
    months_per_chunk : int, default 12
        Months per dask chunk.

    Returns
    -------
    xarray.DataArray
        Named after the canonical variable, dims (time, lat, lon), float32, CF attributes.

    Raises
    ------
    InputError
        Not an ingest store, or months of the period not committed.
    GridError
        A store on another grid.
    """
    if entry.driver != INGESTED or entry.url is None:
        rule = f"'{entry.name}' must be a {INGESTED} entry"
        raise CatalogError(explain(rule, f"driver {entry.driver}", "fix the catalog"))
    url = entry.url
    ds = xr.open_zarr(url, storage_options=dict(entry.options) or None, consolidated=True)
    record = _record(ds, url)
    variable = str(record["variable"])
    da = _months(ds[variable], entry.period, url)
    _check_grid(da, grid, url)
    attrs = CANONICAL[variable].attrs() | {"source_store": url}
    return da.chunk({"time": months_per_chunk, "lat": -1, "lon": -1}).assign_attrs(attrs)


def ingested_fingerprint(entry: ResolvedEntry) -> str:
    """Fingerprint an ingest store by its commit (the root metadata file's stamp)."""
    url = str(entry.url)
    return source_fingerprint([f"{url.rstrip('/')}/zarr.json"], entry.options)


__all__ = ["INGESTED", "ingested_fingerprint", "open_ingested"]
