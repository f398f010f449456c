"""Demo calcifier biomass grid in a Knecht-style layout (synthetic demo data).

Monthly 1° carbon biomass of pteropods and foraminifers [mg C m-3, mean 0–200 m], ocean cells
only, lat descending, ``_FillValue`` −999 (so the reader's unit conversion and orientation are
exercised). The shapes follow Knecht et al. 2023 (doi:10.1029/2022GB007685) loosely:
pteropods peak in the high northern latitudes and the eastern-boundary upwellings with a
summer maximum; foraminifers in the high latitudes of both hemispheres and the tropics with
little seasonality. The magnitudes are scaled so that the annual-mean total-carbon stocks
(biomass × 200 m, over the ocean) are the Knecht et al. 2023 global means, 52 Tg C for
pteropods and 0.9 Tg C for foraminifers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from picpump.demo.climate import seasonal_peak
from picpump.demo.geography import GRID, LAT, blob, land_mask, smooth_noise, smoothstep
from picpump.demo.netcdf import (
    atomic_dataset,
    cf_axes,
    cf_global_attrs,
    filled,
    set_attrs,
    write_axes,
)
from picpump.science.area import np_cell_area
from picpump.science.registry import variant

Array = NDArray[np.float64]
DEPTH_M = 200.0
TARGET_TG = {"pteropods": 52.0, "foraminifers": 0.9}
"""Global annual-mean total-carbon stocks of Knecht et al. 2023 [Tg C]."""
FILL = -999.0
MONTHS = np.arange(1, 13)
UPWELLINGS = ((-15.0, -78.0), (-22.0, 12.0), (35.0, -123.0), (22.0, -18.0), (15.0, 58.0))


def _background_cycle(month: int) -> Array:
    """Return a weak seasonal cycle (±10 %), peaking in each hemisphere's summer."""
    phase = np.where(LAT >= 0.0, 7.0, 1.0)
    return np.asarray(1.0 + 0.1 * np.cos(2.0 * np.pi * (month - phase) / 12.0))


def _pteropods(month: int, noise: Array) -> Array:
    north = smoothstep(LAT, 35.0, 65.0)
    south = smoothstep(-LAT, 45.0, 65.0)
    upwelling = sum(blob(lat, lon, 8.0, 10.0) for lat, lon in UPWELLINGS)
    summer_n = 0.3 + 1.7 * seasonal_peak(float(month), 7.0, 1.8)
    summer_s = 0.4 + 1.2 * seasonal_peak(float(month), 1.0, 1.8)
    shape = 0.25 + 2.5 * north * summer_n + 0.8 * south * summer_s + 1.5 * upwelling
    return np.asarray(shape * np.exp(0.25 * noise))


def _foraminifers(month: int, noise: Array) -> Array:
    high = smoothstep(np.abs(LAT), 35.0, 50.0) * (1.0 - smoothstep(np.abs(LAT), 65.0, 75.0))
    tropics = 1.0 - smoothstep(np.abs(LAT), 15.0, 25.0)
    spring_ne_atlantic = blob(47.0, -20.0, 8.0, 15.0) * seasonal_peak(float(month), 5.0, 1.2)
    shape = 0.3 + 1.2 * high + 0.8 * tropics + 1.5 * spring_ne_atlantic
    return np.asarray(shape * np.exp(0.15 * noise))


def demo_biomass(seed: int, land: NDArray[np.bool_] | None = None) -> dict[str, Array]:
    """Return the demo biomass [g C m-3], (month, lat, lon) on the 1° grid, NaN on land.

    Parameters
    ----------
    seed : int
        Seed of the smooth noise.
    land : numpy.ndarray of bool, optional
        Land mask (180, 360); default :func:`picpump.demo.geography.land_mask`.

    Returns
    -------
    dict of str to numpy.ndarray
        ``pteropods`` and ``foraminifers``, scaled to the Knecht et al. 2023 stocks.
    """
    land = land_mask() if land is None else land
    rng = np.random.default_rng([seed, 2023])
    area = np_cell_area(GRID.lat, GRID.resolution, variant("cell_area"))[:, None]
    out = {}
    for name, shape in (("pteropods", _pteropods), ("foraminifers", _foraminifers)):
        noise = smooth_noise(rng, 20.0)
        raw = np.stack([shape(int(m), noise) * _background_cycle(int(m)) for m in MONTHS])
        stock_tg = np.sum(np.where(land, 0.0, raw.mean(axis=0)) * DEPTH_M * area) / 1e12
        out[name] = np.where(land, np.nan, raw * (TARGET_TG[name] / stock_tg))
    return out


def write_demo_taxa(path: Path, seed: int, *, land: NDArray[np.bool_] | None = None) -> None:
    """Write the demo calcifier biomass NetCDF (synthetic demo data, deterministic).

    Parameters
    ----------
    path : pathlib.Path
        Final path (written atomically).
    seed : int
        Seed of the archive.
    land : numpy.ndarray of bool, optional
        Land mask; default the demo archive's.
    """
    fields = demo_biomass(seed, land)
    with atomic_dataset(path) as ds:
        ds.createDimension("month", MONTHS.size)
        month = ds.createVariable("month", "i4", ("month",))
        set_attrs(month, {"long_name": "calendar month of the climatology", "units": "1"})
        month[:] = MONTHS
        write_axes(ds, descending=True, attrs=cf_axes())
        for name, values in fields.items():
            var = ds.createVariable(
                name, "f4", ("month", "lat", "lon"), zlib=True, fill_value=np.float32(FILL)
            )
            set_attrs(
                var,
                {
                    "long_name": f"{name} total carbon biomass, mean over 0-200 m",
                    "units": "mg C m-3",
                },
            )
            var[:] = np.stack([filled(v * 1e3, FILL, descending=True) for v in values])
        title = "picpump demo calcifier biomass (Knecht et al. 2023 layout), 1 degree"
        source = "synthetic demo data: analytic latitude and season shapes"
        set_attrs(ds, cf_global_attrs(title, source, seed))


__all__ = ["TARGET_TG", "demo_biomass", "write_demo_taxa"]
