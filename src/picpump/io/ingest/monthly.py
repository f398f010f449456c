"""Monthly NetCDF archives → one lazy (time, lat, lon) field, from a resolved entry.

The graph is built by hand: one task per chunk of months, each reading its files with
:class:`picpump.io.ingest.reader.MonthReader` (one header read per entry, at open, for an
early and clear error). Measured on the demo archive: 0.4–0.7 s for a variable's 302 files
against 1.6–2.7 s for ``xr.open_mfdataset``, which also cannot apply the per-file rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import getitem
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
from picpump.io.catalog.entry import ResolvedEntry
from picpump.io.catalog.model import is_climatology
from picpump.io.ingest.read_pool import run_read
from picpump.io.ingest.reader import MonthReader
from picpump.io.ingest.records import with_records
from picpump.units import CANONICAL

TIME_ATTRS = {"standard_name": "time", "long_name": "first day of the month"}


@dataclass(frozen=True)
class _Block:
    """One dask task: read consecutive months into a (n, nlat, nlon) block (NaN for gaps).

    Returns the block and its (n, 2) record: per month, the cells the plausibility rule set
    to NaN and the conversion flags (:meth:`MonthReader.read_recorded`; 0, 0 for a gap).
    """

    reader: MonthReader
    files: tuple[tuple[str | None, pd.Timestamp], ...]

    def __call__(self) -> tuple[NDArray[np.float32], NDArray[np.int32]]:
        return run_read(self.read)

    def read(self) -> tuple[NDArray[np.float32], NDArray[np.int32]]:
        """Read the block's months here (in a worker process of :mod:`.read_pool` if open)."""
        out = np.full((len(self.files), *self.reader.grid.shape), np.nan, dtype=np.float32)
        record = np.zeros((len(self.files), 2), dtype=np.int32)
        for i, (url, month) in enumerate(self.files):
            if url is not None:
                out[i], record[i] = self.reader.read_recorded(url, month)
        return out, record


def stack_months_recorded(
    files: Sequence[tuple[pd.Timestamp, str | None]], reader: MonthReader, months_per_chunk: int
) -> tuple[da.Array, da.Array]:
    """Build a lazy (time, lat, lon) dask array and its (time, 2) record.

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
    tuple of dask.array.Array
        The float32 values, chunks ``(months_per_chunk, nlat, nlon)``, and the int32 record
        per month: cells set to NaN by the plausibility rule, conversion flags
        (:data:`picpump.io.ingest.records.CONVERSION_FLAGS`). Both come from the same read tasks
        (computed together, each file is read once). Nothing is read until computed.
    """
    n = max(1, int(months_per_chunk))
    pairs = [(url, pd.Timestamp(month)) for month, url in files]
    blocks = [_Block(reader, tuple(pairs[i : i + n])) for i in range(0, len(pairs), n)]
    read = f"read-{reader.canonical or reader.variable}-{tokenize(reader, pairs)}"
    name, recorded = f"values-{read}", f"record-{read}"
    tasks: dict[Any, Any] = {(read, i): (block,) for i, block in enumerate(blocks)}
    values = {(name, i, 0, 0): (getitem, (read, i), 0) for i in range(len(blocks))}
    records = {(recorded, i, 0): (getitem, (read, i), 1) for i in range(len(blocks))}
    nlat, nlon = reader.grid.shape
    sizes = tuple(len(b.files) for b in blocks)
    data = da.Array(
        HighLevelGraph.from_collections(name, tasks | values, dependencies=()),
        name,
        (sizes, (nlat,), (nlon,)),
        dtype=np.float32,
        meta=np.empty((0, 0, 0), np.float32),
    )
    record = da.Array(
        HighLevelGraph.from_collections(recorded, tasks | records, dependencies=()),
        recorded,
        (sizes, (2,)),
        dtype=np.int32,
        meta=np.empty((0, 0), np.int32),
    )
    return data, record


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
        float32, chunks ``(months_per_chunk, nlat, nlon)``; nothing is read until computed
        (the values of :func:`stack_months_recorded`).
    """
    return stack_months_recorded(files, reader, months_per_chunk)[0]


def month_reader(entry: ResolvedEntry, grid: Grid, coarsen: bool = False) -> MonthReader:
    """Build the reader of a resolved monthly entry.

    Parameters
    ----------
    entry : ResolvedEntry
        A ``picpump.monthly_netcdf`` entry.
    grid : Grid
        The pipeline grid.
    coarsen : bool, default False
        Average files on an integer refinement of ``grid`` onto it.

    Returns
    -------
    MonthReader
        Reads one file of the entry in the canonical form.
    """
    canonical = entry.entry.metadata.get("canonical")
    units = entry.args.get("units")
    return MonthReader(
        str(entry.args["variable"]),
        None if canonical is None else str(canonical),
        str(entry.args["convention"]),
        grid,
        None if units is None else str(units),
        dict(entry.options),
        climatology=is_climatology(entry.entry),
        coarsen=coarsen,
    )


def _attributes(entry: ResolvedEntry, reader: MonthReader) -> dict[str, Any]:
    """Check the first file's header; return the field's attributes and provenance."""
    if not entry.present:
        rule = f"'{entry.name}' must have at least one file in the period"
        raise InputError(explain(rule, f"period {entry.period}: every month is missing", "check"))
    first_month, first_url = entry.present[0]
    info = reader.inspect(first_url, first_month)
    if reader.canonical is None:
        keep = ("units", "long_name", "standard_name")
        attrs = {k: str(info.attrs[k]) for k in keep if k in info.attrs}
    else:
        attrs = CANONICAL[reader.canonical].attrs()
        attrs["conversions_applied"] = reader.conversions(info)
    if entry.choices:
        attrs["source_file_choices"] = "; ".join(c.describe() for c in entry.choices)
    if entry.gaps:
        label = "%m" if reader.climatology else "%Y-%m"
        attrs["missing_months"] = ", ".join(f"{m:{label}}" for m in entry.gaps)
    return attrs


def open_month_files(
    entry: ResolvedEntry, grid: Grid, months_per_chunk: int = 12, coarsen: bool = False
) -> xr.DataArray:
    """Open a resolved monthly time-series entry lazily, in the canonical form.

    Parameters
    ----------
    entry : ResolvedEntry
        A ``picpump.monthly_netcdf`` entry that is not a climatology.
    grid : Grid
        The pipeline grid; every file must be on it (or a refinement, with ``coarsen``).
    months_per_chunk : int, default 12
        Months per dask chunk (one task reads one chunk).
    coarsen : bool, default False
        Average finer files onto ``grid``, area-weighted over the valid sub-cells.

    Returns
    -------
    xarray.DataArray
        (time, lat, lon), float32, NaN for missing, CF attributes.
    """
    if is_climatology(entry.entry):
        rule = f"'{entry.name}' is a monthly climatology (12 calendar months), not a time series"
        raise CatalogError(explain(rule, entry.name, "open it with open_climatology"))
    reader = month_reader(entry, grid, coarsen)
    attrs = _attributes(entry, reader)
    if coarsen:
        attrs["regridding"] = "finer files averaged conservatively onto the grid (area-weighted)"
    time = pd.DatetimeIndex([m for m, _ in entry.files]).as_unit("ns")
    values, record = stack_months_recorded(entry.files, reader, months_per_chunk)
    out = xr.DataArray(
        values,
        dims=("time", "lat", "lon"),
        coords={"time": ("time", time, TIME_ATTRS), **grid.coords(with_bounds=False)},
        name=reader.canonical or reader.variable,
        attrs=attrs,
    )
    if reader.canonical is None:
        return out
    return with_records(out, reader.canonical, record[:, 0], record[:, 1])


def open_climatology_files(
    entry: ResolvedEntry, grid: Grid, months_per_chunk: int = 12
) -> xr.DataArray:
    """Open a resolved monthly-climatology entry (e.g. NASA ``L3m.MC``): 12 calendar months.

    Parameters
    ----------
    entry : ResolvedEntry
        An entry declaring ``args.time: {climatology: true, start, end}``.
    grid : Grid
        The pipeline grid.
    months_per_chunk : int, default 12
        Calendar months per dask chunk.

    Returns
    -------
    xarray.DataArray
        Dims (month, lat, lon), ``month`` = 1…12, with a ``climatology_record`` attribute.
    """
    if not is_climatology(entry.entry):
        rule = f"'{entry.name}' must declare args.time.climatology: true to be read as such"
        raise CatalogError(explain(rule, entry.name, "use open_monthly for a time series"))
    reader = month_reader(entry, grid)
    attrs = _attributes(entry, reader)
    time = entry.entry.args["time"]
    attrs["climatology_record"] = f"{time['start']} … {time['end']}"
    return xr.DataArray(
        stack_months(entry.files, reader, months_per_chunk),
        dims=("month", "lat", "lon"),
        coords={
            "month": ("month", np.arange(1, 13), {"long_name": "calendar month"}),
            **grid.coords(with_bounds=False),
        },
        name=reader.canonical or reader.variable,
        attrs=attrs,
    )


__all__ = [
    "TIME_ATTRS",
    "month_reader",
    "open_climatology_files",
    "open_month_files",
    "stack_months",
    "stack_months_recorded",
]
