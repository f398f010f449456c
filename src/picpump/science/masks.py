"""The open-ocean mask: a cell is open ocean when its median depth exceeds 200 m."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import GridError, explain
from picpump.grid import Grid
from picpump.science.registry import Variant


def np_open_ocean(elevation: NDArray[Any], factor: int, min_depth: float) -> NDArray[np.bool_]:
    """Open-ocean cells of a coarse grid from a finer bathymetry.

    A coarse cell is open ocean when the median depth (−elevation) of its
    ``factor × factor`` sub-cells is greater than ``min_depth``; missing sub-cells are
    ignored, a cell with none is not open ocean.

    Parameters
    ----------
    elevation : ndarray, shape (ny * factor, nx * factor)
        Elevation [m], positive up (ocean < 0), canonical orientation.
    factor : int
        Sub-cells per coarse cell along each axis.
    min_depth : float
        Depth threshold [m].

    Returns
    -------
    ndarray of bool, shape (ny, nx)
        True for open-ocean cells.
    """
    ny, nx = elevation.shape[0] // factor, elevation.shape[1] // factor
    fine = np.asarray(elevation, dtype=np.float64).reshape(ny, factor, nx, factor)
    blocks = fine.transpose(0, 2, 1, 3).reshape(ny, nx, factor * factor)
    with np.errstate(invalid="ignore"):
        all_missing = np.isnan(blocks).all(axis=-1)
        filled = np.where(all_missing[..., None], 0.0, blocks)
        depth = -np.nanmedian(filled, axis=-1)
    return (depth > min_depth) & ~all_missing


def _factor(elevation: xr.DataArray, grid: Grid) -> int:
    ny, nx = elevation.sizes["lat"], elevation.sizes["lon"]
    factor = ny // grid.nlat
    if factor < 1 or ny != factor * grid.nlat or nx != factor * grid.nlon:
        raise GridError(
            explain(
                "the bathymetry must be global and an integer refinement of the pipeline grid",
                f"bathymetry {ny}×{nx} for a grid of {grid.nlat}×{grid.nlon}",
                "use a global bathymetry whose resolution divides the grid's "
                "(e.g. 0.5° or 1/60° for a 1° grid)",
            )
        )
    return factor


def open_ocean_mask(elevation: xr.DataArray, grid: Grid, variant: Variant) -> xr.DataArray:
    """Open-ocean mask on ``grid`` from a bathymetry (``depth_200m``).

    Parameters
    ----------
    elevation : xarray.DataArray
        (lat, lon) elevation [m], positive up, lat ascending, lon −180…180.
    grid : Grid
        Target grid.
    variant : Variant
        An ``open_ocean`` variant (param ``min_depth``).

    Returns
    -------
    xarray.DataArray
        bool (lat, lon) on the grid.
    """
    factor = _factor(elevation, grid)
    mask = np_open_ocean(np.asarray(elevation.values), factor, variant.params["min_depth"])
    return xr.DataArray(
        mask,
        dims=("lat", "lon"),
        coords={"lat": grid.lat, "lon": grid.lon},
        name="open_ocean",
        attrs={
            "units": "1",
            "long_name": f"open ocean (median depth > {variant.params['min_depth']:g} m)",
        },
    )


__all__ = ["np_open_ocean", "open_ocean_mask"]
