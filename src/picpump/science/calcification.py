r"""Euphotic-zone PIC production (paper eq. 1–2, after Hopkins & Balch 2018).

.. math:: P_{EZ} = PIC \cdot \mu(SST) \cdot h(PAR) \cdot g(Z_{eu})

PIC [mol C m-3] × μ [d-1] × h [1] × g [m] = mol C m-2 d-1, reported in mg C m-2 d-1
(× 12.011e3). Each factor is a named variant of the registry (``variants.yaml``). The ``np_*``
functions are numpy kernels; the wrappers of the same name without the prefix take DataArrays
in canonical units and stay lazy on dask input. The per-factor kernels and the block runner are
in :mod:`picpump.science.calcification_factors`: the kernels work in place through blocks of
:data:`~picpump.science.calcification_factors.BLOCK` elements, so their two scratch buffers stay
in cache.

Hopkins, J. and Balch, W. M. (2018), J. Geophys. Res. Biogeosci. 123, 1447,
doi:10.1002/2017JG004235; Toullec (2026), Biogeosciences 23, 4361, doi:10.5194/bg-23-4361-2026.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.science._checks import check_units
from picpump.science._elementwise import elementwise
from picpump.science.calcification_factors import depth_coefficient, factor_step, run_in_blocks
from picpump.science.registry import ModelVariants, Variant
from picpump.units import MOLAR_MASS_C

Array = NDArray[Any]
MG_PER_MOL_C = MOLAR_MASS_C * 1e3


def _single(kind: str, variant: Variant, x: ArrayLike) -> Array:
    factor = factor_step(kind, variant)
    return run_in_blocks(lambda v, out, tmp, bad: factor(v, out, bad), x)


def np_growth_rate(sst: ArrayLike, variant: Variant) -> Array:
    r"""E. huxleyi growth rate [d-1].

    .. math:: \mu = a\,T^b \;(T > 0), \quad \mu = 0 \;(T \le 0) \qquad \text{or} \qquad
              \mu = a\,b^T

    ``fielding2013`` (default; a = 0.1419, b = 0.8151): Fielding 2013, Limnol. Oceanogr.
    58:663, doi:10.4319/lo.2013.58.2.0663. ``eppley1972`` (a = 0.59, b = 1.066): Eppley 1972,
    Fish. Bull. 70:1063.

    Parameters
    ----------
    sst : array_like
        Sea surface temperature [°C]; NaN is missing.
    variant : Variant
        A ``growth_rate`` variant.

    Returns
    -------
    ndarray
        μ [d-1]; float32 for float32 input; NaN where SST is missing.
    """
    return _single("growth_rate", variant, sst)


def np_light_limitation(par: ArrayLike, variant: Variant) -> Array:
    r"""Surface light limitation [1].

    .. math:: h = \frac{PAR}{PAR + K_I}

    VGPM form, K_I = ``k_i`` = 4.1 mol photons m-2 d-1: Behrenfeld & Falkowski 1997, Limnol.
    Oceanogr. 42:1, doi:10.4319/lo.1997.42.1.0001.

    Parameters
    ----------
    par : array_like
        Daily PAR [mol photons m-2 d-1]; NaN or negative is missing.
    variant : Variant
        A ``light_limitation`` variant.

    Returns
    -------
    ndarray
        h in [0, 1); NaN where PAR is missing.
    """
    return _single("light_limitation", variant, par)


def np_euphotic_depth(kd490: ArrayLike, variant: Variant) -> Array:
    r"""Euphotic (1 % light) depth [m], capped at ``zeu_max`` (200 m).

    .. math:: Z_{eu} = \min\left(\frac{\ln 100}{K}, Z_{max}\right), \quad
              K = K_{d490} \;\text{or}\; K_{dPAR} = c_0 + c_1 K_{d490} + \frac{c_2}{K_{d490}}

    ``kd490_1pct`` (default) uses Kd490; ``morel2007`` uses KdPAR (Morel et al. 2007, Remote
    Sens. Environ. 111:69, doi:10.1016/j.rse.2007.03.012) and gives ``zeu_max`` where
    KdPAR ≤ 0.

    Parameters
    ----------
    kd490 : array_like
        Diffuse attenuation at 490 nm [m-1]; ≤ 0 or NaN is missing.
    variant : Variant
        An ``euphotic_depth`` variant.

    Returns
    -------
    ndarray
        Z_eu [m]; NaN where Kd490 is missing.
    """
    return _single("euphotic_depth", variant, kd490)


def np_depth_factor(zeu: ArrayLike, variant: Variant) -> Array:
    r"""Depth integral of calcification over the euphotic zone [m].

    .. math:: g = Z_{eu}\,\frac{1 - e^{-k}}{k} \approx 0.2150\,Z_{eu} \;(k = \ln 100)
              \qquad \text{or} \qquad g = 0.66125\,Z_{eu}

    ``exponential`` (default): calcification follows light, exp(−k z / Z_eu), a reconstruction
    of Hopkins & Balch 2018, doi:10.1002/2017JG004235 (SCIENCE.md §1). ``vgpm``: Behrenfeld &
    Falkowski 1997, doi:10.4319/lo.1997.42.1.0001.

    Parameters
    ----------
    zeu : array_like
        Euphotic depth [m].
    variant : Variant
        A ``depth_factor`` variant.

    Returns
    -------
    ndarray
        g [m].
    """
    coefficient = depth_coefficient(variant)
    return run_in_blocks(lambda z, out, tmp, bad: np.multiply(z, coefficient, out=out), zeu)


def np_ez_pic_production(
    pic: ArrayLike, sst: ArrayLike, par: ArrayLike, kd490: ArrayLike, variants: ModelVariants
) -> Array:
    r"""Euphotic-zone PIC production [mg C m-2 d-1], all factors fused in one blocked pass.

    .. math:: P = PIC \cdot \mu(SST) \cdot h(PAR) \cdot g(Z_{eu}(K_{d490}))
              \cdot 12.011 \times 10^3

    Toullec 2026 eq. 2 (doi:10.5194/bg-23-4361-2026) after Hopkins & Balch 2018
    (doi:10.1002/2017JG004235). A cell needs all four inputs valid (negative PIC, negative PAR
    and Kd490 ≤ 0 are missing); otherwise it is NaN: no gap filling.

    Parameters
    ----------
    pic : array_like
        Surface PIC [mol C m-3].
    sst : array_like
        SST [°C].
    par : array_like
        PAR [mol photons m-2 d-1].
    kd490 : array_like
        Kd490 [m-1].
    variants : ModelVariants
        The model variants (growth_rate, light_limitation, euphotic_depth, depth_factor).

    Returns
    -------
    ndarray
        Production [mg C m-2 d-1] in the broadcast shape; float32 for float32 inputs.
    """
    growth = factor_step("growth_rate", variants.growth_rate)
    light = factor_step("light_limitation", variants.light_limitation)
    euphotic = factor_step("euphotic_depth", variants.euphotic_depth)
    scale = depth_coefficient(variants.depth_factor) * MG_PER_MOL_C

    def step(c: Array, t: Array, i: Array, k: Array, out: Array, tmp: Array, bad: Array) -> None:
        growth(t, out, bad)
        light(i, tmp, bad)
        out *= tmp
        euphotic(k, tmp, bad)
        out *= tmp
        out *= c
        out *= scale
        np.copyto(out, np.nan, where=np.less(c, 0, out=bad))

    return run_in_blocks(step, pic, sst, par, kd490)


def growth_rate(sst: xr.DataArray, variant: Variant) -> xr.DataArray:
    r"""Growth rate μ [d-1] of an SST DataArray (see :func:`np_growth_rate`).

    .. math:: \mu = a\,T^b \;(T > 0), \quad 0 \;(T \le 0)

    Fielding 2013, doi:10.4319/lo.2013.58.2.0663 (default variant).

    Parameters
    ----------
    sst : xarray.DataArray
        SST [degC], numpy- or dask-backed.
    variant : Variant
        A ``growth_rate`` variant.

    Returns
    -------
    xarray.DataArray
        μ [d-1], lazy on dask input.
    """
    check_units(sst, "sst")
    attrs = {"units": "d-1", "long_name": f"coccolithophore growth rate ({variant.name})"}
    return elementwise(np_growth_rate, sst, attrs=attrs, variant=variant)


def light_limitation(par: xr.DataArray, variant: Variant) -> xr.DataArray:
    r"""Light limitation h [1] of a PAR DataArray (see :func:`np_light_limitation`).

    .. math:: h = PAR / (PAR + K_I)

    Behrenfeld & Falkowski 1997, doi:10.4319/lo.1997.42.1.0001.

    Parameters
    ----------
    par : xarray.DataArray
        PAR [mol m-2 d-1], numpy- or dask-backed.
    variant : Variant
        A ``light_limitation`` variant.

    Returns
    -------
    xarray.DataArray
        h [1], lazy on dask input.
    """
    check_units(par, "par")
    attrs = {"units": "1", "long_name": f"surface light limitation ({variant.name})"}
    return elementwise(np_light_limitation, par, attrs=attrs, variant=variant)


def euphotic_depth(kd490: xr.DataArray, variant: Variant) -> xr.DataArray:
    r"""Euphotic depth [m] of a Kd490 DataArray (see :func:`np_euphotic_depth`).

    .. math:: Z_{eu} = \min(\ln 100 / K_d,\ Z_{max})

    Variant ``morel2007``: Morel et al. 2007, doi:10.1016/j.rse.2007.03.012.

    Parameters
    ----------
    kd490 : xarray.DataArray
        Kd490 [m-1], numpy- or dask-backed.
    variant : Variant
        An ``euphotic_depth`` variant.

    Returns
    -------
    xarray.DataArray
        :math:`Z_{eu}` [m], lazy on dask input.
    """
    check_units(kd490, "kd490")
    attrs = {"units": "m", "long_name": f"euphotic depth, 1 % light ({variant.name})"}
    return elementwise(np_euphotic_depth, kd490, attrs=attrs, variant=variant)


def depth_factor(zeu: xr.DataArray, variant: Variant) -> xr.DataArray:
    r"""Depth factor g [m] of a euphotic-depth DataArray (see :func:`np_depth_factor`).

    .. math:: g = Z_{eu}\,(1 - e^{-k})/k

    Reconstruction of Hopkins & Balch 2018, doi:10.1002/2017JG004235; variant ``vgpm``.

    Parameters
    ----------
    zeu : xarray.DataArray
        Euphotic depth [m], numpy- or dask-backed.
    variant : Variant
        A ``depth_factor`` variant.

    Returns
    -------
    xarray.DataArray
        g [m], lazy on dask input.
    """
    check_units(zeu, "zeu", expected="m")
    attrs = {"units": "m", "long_name": f"calcification depth factor ({variant.name})"}
    return elementwise(np_depth_factor, zeu, attrs=attrs, variant=variant)


def ez_pic_production(
    pic: xr.DataArray,
    sst: xr.DataArray,
    par: xr.DataArray,
    kd490: xr.DataArray,
    variants: ModelVariants,
) -> xr.DataArray:
    r"""Euphotic-zone PIC production [mg C m-2 d-1] (see :func:`np_ez_pic_production`).

    .. math:: P = PIC\,\mu\,h\,g \times 12.011 \times 10^3

    Toullec 2026 eq. 2, doi:10.5194/bg-23-4361-2026; Hopkins & Balch 2018,
    doi:10.1002/2017JG004235.

    Parameters
    ----------
    pic, sst, par, kd490 : xarray.DataArray
        Canonical inputs [mol m-3, degC, mol m-2 d-1, m-1], numpy- or dask-backed, aligned.
    variants : ModelVariants
        The model variants.

    Returns
    -------
    xarray.DataArray
        Production [mg m-2 d-1] (mass of carbon), lazy on dask input.
    """
    for da, name in ((pic, "pic"), (sst, "sst"), (par, "par"), (kd490, "kd490")):
        check_units(da, name)
    attrs = {
        "units": "mg m-2 d-1",
        "long_name": "euphotic-zone particulate inorganic carbon production (carbon mass)",
    }
    return elementwise(np_ez_pic_production, pic, sst, par, kd490, attrs=attrs, variants=variants)


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
