"""The analysis sources of a run: traps, regions, taxa, pathways, from its resolved entries.

Every entry was resolved once when the plan was made (:func:`picpump.pipeline.plan.make_plan`);
this module opens them through :func:`picpump.io.api.open_entry` and applies the paper's
rules. Everything returned is in memory: these sources are small (tables and 1° grids).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xarray as xr

from picpump.errors import CatalogError, explain
from picpump.grid import Grid
from picpump.io.api import (
    PATHWAYS,
    REGIONS,
    TAXA,
    Catalog,
    Request,
    ResolvedEntry,
    open_entry,
    resolve,
)
from picpump.io.traps import TRAP_DRIVERS
from picpump.pipeline.analysis_spec import TrapSettings
from picpump.science.regions import paper_regions
from picpump.science.trap_filter import fill_water_depth, paper_filter
from picpump.science.trap_qc import validate_traps

MASKS_GRID = Grid(1.0)
"""Grid of matchups, regional statistics, taxa and pathways."""


@dataclass(frozen=True)
class RunSources:
    """The resolved entries of a run and its bathymetry (read once, at plan time).

    Attributes
    ----------
    entries : mapping of str to ResolvedEntry
        Every catalog entry the spec names.
    elevation : xarray.DataArray or None
        Positive-up bathymetry, to fill unknown water depths of trap rows.
    """

    entries: Mapping[str, ResolvedEntry]
    elevation: xr.DataArray | None = None

    @classmethod
    def from_catalog(
        cls, catalog: Catalog, names: Iterable[str], elevation: xr.DataArray | None = None
    ) -> RunSources:
        """Resolve entries of a catalog (each once), outside a run (notebooks, checks)."""
        return cls({name: resolve(catalog, name) for name in dict.fromkeys(names)}, elevation)

    def open(self, name: str, expected: tuple[str, ...]) -> Any:
        """Open one entry on the 1° grid, refusing a driver outside ``expected``."""
        return open_entry(self.entries[name], Request(grid=MASKS_GRID), expected)


def read_traps(sources: RunSources, settings: TrapSettings) -> pd.DataFrame:
    """Read, validate and filter (paper rules) every trap source of the run.

    Parameters
    ----------
    sources : RunSources
        The run's resolved entries and bathymetry.
    settings : TrapSettings
        Sources and filter thresholds.

    Returns
    -------
    DataFrame
        The tidy trap table with QC flags (no row dropped).
    """
    drivers = tuple(sorted(TRAP_DRIVERS))
    for name in settings.sources:
        if sources.entries[name].driver not in drivers:
            raise CatalogError(
                explain(
                    f"trap sources must use a trap driver {list(drivers)}",
                    f"'{name}' has driver {sources.entries[name].driver}",
                    "list only trap entries under traps.sources",
                )
            )
    frames = [sources.open(name, drivers) for name in settings.sources]
    traps = validate_traps(pd.concat(frames, ignore_index=True))
    if settings.fill_water_depth and sources.elevation is not None:
        traps = fill_water_depth(traps, sources.elevation)
    return paper_filter(
        traps,
        max_duration_d=settings.max_duration_d,
        min_water_depth_m=settings.min_water_depth_m,
    )


def read_regions(sources: RunSources, name: str) -> xr.DataArray:
    """Read a RECCAP2-layout mask and return the paper's region map (1°, int16)."""
    return paper_regions(sources.open(name, (REGIONS,)))


def read_biomass(sources: RunSources, name: str) -> xr.Dataset:
    """Read a Knecht-style calcifier biomass climatology (g C m-3, month × 1° grid)."""
    return sources.open(name, (TAXA,))


def read_pathway_fractions(sources: RunSources, name: str) -> xr.Dataset:
    """Read a Nowicki-style export-pathway grid (fractions 0–1, the file's own grid)."""
    return sources.open(name, (PATHWAYS,))


__all__ = [
    "MASKS_GRID",
    "RunSources",
    "read_biomass",
    "read_pathway_fractions",
    "read_regions",
    "read_traps",
]
