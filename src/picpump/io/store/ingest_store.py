"""The Zarr v3 store of an incremental ingest: layout, append, truncate, commit.

One store holds one canonical variable ``(time, lat, lon)`` float32 with its coordinates.
The months present are the ones listed in the root group's ``picpump_ingest`` attribute,
the *commit record*. The commit is a single write of the root ``zarr.json`` (attributes and
consolidated metadata together): atomic on a local disk (temporary file, then rename) and on
object stores (one PUT). Data are always written before the commit that lists them; rows
beyond the committed months (left by a killed run) are cleared by :meth:`IngestStore.truncate`
before anything else is written, so a resumed ingest ends with the same bytes as an
uninterrupted one. Readers that use the consolidated metadata (``xarray.open_zarr``) see the
committed months only, even while an append is running.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import zarr
from numpy.typing import NDArray
from zarr.core.buffer import default_buffer_prototype
from zarr.core.group import ConsolidatedMetadata

from picpump.errors import InputError, explain
from picpump.grid import Grid
from picpump.io.store.zarr_store import compressor, join, write_text
from picpump.units import CANONICAL

RECORD = "picpump_ingest"
"""Root attribute holding the commit record."""
FORMAT = 1
"""Version of the commit record."""
EPOCH = pd.Timestamp("1970-01-01")
TIME_ATTRS: dict[str, Any] = {
    "units": "days since 1970-01-01",
    "calendar": "proleptic_gregorian",
    "standard_name": "time",
    "long_name": "first day of the month",
}


@dataclass(frozen=True)
class StoreLayout:
    """Chunking of an ingest store.

    Attributes
    ----------
    months_per_write : int
        Months per time chunk (and per shard); also months per write.
    tile : int
        Cells per chunk side in latitude and longitude.
    shard_tiles : int
        Chunks per shard side; 1 writes no shards.
    """

    months_per_write: int
    tile: int
    shard_tiles: int

    @classmethod
    def for_grid(
        cls, grid: Grid, months_per_write: int, tile: int | None, shard_tiles: int | None
    ) -> StoreLayout:
        """Return the layout of a new store on ``grid``.

        Defaults: tiles of ``min(240, nlat // 2)`` cells; shards of 3×3 tiles on grids of
        0.25° or finer (a 4 km time chunk then makes 72 shard objects, not 648 chunks).
        """
        if int(months_per_write) < 1 or (tile is not None and int(tile) < 1):
            raise InputError(
                explain(
                    "months_per_write and tile must be positive integers",
                    f"months_per_write={months_per_write!r}, tile={tile!r}",
                    "give e.g. months_per_write=12 and a tile of 90 to 480 cells",
                )
            )
        fine = grid.resolution <= 0.25 + 1e-9
        side = int(tile) if tile else min(240, grid.nlat // 2)
        shards = int(shard_tiles) if shard_tiles else (3 if fine else 1)
        return cls(int(months_per_write), side, max(1, shards))

    def chunks(self, grid: Grid) -> tuple[int, int, int]:
        """Chunk shape ``(time, lat, lon)``."""
        return (self.months_per_write, min(self.tile, grid.nlat), min(self.tile, grid.nlon))

    def shards(self, grid: Grid) -> tuple[int, int, int] | None:
        """Shard shape, or None without sharding."""
        if self.shard_tiles == 1:
            return None
        m, lat, lon = self.chunks(grid)
        return (m, lat * self.shard_tiles, lon * self.shard_tiles)

    def as_dict(self) -> dict[str, int]:
        """Return the layout as a JSON-able mapping."""
        return dataclasses.asdict(self)


def days_since_epoch(months: pd.DatetimeIndex) -> NDArray[np.int32]:
    """Encode month starts as int32 days since 1970-01-01 (the store's time encoding)."""
    return np.asarray((months - EPOCH).days, dtype=np.int32)


class IngestStore:
    """An ingest store opened for appending (see the module docstring for the protocol).

    Parameters
    ----------
    url : str
        Store location (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of the store's filesystem.
    """

    def __init__(self, url: str, storage_options: Mapping[str, Any] | None = None) -> None:
        self.url = url
        self.options = dict(storage_options or {}) or None
        self._group = zarr.open_group(
            url, mode="r+", use_consolidated=False, storage_options=self.options
        )
        record: Any = self._group.attrs.get(RECORD) or {}
        self.record: dict[str, Any] = dict(record)
        self.variable = str(self.record["variable"])

    @classmethod
    def create(
        cls,
        url: str,
        record: Mapping[str, Any],
        grid: Grid,
        layout: StoreLayout,
        storage_options: Mapping[str, Any] | None = None,
    ) -> IngestStore:
        """Create an empty store (no month): the record first, the arrays, then a commit."""
        options = dict(storage_options or {}) or None
        variable = str(record["variable"])
        attrs = {"Conventions": "CF-1.10", "title": f"picpump ingest of {variable}"}
        group = zarr.create_group(
            url,
            zarr_format=3,
            overwrite=True,
            attributes={**attrs, RECORD: dict(record)},
            storage_options=options,
        )
        codec = (compressor("lz4"),)
        group.create_array(
            "time",
            shape=(0,),
            dtype="int32",
            chunks=(layout.months_per_write,),
            fill_value=0,
            compressors=codec,
            dimension_names=("time",),
            attributes=TIME_ATTRS,
        )
        for axis, values in (("lat", grid.lat), ("lon", grid.lon)):
            array = group.create_array(
                axis,
                shape=values.shape,
                dtype="float64",
                compressors=codec,
                dimension_names=(axis,),
                attributes=grid.coords(with_bounds=False)[axis].attrs,
            )
            array[:] = values
        group.create_array(
            variable,
            shape=(0, *grid.shape),
            dtype="float32",
            chunks=layout.chunks(grid),
            shards=layout.shards(grid),
            fill_value=np.float32(np.nan),
            compressors=codec,
            dimension_names=("time", "lat", "lon"),
            attributes=dict[str, Any](CANONICAL[variable].attrs()),
            config={"write_empty_chunks": False},
        )
        store = cls(url, storage_options)
        store.commit(record)  # consolidated metadata from the start: readers see 0 months
        return store

    @property
    def months(self) -> list[str]:
        """Committed months, ``YYYY-MM``, in time order."""
        return [str(m) for m in self.record.get("months", [])]

    def units(self) -> str | None:
        """Return the ``units`` attribute of the stored variable."""
        units = self._array(self.variable).attrs.get("units")
        return None if units is None else str(units)

    def _array(self, name: str) -> Any:
        with zarr.config.set({"array.write_empty_chunks": False}):  # land chunks stay absent
            return self._group[name]

    def coords(self) -> dict[str, NDArray[Any]]:
        """Return the stored ``lat`` and ``lon`` and the committed ``time`` (days)."""
        n = len(self.months)
        return {
            "lat": np.asarray(self._array("lat")[:]),
            "lon": np.asarray(self._array("lon")[:]),
            "time": np.asarray(self._array("time")[:n]),
        }

    def truncate(self) -> int:
        """Drop the rows beyond the committed months; return how many there were.

        The stale tail of the last, partially committed time chunk is overwritten with the
        fill value first (zarr keeps values beyond an array's shape inside its edge chunk),
        then the arrays are shrunk, which deletes the chunks lying wholly beyond.
        """
        n = len(self.months)
        data, time = self._array(self.variable), self._array("time")
        stale = max(data.shape[0], time.shape[0]) - n
        if stale <= 0 and data.shape[0] == n:
            return 0
        step = int(time.chunks[0])
        edge = -(-n // step) * step
        for array, fill in ((data, np.float32(np.nan)), (time, 0)):
            if n % step:
                array.resize((edge, *array.shape[1:]))
                array[n:edge] = fill
            array.resize((n, *array.shape[1:]))
        return max(stale, 0)

    def write(self, start: int, months: pd.DatetimeIndex, values: NDArray[np.float32]) -> None:
        """Write months ``start … start + len(months) - 1`` (not yet committed)."""
        stop = start + len(months)
        data, time = self._array(self.variable), self._array("time")
        data.resize((stop, *data.shape[1:]))
        data[start:stop] = values
        time.resize((stop,))
        time[start:stop] = days_since_epoch(months)

    def commit(self, record: Mapping[str, Any]) -> None:
        """Record ``record`` as the committed state, with fresh consolidated metadata."""
        members = {k: m.metadata for k, m in self._group.members(max_depth=None)}
        attrs = dict(self._group.attrs.asdict()) | {RECORD: dict(record)}
        meta = dataclasses.replace(
            self._group.metadata,
            attributes=attrs,
            consolidated_metadata=ConsolidatedMetadata(metadata=members),
        )
        payload = meta.to_buffer_dict(default_buffer_prototype())["zarr.json"].to_bytes()
        write_text(join(self.url, "zarr.json"), payload.decode(), self.options)
        self.record = json.loads(json.dumps(dict(record), default=str))


__all__ = ["RECORD", "IngestStore", "StoreLayout", "days_since_epoch"]
