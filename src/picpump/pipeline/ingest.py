"""Incremental, resumable ingest of one catalog entry into a Zarr v3 store.

``ingest_entry`` appends the months of a catalog entry that the store does not hold yet,
``months_per_write`` at a time (one time chunk per write), each write followed by a commit
(see :mod:`picpump.io.store.ingest_store`). Months already present are skipped after a cheap
check that their source files did not change (:mod:`picpump.pipeline.ingest_sources`). A run
killed at any point is resumed by running it again: the rows written after the last commit
are cleared and rewritten, so the result has the same bytes as an uninterrupted ingest.

The rules (append-only continuous time, same grid, variable and units) are checked in
:mod:`picpump.pipeline.ingest_checks`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import picpump
from picpump.grid import Grid
from picpump.io.api import Catalog, load_catalog, resolve
from picpump.io.store.ingest_store import FORMAT, IngestStore, StoreLayout
from picpump.period import Period
from picpump.pipeline.ingest_checks import (
    EntrySource,
    check_identity,
    entry_canonical,
    entry_source,
    open_existing,
    requested_period,
)
from picpump.pipeline.ingest_sources import (
    changed_source_error,
    check_sources,
    file_sha256,
    file_stamps,
)
from picpump.units import CANONICAL

logger = logging.getLogger(__name__)
Log = Callable[[str], None]
MonthFile = tuple[pd.Timestamp, str | None]
"""A month and its file (None: no file, under the entry's ``allow_gaps``)."""


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did.

    Attributes
    ----------
    store : str
        The store.
    variable : str
        Canonical variable.
    skipped, appended, refreshed : tuple of str
        Months (``YYYY-MM``) already present and left alone; written by this run; and
        re-ingested because they come at or after the first month whose source changed
        (``refresh``; also in ``appended``).
    cleared : int
        Uncommitted rows of a killed run that were cleared.
    seconds : float
        Wall time of the run.
    """

    store: str
    variable: str
    skipped: tuple[str, ...]
    appended: tuple[str, ...]
    refreshed: tuple[str, ...]
    cleared: int
    seconds: float

    @property
    def seconds_per_month(self) -> float:
        """Wall time per appended month (0 when nothing was appended)."""
        return self.seconds / len(self.appended) if self.appended else 0.0


def _blocks(start: int, count: int, step: int) -> list[tuple[int, int]]:
    """Split rows ``start … start+count-1`` at multiples of ``step``: ``[(begin, end)]``."""
    out, begin, stop = [], start, start + count
    while begin < stop:
        end = min(stop, (begin // step + 1) * step)
        out.append((begin, end))
        begin = end
    return out


def _read_block(
    source: EntrySource, files: list[MonthFile]
) -> tuple[np.ndarray, list[dict[str, str | None]]]:
    """Read months into a (n, nlat, nlon) float32 block; return it and their source records.

    A month without a file (the entry's ``allow_gaps``) is all NaN, as in ``open_monthly``.
    Stamp and hash are taken before the values are read: a file rewritten meanwhile keeps
    its old hash in the record, so the next run sees it changed (never the reverse).
    """
    values = np.full((len(files), *source.reader.grid.shape), np.nan, dtype=np.float32)
    urls = [url for _, url in files if url is not None]
    stamps = dict(zip(urls, file_stamps(urls, source.options), strict=True))
    records: list[dict[str, str | None]] = []
    for i, (month, url) in enumerate(files):
        record = {"month": f"{month:%Y-%m}", "url": url, "sha256": None, "stamp": None}
        if url is not None:
            record |= {"sha256": file_sha256(url, source.options), "stamp": stamps[url]}
            values[i] = source.reader.read(url, month)
        records.append(record)
    return values, records


def _initial_record(
    catalog: Catalog,
    source: EntrySource,
    grid: Grid,
    layout: StoreLayout,
    params: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "variable": source.canonical,
        "units": CANONICAL[source.canonical].units,
        "grid": grid.resolution,
        "layout": layout.as_dict(),
        "catalog": catalog.urlpath,
        "entry": source.name,
        "parameters": dict(params),
        "picpump_version": picpump.__version__,
        "checksum": "sha256 of the source file bytes; stamp = fsspec size|mtime-or-ETag",
        "months": [],
        "sources": [],
    }


def _keep_present(
    store: IngestStore,
    files: list[MonthFile],
    options: Mapping[str, Any],
    refresh: bool,
) -> list[str]:
    """Check the present months' sources; uncommit from the first changed one (``refresh``).

    Returns the months re-ingested because their source changed.
    """
    present = store.months
    recorded = {str(r["month"]): r for r in store.record["sources"]}
    requested = {f"{m:%Y-%m}": url for m, url in files if f"{m:%Y-%m}" in recorded}
    check = check_sources(recorded, requested, options)
    if check.changed and not refresh:
        month = check.changed[0]
        raise changed_source_error(month, recorded[month], check.records[month])
    cut = present.index(check.changed[0]) if check.changed else len(present)
    sources = [recorded[m] | check.records.get(m, {}) for m in present[:cut]]
    if cut < len(present) or sources != store.record["sources"]:
        store.commit(store.record | {"months": present[:cut], "sources": sources})
    return present[cut:] if check.changed else []


def _resolve_grid(grid: Grid | None, store: IngestStore | None) -> Grid:
    if grid is not None:
        return grid
    return Grid(float(store.record["grid"])) if store is not None else Grid(1.0)


def _span(months: list[str]) -> str:
    return f"{months[0]}…{months[-1]} ({len(months)} months)" if months else "none"


def ingest_entry(
    catalog: Catalog | str,
    entry: str,
    out: str,
    *,
    period: Period | tuple[str, str] | str | None = None,
    grid: Grid | None = None,
    storage_options: Mapping[str, Any] | None = None,
    months_per_write: int = 12,
    tile: int | None = None,
    shard_tiles: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    refresh: bool = False,
    fill_gap: bool = False,
    log: Log = logger.info,
) -> IngestReport:
    """Append the months of a catalog entry that a Zarr v3 store does not hold yet.

    Parameters
    ----------
    catalog : Catalog or str
        The catalog, or its path/URL.
    entry : str
        A monthly entry with a canonical variable (``metadata.canonical``).
    out : str
        The store (local path or fsspec URL); created when absent.
    period : Period, tuple of str or str, optional
        Months to hold (``Period``, ``("1997-09", "2022-10")`` or ``"1997-09:2022-10"``).
        Default: from the store's first month (the archive's first for a new store) to the
        archive's last.
    grid : Grid, optional
        Default: the store's grid, else 1°.
    storage_options : mapping, optional
        fsspec options of ``out``.
    months_per_write : int, default 12
        Months per time chunk and per write/commit (new stores only; an existing store
        keeps its layout).
    tile : int, optional
        Chunk side in cells (default ``min(240, nlat // 2)``; new stores only).
    shard_tiles : int, optional
        Chunks per shard side (default 3 on grids of 0.25° or finer, else no shards).
    parameters : mapping, optional
        User parameters of the entry.
    refresh : bool, default False
        Re-ingest from the first present month whose source file changed, instead of
        refusing.
    fill_gap : bool, default False
        When the period starts after the month following the store's last, ingest the
        months in between too, instead of refusing.
    log : callable, optional
        Receives one progress line per event (skipped, written, committed).

    Returns
    -------
    IngestReport
        Months skipped, appended and refreshed, and the wall time.

    Raises
    ------
    InputError
        A period before the store's start or leaving a gap, a changed source file, a store
        of another variable, a missing or unreadable file.
    GridError, UnitsError
        A file or a store on another grid, in units that cannot be converted.
    """
    clock = time.perf_counter()
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    params = dict(parameters or {})
    store = open_existing(out, storage_options)
    grid = _resolve_grid(grid, store)
    if store is not None:
        check_identity(store, entry_canonical(cat, entry), grid)
    wanted = None if period is None else Period.of(period)
    held_months = store.months if store else []
    resolved = resolve(
        cat, entry, requested_period(cat, entry, wanted, held_months, fill_gap), **params
    )
    files = list(resolved.files)
    source = entry_source(resolved, grid)
    refreshed = _keep_present(store, files, source.options, refresh) if store else []
    if store is None:
        layout = StoreLayout.for_grid(grid, months_per_write, tile, shard_tiles)
        record = _initial_record(cat, source, grid, layout, params)
        store = IngestStore.create(out, record, grid, layout, storage_options)
    cleared = store.truncate()
    if cleared:
        log(f"{out}: cleared {cleared} uncommitted month(s) left by an interrupted run")
    present = store.months
    held = set(present)
    skipped = [f"{m:%Y-%m}" for m, _ in files if f"{m:%Y-%m}" in held]
    log(f"{out}: skipped {_span(skipped)} already present")
    todo = [(m, url) for m, url in files if not present or m > pd.Timestamp(present[-1])]
    _append(store, source, todo, log)
    appended = [f"{m:%Y-%m}" for m, _ in todo]
    seconds = time.perf_counter() - clock
    log(f"{out}: appended {_span(appended)} in {seconds:.2f} s")
    return IngestReport(
        out, source.canonical, tuple(skipped), tuple(appended), tuple(refreshed), cleared, seconds
    )


def _append(store: IngestStore, source: EntrySource, todo: list[MonthFile], log: Log) -> None:
    """Write and commit ``todo`` one time chunk at a time."""
    start = len(store.months)
    step = int(store.record["layout"]["months_per_write"])
    for begin, end in _blocks(start, len(todo), step):
        clock = time.perf_counter()
        files = todo[begin - start : end - start]
        values, records = _read_block(source, files)
        months = [f"{m:%Y-%m}" for m, _ in files]
        store.write(begin, pd.DatetimeIndex([m for m, _ in files]), values)
        log(f"{store.url}: wrote {_span(months)}, not yet committed")
        store.commit(
            store.record
            | {"months": store.months + months, "sources": store.record["sources"] + records}
        )
        seconds = time.perf_counter() - clock
        log(
            f"{store.url}: committed {_span(months)} [{seconds:.2f} s, "
            f"{seconds / len(months):.3f} s/month]; {len(store.months)} months present"
        )


__all__ = ["IngestReport", "ingest_entry"]
