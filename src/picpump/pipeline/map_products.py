"""Gridded products of the analysis sections: the taxa stocks (Fig. 3–4) and the region map.

Both are on the 1° grid of the table products (:data:`picpump.pipeline.sources.MASKS_GRID`):
the figures of a run draw them from the written stores, with no access to the inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xarray as xr

from picpump.io.api import ResolvedEntry
from picpump.pipeline.sources import MASKS_GRID, RunSources, read_biomass, read_regions
from picpump.pipeline.spec import PipelineSpec
from picpump.science.registry import Variant
from picpump.science.regrid import coarsen_conservative
from picpump.science.taxa import c_to_pic_factors, calcifier_stocks, taxa_annual_maps

MAP_PRODUCTS = ("taxa_stocks", "regions")


def taxa_factors(section: Mapping[str, Any]) -> Variant:
    """Return the carbon → PIC factors a ``taxa:`` section names (a name or a mapping)."""
    choice = section.get("c_to_pic")
    if isinstance(choice, Mapping):
        overrides = dict(choice)
        return c_to_pic_factors(overrides.pop("name", None), **overrides)
    return c_to_pic_factors(choice)


def map_products(spec: PipelineSpec) -> tuple[str, ...]:
    """Return the gridded analysis products a spec asks for (in :data:`MAP_PRODUCTS` order).

    The taxa stocks come with the ``taxa_contribution`` table, the region map with the trap
    tables that use regions (``matchups``, ``regression_by_region_layer``).
    """
    tables = set(spec.analysis.tables)
    wanted = {
        "taxa_stocks": spec.analysis.taxa is not None and "taxa_contribution" in tables,
        "regions": spec.analysis.regions is not None
        and bool(tables & {"matchups", "regression_by_region_layer"}),
    }
    return tuple(name for name in MAP_PRODUCTS if wanted[name])


def build_taxa_stocks(
    climatology: xr.Dataset, entries: Mapping[str, ResolvedEntry], spec: PipelineSpec
) -> xr.Dataset:
    """Per taxon (coccolithophores first) the annual stock, its share and its seasonal CV.

    Parameters
    ----------
    climatology : xarray.Dataset
        The run's climatology product (``pic_100_mean``).
    entries : mapping
        The run's resolved entries (the taxa biomass source).
    spec : PipelineSpec
        The run's spec (``taxa:`` section, grid, ``annual_min_months``).

    Returns
    -------
    xarray.Dataset
        (taxon, lat, lon) ``stock`` [g m-2], ``share_percent`` [%], ``seasonal_cv`` [1] on 1°.
    """
    section = spec.analysis.taxa or {}
    factors = taxa_factors(section)
    biomass = read_biomass(RunSources(entries), section["source"])
    stocks = calcifier_stocks(biomass, c_to_pic=factors)
    pic_100 = climatology["pic_100_mean"]
    if spec.grid.resolution != MASKS_GRID.resolution:
        pic_100 = coarsen_conservative(pic_100, target=MASKS_GRID).assign_attrs(pic_100.attrs)
    maps = taxa_annual_maps(pic_100, stocks, spec.annual_min_months)
    maps["seasonal_cv"].attrs = {"long_name": "seasonal coefficient of variation", "units": "1"}
    maps = maps.assign_coords(taxon=[str(t) for t in maps["taxon"].values])
    maps.attrs["c_to_pic"] = str(factors.as_dict())
    return maps.astype("float32").chunk({"taxon": -1, "lat": -1, "lon": -1})


def build_region_map(entries: Mapping[str, ResolvedEntry], spec: PipelineSpec) -> xr.Dataset:
    """Return the paper's region map of the ``regions:`` source (1°, int16, CF flags)."""
    regions = read_regions(RunSources(entries), str(spec.analysis.regions))
    regions = regions.assign_attrs(units="1")
    return regions.to_dataset().chunk({"lat": -1, "lon": -1})


__all__ = [
    "MAP_PRODUCTS",
    "build_region_map",
    "build_taxa_stocks",
    "map_products",
    "taxa_factors",
]
