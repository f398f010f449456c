r"""Seasonal variability: the coefficient of variation of a monthly climatology.

The paper's "seasonal bias" (Toullec 2026, doi:10.5194/bg-23-4361-2026, Fig. 2c–d, 3) is
σ/μ over the 12 calendar-month values of a cell (NPP, PIC production, each taxon's stock).
σ is the population standard deviation (ddof = 0): the 12 months are the whole cycle, not a
sample of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray


def np_seasonal_cv(clim: ArrayLike, axis: int = 0, min_months: int = 12) -> NDArray[Any]:
    r"""Coefficient of variation σ/μ over the calendar months of a climatology.

    .. math:: CV = \frac{\sigma}{\mu}, \quad \mu = \frac{1}{n}\sum_m x_m, \quad
              \sigma = \sqrt{\frac{1}{n}\sum_m (x_m - \mu)^2}

    over the *n* valid months (Toullec 2026, doi:10.5194/bg-23-4361-2026). Accumulated in
    float64.

    Parameters
    ----------
    clim : array_like
        Monthly climatology; NaN is missing.
    axis : int, default 0
        The month axis.
    min_months : int, default 12
        Fewer valid months gives NaN.

    Returns
    -------
    ndarray
        σ/μ [1] with ``axis`` removed; NaN where μ ≤ 0 or too few months; float32 for float32
        input.
    """
    x = np.asarray(clim)
    dtype = np.result_type(x, np.float32)
    values = np.moveaxis(x, axis, -1).astype(np.float64)
    valid = np.isfinite(values)
    n = valid.sum(axis=-1)
    values[~valid] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = values.sum(axis=-1) / n
        values -= mean[..., None]
        values[~valid] = 0.0
        cv = np.sqrt(np.einsum("...m,...m->...", values, values) / n) / mean
    return np.where((n >= min_months) & (mean > 0), cv, np.nan).astype(dtype)


def seasonal_cv(clim: xr.DataArray, dim: str = "month", min_months: int = 12) -> xr.DataArray:
    r"""Seasonal coefficient of variation of a climatology DataArray (lazy on dask input).

    .. math:: CV = \sigma / \mu \quad (\sigma \text{ with ddof} = 0)

    Toullec 2026, doi:10.5194/bg-23-4361-2026 (see :func:`np_seasonal_cv`). A ``dim`` split
    over several chunks is gathered into one.

    Parameters
    ----------
    clim : xarray.DataArray
        Monthly climatology with a ``dim`` of (normally 12) calendar months; any units.
    dim : str, default "month"
        The month dimension.
    min_months : int, default 12
        Minimum number of valid months.

    Returns
    -------
    xarray.DataArray
        σ/μ [1], without ``dim``.
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
    out.attrs = {"units": "1", "long_name": f"seasonal coefficient of variation over {dim}"}
    return out


__all__ = ["np_seasonal_cv", "seasonal_cv"]
