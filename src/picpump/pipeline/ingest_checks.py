"""Checks of an incremental ingest: the existing store, its identity, the period asked for.

Rules: time is append-only and continuous (no month before the store's first, no gap after
its last unless ``fill_gap``); the grid, the canonical variable, its units and the time
coordinate must be the store's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import zarr
from fsspec.core import url_to_fs

from picpump.errors import GridError, InputError, UnitsError, explain
from picpump.grid import Grid
from picpump.io.api import Catalog, ResolvedEntry
from picpump.io.catalog.model import months_of
from picpump.io.catalog.months import monthly_source
from picpump.io.ingest.monthly import month_reader
from picpump.io.ingest.reader import MonthReader
from picpump.io.store.ingest_store import FORMAT, RECORD, IngestStore, days_since_epoch
from picpump.period import Period
from picpump.units import CANONICAL


@dataclass(frozen=True)
class EntrySource:
    """The catalog entry being ingested.

    Attributes
    ----------
    name, canonical : str
        Entry name and canonical variable.
    reader : MonthReader
        Reads and checks one month.
    options : dict
        fsspec options of the entry's files.
    """

    name: str
    canonical: str
    reader: MonthReader
    options: dict[str, Any]


def entry_canonical(catalog: Catalog, name: str) -> str:
    """Return the canonical variable of a monthly entry, refusing an entry without one."""
    canonical = str(monthly_source(catalog, name).metadata.get("canonical", ""))
    if canonical not in CANONICAL:
        raise InputError(
            explain(
                f"an ingested entry must name a canonical variable ({sorted(CANONICAL)})",
                f"metadata.canonical {canonical!r} of '{name}' ({catalog.urlpath})",
                "set metadata.canonical of the catalog entry",
            )
        )
    return canonical


def entry_source(entry: ResolvedEntry, grid: Grid) -> EntrySource:
    """Build the reader of a resolved monthly entry."""
    canonical = entry_canonical(entry.catalog, entry.name)
    reader = month_reader(entry, grid)
    return EntrySource(entry.name, canonical, reader, dict(entry.options))


def _store_exists(url: str, options: Mapping[str, Any] | None) -> bool:
    fs, path = url_to_fs(url, **dict(options or {}))
    return bool(fs.exists(path) and (fs.isfile(f"{path}/zarr.json") or fs.ls(path)))


def open_existing(url: str, options: Mapping[str, Any] | None) -> IngestStore | None:
    """Open an existing ingest store; None when absent or never committed a month."""
    if not _store_exists(url, options):
        return None
    record: Any = None
    try:
        group = zarr.open_group(url, mode="r", storage_options=dict(options or {}) or None)
        record = group.attrs.get(RECORD)
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        pass
    if not isinstance(record, Mapping) or record.get("format") != FORMAT:
        raise InputError(
            explain(
                "the output of an ingest must be a picpump ingest store (or not exist yet)",
                f"{url} exists and holds no picpump ingest record",
                "choose another --out, or remove that folder",
            )
        )
    return IngestStore(url, options) if record.get("months") else None


def check_identity(store: IngestStore, canonical: str, grid: Grid) -> None:
    """Refuse a store of another variable, units, grid or broken time axis."""
    record = store.record
    if record["variable"] != canonical:
        raise InputError(
            explain(
                "an ingest appends to a store of the same variable",
                f"entry gives '{canonical}', {store.url} holds '{record['variable']}'",
                "choose the store of that variable (another --out)",
            )
        )
    stored_units = store.units()
    if stored_units != CANONICAL[canonical].units:
        raise UnitsError(
            explain(
                f"the store's '{canonical}' must be in {CANONICAL[canonical].units}",
                f"{store.url} says {stored_units!r}",
                "re-ingest into a new store",
            )
        )
    coords = store.coords()
    same = coords["lat"].shape == grid.lat.shape and coords["lon"].shape == grid.lon.shape
    if not (same and np.allclose(coords["lat"], grid.lat) and np.allclose(coords["lon"], grid.lon)):
        raise GridError(
            explain(
                "an ingest appends on the store's grid",
                f"grid {grid.resolution}° ({grid.nlat}×{grid.nlon}), store "
                f"{coords['lat'].size}×{coords['lon'].size} ({store.url})",
                f"use grid {record['grid']} (or omit it), or ingest into another store",
            )
        )
    months = pd.DatetimeIndex(store.months)
    expected = pd.date_range(months[0], periods=len(months), freq="MS")
    if not months.equals(expected) or not np.array_equal(
        coords["time"], days_since_epoch(expected)
    ):
        raise InputError(
            explain(
                "a store's months are continuous and match its time coordinate",
                f"{store.url}: record {store.months[0]}…{store.months[-1]} ({len(months)}), "
                f"time coordinate of {coords['time'].size} values",
                "the store was modified outside picpump: re-ingest into a new store",
            )
        )


def requested_period(
    catalog: Catalog,
    entry: str,
    period: Period | None,
    present: list[str],
    fill_gap: bool,
) -> Period:
    """Return the months to hold after this run, checking continuity with the store."""
    archive = months_of(monthly_source(catalog, entry))
    first, last = (period.first, period.last) if period else (archive[0], archive[-1])
    if not present:
        return Period(first, last)
    p0, p1 = pd.Timestamp(present[0]), pd.Timestamp(present[-1])
    after = p1 + pd.offsets.MonthBegin(1)
    if period is None:
        first = p0
    if first < p0:
        raise InputError(
            explain(
                "an ingest store grows forward in time only (no month before its first)",
                f"period starts {first:%Y-%m}, the store starts {p0:%Y-%m}",
                f"ingest into a new store starting {first:%Y-%m}, or start the period at "
                f"{p0:%Y-%m} or later",
            )
        )
    if first > after and not fill_gap:
        raise InputError(
            explain(
                "the months of an ingest store are continuous (no gap)",
                f"the store ends {p1:%Y-%m}, the period starts {first:%Y-%m}",
                f"start the period at {after:%Y-%m}, or pass --fill-gap (fill_gap=True) to "
                "ingest the months in between too",
            )
        )
    return Period(min(first, after), max(last, p1))


__all__ = [
    "EntrySource",
    "check_identity",
    "entry_canonical",
    "entry_source",
    "open_existing",
    "requested_period",
]
