r"""Calcifier taxa: PIC standing stocks and their share of the total (paper Fig. 3–4).

Coccolithophores are the 0–100 m coccolith PIC stock from ocean colour (``PIC_100``, Balch et
al. 2018); pteropods and foraminifers come from the Knecht et al. 2023 monthly biomass grids
(g C m-3 over 0–200 m, doi:10.1029/2022GB007685):

.. math:: S_{taxon} = B\,[\mathrm{g\,C\,m^{-3}}] \times f_{C\to PIC} \times 200\,\mathrm{m}

(Toullec 2026, doi:10.5194/bg-23-4361-2026, §2). The factors :math:`f` are named, cited
variants in the package data ``taxa.yaml`` (:func:`c_to_pic_factors`). Global stocks are
:math:`\sum S A / 10^{12}` [Tg C] over the ocean cells, from each cell's annual mean (mean of
its valid calendar months); the seasonal index is σ/μ over the 12 months
(:func:`picpump.science.seasonal.seasonal_cv`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from picpump.errors import GridError, SpecError, UnitsError, explain
from picpump.science.registry import Variant
from picpump.science.seasonal import seasonal_cv

COCCOLITHOPHORES = "coccolithophores"
STOCK_UNITS = ("g m-2", "g C m-2")
BIOMASS_UNITS = ("g m-3", "g C m-3")
COLUMNS = ["taxon", "stock_tg", "share_percent", "seasonal_cv_median"]


@cache
def _factor_table() -> dict[str, Any]:
    text = files("picpump.science").joinpath("taxa.yaml").read_text(encoding="utf-8")
    table: dict[str, Any] = yaml.safe_load(text)["c_to_pic"]
    return table


def c_to_pic_factors(name: str | None = None, **overrides: float) -> Variant:
    """Look up a set of carbon → PIC factors (package data ``taxa.yaml``).

    Parameters
    ----------
    name : str, optional
        The variant (``shell_fraction``, the default, or ``total_carbon``).
    **overrides : float
        Factors replacing the table's, per taxon (only existing taxa).

    Returns
    -------
    Variant
        Kind ``c_to_pic``; ``params`` maps each taxon to its factor [1].

    Raises
    ------
    SpecError
        For an unknown variant or taxon.
    """
    table = _factor_table()
    name = table["default"] if name is None else name
    if name not in table["variants"]:
        raise SpecError(
            explain(
                f"a c_to_pic variant must be one of {sorted(table['variants'])}",
                repr(name),
                "pick one of those, or add one to picpump/science/taxa.yaml",
            )
        )
    spec = table["variants"][name]
    unknown = sorted(set(overrides) - set(spec["params"]))
    if unknown:
        raise SpecError(
            explain(
                f"c_to_pic factors exist for {sorted(spec['params'])}",
                f"unknown taxa {unknown}",
                "override only those taxa",
            )
        )
    params = {**spec["params"], **overrides}
    return Variant("c_to_pic", str(name), params, spec["description"], spec["citation"])


def _check(da: xr.DataArray, allowed: tuple[str, ...], what: str) -> None:
    units = da.attrs.get("units")
    if units is not None and str(units) not in allowed:
        raise UnitsError(
            explain(
                f"{what} must be in {allowed[0]} (kernels never convert units)",
                f"units '{units}' on {da.name or what}",
                "read the grid with picpump.io.ancillary.taxa.read_taxa, which converts to g m-3",
            )
        )


def calcifier_stocks(
    biomass: xr.Dataset,
    *,
    c_to_pic: Mapping[str, float] | Variant,
    depth_m: float = 200.0,
) -> xr.Dataset:
    r"""PIC standing stock of each zooplankton calcifier [g C m-2] (lazy).

    .. math:: S = B \times f_{C\to PIC} \times z, \quad z = 200\ \mathrm{m}

    (Toullec 2026, doi:10.5194/bg-23-4361-2026, §2; Knecht et al. 2023,
    doi:10.1029/2022GB007685).

    Parameters
    ----------
    biomass : xarray.Dataset
        One variable per taxon (e.g. ``pteropods``, ``foraminifers``), carbon biomass
        [g m-3], mean over 0–``depth_m``.
    c_to_pic : mapping of str to float, or Variant
        Factor per taxon (a :func:`c_to_pic_factors` variant, or plain numbers).
    depth_m : float, default 200.0
        Depth of integration [m].

    Returns
    -------
    xarray.Dataset
        Same variables, PIC stock as carbon [g m-2], float32 for float32 input.

    Raises
    ------
    SpecError
        When a taxon has no factor or a factor is negative.
    UnitsError
        When a variable declares units other than g m-3.
    """
    factors = dict(c_to_pic.params if isinstance(c_to_pic, Variant) else c_to_pic)
    missing = sorted(str(n) for n in biomass.data_vars if n not in factors)
    bad = {k: v for k, v in factors.items() if not float(v) >= 0}
    if missing or bad:
        raise SpecError(
            explain(
                "every taxon needs a non-negative carbon → PIC factor",
                f"no factor for {missing}" if missing else f"factors {bad}",
                "pass c_to_pic=c_to_pic_factors() or a mapping {taxon: factor}",
            )
        )
    label = c_to_pic.name if isinstance(c_to_pic, Variant) else "user factors"
    out = {}
    for name, da in biomass.data_vars.items():
        _check(da, BIOMASS_UNITS, "taxon biomass")
        stock = da * np.asarray(factors[str(name)] * depth_m, dtype=da.dtype)
        stock.attrs = {
            "units": "g m-2",
            "long_name": f"{name} PIC standing stock 0-{depth_m:g} m, as carbon ({label})",
            "c_to_pic": float(factors[str(name)]),
        }
        out[name] = stock
    return xr.Dataset(out)


def _stack(pic_100_clim: xr.DataArray, taxa_stocks: xr.Dataset) -> xr.DataArray:
    """Return the stocks as one (taxon, month, lat, lon) array, coccolithophores first."""
    _check(pic_100_clim, STOCK_UNITS, "PIC_100 climatology")
    members = [pic_100_clim.rename(COCCOLITHOPHORES)]
    for name, da in taxa_stocks.data_vars.items():
        _check(da, STOCK_UNITS, f"{name} stock")
        members.append(da.rename(str(name)))
    try:
        aligned = xr.align(*members, join="exact")
    except ValueError as err:
        raise GridError(
            explain(
                "the coccolith climatology and the taxa stocks must share one grid and months",
                str(err).splitlines()[0],
                "regrid the taxa to the product grid first (picpump.science.regrid)",
            )
        ) from err
    names = [str(m.name) for m in aligned]
    return xr.concat(aligned, dim=pd.Index(names, name="taxon"), coords="minimal")


def taxa_annual_maps(
    pic_100_clim: xr.DataArray, taxa_stocks: xr.Dataset, annual_min_months: int = 1
) -> xr.Dataset:
    """Per-cell annual stock, share of the total and seasonal index of each taxon (Fig. 3).

    Parameters
    ----------
    pic_100_clim : xarray.DataArray
        Coccolith PIC stock 0–100 m [g m-2], (month, lat, lon) climatology.
    taxa_stocks : xarray.Dataset
        :func:`calcifier_stocks` output, (month, lat, lon) on the same grid.
    annual_min_months : int, default 1
        Valid months a cell needs for its annual mean (the run spec's ``annual_min_months``).

    Returns
    -------
    xarray.Dataset
        (taxon, lat, lon): ``stock`` [g m-2] (mean of the valid months), ``share_percent``
        [%] (where every taxon is valid) and ``seasonal_cv`` [1]. Lazy on dask input.
    """
    stacked = _stack(pic_100_clim, taxa_stocks)
    valid = stacked.notnull().sum("month")
    annual = stacked.mean("month", skipna=True).where(valid >= annual_min_months)
    share = 100.0 * annual / annual.sum("taxon", skipna=False)
    cv = seasonal_cv(stacked, dim="month")
    annual.attrs = {"units": "g m-2", "long_name": "annual mean PIC standing stock, as carbon"}
    share.attrs = {"units": "%", "long_name": "share of the total calcifier PIC stock"}
    return xr.Dataset({"stock": annual, "share_percent": share, "seasonal_cv": cv})


def taxa_contribution(
    pic_100_clim: xr.DataArray,
    taxa_stocks: xr.Dataset,
    area: xr.DataArray,
    ocean: xr.DataArray,
    annual_min_months: int = 1,
) -> pd.DataFrame:
    r"""Global PIC stock, share and median seasonal index of each calcifier taxon.

    .. math:: \mathrm{stock}_{Tg} = \sum_{\mathrm{ocean}} \bar S\, A \,/\, 10^{12}, \quad
              \mathrm{share} = 100\,\mathrm{stock} / \sum_{taxa} \mathrm{stock}

    (Toullec 2026, doi:10.5194/bg-23-4361-2026, Fig. 3–4). This returns a table, so it
    computes its (small) inputs.

    Parameters
    ----------
    pic_100_clim : xarray.DataArray
        Coccolith PIC stock 0–100 m [g m-2], (month, lat, lon).
    taxa_stocks : xarray.Dataset
        :func:`calcifier_stocks` output on the same grid.
    area : xarray.DataArray
        Cell areas [m2], (lat, lon) (:func:`picpump.science.area.cell_area`).
    ocean : xarray.DataArray
        Boolean (lat, lon) mask of the cells to count.
    annual_min_months : int, default 1
        Valid months a cell needs to count in the global stock.

    Returns
    -------
    pandas.DataFrame
        Columns ``taxon``, ``stock_tg`` [Tg C], ``share_percent`` [%], ``seasonal_cv_median``
        [1] (median over the ocean cells with a defined index); coccolithophores first.
    """
    maps = taxa_annual_maps(pic_100_clim, taxa_stocks, annual_min_months)
    mask = ocean.astype(bool)
    weights = area.where(mask, 0.0).astype(np.float64)
    stock = (maps["stock"].astype(np.float64).fillna(0.0) * weights).sum(["lat", "lon"]) / 1e12
    cv = maps["seasonal_cv"].where(mask)
    median = cv.stack(cell=["lat", "lon"]).median("cell", skipna=True)
    summary = xr.Dataset({"stock": stock, "median": median}).load()  # one pass, a few numbers
    tg = np.asarray(summary["stock"].values, dtype=np.float64)
    return pd.DataFrame(
        {
            "taxon": [str(t) for t in maps["taxon"].values],
            "stock_tg": tg,
            "share_percent": 100.0 * tg / tg.sum(),
            "seasonal_cv_median": np.asarray(summary["median"].values, dtype=np.float64),
        },
        columns=COLUMNS,
    )


__all__ = [
    "COLUMNS",
    "calcifier_stocks",
    "c_to_pic_factors",
    "taxa_annual_maps",
    "taxa_contribution",
]
