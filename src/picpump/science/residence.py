r"""Residence (turnover) time of a standing stock against its production.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §3.1), from annual means: PIC_100 / EZ PIC
production and POC_100 / NPP. Hopkins et al. 2019 report about 7 days for PIC globally.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.science._checks import check_units


def np_residence_time(stock_g_m2: ArrayLike, production_mg_m2_d: ArrayLike) -> NDArray[Any]:
    r"""Residence time [d].

    .. math:: \tau = \frac{S\,[\mathrm{g\,C\,m^{-2}}]}{P\,[\mathrm{mg\,C\,m^{-2}\,d^{-1}}] / 1000}

    Toullec 2026, doi:10.5194/bg-23-4361-2026.

    Parameters
    ----------
    stock_g_m2 : array_like
        Standing stock S [g C m-2].
    production_mg_m2_d : array_like
        Production P [mg C m-2 d-1]; ≤ 0 or NaN gives NaN.

    Returns
    -------
    ndarray
        τ [d] in the broadcast shape; float32 for float32 inputs.
    """
    stock, production = np.broadcast_arrays(stock_g_m2, production_mg_m2_d)
    dtype = np.result_type(stock, production, np.float32)
    with np.errstate(invalid="ignore"):
        out = np.where(production > 0, production, np.nan).astype(dtype, copy=False)
    np.divide(stock, out, out=out)
    out *= 1000.0
    return out


def residence_time(stock: xr.DataArray, production: xr.DataArray) -> xr.DataArray:
    r"""Residence time [d] of a stock against a production (lazy on dask input).

    .. math:: \tau = S / (P / 1000)

    Toullec 2026, doi:10.5194/bg-23-4361-2026 (see :func:`np_residence_time`).

    Parameters
    ----------
    stock : xarray.DataArray
        Standing stock [g m-2] (carbon mass).
    production : xarray.DataArray
        Production [mg m-2 d-1] (carbon mass).

    Returns
    -------
    xarray.DataArray
        τ [d].
    """
    check_units(stock, "stock", expected="g m-2")
    check_units(production, "production", expected="mg m-2 d-1")
    out = xr.apply_ufunc(
        np_residence_time,
        stock,
        production,
        dask="parallelized",
        output_dtypes=[np.result_type(stock.dtype, production.dtype, np.float32)],
    )
    out.attrs = {"units": "d", "long_name": "residence time (stock / production)"}
    return out


__all__ = ["np_residence_time", "residence_time"]
