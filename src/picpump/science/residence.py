r"""Residence time of a standing stock against its production (paper §3.1).

.. math:: \tau\,[d] = \frac{S\,[g\,C\,m^{-2}]}{P\,[mg\,C\,m^{-2}\,d^{-1}] / 1000}

from annual means: PIC_100 / EZ PIC production, POC_100 / NPP.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray


def np_residence_time(stock: NDArray[Any], production: NDArray[Any]) -> NDArray[Any]:
    """Residence time [d].

    Parameters
    ----------
    stock : ndarray
        Standing stock [g C m-2].
    production : ndarray
        Production [mg C m-2 d-1]; ≤ 0 or missing gives NaN.

    Returns
    -------
    ndarray
        τ [d].
    """
    dtype = np.result_type(stock, production, np.float32)
    rate = np.where(production > 0, production, np.nan).astype(dtype, copy=False)
    return np.asarray(stock * dtype.type(1000.0) / rate, dtype=dtype)


def residence_time(stock: xr.DataArray, production: xr.DataArray) -> xr.DataArray:
    """Residence time [d] of a stock [g m-2] against a production [mg m-2 d-1] (lazy)."""
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
