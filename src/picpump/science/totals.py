r"""Global totals over open-ocean cells (paper recipe, §2.1).

Per month, :math:`\sum P\,A` over open-ocean cells with a valid value → g C d-1, × 365 / 1e15
→ Pg C yr-1; stocks :math:`\sum S\,A` → Tg. The reported figure is the mean ± SD over the
months (the ± is month-to-month variability, sample SD with ddof = 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

DAYS_PER_YEAR = 365.0


def np_global_sum(field: NDArray[Any], area: NDArray[Any], mask: NDArray[Any]) -> NDArray:
    """Σ field × area over the last two axes, where ``mask`` is set and the field valid.

    Parameters
    ----------
    field : ndarray, shape (..., lat, lon)
        Values per unit area.
    area : ndarray, shape (lat, lon)
        Cell areas.
    mask : ndarray of bool, shape (lat, lon)
        Cells to include.

    Returns
    -------
    ndarray of float64, shape (...)
        The area integral.
    """
    weights = np.where(mask, area, 0.0).astype(np.float64)
    values = np.where(np.isfinite(field), field, 0.0).astype(np.float64)
    return np.asarray((values * weights).sum(axis=(-2, -1)))


def np_valid_fraction(field: NDArray[Any], mask: NDArray[Any]) -> NDArray:
    """Fraction of the ``mask`` cells where ``field`` is valid (last two axes)."""
    valid = np.isfinite(field) & mask
    return np.asarray(valid.sum(axis=(-2, -1)) / max(int(np.count_nonzero(mask)), 1))


def _integral(field: xr.DataArray, area: xr.DataArray, mask: xr.DataArray) -> xr.DataArray:
    weights = area.where(mask, 0.0).astype("float64")
    return (field.fillna(0.0).astype("float64") * weights).sum(("lat", "lon"))


def global_rate_pg_per_yr(
    production: xr.DataArray, area: xr.DataArray, mask: xr.DataArray
) -> xr.DataArray:
    """Global rate [Pg C yr-1] of a daily rate per area [mg C m-2 d-1], per time step.

    Parameters
    ----------
    production : xarray.DataArray
        (time, lat, lon) [mg m-2 d-1].
    area : xarray.DataArray
        (lat, lon) cell areas [m²].
    mask : xarray.DataArray
        (lat, lon) cells to include (open ocean).

    Returns
    -------
    xarray.DataArray
        (time,) [Pg yr-1], lazy on dask input.
    """
    out = _integral(production, area, mask) * (1e-3 * DAYS_PER_YEAR / 1e15)
    out.attrs = {"units": "Pg yr-1", "long_name": "global rate (carbon)"}
    return out


def global_stock_tg(stock: xr.DataArray, area: xr.DataArray, mask: xr.DataArray) -> xr.DataArray:
    """Global stock [Tg C] of a stock per area [g C m-2], per time step (lazy)."""
    out = _integral(stock, area, mask) / 1e12
    out.attrs = {"units": "Tg", "long_name": "global stock (carbon)"}
    return out


def mean_sd(series: xr.DataArray, dim: str = "time") -> tuple[xr.DataArray, xr.DataArray]:
    """Mean and sample standard deviation (ddof = 1) over ``dim``, lazily."""
    return series.mean(dim), series.std(dim, ddof=1)


__all__ = [
    "global_rate_pg_per_yr",
    "global_stock_tg",
    "mean_sd",
    "np_global_sum",
    "np_valid_fraction",
]
