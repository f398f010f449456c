"""Read the analysis sources of a run from its catalog: traps, regions, taxa, pathways.

Each reader lives in :mod:`picpump.io`; this module only finds the entry, renders its
templates and passes the entry's arguments on. Everything returned is in memory: these
sources are small (tables and 1° grids).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import xarray as xr

from picpump.errors import CatalogError, explain
from picpump.grid import Grid
from picpump.io.ancillary.pathways import read_pathways
from picpump.io.ancillary.regions import read_reccap2
from picpump.io.ancillary.taxa import read_taxa
from picpump.io.api import Catalog
from picpump.io.catalog.resolve import entry_args, entry_context, entry_options, resolve_url
from picpump.io.traps import TRAP_DRIVERS, read_trap_entry
from picpump.pipeline.analysis_spec import TrapSettings
from picpump.science.regions import paper_regions
from picpump.science.trap_filter import fill_water_depth, paper_filter
from picpump.science.trap_qc import validate_traps

MASKS_GRID = Grid(1.0)
"""Grid of matchups, regional statistics, taxa and pathways."""


def _entry(catalog: Catalog, name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Return an entry's URL, rendered args and storage options."""
    spec = catalog.source(name)
    url = resolve_url(catalog, name)
    args = entry_args(catalog, spec, {})
    options = entry_options(catalog, spec, entry_context(catalog, spec, {}), url)
    args.pop("variable", None)
    return url, args, dict(options or {})


def read_traps(
    catalog: Catalog, settings: TrapSettings, elevation: xr.DataArray | None
) -> pd.DataFrame:
    """Read, validate and filter (paper rules) every trap source of the run.

    Parameters
    ----------
    catalog : Catalog
        The run's catalog.
    settings : TrapSettings
        Sources and filter thresholds.
    elevation : xarray.DataArray, optional
        Positive-up bathymetry to fill unknown water depths.

    Returns
    -------
    DataFrame
        The tidy trap table with QC flags (no row dropped).
    """
    frames = []
    for name in settings.sources:
        spec = catalog.source(name)
        if spec.driver not in TRAP_DRIVERS:
            raise CatalogError(
                explain(
                    f"trap sources must use a trap driver {sorted(TRAP_DRIVERS)}",
                    f"'{name}' has driver {spec.driver}",
                    "list only trap entries under traps.sources",
                )
            )
        url, args, options = _entry(catalog, name)
        args = {"urlpath": url, **args, **_storage_kwargs(options)}
        frames.append(read_trap_entry(spec.driver, args, name))
    traps = validate_traps(pd.concat(frames, ignore_index=True))
    if elevation is not None:
        traps = fill_water_depth(traps, elevation)
    return paper_filter(
        traps,
        max_duration_d=settings.max_duration_d,
        min_water_depth_m=settings.min_water_depth_m,
    )


def _storage_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    return {"storage_options": options} if options else {}


def read_regions(catalog: Catalog, name: str) -> xr.DataArray:
    """Read a RECCAP2-layout mask and return the paper's region map (1°, int16)."""
    url, _, options = _entry(catalog, name)
    return paper_regions(read_reccap2(url, options or None))


def read_biomass(catalog: Catalog, name: str) -> xr.Dataset:
    """Read a Knecht-style calcifier biomass climatology (g C m-3, month × 1° grid)."""
    url, args, options = _entry(catalog, name)
    args.pop("xarray_kwargs", None)
    return read_taxa(url, grid=MASKS_GRID, storage_options=options or None, **args)


def read_pathway_fractions(catalog: Catalog, name: str) -> xr.Dataset:
    """Read a Nowicki-style export-pathway grid (fractions 0–1, the file's own grid)."""
    url, args, options = _entry(catalog, name)
    args.pop("xarray_kwargs", None)
    return read_pathways(url, storage_options=options or None, **args)


__all__ = ["MASKS_GRID", "read_biomass", "read_pathway_fractions", "read_regions", "read_traps"]
