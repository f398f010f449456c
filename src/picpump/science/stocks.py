r"""PIC and POC standing stocks of the upper 100 m (paper eq. 3–4, Balch et al. 2018).

.. math:: PIC_{100} = 40.555\,PIC_{surf}^{0.560}, \qquad POC_{100} = 164.376\,POC_{surf}^{0.617}

``balch2018_mmol`` (default): surface in mmol m-3, integral in mmol m-2, reported in
g C m-2 (× 12.011e-3). ``balch2018_mg``: the relation read mg C m-3 → mg C m-2 (kept for
comparison; it gives implausible profiles). Surface ≤ 0 or missing → missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import SpecError, explain
from picpump.science._checks import check_units
from picpump.science.registry import Variant
from picpump.units import MOLAR_MASS_C

Array = NDArray[Any]


def _power_law(surface: Array, variant: Variant) -> Array:
    dtype = np.result_type(surface, np.float32)
    positive = np.where(surface > 0, surface, np.nan).astype(dtype, copy=False)
    out = np.power(positive, dtype.type(variant.params["b"]))
    out *= dtype.type(variant.params["a"])
    return out


def _check(variant: Variant) -> None:
    if variant.name not in ("balch2018_mmol", "balch2018_mg"):
        raise SpecError(
            explain(f"{variant.kind} has no kernel for '{variant.name}'", variant.name, "fix it")
        )


def np_pic_stock_100(pic: Array, variant: Variant) -> Array:
    """PIC standing stock 0–100 m [g C m-2] from surface PIC [mol m-3].

    Parameters
    ----------
    pic : ndarray
        Surface PIC [mol C m-3].
    variant : Variant
        A ``pic_stock`` variant.

    Returns
    -------
    ndarray
        Stock [g C m-2].
    """
    _check(variant)
    if variant.name == "balch2018_mmol":
        return _power_law(pic * 1000.0, variant) * np.float32(MOLAR_MASS_C * 1e-3)
    return _power_law(pic * (MOLAR_MASS_C * 1000.0), variant) * np.float32(1e-3)


def np_poc_stock_100(poc: Array, variant: Variant) -> Array:
    """POC standing stock 0–100 m [g C m-2] from surface POC [mg m-3].

    Parameters
    ----------
    poc : ndarray
        Surface POC [mg C m-3].
    variant : Variant
        A ``poc_stock`` variant.

    Returns
    -------
    ndarray
        Stock [g C m-2].
    """
    _check(variant)
    if variant.name == "balch2018_mmol":
        return _power_law(poc / MOLAR_MASS_C, variant) * np.float32(MOLAR_MASS_C * 1e-3)
    return _power_law(poc, variant) * np.float32(1e-3)


def _wrap(func: Any, da: xr.DataArray, variant: Variant, long_name: str) -> xr.DataArray:
    out = xr.apply_ufunc(
        func,
        da,
        kwargs={"variant": variant},
        dask="parallelized",
        output_dtypes=[np.result_type(da.dtype, np.float32)],
    )
    out.attrs = {"units": "g m-2", "long_name": long_name}
    return out


def pic_stock_100(pic: xr.DataArray, variant: Variant) -> xr.DataArray:
    """PIC stock 0–100 m [g C m-2] of a surface PIC DataArray (see :func:`np_pic_stock_100`)."""
    check_units(pic, "pic")
    return _wrap(np_pic_stock_100, pic, variant, "PIC standing stock 0-100 m (carbon)")


def poc_stock_100(poc: xr.DataArray, variant: Variant) -> xr.DataArray:
    """POC stock 0–100 m [g C m-2] of a surface POC DataArray (see :func:`np_poc_stock_100`)."""
    check_units(poc, "poc")
    return _wrap(np_poc_stock_100, poc, variant, "POC standing stock 0-100 m (carbon)")


__all__ = ["np_pic_stock_100", "np_poc_stock_100", "pic_stock_100", "poc_stock_100"]
