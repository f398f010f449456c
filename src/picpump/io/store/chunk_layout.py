"""Where a Zarr array's chunks are and how they are encoded, for its plain layouts.

zarr-python is the reference reader and writer. :mod:`~picpump.io.store.chunk_reader` and
:mod:`~picpump.io.store.chunk_writer` replace its per-chunk path, for speed, only on the plain
layouts picpump writes: Zarr 3 with little-endian ``bytes`` then one Blosc or zstd codec, or
Zarr 2 with one Blosc or zstd compressor and no filters; a regular chunk grid, C order, no
shards or storage transformers. :func:`read_layout` returns ``None`` for anything else, and the
callers keep zarr-python.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numcodecs import Blosc, Zstd
from numcodecs.abc import Codec

CODECS: dict[str, type[Codec]] = {"blosc": Blosc, "zstd": Zstd}
"""Compressors of the plain layouts (numcodecs reads and writes any level and shuffle)."""
SHUFFLES = {"noshuffle": Blosc.NOSHUFFLE, "shuffle": Blosc.SHUFFLE, "bitshuffle": Blosc.BITSHUFFLE}
"""Zarr 3 names of Blosc's shuffles → numcodecs' numbers."""


@dataclass(frozen=True)
class ChunkLayout:
    """Where an array's chunks are and how they are encoded.

    Attributes
    ----------
    shape, chunks : tuple of int
        The array's shape and its (regular) chunk shape.
    dtype : numpy.dtype
        The stored dtype (little-endian).
    codec : str
        A key of :data:`CODECS`.
    prefix, separator : str
        A chunk's key is ``prefix + separator.join(indices)``.
    fill_value : Any
        The value of cells no chunk holds (NaN for picpump's float products).
    config : tuple of (str, Any)
        The numcodecs configuration of the codec (level, shuffle, type size...).
    """

    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: np.dtype[Any]
    codec: str
    prefix: str
    separator: str
    fill_value: Any = math.nan
    config: tuple[tuple[str, Any], ...] = ()

    def key(self, index: tuple[int, ...]) -> str:
        """Return the chunk key of a block index (``"0"`` indices for a 0-d array)."""
        return self.prefix + self.separator.join(str(i) for i in (index or (0,)))

    def codec_instance(self) -> Codec:
        """Return the numcodecs codec that encodes (and decodes) a chunk as the store does."""
        return CODECS[self.codec](**dict(self.config))

    @property
    def nan_filled(self) -> bool:
        """Whether cells without a chunk are NaN."""
        return isinstance(self.fill_value, float) and math.isnan(self.fill_value)


def _fill(value: Any, dtype: np.dtype[Any]) -> Any:
    """Return the fill value as a Python scalar of ``dtype`` (``"NaN"`` strings included)."""
    if value is None:
        return None
    if isinstance(value, str) and dtype.kind == "f":
        return float(value)  # "NaN", "Infinity", "-Infinity"
    return dtype.type(value).item()


def _v3_config(codec: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    config = dict(codec.get("configuration", {}))
    if codec["name"] == "blosc":
        config["shuffle"] = SHUFFLES[config.get("shuffle", "noshuffle")]
        config.setdefault("blocksize", 0)
    return tuple(sorted(config.items()))


def _v3_layout(meta: dict[str, Any]) -> ChunkLayout | None:
    codecs = meta.get("codecs", [])
    grid, keys = meta.get("chunk_grid", {}), meta.get("chunk_key_encoding", {})
    if len(codecs) != 2 or codecs[0].get("name") != "bytes" or grid.get("name") != "regular":
        return None
    endian = codecs[0].get("configuration", {}).get("endian", "little")
    if endian != "little" or codecs[1].get("name") not in CODECS:
        return None
    separator = keys.get("configuration", {}).get("separator", "/")
    prefix = {"default": f"c{separator}", "v2": ""}.get(keys.get("name", "default"))
    if prefix is None or meta.get("storage_transformers"):
        return None
    dtype = np.dtype(meta["data_type"]).newbyteorder("<")
    return ChunkLayout(
        tuple(meta["shape"]),
        tuple(grid["configuration"]["chunk_shape"]),
        dtype,
        codecs[1]["name"],
        prefix,
        separator,
        _fill(meta.get("fill_value"), dtype),
        _v3_config(codecs[1]),
    )


def _v2_layout(meta: dict[str, Any]) -> ChunkLayout | None:
    compressor = dict(meta.get("compressor") or {})
    dtype = np.dtype(meta["dtype"])
    if meta.get("filters") or meta.get("order", "C") != "C" or dtype.byteorder == ">":
        return None
    codec = compressor.pop("id", None)
    if codec not in CODECS:
        return None
    return ChunkLayout(
        tuple(meta["shape"]),
        tuple(meta["chunks"]),
        dtype,
        codec,
        "",
        meta.get("dimension_separator", "."),
        _fill(meta.get("fill_value"), dtype),
        tuple(sorted(compressor.items())),
    )


def read_layout(fs: Any, path: str) -> ChunkLayout | None:
    """Read an array's metadata; return its layout if it is a plain one (see the module).

    Parameters
    ----------
    fs : fsspec.AbstractFileSystem
        The store's filesystem.
    path : str
        The array's folder (``<store>/<variable>``).

    Returns
    -------
    ChunkLayout or None
        ``None`` for another layout, a non-numeric dtype, or no array at ``path``.
    """
    for name, parse in (("zarr.json", _v3_layout), (".zarray", _v2_layout)):
        try:
            meta = json.loads(fs.cat_file(f"{path}/{name}"))
        except FileNotFoundError:
            continue
        if np.dtype(meta.get("data_type", meta.get("dtype"))).kind not in "fiub":
            return None
        return parse(meta)
    return None


__all__ = ["CODECS", "ChunkLayout", "read_layout"]
