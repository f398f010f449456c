"""Apply an element-wise numpy kernel to DataArrays: one blockwise layer on dask input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dask.array as da
import numpy as np
import xarray as xr


def elementwise(
    kernel: Callable[..., Any], *arrays: xr.DataArray, attrs: dict[str, str], **kwargs: Any
) -> xr.DataArray:
    """Apply ``kernel(*values, **kwargs)`` to broadcast DataArrays; lazy on dask input.

    xarray's ``dask="parallelized"`` goes through dask's ``apply_gufunc``, which adds an alias
    and a transpose per block after the kernel: on a distributed cluster, two tasks per chunk
    that do nothing (256 of the 830 tasks of the 0.25° benchmark job). Here the kernel is one
    ``blockwise`` layer, into which dask fuses the reads of its inputs.

    Parameters
    ----------
    kernel : callable
        An element-wise numpy function of the arrays' values (any shape, broadcasting).
    *arrays : xarray.DataArray
        The inputs, numpy- or dask-backed; xarray aligns and broadcasts them.
    attrs : dict
        Attributes of the result.
    **kwargs
        Keywords of ``kernel``.

    Returns
    -------
    xarray.DataArray
        In the promoted float dtype (float32 stays float32).
    """
    dtype = np.result_type(*(a.dtype for a in arrays), np.float32)

    def run(*values: Any) -> Any:
        if not any(isinstance(v, da.Array) for v in values):
            return kernel(*values, **kwargs)
        ndim = max(np.ndim(v) for v in values)
        index = tuple(range(ndim))
        # by index, not by position: xarray leaves out the leading axes an input lacks
        # (numpy broadcasting), and blockwise aligns their chunks where map_blocks did not
        pairs = [(da.asarray(v), index[ndim - np.ndim(v) :]) for v in values]
        return da.blockwise(
            kernel,
            index,
            *(item for pair in pairs for item in pair),
            dtype=dtype,
            meta=np.empty((0,) * ndim, dtype=dtype),
            **kwargs,
        )

    out = xr.apply_ufunc(run, *arrays, dask="allowed")
    out.attrs = dict(attrs)
    return out


__all__ = ["elementwise"]
