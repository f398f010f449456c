"""Region maps: colours of the paper's regions and per-region values drawn on the map."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap

from picpump.science.region_lookup import region_names


def region_colors(regions: xr.DataArray) -> tuple[ListedColormap, BoundaryNorm, dict[int, str]]:
    """Return a qualitative colour map, its norm and the names of a region map's ids."""
    names = region_names(regions)
    ids = sorted(names)
    colors = [colormaps["tab20"](i % 20) for i in range(len(ids))]
    bounds = [i - 0.5 for i in ids] + [ids[-1] + 0.5]
    return ListedColormap(colors), BoundaryNorm(bounds, len(ids)), names


def region_field(regions: xr.DataArray) -> xr.DataArray:
    """Return the region ids as floats, NaN where no region."""
    return regions.where(regions > 0).astype("float64")


def paint_regions(regions: xr.DataArray, values: Mapping[str, float]) -> xr.DataArray:
    """Return a (lat, lon) field holding each region's value (NaN where none is given)."""
    names = region_names(regions)
    ids = np.asarray(regions.values)
    out = np.full(ids.shape, np.nan)
    for number, name in names.items():
        if name in values and np.isfinite(values[name]):
            out[ids == number] = values[name]
    return xr.DataArray(out, coords=regions.coords, dims=regions.dims)


__all__ = ["paint_regions", "region_colors", "region_field"]
