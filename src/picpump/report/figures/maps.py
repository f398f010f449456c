"""Global maps on an ocean projection (Robinson) with land drawn offline."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import cartopy.crs as ccrs
import numpy as np
import xarray as xr
from cartopy.mpl.path import shapely_to_path
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from picpump.report.figures.land import land_polygons
from picpump.report.figures.style import color_norm

CENTRAL_LONGITUDE = -150.0
PROJECTION = ccrs.Robinson(central_longitude=CENTRAL_LONGITUDE)
"""The ocean projection: Robinson centred on the Pacific."""
DATA_CRS = ccrs.PlateCarree()
DISPLAY_DEG = 0.5
"""Fields finer than this are averaged to about this cell size before drawing [degrees]."""


def map_axes(fig: Figure, rows: int, cols: int, index: int) -> Any:
    """Add a global map panel (``GeoAxes``) at ``index`` of a ``rows`` × ``cols`` grid."""
    ax = fig.add_subplot(rows, cols, index, projection=PROJECTION)
    ax.set_global()
    return ax


def display_field(da: xr.DataArray, display_deg: float = DISPLAY_DEG) -> xr.DataArray:
    """Average a fine (lat, lon) field to about ``display_deg`` cells (NaN-aware), then load it.

    Parameters
    ----------
    da : xarray.DataArray
        A field on a regular grid.
    display_deg : float
        Target cell size [degrees].

    Returns
    -------
    xarray.DataArray
        The field in memory, coarsened by an integer factor when its cells are finer.
    """
    step = abs(float(da["lat"][1] - da["lat"][0])) if da.sizes["lat"] > 1 else display_deg
    factor = max(1, math.floor(display_deg / step + 1e-9))
    if factor > 1:
        da = da.coarsen(lat=factor, lon=factor, boundary="trim").mean()
    return da.load()


@cache
def land_path() -> Path:
    """Return the land outlines projected once to :data:`PROJECTION`, as one path."""
    projected = PROJECTION.project_geometry(land_polygons(), DATA_CRS)
    return shapely_to_path(projected)


def _edges(centres: np.ndarray) -> np.ndarray:
    step = np.diff(centres)
    inner = centres[:-1] + step / 2
    return np.concatenate([[centres[0] - step[0] / 2], inner, [centres[-1] + step[-1] / 2]])


def projected_corners(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the cell corners of a (lat, lon) grid in :data:`PROJECTION` coordinates.

    The longitudes must start at the map's edge (:func:`seam_at_map_edge`).
    """
    left = CENTRAL_LONGITUDE + 180.0  # the map's edge: keep the corners strictly inside it
    lon_edges = np.clip(_edges(np.asarray(lon, dtype=np.float64)), left + 1e-6, left + 360 - 1e-6)
    lat_edges = np.clip(_edges(np.asarray(lat, dtype=np.float64)), -90.0, 90.0)
    grid_lon, grid_lat = np.meshgrid(lon_edges, lat_edges)
    points = PROJECTION.transform_points(DATA_CRS, grid_lon, grid_lat)
    return points[..., 0], points[..., 1]


def seam_at_map_edge(da: xr.DataArray) -> xr.DataArray:
    """Roll the longitudes so the data's first column starts at the map's edge (no seam)."""
    edge = CENTRAL_LONGITUDE + 180.0
    shifted = (da["lon"] - edge) % 360.0 + edge
    return da.assign_coords(lon=shifted).sortby("lon")


def add_land(ax: Any) -> None:
    """Draw land (grey, thin outline) on a map panel, from the offline outlines."""
    patch = PathPatch(land_path(), facecolor="0.82", edgecolor="0.35", linewidth=0.3, zorder=3)
    patch.set_transform(ax.transData)
    ax.add_artist(patch)  # already projected: no limits to update, no reprojection


def draw_map(
    ax: Any,
    da: xr.DataArray,
    cmap: Any,
    norm: Normalize | None = None,
    **kwargs: Any,
) -> QuadMesh:
    """Draw a (lat, lon) field on a map panel, with land on top.

    Parameters
    ----------
    ax : cartopy GeoAxes
        From :func:`map_axes`.
    da : xarray.DataArray
        The field (coarsened for display here when fine).
    cmap : colormap
        Colour map (cmocean).
    norm : Normalize, optional
        Colour scale; default :func:`picpump.report.figures.style.color_norm` of the data.
    **kwargs
        More ``pcolormesh`` options.

    Returns
    -------
    matplotlib.collections.QuadMesh
        The mesh, for a colourbar.
    """
    field = seam_at_map_edge(display_field(da))
    values = np.ma.masked_invalid(np.asarray(field.values, dtype=np.float64))
    norm = color_norm(values.compressed()) if norm is None else norm
    x, y = projected_corners(field["lon"].values, field["lat"].values)
    # drawn in projected coordinates: the seam lies on the map edge, so no cell wraps
    mesh = Axes.pcolormesh(
        ax, x, y, values, cmap=cmap, norm=norm, shading="flat", rasterized=True, **kwargs
    )
    add_land(ax)
    return mesh


def title(ax: Axes, text: str) -> None:
    """Set a small panel title."""
    ax.set_title(text, fontsize=8)


__all__ = [
    "seam_at_map_edge",
    "DISPLAY_DEG",
    "PROJECTION",
    "add_land",
    "display_field",
    "draw_map",
    "map_axes",
]
