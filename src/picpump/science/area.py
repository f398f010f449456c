r"""Cell areas of a regular latitude/longitude grid (SCIENCE.md §3).

``sphere`` (default): exact spherical cells, R = 6 371 007.2 m (authalic GRS80 radius; the
globe sums to 5.1007e8 km²). ``toullec_eq5``: the paper's eq. 5 as printed, which divides the
meridian by 180 instead of 360, so every cell is about 2.001× too large (globe 1.0207e9 km²).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import SpecError, explain
from picpump.grid import Grid
from picpump.science.registry import Variant


def np_cell_area(
    lat_centres: ArrayLike, resolution_deg: float, variant: Variant
) -> NDArray[np.float64]:
    r"""Area of one cell in each latitude row [m²].

    ``sphere`` (Moritz 2000, doi:10.1007/s001900050278), with cell edges clipped to ±90°:

    .. math:: A = R^2\,\Delta\lambda\,(\sin\varphi_N - \sin\varphi_S)

    ``toullec_eq5`` (Toullec 2026 eq. 5, doi:10.5194/bg-23-4361-2026), per 1° cell and scaled
    by the square of the resolution in degrees:

    .. math:: A = \left[\frac{40075.017 \cos\varphi}{360} \times \frac{40007.864}{180}\right]
              \times 10^6

    Parameters
    ----------
    lat_centres : array_like
        Latitudes of the cell centres [degrees_north], shape (nlat,).
    resolution_deg : float
        Cell size [degrees].
    variant : Variant
        A ``cell_area`` variant.

    Returns
    -------
    ndarray of float64, shape (nlat,)
        Area of each cell of the row [m²].
    """
    phi = np.deg2rad(np.asarray(lat_centres, dtype=np.float64))
    step = np.deg2rad(float(resolution_deg))
    p = variant.params
    if variant.kind == "cell_area" and variant.name == "sphere":
        north = np.sin(np.minimum(phi + step / 2, np.pi / 2))
        south = np.sin(np.maximum(phi - step / 2, -np.pi / 2))
        return np.asarray(p["radius"] ** 2 * step * (north - south), dtype=np.float64)
    if variant.kind == "cell_area" and variant.name == "toullec_eq5":
        dx_km = p["equator_km"] * np.cos(phi) / 360.0 * resolution_deg
        dy_km = p["meridian_km"] / p["meridian_divisor"] * resolution_deg
        return np.asarray(dx_km * dy_km * 1e6, dtype=np.float64)
    raise SpecError(
        explain(
            "np_cell_area needs a 'cell_area' variant, one of ['sphere', 'toullec_eq5']",
            f"{variant.kind} '{variant.name}'",
            "pass registry.variant('cell_area', name)",
        )
    )


def cell_area(grid: Grid, variant: Variant) -> xr.DataArray:
    r"""Cell areas of a grid as a (lat, lon) DataArray [m²].

    .. math:: A = R^2\,\Delta\lambda\,(\sin\varphi_N - \sin\varphi_S)

    for the default ``sphere`` variant (Moritz 2000, doi:10.1007/s001900050278); see
    :func:`np_cell_area` for ``toullec_eq5`` (Toullec 2026 eq. 5, doi:10.5194/bg-23-4361-2026).

    Parameters
    ----------
    grid : Grid
        The grid.
    variant : Variant
        A ``cell_area`` variant.

    Returns
    -------
    xarray.DataArray
        float64 (lat, lon) areas [m2], CF ``standard_name: cell_area``. The longitude axis is a
        read-only broadcast of one value per row: no memory per cell, even on 4 km grids.
    """
    rows = xr.DataArray(
        np_cell_area(grid.lat, grid.resolution, variant), dims="lat", coords={"lat": grid.lat}
    )
    out = rows.expand_dims(lon=grid.lon, axis=1).rename("cell_area")
    out.attrs = {
        "units": "m2",
        "standard_name": "cell_area",
        "long_name": f"area of grid cell ({variant.name})",
        "variant": variant.name,
        "citation": variant.citation,
    }
    return out


__all__ = ["cell_area", "np_cell_area"]
