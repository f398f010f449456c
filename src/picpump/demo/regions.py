"""Demo region masks in the exact RECCAP2 file layout, from simple lat/lon boxes.

Synthetic demo data: the real RECCAP2 masks follow biomes (Fay & McKinley 2014); these follow
latitude bands and longitude boxes over the ocean cells of the demo land mask
(:func:`picpump.demo.geography.land_mask`). Same variables, codes, ``region_name``
attributes, int8 type and grid (1°, lat ascending, lon 0.5…359.5) as
``RECCAP2_region_masks_all_v20221025.nc``, so
:func:`picpump.io.ancillary.regions.read_reccap2` and the
paper's region table read them unchanged. Deterministic: no randomness, no clock.
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
from numpy.typing import NDArray

from picpump.demo.geography import GRID, LAT, LON, cell_distance, land_mask
from picpump.demo.netcdf import DATE_CREATED, SYNTHETIC_COMMENT, atomic_dataset, set_attrs
from picpump.io.ancillary.regions import RECCAP2_VARIABLES

Codes = NDArray[np.int8]

REGION_NAMES = {
    "open_ocean": "1.Atlantic, 2.Pacific, 3.Indian, 4.Arctic, 5.Southern",
    "atlantic": "1.NA SPSS, 2.NA STSS, 3.NA STPS, 4.AEQU, 5.SA STPS, 6.MED (not in FM14)",
    "pacific": "1.NP SPSS, 2.NP STSS, 3.NP STPS, 4.PEQU-W, 5.PEQU-E, 6.SP STPS",
    "indian": "1.Arabian Sea, 2.Bay of Bengal, 3.Equatorial Indian, 4.Southern Indian",
    "southern": "1.SO STSS, 2.SO SPSS, 3.SO ICE",
}
"""The ``region_name`` attributes of the real file."""
NORTH_BANDS = ((45.0, 66.0, 1), (35.0, 45.0, 2), (10.0, 35.0, 3))
"""(south, north, code) of the northern Atlantic and Pacific sub-regions."""


def _bands(ocean: NDArray[np.bool_]) -> dict[str, Codes]:
    """Codes of the Atlantic, Pacific, Indian and Southern boxes (canonical grid)."""
    mid = ocean & (LAT >= -35.0) & (LAT <= 66.0)
    west = np.select([LAT >= 45.0, LAT >= 17.0, LAT >= 8.0], [-110.0, -98.0, -84.0], -70.0)
    med = ocean & (LAT > 30.0) & (LAT < 46.0) & (LON > -6.0) & (LON < 37.0)
    atlantic_box = mid & (LON >= west) & (LON < 20.0) & ~med
    indian_box = mid & ~med & (LON >= 20.0) & (LAT < 30.0) & (LON < np.where(LAT >= 0, 100, 130))
    pacific_box = mid & ~atlantic_box & ~indian_box & ~med & ((LON >= 100.0) | (LON < west))
    equator = (LAT >= -10.0) & (LAT < 10.0)
    south = (LAT >= -35.0) & (LAT < -10.0)
    atlantic = np.zeros(LAT.shape, np.int8)
    pacific = np.zeros(LAT.shape, np.int8)
    for low, high, code in NORTH_BANDS:
        band = (LAT >= low) & (LAT < high)
        atlantic[atlantic_box & band] = code
        pacific[pacific_box & band] = code
    atlantic[atlantic_box & equator] = 4
    atlantic[atlantic_box & south] = 5
    atlantic[med] = 6
    west_pacific = (LON >= 100.0) | (LON < -160.0)
    pacific[pacific_box & equator] = np.where(west_pacific, 4, 5)[pacific_box & equator]
    pacific[pacific_box & south] = 6
    indian = np.select(
        [LAT >= 5.0, LAT >= -10.0, LAT >= -35.0], [np.where(LON < 78.0, 1, 2), 3, 4], 0
    )
    southern = np.select([LAT >= -45.0, LAT >= -60.0], [1, 2], 3) * (ocean & (LAT < -35.0))
    return {
        "atlantic": atlantic,
        "pacific": pacific,
        "indian": np.where(indian_box, indian, 0).astype(np.int8),
        "southern": southern.astype(np.int8),
    }


def demo_region_codes() -> dict[str, Codes]:
    """Return the eight demo mask variables on the canonical grid (lon −179.5…179.5).

    Returns
    -------
    dict of str to numpy.ndarray
        int8 (180, 360) arrays keyed by the RECCAP2 variable names.
    """
    ocean = ~land_mask()
    codes = _bands(ocean)
    arctic = (ocean & (LAT > 66.0)).astype(np.int8)
    basins = [codes["atlantic"] > 0, codes["pacific"] > 0, codes["indian"] > 0, arctic > 0]
    open_ocean = np.select([*basins, codes["southern"] > 0], [1, 2, 3, 4, 5], 0)
    coast = ocean & (cell_distance(land_mask(), limit=2) == 1)
    return {
        "seamask": ocean.astype(np.int8),
        "coast": coast.astype(np.int8),
        "open_ocean": open_ocean.astype(np.int8),
        **codes,
        "arctic": arctic,
    }


def write_demo_regions(path: Path) -> None:
    """Write the demo region masks in the RECCAP2 file layout (atomically).

    Parameters
    ----------
    path : pathlib.Path
        The file to write (its folder must exist).
    """
    codes = demo_region_codes()
    shift = int(np.searchsorted(GRID.lon, 0.0))  # first column east of 0°
    with atomic_dataset(path) as ds:
        ds.createDimension("lat", GRID.nlat)
        ds.createDimension("lon", GRID.nlon)
        lon = np.concatenate([GRID.lon[shift:], GRID.lon[:shift] + 360.0])
        for name, values, units in (("lat", GRID.lat, "north"), ("lon", lon, "east")):
            var = ds.createVariable(name, "f8", (name,), fill_value=False)
            set_attrs(var, {"long_name": f"{name}itude", "units": f"degrees_{units}"})
            var[:] = values
        for name in RECCAP2_VARIABLES:
            var = ds.createVariable(name, "i1", ("lat", "lon"), zlib=True, fill_value=False)
            if name in REGION_NAMES:
                var.setncattr("region_name", REGION_NAMES[name])
            var[:] = np.roll(codes[name], -shift, axis=1)
        _global_attrs(ds)


def _global_attrs(ds: netCDF4.Dataset) -> None:
    set_attrs(
        ds,
        {
            "title": "picpump demo region masks in the RECCAP2 layout",
            "description": "synthetic demo data: RECCAP2-like ocean region masks from "
            "latitude bands and longitude boxes over the demo land mask; not the RECCAP2 "
            "regions; region names in each variable's region_name attribute",
            "comment": SYNTHETIC_COMMENT,
            "picpump_synthetic": "true",
            "history": "synthetic demo data: picpump demo build (region masks, deterministic)",
            "date_created": DATE_CREATED,
        },
    )


__all__ = ["REGION_NAMES", "demo_region_codes", "write_demo_regions"]
