"""Land outlines drawn offline, from the land mask the project already depends on.

The mask of :mod:`global_land_mask` is sampled on a display grid, contoured once per process
and kept: no Natural Earth download (compute nodes and CI have no network).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from contourpy import FillType, contour_generator
from global_land_mask import globe

LAND_STEP_DEG = 0.5
"""Cell size of the sampled land mask [degrees]."""


@cache
def land_polygons(step: float = LAND_STEP_DEG) -> shapely.MultiPolygon:
    """Return the land as polygons in longitude/latitude (PlateCarree), computed once.

    Parameters
    ----------
    step : float
        Sampling step of the land mask [degrees].

    Returns
    -------
    shapely.MultiPolygon
        Land areas with their holes (lakes, enclosed seas).
    """
    lat = np.arange(-90 + step / 2, 90, step)
    lon = np.arange(-180 + step / 2, 180, step)
    mask = globe.is_land(*np.meshgrid(lat, lon, indexing="ij")).astype(np.float64)
    # pad with sea on every side so that every outline closes inside the map
    lat = np.concatenate([[-90.0], lat, [90.0]])
    lon = np.concatenate([[-180.0], lon, [180.0]])
    mask = np.pad(mask, 1)
    filled = contour_generator(lon, lat, mask, fill_type=FillType.OuterOffset).filled(0.5, 1.5)
    polygons = []
    for points, offsets in zip(*filled, strict=True):
        rings = [points[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
        polygons.append(shapely.Polygon(rings[0], rings[1:]))
    return shapely.MultiPolygon(polygons)


__all__ = ["LAND_STEP_DEG", "land_polygons"]
