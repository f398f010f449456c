r"""Cell areas of a regular latitude/longitude grid.

``sphere`` (default): :math:`A = R^2\,\Delta\lambda\,(\sin\varphi_N - \sin\varphi_S)`,
R = 6 371 007.2 m (the 1° globe sums to 5.1007e8 km²). ``toullec_eq5``: the paper's eq. 5
as printed, :math:`A = [40075.017\cos\varphi/360 \times 40007.864/180] \times 10^6` m² per
1° cell, scaled to the grid's resolution — every cell about 2.001× too large.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import SpecError, explain
from picpump.grid import Grid
from picpump.science.registry import Variant


def np_cell_area(lat: NDArray[Any], resolution: float, variant: Variant) -> NDArray[np.float64]:
    """Area of one cell in each latitude row [m²].

    Parameters
    ----------
    lat : ndarray
        Latitudes of the cell centres [degrees_north].
    resolution : float
        Cell size [degrees].
    variant : Variant
        A ``cell_area`` variant.

    Returns
    -------
    ndarray of float64
        Area per cell of each row [m²].
    """
    lat = np.asarray(lat, dtype=np.float64)
    half = np.deg2rad(resolution / 2.0)
    phi = np.deg2rad(lat)
    p = variant.params
    if variant.name == "sphere":
        band = np.sin(np.minimum(phi + half, np.pi / 2)) - np.sin(
            np.maximum(phi - half, -np.pi / 2)
        )
        return np.asarray(p["radius"] ** 2 * np.deg2rad(resolution) * band)
    if variant.name == "toullec_eq5":
        dx = p["equator_km"] * np.cos(phi) / 360.0 * resolution
        dy = p["meridian_km"] / p["meridian_divisor"] * resolution
        return np.asarray(dx * dy * 1e6)
    raise SpecError(
        explain(f"cell_area has no kernel for '{variant.name}'", variant.name, "fix it")
    )


def cell_area(grid: Grid, variant: Variant) -> xr.DataArray:
    """Cell areas of a grid as a (lat, lon) DataArray [m²].

    Parameters
    ----------
    grid : Grid
        The grid.
    variant : Variant
        A ``cell_area`` variant.

    Returns
    -------
    xarray.DataArray
        float64 areas, CF ``cell_area``.
    """
    rows = np_cell_area(grid.lat, grid.resolution, variant)
    values = np.broadcast_to(rows[:, None], grid.shape).copy()
    return xr.DataArray(
        values,
        dims=("lat", "lon"),
        coords={"lat": grid.lat, "lon": grid.lon},
        name="cell_area",
        attrs={
            "units": "m2",
            "standard_name": "cell_area",
            "long_name": f"cell area ({variant.name})",
        },
    )


__all__ = ["cell_area", "np_cell_area"]
