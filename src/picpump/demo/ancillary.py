"""Demo ancillary files: region mask, sediment traps, calcifier biomass, export pathways.

They sit beside the satellite files in ``ancillary/`` and follow the real files' layouts
(RECCAP2 mask, PANGAEA trap export and a station series, a Knecht-style biomass grid, a
Nowicki-style export-pathway grid). The demo traps sample the demo ocean's own production
and NPP climatology, so the statistics of a demo run have a signal to find.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from picpump.demo.fields import DemoOcean
from picpump.demo.naming import ANCILLARY_FOLDER, Month
from picpump.demo.pathways import write_demo_pathways
from picpump.demo.regions import write_demo_regions
from picpump.demo.taxa import write_demo_taxa
from picpump.demo.traps import write_demo_traps
from picpump.science.calcification import np_ez_pic_production
from picpump.science.registry import ModelVariants

REGIONS_FILE = f"{ANCILLARY_FOLDER}/demo_RECCAP2_region_masks.nc"
TAXA_FILE = f"{ANCILLARY_FOLDER}/demo_calcifier_biomass_knecht_layout.nc"
PATHWAYS_FILE = f"{ANCILLARY_FOLDER}/demo_export_pathways_nowicki_layout.nc"
CLIMATOLOGY_YEAR = 2005
"""The demo traps sample the calendar months of this year of the demo ocean."""


def demo_climatology(ocean: DemoOcean) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """EZ PIC production and NPP [mg C m-2 d-1] of the demo ocean, one year, (12, lat, lon).

    Parameters
    ----------
    ocean : DemoOcean
        The demo ocean of the archive's seed.

    Returns
    -------
    tuple of numpy.ndarray
        Production and NPP, default model variants.
    """
    variants = ModelVariants.from_mapping({})
    production, npp = [], []
    for month in range(1, 13):
        fields = ocean.month(Month(CLIMATOLOGY_YEAR, month))
        production.append(
            np_ez_pic_production(fields.pic, fields.sst, fields.par, fields.kd490, variants)
        )
        npp.append(fields.npp)
    return (
        np.asarray(production, dtype=np.float32),
        np.asarray(npp, dtype=np.float32),
    )


def write_demo_ancillary(root: Path, ocean: DemoOcean, seed: int) -> list[str]:
    """Write every demo ancillary file under ``root/ancillary``.

    Parameters
    ----------
    root : pathlib.Path
        Archive folder.
    ocean : DemoOcean
        The demo ocean of the archive's seed.
    seed : int
        Seed of the random structures.

    Returns
    -------
    list of str
        Paths written, relative to ``root``.
    """
    (root / ANCILLARY_FOLDER).mkdir(parents=True, exist_ok=True)
    write_demo_regions(root / REGIONS_FILE)
    write_demo_taxa(root / TAXA_FILE, seed, land=ocean.land)
    write_demo_pathways(root / PATHWAYS_FILE, seed, land=ocean.land)
    production, npp = demo_climatology(ocean)
    traps = write_demo_traps(root / ANCILLARY_FOLDER, seed, production, npp)
    return [REGIONS_FILE, TAXA_FILE, PATHWAYS_FILE, *(f"{ANCILLARY_FOLDER}/{t}" for t in traps)]


__all__ = ["ANCILLARY_FOLDER", "demo_climatology", "write_demo_ancillary"]
