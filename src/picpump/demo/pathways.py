"""Demo export-pathway grid in a Nowicki-style layout (synthetic demo data).

Fractions of the gravitational pump carried by fecal pellets and by aggregates, in percent,
on a 2° grid with lat descending and lon 0…360 (so the reader and the conservative regrid to
1° are exercised). Fecal pellets dominate in the subtropics and the tropics and less at high
latitudes (Nowicki et al. 2022, doi:10.1029/2021GB007083, as drawn in Toullec 2026 Fig. 7b);
the area-weighted global mean over the ocean is 85 %, aggregates the remaining 15 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from picpump.demo.geography import land_mask
from picpump.demo.netcdf import atomic_dataset, cf_global_attrs, set_attrs
from picpump.grid import Grid
from picpump.science.regrid import row_weights

GRID_2DEG = Grid(2.0)
FECAL_PELLETS_GLOBAL = 0.85
"""Global share of fecal pellets in the gravitational pump (Nowicki et al. 2022)."""
FILL = -999.0


def ocean_2deg(land: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return the 2° ocean cells: at least two of the four 1° sub-cells are ocean.

    Parameters
    ----------
    land : numpy.ndarray of bool
        1° land mask (180, 360), lat ascending.

    Returns
    -------
    numpy.ndarray of bool
        (90, 180), lat ascending, lon −180…180.
    """
    ocean_cells = (~land).reshape(90, 2, 180, 2).sum(axis=(1, 3))
    return np.asarray(ocean_cells >= 2)


def demo_fecal_pellets(seed: int, land: NDArray[np.bool_] | None = None) -> NDArray[np.float64]:
    """Return the demo fecal-pellet fraction [1] on the 2° grid (lat ascending), NaN on land.

    Parameters
    ----------
    seed : int
        Seed of the small longitudinal ripple.
    land : numpy.ndarray of bool, optional
        1° land mask; default :func:`picpump.demo.geography.land_mask`.

    Returns
    -------
    numpy.ndarray of float64
        (90, 180); area-weighted ocean mean 0.85.
    """
    ocean = ocean_2deg(land_mask() if land is None else land)
    lat, lon = np.meshgrid(GRID_2DEG.lat, GRID_2DEG.lon, indexing="ij")
    rng = np.random.default_rng([seed, 2022])
    phase, amplitude = rng.uniform(0.0, 2.0 * np.pi), rng.uniform(0.005, 0.015)
    shape = 0.12 * np.exp(-((lat / 38.0) ** 2)) + amplitude * np.sin(np.deg2rad(2 * lon) + phase)
    weights = row_weights(GRID_2DEG.lat, GRID_2DEG.resolution)[:, None] * ocean
    mean = float((shape * weights).sum() / weights.sum())
    fecal = np.clip(shape - mean + FECAL_PELLETS_GLOBAL, 0.0, 1.0)
    return np.asarray(np.where(ocean, fecal, np.nan))


def write_demo_pathways(path: Path, seed: int, *, land: NDArray[np.bool_] | None = None) -> None:
    """Write the demo export-pathway NetCDF (synthetic demo data, deterministic).

    Parameters
    ----------
    path : pathlib.Path
        Final path (written atomically).
    seed : int
        Seed of the archive.
    land : numpy.ndarray of bool, optional
        1° land mask; default the demo archive's.
    """
    fecal = demo_fecal_pellets(seed, land)
    fields = {"FP_fraction": fecal, "AGG_fraction": 1.0 - fecal}
    order = np.argsort(GRID_2DEG.lon % 360.0)
    with atomic_dataset(path) as ds:
        ds.createDimension("latitude", GRID_2DEG.nlat)
        ds.createDimension("longitude", GRID_2DEG.nlon)
        for name, values, units in (
            ("latitude", GRID_2DEG.lat[::-1], "degrees_north"),
            ("longitude", (GRID_2DEG.lon % 360.0)[order], "degrees_east"),
        ):
            var = ds.createVariable(name, "f4", (name,))
            set_attrs(var, {"standard_name": name, "units": units})
            var[:] = values.astype(np.float32)
        long_names = {"FP_fraction": "fecal pellets", "AGG_fraction": "aggregates"}
        for name, values in fields.items():
            var = ds.createVariable(
                name, "f4", ("latitude", "longitude"), zlib=True, fill_value=np.float32(FILL)
            )
            text = f"share of the gravitational pump carried by {long_names[name]}"
            set_attrs(var, {"long_name": text, "units": "%"})
            rows = (100.0 * values)[::-1][:, order]
            var[:] = np.where(np.isfinite(rows), rows, FILL).astype(np.float32)
        title = "picpump demo export pathways (Nowicki et al. 2022 layout), 2 degrees"
        source = "synthetic demo data: analytic latitude shape, 85 % fecal pellets"
        set_attrs(ds, cf_global_attrs(title, source, seed))


__all__ = ["FECAL_PELLETS_GLOBAL", "demo_fecal_pellets", "ocean_2deg", "write_demo_pathways"]
