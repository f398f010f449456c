r"""Euphotic-zone PIC production (paper eq. 1–2, after Hopkins & Balch 2018).

.. math:: P_{EZ} = PIC \cdot \mu(SST) \cdot h(PAR) \cdot g(Z_{eu})

PIC [mol C m-3] × μ [d-1] × h [1] × g [m] = mol C m-2 d-1, reported in mg C m-2 d-1
(× 12.011 × 1000). Each factor is a named variant of the registry (``variants.yaml``).
Numpy kernels are the ``np_*`` functions; the wrappers of the same name without the prefix
take DataArrays in canonical units and stay lazy on dask input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import SpecError, explain
from picpump.science._checks import check_units
from picpump.science.registry import ModelVariants, Variant
from picpump.units import MOLAR_MASS_C

LN100 = float(np.log(100.0))
MG_PER_MOL_C = MOLAR_MASS_C * 1000.0

Array = NDArray[Any]


def _unknown(v: Variant) -> SpecError:
    return SpecError(
        explain(
            f"variant '{v.name}' of {v.kind} has no kernel",
            v.name,
            "choose a variant listed by picpump.science.registry.variant_names",
        )
    )


def np_growth_rate(sst: Array, variant: Variant) -> Array:
    r"""E. huxleyi growth rate μ(T) [d-1].

    ``fielding2013``: :math:`\mu = a T^b` for T > 0 °C, 0 for T ≤ 0 (Fielding 2013);
    ``eppley1972``: :math:`\mu = a\,b^T` (Eppley 1972).

    Parameters
    ----------
    sst : ndarray
        Sea surface temperature [°C]; NaN is missing.
    variant : Variant
        A ``growth_rate`` variant.

    Returns
    -------
    ndarray
        Growth rate [d-1], same dtype as ``sst``.
    """
    a, b = variant.params["a"], variant.params["b"]
    dtype = np.result_type(sst, np.float32)
    if variant.name == "fielding2013":
        out = np.maximum(sst, 0, dtype=dtype)
        np.power(out, dtype.type(b), out=out)
        out *= dtype.type(a)
        return out
    if variant.name == "eppley1972":
        return np.asarray(dtype.type(a) * np.power(dtype.type(b), sst, dtype=dtype))
    raise _unknown(variant)


def np_light_limitation(par: Array, variant: Variant) -> Array:
    r"""Surface light limitation :math:`h = PAR / (PAR + K_I)` [1] (VGPM form).

    Parameters
    ----------
    par : ndarray
        Daily PAR [mol photons m-2 d-1].
    variant : Variant
        A ``light_limitation`` variant (param ``k_i``).

    Returns
    -------
    ndarray
        h in [0, 1).
    """
    if variant.name != "vgpm":
        raise _unknown(variant)
    dtype = np.result_type(par, np.float32)
    out = np.add(par, dtype.type(variant.params["k_i"]), dtype=dtype)
    np.divide(par, out, out=out)
    return out


def np_euphotic_depth(kd490: Array, variant: Variant) -> Array:
    r"""Euphotic (1 % light) depth :math:`Z_{eu}` [m], capped at ``zeu_max``.

    ``kd490_1pct``: :math:`Z_{eu} = \ln 100 / K_{d490}`; ``morel2007``:
    :math:`K_{dPAR} = c_0 + c_1 K_{d490} + c_2 / K_{d490}`, :math:`Z_{eu} = \ln 100 / K_{dPAR}`
    (Morel et al. 2007), ``zeu_max`` where :math:`K_{dPAR} \le 0`. Kd490 ≤ 0 is missing.

    Parameters
    ----------
    kd490 : ndarray
        Diffuse attenuation at 490 nm [m-1].
    variant : Variant
        An ``euphotic_depth`` variant.

    Returns
    -------
    ndarray
        Z_eu [m]; NaN where Kd490 is missing or ≤ 0.
    """
    p = variant.params
    dtype = np.result_type(kd490, np.float32)
    kd = np.where(kd490 > 0, kd490, np.nan).astype(dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        if variant.name == "kd490_1pct":
            zeu = np.divide(dtype.type(LN100), kd)
        elif variant.name == "morel2007":
            kdpar = p["c0"] + p["c1"] * kd + p["c2"] / kd
            zeu = np.where(kdpar > 0, LN100 / kdpar, p["zeu_max"]).astype(dtype, copy=False)
            zeu[np.isnan(kd)] = np.nan
        else:
            raise _unknown(variant)
    return np.minimum(zeu, dtype.type(p["zeu_max"]), out=zeu)


def np_depth_factor(zeu: Array, variant: Variant) -> Array:
    r"""Depth integral of calcification over the euphotic zone, g [m].

    ``exponential``: :math:`g = Z_{eu}(1 - e^{-k})/k` with k = ln 100 (0.21500 Z_eu);
    ``vgpm``: :math:`g = 0.66125\,Z_{eu}`.

    Parameters
    ----------
    zeu : ndarray
        Euphotic depth [m].
    variant : Variant
        A ``depth_factor`` variant.

    Returns
    -------
    ndarray
        g [m].
    """
    dtype = np.result_type(zeu, np.float32)
    return np.multiply(zeu, dtype.type(_depth_coefficient(variant)), dtype=dtype)


def _depth_coefficient(variant: Variant) -> float:
    if variant.name == "exponential":
        k = variant.params["k"]
        return float((1.0 - np.exp(-k)) / k)
    if variant.name == "vgpm":
        return variant.params["factor"]
    raise _unknown(variant)


def np_ez_pic_production(
    pic: Array, sst: Array, par: Array, kd490: Array, variants: ModelVariants
) -> Array:
    r"""Euphotic-zone PIC production [mg C m-2 d-1].

    .. math:: P = PIC\,\mu(SST)\,h(PAR)\,g(Z_{eu}) \times 12.011 \times 10^3

    A cell needs all four inputs valid; otherwise it is NaN (no gap filling).

    Parameters
    ----------
    pic : ndarray
        Surface PIC [mol C m-3].
    sst : ndarray
        SST [°C].
    par : ndarray
        PAR [mol photons m-2 d-1].
    kd490 : ndarray
        Kd490 [m-1].
    variants : ModelVariants
        The model variants.

    Returns
    -------
    ndarray
        Production [mg C m-2 d-1], float32 for float32 inputs.
    """
    out = np_growth_rate(sst, variants.growth_rate)
    out *= np_light_limitation(par, variants.light_limitation)
    zeu = np_euphotic_depth(kd490, variants.euphotic_depth)
    zeu *= zeu.dtype.type(_depth_coefficient(variants.depth_factor) * MG_PER_MOL_C)
    out *= zeu
    out *= pic
    return out


def _wrap(func: Any, *arrays: xr.DataArray, units: str, long_name: str, **kwargs: Any) -> Any:
    dtype = np.result_type(*[a.dtype for a in arrays], np.float32)
    out = xr.apply_ufunc(func, *arrays, kwargs=kwargs, dask="parallelized", output_dtypes=[dtype])
    out.attrs = {"units": units, "long_name": long_name}
    return out


def growth_rate(sst: xr.DataArray, variant: Variant) -> xr.DataArray:
    """Growth rate μ [d-1] of an SST DataArray [degC] (see :func:`np_growth_rate`)."""
    check_units(sst, "sst")
    return _wrap(np_growth_rate, sst, units="d-1", long_name="growth rate", variant=variant)


def light_limitation(par: xr.DataArray, variant: Variant) -> xr.DataArray:
    """Light limitation h [1] of a PAR DataArray (see :func:`np_light_limitation`)."""
    check_units(par, "par")
    return _wrap(np_light_limitation, par, units="1", long_name="light limitation", variant=variant)


def euphotic_depth(kd490: xr.DataArray, variant: Variant) -> xr.DataArray:
    """Euphotic depth [m] of a Kd490 DataArray (see :func:`np_euphotic_depth`)."""
    check_units(kd490, "kd490")
    return _wrap(np_euphotic_depth, kd490, units="m", long_name="euphotic depth", variant=variant)


def depth_factor(zeu: xr.DataArray, variant: Variant) -> xr.DataArray:
    """Depth factor g [m] of a euphotic-depth DataArray (see :func:`np_depth_factor`)."""
    check_units(zeu, "kd490", expected="m")
    return _wrap(np_depth_factor, zeu, units="m", long_name="depth factor", variant=variant)


def ez_pic_production(
    pic: xr.DataArray,
    sst: xr.DataArray,
    par: xr.DataArray,
    kd490: xr.DataArray,
    variants: ModelVariants,
) -> xr.DataArray:
    """Euphotic-zone PIC production [mg C m-2 d-1] (see :func:`np_ez_pic_production`).

    Parameters
    ----------
    pic, sst, par, kd490 : xarray.DataArray
        Canonical inputs (mol m-3, degC, mol m-2 d-1, m-1); numpy- or dask-backed.
    variants : ModelVariants
        The model variants.

    Returns
    -------
    xarray.DataArray
        Production [mg m-2 d-1] (carbon mass), lazy on dask input.
    """
    for da, name in ((pic, "pic"), (sst, "sst"), (par, "par"), (kd490, "kd490")):
        check_units(da, name)
    return _wrap(
        np_ez_pic_production,
        pic,
        sst,
        par,
        kd490,
        units="mg m-2 d-1",
        long_name="euphotic-zone particulate inorganic carbon production",
        variants=variants,
    )


__all__ = [
    "depth_factor",
    "euphotic_depth",
    "ez_pic_production",
    "growth_rate",
    "light_limitation",
    "np_depth_factor",
    "np_euphotic_depth",
    "np_ez_pic_production",
    "np_growth_rate",
    "np_light_limitation",
]
