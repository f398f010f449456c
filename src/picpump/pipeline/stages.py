"""Lazy builders, one per product: each calls science kernels on its upstream products.

Every builder returns a dask-backed :class:`xarray.Dataset` and computes nothing; the
runner writes it (one compute per product).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from picpump.io.api import STATIC, Request, ResolvedEntry, open_entry, open_series
from picpump.io.ingest.records import RECORDS
from picpump.pipeline.spec import PipelineSpec
from picpump.science.area import cell_area
from picpump.science.calcification import ez_pic_production
from picpump.science.climatology import monthly_climatology
from picpump.science.masks import open_ocean_mask
from picpump.science.registry import variant
from picpump.science.residence import residence_time
from picpump.science.seasonal import seasonal_cv
from picpump.science.stocks import pic_stock_100, poc_stock_100
from picpump.science.totals import coverage, global_rate_pg_per_yr, global_stock_tg

MONTHLY_VARIABLES = ("ez_pic_production", "npp", "pic_100", "poc_100")
SATELLITE_VARIABLES = ("pic", "sst", "par", "kd490", "poc", "npp")


def _tiles(ds: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Chunk for climatologies: all months in one chunk, square spatial tiles.

    ``tile: 0`` keeps the read layout (``months_per_chunk`` months × the whole grid): no
    rechunk, each task reads its files and writes its chunk (fastest on coarse grids).
    """
    if spec.tile <= 0:
        return ds.chunk({"lat": -1, "lon": -1})
    chunks = {"lat": spec.tile, "lon": spec.tile}
    if "time" in ds.dims:
        chunks["time"] = -1
    return ds.chunk(chunks)


@dataclass(frozen=True)
class Inputs:
    """The opened inputs of a run.

    Attributes
    ----------
    fields : dict of str to xarray.DataArray
        The lazy canonical monthly fields (:data:`SATELLITE_VARIABLES`).
    elevation : xarray.DataArray
        The bathymetry (positive up), read once.
    """

    fields: dict[str, xr.DataArray]
    elevation: xr.DataArray


def open_inputs(entries: Mapping[str, ResolvedEntry], spec: PipelineSpec) -> Inputs:
    """Open the resolved input entries: lazy monthly fields, the bathymetry read once."""
    request = Request(spec.grid, spec.months_per_chunk, coarsen=spec.coarsen_inputs)
    fields = {
        name: open_series(entries[spec.inputs[name]], request) for name in SATELLITE_VARIABLES
    }
    bathymetry = open_entry(entries[spec.inputs["bathymetry"]], expected=(STATIC,))
    return Inputs(fields, bathymetry)


def build_inputs(inputs: Inputs, spec: PipelineSpec) -> xr.Dataset:
    """Canonical monthly inputs, the open-ocean mask and the cell area."""
    ds = xr.Dataset(inputs.fields)
    ds = ds.reset_coords([str(c) for c in ds.coords if str(c).endswith(RECORDS)])
    ds["open_ocean"] = open_ocean_mask(inputs.elevation, spec.grid, spec.variants.open_ocean)
    ds["cell_area"] = cell_area(spec.grid, spec.variants.cell_area)
    return _tiles(ds, spec)


def build_monthly(inputs: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Monthly EZ PIC production, NPP and 0–100 m stocks over open-ocean cells."""
    v = spec.variants
    ocean = inputs["open_ocean"]
    out = {
        "ez_pic_production": ez_pic_production(
            inputs["pic"], inputs["sst"], inputs["par"], inputs["kd490"], v
        ),
        "npp": inputs["npp"],
        "pic_100": pic_stock_100(inputs["pic"], v.pic_stock),
        "poc_100": poc_stock_100(inputs["poc"], v.poc_stock),
    }
    ds = xr.Dataset({k: da.where(ocean).astype("float32") for k, da in out.items()})
    return ds.assign(open_ocean=ocean, cell_area=inputs["cell_area"])


def _climatology_of(field: xr.DataArray, name: str) -> dict[str, xr.DataArray]:
    clim = monthly_climatology(field, dtype=np.float32)
    return {
        f"{name}_mean": clim["mean"].astype("float32"),
        f"{name}_std": clim["std"].astype("float32"),
        f"{name}_count": clim["count"].astype("int16"),
    }


def _production_of_climatology(inputs: xr.Dataset, spec: PipelineSpec) -> dict[str, xr.DataArray]:
    """Compute production of the climatological inputs (the cheaper order; mean only)."""
    means = {n: monthly_climatology(inputs[n])["mean"] for n in ("pic", "sst", "par", "kd490")}
    for n in means:
        means[n].attrs["units"] = inputs[n].attrs.get("units", "")
    production = ez_pic_production(
        means["pic"], means["sst"], means["par"], means["kd490"], spec.variants
    )
    production = production.where(inputs["open_ocean"])
    count = (production.notnull()).astype("int16")
    return {
        "ez_pic_production_mean": production.astype("float32"),
        "ez_pic_production_std": xr.full_like(production, float("nan"), dtype="float32"),
        "ez_pic_production_count": count,
    }


def build_climatology(monthly: xr.Dataset, inputs: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Calendar-month mean, standard deviation (CDO convention) and count."""
    out: dict[str, xr.DataArray] = {}
    for name in MONTHLY_VARIABLES:
        if name == "ez_pic_production" and spec.order == "average_then_production":
            out.update(_production_of_climatology(inputs, spec))
        else:
            out.update(_climatology_of(monthly[name], name))
    return xr.Dataset(out).assign(open_ocean=monthly["open_ocean"])


def _annual_mean(clim: xr.Dataset, name: str, min_months: int) -> xr.DataArray:
    mean = clim[f"{name}_mean"]
    valid = mean.notnull().sum("month")
    return mean.mean("month").where(valid >= min_months).astype("float32")


def build_annual(clim: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Annual means, seasonal coefficients of variation and residence times."""
    annual = {n: _annual_mean(clim, n, spec.annual_min_months) for n in MONTHLY_VARIABLES}
    for name in MONTHLY_VARIABLES:
        annual[f"{name}_cv"] = seasonal_cv(
            clim[f"{name}_mean"], dim="month", min_months=spec.cv_min_months
        ).astype("float32")
    annual["pic_residence_time"] = residence_time(
        annual["pic_100"], annual["ez_pic_production"]
    ).astype("float32")
    annual["poc_residence_time"] = residence_time(annual["poc_100"], annual["npp"]).astype(
        "float32"
    )
    return xr.Dataset(annual).assign(open_ocean=clim["open_ocean"])


def build_global_totals(monthly: xr.Dataset, spec: PipelineSpec) -> xr.Dataset:
    """Monthly global totals over open-ocean cells, under each reported area variant."""
    ocean = monthly["open_ocean"]
    out: dict[str, xr.DataArray] = {}
    for name in spec.area_variants:
        area = cell_area(spec.grid, variant("cell_area", name))
        suffix = f"_{name}"
        out["global_pic_production" + suffix] = global_rate_pg_per_yr(
            monthly["ez_pic_production"], area, ocean
        )
        out["global_npp" + suffix] = global_rate_pg_per_yr(monthly["npp"], area, ocean)
        out["global_pic_stock" + suffix] = global_stock_tg(monthly["pic_100"], area, ocean)
        out["global_poc_stock" + suffix] = global_stock_tg(monthly["poc_100"], area, ocean)
    out["production_coverage"] = coverage(monthly["ez_pic_production"], ocean)
    return xr.Dataset(out).chunk({"time": -1})
