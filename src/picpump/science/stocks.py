r"""PIC and POC standing stocks of the upper 100 m (paper eq. 3–4, Balch et al. 2018).

.. math:: PIC_{100} = 40.555\,PIC_{surf}^{0.560}, \qquad POC_{100} = 164.376\,POC_{surf}^{0.617}

``balch2018_mmol`` (default): surface in mmol m-3, integral in mmol m-2, reported in g C m-2
(× 12.011e-3). ``balch2018_mg``: the relation read mg C m-3 → mg C m-2 (kept for comparison;
it gives implausible profiles). Surface ≤ 0 or missing → missing.

Balch, W. M. et al. (2018), Global Biogeochem. Cycles 32, 2–17, doi:10.1002/2016GB005614.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import SpecError, explain
from picpump.science._checks import check_units
from picpump.science._elementwise import elementwise
from picpump.science.registry import Variant
from picpump.units import MOLAR_MASS_C

Array = NDArray[Any]

# (kind, variant) → (canonical surface → surface units of the relation, result units → g C m-2)
_UNITS: dict[tuple[str, str], tuple[float, float]] = {
    ("pic_stock", "balch2018_mmol"): (1e3, MOLAR_MASS_C * 1e-3),  # mol → mmol; mmol → g C
    ("pic_stock", "balch2018_mg"): (MOLAR_MASS_C * 1e3, 1e-3),  # mol → mg C; mg → g
    ("poc_stock", "balch2018_mmol"): (1.0 / MOLAR_MASS_C, MOLAR_MASS_C * 1e-3),  # mg → mmol
    ("poc_stock", "balch2018_mg"): (1.0, 1e-3),
}


def _power_law(surface: ArrayLike, kind: str, variant: Variant) -> Array:
    r"""Return :math:`a (c x)^b u = (a c^b u)\,x^b`, NaN where :math:`x \le 0` or missing."""
    if (variant.kind, variant.name) not in _UNITS or kind != variant.kind:
        raise SpecError(
            explain(
                f"this kernel needs a '{kind}' variant with known units, one of "
                f"{sorted(n for k, n in _UNITS if k == kind)}",
                f"{variant.kind} '{variant.name}'",
                f"pass registry.variant({kind!r}, name)",
            )
        )
    to_surface, to_grams = _UNITS[(variant.kind, variant.name)]
    a, b = variant.params["a"], variant.params["b"]
    x = np.asarray(surface)
    with np.errstate(invalid="ignore"):
        out = np.where(x > 0, x, np.nan).astype(np.result_type(x, np.float32), copy=False)
    np.power(out, b, out=out)
    out *= a * to_surface**b * to_grams
    return out


def np_pic_stock_100(pic_mol_m3: ArrayLike, variant: Variant) -> Array:
    r"""PIC standing stock 0–100 m [g C m-2] from surface PIC [mol m-3].

    .. math:: PIC_{100}\,[\mathrm{mmol\,m^{-2}}] = a\,(10^3\,PIC)^{b}, \quad
              \times\,12.011 \times 10^{-3} \to \mathrm{g\,C\,m^{-2}}

    a = 40.555, b = 0.560 (Balch et al. 2018, doi:10.1002/2016GB005614, eq. 3 of Toullec 2026).

    Parameters
    ----------
    pic_mol_m3 : array_like
        Surface PIC [mol C m-3]; ≤ 0 or NaN is missing.
    variant : Variant
        A ``pic_stock`` variant.

    Returns
    -------
    ndarray
        Stock [g C m-2]; float32 for float32 input.
    """
    return _power_law(pic_mol_m3, "pic_stock", variant)


def np_poc_stock_100(poc_mg_m3: ArrayLike, variant: Variant) -> Array:
    r"""POC standing stock 0–100 m [g C m-2] from surface POC [mg m-3].

    .. math:: POC_{100}\,[\mathrm{mmol\,m^{-2}}] = a\,(POC / 12.011)^{b}, \quad
              \times\,12.011 \times 10^{-3} \to \mathrm{g\,C\,m^{-2}}

    a = 164.376, b = 0.617 (Balch et al. 2018, doi:10.1002/2016GB005614, eq. 4 of Toullec
    2026).

    Parameters
    ----------
    poc_mg_m3 : array_like
        Surface POC [mg C m-3]; ≤ 0 or NaN is missing.
    variant : Variant
        A ``poc_stock`` variant.

    Returns
    -------
    ndarray
        Stock [g C m-2]; float32 for float32 input.
    """
    return _power_law(poc_mg_m3, "poc_stock", variant)


def _apply(kernel: Any, da: xr.DataArray, variant: Variant, long_name: str) -> xr.DataArray:
    attrs = {"units": "g m-2", "long_name": f"{long_name} ({variant.name})"}
    return elementwise(kernel, da, attrs=attrs, variant=variant)


def pic_stock_100(pic: xr.DataArray, variant: Variant) -> xr.DataArray:
    r"""PIC stock 0–100 m [g C m-2] of a surface PIC DataArray (see :func:`np_pic_stock_100`).

    .. math:: PIC_{100} = 40.555\,PIC_{surf}^{0.560}

    Balch et al. 2018, doi:10.1002/2016GB005614.

    Parameters
    ----------
    pic : xarray.DataArray
        Surface PIC [mol m-3], numpy- or dask-backed.
    variant : Variant
        A ``pic_stock`` variant.

    Returns
    -------
    xarray.DataArray
        Stock [g m-2] (mass of carbon), lazy on dask input.
    """
    check_units(pic, "pic")
    return _apply(np_pic_stock_100, pic, variant, "PIC standing stock 0-100 m (carbon mass)")


def poc_stock_100(poc: xr.DataArray, variant: Variant) -> xr.DataArray:
    r"""POC stock 0–100 m [g C m-2] of a surface POC DataArray (see :func:`np_poc_stock_100`).

    .. math:: POC_{100} = 164.376\,POC_{surf}^{0.617}

    Balch et al. 2018, doi:10.1002/2016GB005614.

    Parameters
    ----------
    poc : xarray.DataArray
        Surface POC [mg m-3], numpy- or dask-backed.
    variant : Variant
        A ``poc_stock`` variant.

    Returns
    -------
    xarray.DataArray
        Stock [g m-2] (mass of carbon), lazy on dask input.
    """
    check_units(poc, "poc")
    return _apply(np_poc_stock_100, poc, variant, "POC standing stock 0-100 m (carbon mass)")


__all__ = ["np_pic_stock_100", "np_poc_stock_100", "pic_stock_100", "poc_stock_100"]
