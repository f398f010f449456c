"""The ``ensemble`` product and the ``ensemble_attribution`` table.

Every member of the spec's ensemble runs on the written ``inputs`` product in one pass: each
spatial tile of the inputs is read once and every member's kernel runs on it
(:func:`picpump.science.ensemble_members.np_member_block`, one member at a time, so a worker holds
the tile plus one member's production). The tiles give each member's annual-mean production
map and its monthly global totals under each reported cell-area variant; the maps give the
across-member median, 5–95 % range and relative spread.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr
from dask.base import tokenize

from picpump.errors import SpecError, explain
from picpump.pipeline.spec import PipelineSpec
from picpump.science.area import cell_area
from picpump.science.climatology import OUTPUT_BLOCK_CELLS
from picpump.science.ensemble import (
    PRODUCTION_KINDS,
    EnsembleDesign,
    ParameterFactor,
    member_label,
    member_variants,
)
from picpump.science.ensemble_members import np_member_block
from picpump.science.ensemble_stats import attribution, np_spread_maps
from picpump.science.registry import ModelVariants, variant
from picpump.science.totals import MIN_COVERAGE

FIELDS = ("pic", "sst", "par", "kd490")
PRODUCTION = "ez_pic_production"


def _design(spec: PipelineSpec) -> EnsembleDesign:
    if spec.ensemble is None:
        raise SpecError(
            explain("the ensemble product needs an 'ensemble:' section", "none", "add one")
        )
    return spec.ensemble


def member_coords(spec: PipelineSpec) -> tuple[list[ModelVariants], dict[str, Any]]:
    """Each member's variants, and the coordinates labelling them along ``member``.

    Parameters
    ----------
    spec : PipelineSpec
        A spec with an ensemble.

    Returns
    -------
    members : list of ModelVariants
        The variants of each member, in design order.
    coords : dict
        ``member``, ``member_label``, one variant-name coordinate per production kind and one
        value coordinate per parameter factor (NaN where the member's variant lacks it).
    """
    design = _design(spec)
    levels = design.members()
    members = [member_variants(spec.variants, m) for m in levels]
    coords: dict[str, Any] = {
        "member": np.arange(len(members)),
        "member_label": ("member", [member_label(m) for m in levels]),
    }
    for kind in PRODUCTION_KINDS:
        coords[kind] = ("member", [getattr(v, kind).name for v in members])
    for factor in design.factors:
        if isinstance(factor, ParameterFactor):
            values = [getattr(v, factor.kind).params.get(factor.param, np.nan) for v in members]
            coords[factor.name] = ("member", np.asarray(values, dtype=np.float64))
    return members, coords


def _areas(spec: PipelineSpec) -> np.ndarray:
    return np.stack(
        [cell_area(spec.grid, variant("cell_area", a)).values for a in spec.area_variants]
    )


def _tile_of_members(
    pic: np.ndarray,
    sst: np.ndarray,
    par: np.ndarray,
    kd490: np.ndarray,
    ocean: np.ndarray,
    areas: np.ndarray,
    *,
    month: np.ndarray,
    members: list[ModelVariants],
    min_months: int,
) -> tuple[np.ndarray, np.ndarray]:
    return np_member_block((pic, sst, par, kd490), ocean, areas, month, members, min_months)


def _tile_totals(pair: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return pair[1][None, None]


def _tile_annual(pair: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return pair[0]


def _member_blocks(inputs: xr.Dataset, spec: PipelineSpec, members: list[ModelVariants]) -> Any:
    """Lazy (member, lat, lon) annual maps and (member, area, time) totals, one task per tile.

    One blockwise layer runs every member on a tile and returns both reductions; two light
    layers pick them apart. Built from one delayed call per tile instead, the graph had a
    layer per tile: on the 0.25° grid (128 tiles), building it and preparing its write took
    0.8 s of a 4.7 s ensemble, 0.4 s now.
    """
    fields = [inputs[n].chunk({"time": -1}).data for n in FIELDS]
    lat_chunks, lon_chunks = fields[0].chunks[1:]
    ocean = da.asarray(inputs["open_ocean"].data).rechunk((lat_chunks, lon_chunks)).astype(bool)
    areas = _areas(spec)
    month = inputs["time"].dt.month.values.astype(np.int64)
    kernel = partial(
        _tile_of_members, month=month, members=members, min_months=spec.annual_min_months
    )
    name = f"ensemble-members-{tokenize(*fields, ocean, areas, month, repr(members))}"
    pairs = da.blockwise(
        kernel,
        "yx",
        *(arg for f in fields for arg in (f, "tyx")),
        ocean,
        "yx",
        da.from_array(areas, chunks=(-1, lat_chunks, lon_chunks)),
        "ayx",
        name=name,
        concatenate=True,
        meta=np.empty((0, 0), dtype=object),
    )
    annual = pairs.map_blocks(
        _tile_annual,
        new_axis=0,
        chunks=((len(members),), lat_chunks, lon_chunks),
        dtype=np.float32,
        meta=np.empty((0, 0, 0), dtype=np.float32),
    )
    per_tile = (len(members), areas.shape[0] + 1, month.size)
    totals = pairs.map_blocks(
        _tile_totals,
        new_axis=[2, 3, 4],
        chunks=((1,) * len(lat_chunks), (1,) * len(lon_chunks), *((n,) for n in per_tile)),
        dtype=np.float64,
        meta=np.empty((0,) * 5, dtype=np.float64),
    )
    return annual, _covered_totals(totals.sum(axis=(0, 1)), ocean)


def _covered_totals(sums: Any, ocean: Any) -> Any:
    """Totals of each member, NaN in the months without enough valid cells (never zero).

    ``sums`` holds the area integrals then the count of valid open-ocean cells (the
    :func:`~picpump.science.ensemble_members.np_member_block` layout); the rule is that of
    :func:`picpump.science.totals.global_rate_pg_per_yr` with its default ``MIN_COVERAGE``.
    """
    covered = sums[:, -1:, :] / ocean.sum()
    return da.where((covered > 0) & (covered >= MIN_COVERAGE), sums[:, :-1, :], np.nan)


def _stacked_spread_maps(annual: np.ndarray) -> np.ndarray:
    return np.stack(list(np_spread_maps(annual).values()))


def build_ensemble(inputs: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Build the lazy ``ensemble`` product of the spec's ensemble on the ``inputs`` product.

    Parameters
    ----------
    inputs : xarray.Dataset
        The ``inputs`` product (PIC, SST, PAR, Kd490, open_ocean).
    spec : PipelineSpec
        A spec with an ``ensemble:`` section.

    Returns
    -------
    xarray.Dataset
        ``ez_pic_production_annual`` (member, lat, lon), ``global_pic_production_<area>``
        (member, time), ``ez_pic_production_{median,p05,p95,relative_spread}`` (lat, lon).
    """
    members, coords = member_coords(spec)
    annual, totals = _member_blocks(inputs, spec, members)
    units = "mg m-2 d-1"
    maps = da.map_blocks(
        _stacked_spread_maps,
        annual,
        chunks=((4,), *annual.chunks[1:]),
        dtype=np.float32,
    )
    out = xr.Dataset(coords={**coords, "time": inputs["time"], "lat": inputs["lat"]})
    out = out.assign_coords(lon=inputs["lon"])
    out[f"{PRODUCTION}_annual"] = (("member", "lat", "lon"), annual)
    out[f"{PRODUCTION}_annual"].attrs = {
        "units": units,
        "long_name": "annual-mean euphotic-zone PIC production of each member (carbon mass)",
    }
    for k, stat in enumerate(("median", "p05", "p95", "relative_spread")):
        out[f"{PRODUCTION}_{stat}"] = (("lat", "lon"), maps[k])
        out[f"{PRODUCTION}_{stat}"].attrs = {
            "units": "1" if stat == "relative_spread" else units,
            "long_name": f"across-member {stat.replace('_', ' ')} of annual-mean production"
            + (" ((p95 - p05) / median)" if stat == "relative_spread" else ""),
        }
    for a, area in enumerate(spec.area_variants):
        out[f"global_pic_production_{area}"] = (("member", "time"), totals[:, a, :])
    out["open_ocean"] = inputs["open_ocean"]
    return out.chunk({"member": -1, "time": -1, **_merged_tiles(annual.chunksize[1:])})


def _merged_tiles(tile: tuple[int, int]) -> dict[str, int]:
    """Chunks of about :data:`OUTPUT_BLOCK_CELLS` cells, whole input tiles each.

    Writing costs milliseconds per chunk: on the 24-month 0.25° stack (90 × 90 tiles), the
    16-member product took 7.5 s written in the tiles and 3.5 s in merged blocks, its
    computation alone 3.3 s.
    """
    factor = max(1, int((OUTPUT_BLOCK_CELLS / max(1, tile[0] * tile[1])) ** 0.5))
    return {"lat": tile[0] * factor, "lon": tile[1] * factor}


def build_attribution(ensemble: xr.Dataset, spec: PipelineSpec) -> pd.DataFrame:
    """Build the ``ensemble_attribution`` table: the spread of global production by factor.

    The result per member is the mean over the months of its global production under the
    run's own cell-area variant (the first of ``area_variants``).

    Parameters
    ----------
    ensemble : xarray.Dataset
        The written ``ensemble`` product.
    spec : PipelineSpec
        The run's spec.

    Returns
    -------
    pandas.DataFrame
        One row per factor (see :func:`picpump.science.ensemble_stats.attribution`).
    """
    design = _design(spec)
    area = spec.area_variants[0]
    result = ensemble[f"global_pic_production_{area}"].mean("time").values
    names = design.names
    levels = pd.DataFrame({n: ensemble[n].to_numpy() for n in names})
    base = {kind: getattr(spec.variants, kind).name for kind in PRODUCTION_KINDS}
    for factor in design.factors:
        if isinstance(factor, ParameterFactor):
            base[factor.name] = getattr(spec.variants, factor.kind).params.get(factor.param)
    table = attribution(levels, result.tolist(), base)
    table.attrs = {
        "result": f"mean over the months of global_pic_production_{area} [Pg C yr-1]",
        "first_order_index": "Var(E[Y | factor]) / Var(Y) over the members",
        "oat": "result when only this factor moves from the member closest to the spec",
    }
    return table


__all__ = ["build_attribution", "build_ensemble", "member_coords"]
