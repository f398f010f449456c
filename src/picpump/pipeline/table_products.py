"""The table products: Table 1, matchups, the paper's statistics, taxa and export pathways.

Every table is built on the 1° grid: products of a finer run are coarsened conservatively
(area-weighted, NaN-aware) first. Tables are small, so they are built in memory from the
written climatology and annual products.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xarray as xr

from picpump.pipeline.analysis_spec import AnalysisSpec, TrapSettings
from picpump.pipeline.map_products import taxa_factors
from picpump.pipeline.sources import (
    MASKS_GRID,
    RunSources,
    read_biomass,
    read_pathway_fractions,
    read_regions,
    read_traps,
)
from picpump.pipeline.spec import PipelineSpec
from picpump.science.area import cell_area
from picpump.science.efficiency import efficiency_by_latitude
from picpump.science.layers import depth_layer, table1
from picpump.science.matchup import match_traps
from picpump.science.pathways import pathways_by_latitude, pathways_on_grid
from picpump.science.region_lookup import restrict_regions
from picpump.science.regrid import coarsen_conservative
from picpump.science.stats import pearson_by_layer, regression_by_region_layer
from picpump.science.taxa import calcifier_stocks, taxa_contribution

CLIMATOLOGY_FIELDS = ("ez_pic_production_mean", "npp_mean", "pic_100_mean")
ANNUAL_FIELDS = ("ez_pic_production", "npp")
OCEAN_SHARE = 0.5
"""A 1° cell of a finer run is open ocean when at least this share of its area is."""


@dataclass
class OneDegree:
    """The gridded products the tables need, on the 1° grid, in memory.

    Attributes
    ----------
    climatology : xarray.Dataset
        Calendar-month means (production, NPP, PIC_100).
    annual : xarray.Dataset
        Annual means (production, NPP).
    ocean : xarray.DataArray
        Open-ocean cells.
    area : xarray.DataArray
        Cell area [m2] of the run's area variant.
    """

    climatology: xr.Dataset
    annual: xr.Dataset
    ocean: xr.DataArray
    area: xr.DataArray


def _to_one_degree(da: xr.DataArray, spec: PipelineSpec) -> xr.DataArray:
    if spec.grid.resolution == MASKS_GRID.resolution:
        return da
    return coarsen_conservative(da, target=MASKS_GRID).assign_attrs(da.attrs)


def one_degree(climatology: xr.Dataset, annual: xr.Dataset, spec: PipelineSpec) -> OneDegree:
    """Coarsen (when needed) and load what the tables read.

    Parameters
    ----------
    climatology, annual : xarray.Dataset
        The written products of the run.
    spec : PipelineSpec
        The run's spec (grid, cell-area variant).

    Returns
    -------
    OneDegree
        The 1° fields.
    """
    ocean = climatology["open_ocean"]
    if spec.grid.resolution != MASKS_GRID.resolution:
        share = coarsen_conservative(ocean.astype("float64"), target=MASKS_GRID)
        ocean = share >= OCEAN_SHARE
    clim = xr.Dataset({n: _to_one_degree(climatology[n], spec) for n in CLIMATOLOGY_FIELDS})
    ann = xr.Dataset({n: _to_one_degree(annual[n], spec) for n in ANNUAL_FIELDS})
    return OneDegree(
        clim.load(), ann.load(), ocean.load(), cell_area(MASKS_GRID, spec.variants.cell_area)
    )


def _traps_tables(
    sources: RunSources, spec: PipelineSpec, fields: OneDegree, settings: TrapSettings
) -> dict[str, pd.DataFrame]:
    traps = read_traps(sources, settings)
    traps["layer"] = depth_layer(
        traps["trap_depth_m"], settings.layer_edges, closed=settings.layer_closed
    )
    regions = None
    if spec.analysis.regions:
        regions = restrict_regions(read_regions(sources, spec.analysis.regions), fields.ocean)
    matchups = match_traps(
        traps,
        fields.climatology,
        annual=fields.annual,
        regions=regions,
        min_production=settings.min_production,
    )
    out = {
        "table1": table1(traps, settings.layer_edges, closed=settings.layer_closed),
        "matchups": matchups,
        "pearson_by_layer": pearson_by_layer(matchups, log10=settings.log10_correlation),
        "efficiency_by_latitude": efficiency_by_latitude(
            matchups,
            band_deg=settings.band_deg,
            n_boot=settings.n_boot,
            seed=settings.seed,
            ratio=settings.ratio,
        ),
    }
    if regions is not None:
        out["regression_by_region_layer"] = regression_by_region_layer(
            matchups, log10=settings.log10_regression, alpha=settings.alpha
        )
    return out


def _taxa_table(sources: RunSources, fields: OneDegree, section: dict[str, Any]) -> pd.DataFrame:
    factors = taxa_factors(section)
    stocks = calcifier_stocks(read_biomass(sources, section["source"]), c_to_pic=factors)
    pic_100 = fields.climatology["pic_100_mean"]
    table = taxa_contribution(pic_100, stocks, fields.area, fields.ocean)
    table.attrs["c_to_pic"] = factors.as_dict()
    return table


def _pathways_table(
    sources: RunSources,
    fields: OneDegree,
    section: dict[str, Any],
    efficiency: pd.DataFrame | None,
) -> pd.DataFrame:
    raw = read_pathway_fractions(sources, section["source"])
    band = float(section.get("band_deg", 10.0))
    table = pathways_by_latitude(
        pathways_on_grid(raw, MASKS_GRID), band, area=fields.area, ocean=fields.ocean
    )
    if efficiency is not None and len(efficiency):
        keep = ["lat_min", "lat_max", "e_eff", "e_eff_low", "e_eff_high", "t_eff"]
        keep += ["t_eff_low", "t_eff_high", "n_export", "n_meso"]
        table = table.merge(efficiency[keep], on=["lat_min", "lat_max"], how="left")
    return table


def build_tables(
    sources: RunSources,
    spec: PipelineSpec,
    climatology: xr.Dataset,
    annual: xr.Dataset,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, pd.DataFrame]:
    """Build every requested table product.

    Parameters
    ----------
    sources : RunSources
        The run's resolved entries (traps, regions, taxa, pathways) and bathymetry.
    spec : PipelineSpec
        The run's spec; ``spec.analysis`` says which tables and with which settings.
    climatology, annual : xarray.Dataset
        The written gridded products.
    log : callable
        Receives progress lines.

    Returns
    -------
    dict of str to DataFrame
        Table name → table (with its definitions in ``attrs``), in
        :data:`picpump.pipeline.analysis_spec.TABLES` order.
    """
    analysis: AnalysisSpec = spec.analysis
    fields = one_degree(climatology, annual, spec)
    tables: dict[str, pd.DataFrame] = {}
    if analysis.traps is not None:
        log("tables: reading traps and matching them with the climatology")
        tables.update(_traps_tables(sources, spec, fields, analysis.traps))
    if analysis.taxa is not None and "taxa_contribution" in analysis.tables:
        tables["taxa_contribution"] = _taxa_table(sources, fields, analysis.taxa)
    if analysis.pathways is not None and "export_pathways_by_latitude" in analysis.tables:
        tables["export_pathways_by_latitude"] = _pathways_table(
            sources, fields, analysis.pathways, tables.get("efficiency_by_latitude")
        )
    return {name: tables[name] for name in analysis.tables if name in tables}


__all__ = ["OneDegree", "build_tables", "one_degree"]
