"""Calendar-month climatology (mean, standard deviation, count) in one pass.

The kernel accumulates, per calendar month and cell, the sum, the sum of squares and the
number of valid values in float64 (the SeaDAS binning idea): one pass over the stack, any
time chunking, and partial results from several time blocks simply add up.

The standard deviation follows CDO's ``ymonstd`` convention: the population standard
deviation (divisor *n*, not *n − 1*), ``sqrt(max(0, Σx²/n − (Σx/n)²))``. A cell-month with a
single valid value has a standard deviation of 0; with none, all three are missing (count 0).
"""

from __future__ import annotations

import dask.array as da
import numpy as np
import xarray as xr
from numpy.typing import NDArray

MONTHS = np.arange(1, 13)


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


def _block_moments(block: NDArray, month: NDArray) -> NDArray:
    return np_monthly_moments(block, month)


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


def monthly_climatology(field: xr.DataArray, dim: str = "time") -> xr.Dataset:
    """Calendar-month climatology of a monthly stack: mean, std (CDO convention) and count.

    Lazy for dask-backed input: the result is a graph of one pass per time block plus a sum.

    Parameters
    ----------
    field : xarray.DataArray
        Monthly values with a datetime ``dim`` first; NaN is missing.
    dim : str, default "time"
        The time dimension.

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
        parts = _finalize_dask(_moments_dask(field.data, month))
    else:
        parts = np_finalize_moments(np_monthly_moments(field.values, month))
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


def _finalize_part(moments: NDArray[np.float64], i: int) -> NDArray:
    return np_finalize_moments(moments)[i]


def _finalize_dask(moments: da.Array) -> tuple[da.Array, da.Array, da.Array]:
    """Apply :func:`np_finalize_moments` blockwise to lazy moments."""

    def pick(i: int, dtype: type) -> da.Array:
        return da.map_blocks(
            _finalize_part,
            moments,
            i,
            drop_axis=0,
            dtype=dtype,
            meta=np.array((), dtype=dtype),
        )

    return pick(0, np.float64), pick(1, np.float64), pick(2, np.int32)


__all__ = ["MONTHS", "monthly_climatology", "np_finalize_moments", "np_monthly_moments"]
