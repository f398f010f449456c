r"""Seasonal variability: the coefficient of variation of a monthly climatology.

.. math:: CV = \sigma / \mu

over the 12 calendar-month values of a cell (population σ, ddof = 0), as the paper's
"seasonal bias" (Fig. 2c–d, 3).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray


def np_seasonal_cv(clim: NDArray[Any], axis: int = 0, min_months: int = 12) -> NDArray[Any]:
    """Coefficient of variation σ/μ over the calendar months.

    Parameters
    ----------
    clim : ndarray
        Monthly climatology; NaN is missing.
    axis : int, default 0
        The month axis.
    min_months : int, default 12
        Fewer valid months → NaN.

    Returns
    -------
    ndarray
        σ/μ (population σ); NaN where μ ≤ 0 or too few months.
    """
    values = np.moveaxis(np.asarray(clim, dtype=np.float64), axis, -1)
    valid = np.isfinite(values)
    n = valid.sum(axis=-1)
    filled = np.where(valid, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=-1) / n
        var = (np.where(valid, values - mean[..., None], 0.0) ** 2).sum(axis=-1) / n
        cv = np.sqrt(var) / mean
    dtype = np.result_type(clim, np.float32)
    return np.where((n >= min_months) & (mean > 0), cv, np.nan).astype(dtype)


def seasonal_cv(clim: xr.DataArray, dim: str = "month", min_months: int = 12) -> xr.DataArray:
    """Seasonal coefficient of variation of a climatology DataArray (lazy on dask input).

    Parameters
    ----------
    clim : xarray.DataArray
        Monthly climatology with a ``dim`` of 12 months.
    dim : str, default "month"
        The month dimension.
    min_months : int, default 12
        Minimum valid months.

    Returns
    -------
    xarray.DataArray
        σ/μ [1].
    """
    out = xr.apply_ufunc(
        np_seasonal_cv,
        clim,
        input_core_dims=[[dim]],
        kwargs={"axis": -1, "min_months": min_months},
        dask="parallelized",
        output_dtypes=[np.result_type(clim.dtype, np.float32)],
        dask_gufunc_kwargs={"allow_rechunk": True},
    )
    out.attrs = {"units": "1", "long_name": "seasonal coefficient of variation (sigma/mu)"}
    return out


__all__ = ["np_seasonal_cv", "seasonal_cv"]
