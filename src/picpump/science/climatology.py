"""Calendar-month climatology (mean, standard deviation, count) in one pass.

The kernel accumulates, per calendar month and cell, the sum, the sum of squares and the
number of valid values in float64 (the SeaDAS binning idea): one pass over the stack, any
time chunking, and partial results from several time blocks simply add up.

The standard deviation follows CDO's ``ymonstd`` convention: the population standard
deviation (divisor *n*, not *n − 1*), ``sqrt(max(0, Σx²/n − (Σx/n)²))``. A cell-month with a
single valid value has a standard deviation of 0; with none, all three are missing (count 0).

Speed: :func:`monthly_moments` runs a compiled one-pass loop (numba, GIL released, so the
threads of dask's scheduler run in parallel) when numba is installed, else the numpy kernel
:func:`np_monthly_moments` (same sums up to rounding; several passes over the data).
"""

from __future__ import annotations

import math
from typing import Any

import dask.array as da
import numpy as np
import xarray as xr
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph
from numpy.typing import NDArray

from picpump.science._compiled import compiled

MONTHS = np.arange(1, 13)
OUTPUT_BLOCK_CELLS = 1 << 18
"""Cells per block of a lazy result: small input tiles are merged (≈ 60 MB of float64
moments per block) so that writing the 12-month result takes few store operations."""


def _accumulate_loop(values: Any, month_index: Any, out: Any) -> None:  # pragma: no cover
    """Add Σx, Σx² and the count of each value into its calendar month (compiled)."""
    for t in range(values.shape[0]):
        m = month_index[t]
        total, total_sq, count = out[0, m], out[1, m], out[2, m]
        row = values[t]
        for c in range(row.shape[0]):
            x = np.float64(row[c])
            ok = np.isfinite(x)
            x = x if ok else np.float64(0.0)
            total[c] += x
            total_sq[c] += x * x
            count[c] += 1.0 if ok else 0.0


def _finalize_loop(moments: Any, out: Any) -> None:  # pragma: no cover
    """Mean, standard deviation (CDO's) and count from the moments (compiled)."""
    for m in range(moments.shape[1]):
        for c in range(moments.shape[2]):
            n = moments[2, m, c]
            if n > 0:
                mean = moments[0, m, c] / n
                var = moments[1, m, c] / n - mean * mean
                out[0, m, c] = mean
                out[1, m, c] = np.sqrt(var if var > 0 else 0.0)
            else:
                out[0, m, c] = np.nan
                out[1, m, c] = np.nan
            out[2, m, c] = n


_ACCUMULATE, _FINALIZE = compiled(_accumulate_loop), compiled(_finalize_loop)


def warm_up() -> None:
    """Load the compiled loops now (their first call took 0.3 s: numba loads its cache)."""
    finalized_moments(
        monthly_moments(np.ones((1, 1), np.float32), np.ones(1, np.int64)), np.float32
    )


def np_monthly_moments(values: NDArray[np.floating], month: NDArray[np.integer]) -> NDArray:
    """Sum, sum of squares and count of valid values per calendar month.

    Parameters
    ----------
    values : ndarray, shape (time, ...)
        The monthly stack; NaN is missing.
    month : ndarray of int, shape (time,)
        Calendar month (1–12) of each time step.

    Returns
    -------
    ndarray of float64, shape (3, 12, ...)
        ``[Σx, Σx², n]`` per calendar month.
    """
    out = np.zeros((3, 12) + values.shape[1:], dtype=np.float64)
    for m in np.unique(month):
        block = values[month == m].astype(np.float64)
        valid = np.isfinite(block)
        block[~valid] = 0.0
        out[0, m - 1] = block.sum(axis=0)
        out[1, m - 1] = np.einsum("t...,t...->...", block, block)
        out[2, m - 1] = valid.sum(axis=0)
    return out


def np_finalize_moments(moments: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
    r"""Turn accumulated moments into mean, standard deviation and count.

    .. math::
        \bar x = \frac{\Sigma x}{n}, \qquad
        \sigma = \sqrt{\max\left(0, \frac{\Sigma x^2}{n} - \bar x^2\right)}

    Parameters
    ----------
    moments : ndarray of float64, shape (3, 12, ...)
        Output of :func:`np_monthly_moments` (possibly summed over time blocks).

    Returns
    -------
    mean, std : ndarray of float64
        NaN where the count is 0.
    count : ndarray of int32
        Number of valid values per cell-month.
    """
    total, total_sq, n = moments
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        var = np.where(n > 0, total_sq / n - mean * mean, np.nan)
    std = np.sqrt(np.maximum(var, 0.0, where=np.isfinite(var), out=var))
    return mean, std, n.astype(np.int32)


def monthly_moments(values: NDArray[np.floating], month: NDArray[np.integer]) -> NDArray:
    """Sum, sum of squares and count of valid values per calendar month, in one pass.

    Same result as :func:`np_monthly_moments` up to float64 rounding (summation order), with
    the compiled loop when numba is installed: one read of the data, accumulators in cache,
    no temporary copies, the GIL released.

    Parameters
    ----------
    values : ndarray, shape (time, ...)
        The monthly stack; NaN (and ±inf) is missing.
    month : ndarray of int, shape (time,)
        Calendar month (1–12) of each time step.

    Returns
    -------
    ndarray of float64, shape (3, 12, ...)
        ``[Σx, Σx², n]`` per calendar month.
    """
    if _ACCUMULATE is None or values.dtype.kind != "f" or values.ndim == 0:
        return np_monthly_moments(values, month)
    spatial = values.shape[1:]
    flat = np.ascontiguousarray(values).reshape(values.shape[0], -1)
    out = np.zeros((3, 12, flat.shape[1]), dtype=np.float64)
    _ACCUMULATE(flat, np.asarray(month, dtype=np.int64) - 1, out)
    return out.reshape((3, 12, *spatial))


def _block_moments(block: NDArray, month: NDArray) -> NDArray:
    return monthly_moments(block, month)


def _block_climatology(block: NDArray, month: NDArray, out_dtype: Any = np.float64) -> NDArray:
    return finalized_moments(monthly_moments(block, month), out_dtype)


def _climatology_dask(
    data: da.Array, month: NDArray[np.integer], dtype: Any = np.float64
) -> da.Array:
    """Lazy stacked ``[mean, std, count]`` of a (time, ...) dask array.

    With all months in one chunk (the product layout), each tile is accumulated and
    finalised in one task (a distributed task costs milliseconds). Otherwise the moments of
    the time blocks are summed, then finalised.
    """
    meta = np.array((), dtype=dtype)
    if data.numblocks[0] == 1:
        return da.map_blocks(
            _block_climatology,
            data,
            month=month,
            out_dtype=dtype,
            drop_axis=0,
            new_axis=[0, 1],
            chunks=((3,), (12,), *data.chunks[1:]),
            dtype=dtype,
            meta=meta,
        )
    return da.map_blocks(
        finalized_moments, _moments_dask(data, month), dtype=dtype, meta=meta, out_dtype=dtype
    )


def _group_factor(tile: tuple[int, ...]) -> int:
    """Tiles per side of a result block of about :data:`OUTPUT_BLOCK_CELLS` cells."""
    return max(1, int((OUTPUT_BLOCK_CELLS / max(1, math.prod(tile))) ** (1 / len(tile))))


def _flat_block_climatology(block: NDArray, month: NDArray, out_dtype: Any) -> NDArray:
    return _block_climatology(block, month, out_dtype).reshape(36, *block.shape[1:])


def _assemble(results: list[list[NDArray]], out_dtype: Any) -> NDArray:
    """Place the ``[mean, std, count]`` of a group of tiles into one result block."""
    heights = [row[0].shape[1] for row in results]
    widths = [tile.shape[2] for tile in results[0]]
    out = np.empty((3, 12, sum(heights), sum(widths)), dtype=out_dtype)
    y = 0
    for row, height in zip(results, heights, strict=True):
        x = 0
        for tile, width in zip(row, widths, strict=True):
            out[:, :, y : y + height, x : x + width] = tile.reshape(3, 12, height, width)
            x += width
        y += height
    return out


def _grouped_climatology(data: da.Array, month: NDArray, dtype: Any) -> da.Array:
    """Lazy ``[mean, std, count]`` of a (time, y, x) array with all months in one chunk.

    One task per input tile (its one-pass climatology, in the stored dtype; the read of the
    tile fuses into it), then one task per result block of about :data:`OUTPUT_BLOCK_CELLS`
    cells placing its tiles' results. A dask rechunk did the same with one more copy of the
    result and, on the 302-month 0.25° stack, most of the non-decoding time; a task holds one
    input tile at a time, so memory does not grow with the months.
    """
    # (36, y, x) per tile, the time axis replaced, not dropped: a plain blockwise map, into
    # which dask fuses the read of the tile (a dropped axis would keep the read apart)
    tiles = da.map_blocks(
        _flat_block_climatology,
        data,
        month=month,
        out_dtype=dtype,
        chunks=((36,), *data.chunks[1:]),
        dtype=dtype,
        meta=np.array((), dtype=dtype),
    )
    factor = _group_factor(tuple(int(n) for n in data.chunksize[1:]))
    groups = [
        [range(i, min(i + factor, len(c))) for i in range(0, len(c), factor)]
        for c in data.chunks[1:]
    ]
    name = f"monthly-climatology-{tokenize(tiles, factor)}"
    graph: dict[Any, Any] = {}
    for bi, rows in enumerate(groups[0]):
        for bj, cols in enumerate(groups[1]):
            parts = [[(tiles.name, 0, i, j) for j in cols] for i in rows]
            graph[(name, 0, 0, bi, bj)] = (_assemble, parts, dtype)
    chunks = tuple(
        tuple(sum(c[i] for i in group) for group in dim_groups)
        for c, dim_groups in zip(data.chunks[1:], groups, strict=True)
    )
    layers = HighLevelGraph.from_collections(name, graph, dependencies=[tiles])
    return da.Array(layers, name, ((3,), (12,), *chunks), dtype=dtype)


def _merge_tiles(stacked: da.Array) -> da.Array:
    """Merge small spatial blocks of a lazy ``(3, 12, ...)`` result, never split one.

    Writing costs milliseconds per chunk whatever its size: a 12-month result in the tiles
    of a 302-month input would spend most of its time in store operations.
    """
    spatial = stacked.chunksize[2:]
    cells = math.prod(spatial)
    if not spatial or cells >= OUTPUT_BLOCK_CELLS:
        return stacked
    factor = int((OUTPUT_BLOCK_CELLS / cells) ** (1 / len(spatial)))
    if factor <= 1:
        return stacked
    merged = tuple(
        min(n * factor, size) for n, size in zip(spatial, stacked.shape[2:], strict=True)
    )
    return stacked.rechunk((3, 12, *merged))


def _moments_dask(data: da.Array, month: NDArray[np.integer]) -> da.Array:
    """Lazy moments of a (time, lat, lon) dask array, summed over its time blocks."""
    parts = []
    start = 0
    for i, size in enumerate(data.chunks[0]):
        block = data.blocks[i]
        parts.append(
            block.map_blocks(
                _block_moments,
                month[start : start + size],
                drop_axis=0,
                new_axis=[0, 1],
                chunks=((3,), (12,), *block.chunks[1:]),
                dtype=np.float64,
                meta=np.array((), dtype=np.float64),
            )
        )
        start += size
    return parts[0] if len(parts) == 1 else da.stack(parts).sum(axis=0)


def monthly_climatology(
    field: xr.DataArray, dim: str = "time", dtype: Any = np.float64
) -> xr.Dataset:
    """Calendar-month climatology of a monthly stack: mean, std (CDO convention) and count.

    Lazy for dask-backed input: the result is a graph of one pass per time block plus a sum
    (one task per spatial tile when all months are in one chunk); small spatial tiles are
    merged into result blocks of about :data:`OUTPUT_BLOCK_CELLS` cells.

    Parameters
    ----------
    field : xarray.DataArray
        Monthly values with a datetime ``dim`` first; NaN is missing.
    dim : str, default "time"
        The time dimension.
    dtype : dtype, default float64
        Of ``mean`` and ``std``: computed in float64, rounded once when stored (float32
        halves the memory a lazy result moves between tasks; the products store float32).

    Returns
    -------
    xarray.Dataset
        ``mean``, ``std`` (same units as ``field``) and ``count`` with dims
        ``(month, *other dims)``, month = 1…12.
    """
    field = field.transpose(dim, ...)
    month = field[dim].dt.month.values.astype(np.int64)
    parts: tuple[da.Array, da.Array, da.Array] | tuple[NDArray, NDArray, NDArray]
    if isinstance(field.data, da.Array):
        data = field.data
        if data.ndim == 3 and data.numblocks[0] == 1:
            stacked = _grouped_climatology(data, month, dtype)
        else:
            stacked = _merge_tiles(_climatology_dask(data, month, dtype))
        parts = stacked[0], stacked[1], stacked[2].astype(np.int32)
    else:
        mean_std_count = finalized_moments(monthly_moments(field.values, month), dtype)
        parts = mean_std_count[0], mean_std_count[1], mean_std_count[2].astype(np.int32)
    mean, std, count = parts
    dims = ("month", *field.dims[1:])
    coords = {k: v for k, v in field.coords.items() if dim not in v.dims}
    coords["month"] = xr.DataArray(MONTHS, dims="month", attrs={"long_name": "calendar month"})
    units = field.attrs.get("units", "")
    within = "time: mean within years time: {} over years"
    return xr.Dataset(
        {
            "mean": (dims, mean, {"units": units, "cell_methods": within.format("mean")}),
            "std": (
                dims,
                std,
                {"units": units, "cell_methods": within.format("standard_deviation")},
            ),
            "count": (dims, count, {"units": "1", "long_name": "number of valid months"}),
        },
        coords=coords,
    )


def finalized_moments(moments: NDArray[np.float64], out_dtype: Any = np.float64) -> NDArray[Any]:
    """Mean, standard deviation and count stacked in one float64 array, shape (3, 12, ...).

    Same values as :func:`np_finalize_moments` (the same float64 operations), computed in
    one compiled pass when numba is installed.

    Parameters
    ----------
    moments : ndarray of float64, shape (3, 12, ...)
        ``[Σx, Σx², n]`` from :func:`monthly_moments` (possibly summed over time blocks).
    out_dtype : dtype, default float64
        Of the result: computed in float64, rounded once (float32 holds counts exactly).

    Returns
    -------
    ndarray of ``out_dtype``, shape (3, 12, ...)
        ``[mean, std, count]``; mean and std are NaN where the count is 0.
    """
    if _FINALIZE is None:
        mean, std, count = np_finalize_moments(moments)
        return np.stack([mean, std, count.astype(np.float64)]).astype(out_dtype)
    flat = np.ascontiguousarray(moments, dtype=np.float64).reshape(3, moments.shape[1], -1)
    out = np.empty(flat.shape, dtype=out_dtype)
    _FINALIZE(flat, out)
    return out.reshape(moments.shape)


__all__ = [
    "MONTHS",
    "OUTPUT_BLOCK_CELLS",
    "finalized_moments",
    "monthly_climatology",
    "monthly_moments",
    "np_finalize_moments",
    "np_monthly_moments",
    "warm_up",
]
