r"""The open-ocean mask: a cell is open ocean when the median depth of its sub-cells is > 200 m.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §2) keeps the open ocean only, excluding water
shallower than 200 m. The bathymetry (elevation, positive up) is on a grid ``factor`` times finer
than the target grid in each direction; the median is taken over each block of sub-cells.
"""

from __future__ import annotations

from typing import Any

import dask.array as dsa
import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import GridError, SpecError, explain
from picpump.grid import Grid
from picpump.science._checks import check_units
from picpump.science.registry import Variant


def np_open_ocean(elevation: ArrayLike, factor: int, min_depth: float) -> NDArray[np.bool_]:
    r"""Open-ocean cells of a coarse grid from a finer bathymetry.

    .. math:: \mathrm{open}(i, j) = \operatorname{median}_{s \in S(i,j)}(-z_s) > d_{min}

    over the ``factor × factor`` sub-cells :math:`S(i, j)` of each coarse cell (the median of
    an even count is the mean of the two middle values). Missing sub-cells are ignored; a cell
    with none is not open ocean. Toullec 2026, doi:10.5194/bg-23-4361-2026.

    Parameters
    ----------
    elevation : array_like, shape (ny * factor, nx * factor)
        Elevation z [m], positive up (ocean < 0); NaN is missing.
    factor : int
        Sub-cells per coarse cell along each axis.
    min_depth : float
        Depth threshold :math:`d_{min}` [m] (200).

    Returns
    -------
    ndarray of bool, shape (ny, nx)
        True for open-ocean cells.
    """
    z = np.asarray(elevation)
    z = z.astype(np.result_type(z, np.float32), copy=False)
    if z.ndim != 2 or factor < 1 or z.shape[0] % factor or z.shape[1] % factor:
        raise GridError(
            explain(
                "the bathymetry must be 2-D with both sizes multiples of the refinement factor",
                f"shape {z.shape}, factor {factor}",
                "pass the bathymetry of the whole globe, lat × lon",
            )
        )
    ny, nx = z.shape[0] // factor, z.shape[1] // factor
    blocks = z.reshape(ny, factor, nx, factor).transpose(0, 2, 1, 3).reshape(ny, nx, -1)
    blocks = blocks.copy() if np.shares_memory(blocks, z) else blocks
    blocks.sort(axis=-1)  # NaN sort last
    n = np.count_nonzero(~np.isnan(blocks), axis=-1)[..., None]
    low = np.take_along_axis(blocks, np.maximum((n - 1) // 2, 0), axis=-1)[..., 0]
    high = np.take_along_axis(blocks, n // 2, axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):
        return np.asarray(-(low + high) / 2 > min_depth)  # no valid sub-cell: NaN → False


def _fail(what: str, received: str, fix: str) -> GridError:
    return GridError(explain(f"the bathymetry must be {what}", received, fix))


def _factor(elevation: xr.DataArray, grid: Grid) -> int:
    """Check that the bathymetry is a global integer refinement of ``grid``; return the factor."""
    if set(elevation.dims) != {"lat", "lon"}:
        raise _fail("a (lat, lon) field", f"dims {elevation.dims}", "select one 2-D field")
    ny, nx = elevation.sizes["lat"], elevation.sizes["lon"]
    factor = ny // grid.nlat
    if factor < 1 or ny != factor * grid.nlat or nx != factor * grid.nlon:
        raise _fail(
            "global and an integer refinement of the target grid",
            f"bathymetry {ny}×{nx} for a {grid.nlat}×{grid.nlon} grid",
            "use a global bathymetry whose cells divide the grid's (e.g. 0.5° for 1°)",
        )
    fine = Grid(grid.resolution / factor)
    for dim, expected in (("lat", fine.lat), ("lon", fine.lon)):
        if dim in elevation.indexes:  # index coordinates are in memory, never dask
            got = np.asarray(elevation.indexes[dim], dtype=np.float64)
            if not np.allclose(got, expected, rtol=0, atol=fine.resolution * 0.1):
                raise _fail(
                    "global, cell-centred, lat ascending and lon −180…180",
                    f"{dim} from {got[0]:g} to {got[-1]:g} ({got.size} cells)",
                    "standardise it first (sortby('lat'); lon to −180…180)",
                )
    return factor


def _depth_threshold(variant: Variant) -> float:
    if variant.kind != "open_ocean" or "min_depth" not in variant.params:
        raise SpecError(
            explain(
                "open_ocean_mask needs an 'open_ocean' variant with a 'min_depth'",
                f"{variant.kind} '{variant.name}'",
                "pass registry.variant('open_ocean')",
            )
        )
    return float(variant.params["min_depth"])


def open_ocean_mask(elevation: xr.DataArray, grid: Grid, variant: Variant) -> xr.DataArray:
    r"""Open-ocean mask on ``grid`` from a finer bathymetry (lazy on dask input).

    .. math:: \mathrm{open} = \operatorname{median}(-z) > d_{min}

    Toullec 2026, doi:10.5194/bg-23-4361-2026 (see :func:`np_open_ocean`).

    Parameters
    ----------
    elevation : xarray.DataArray
        (lat, lon) elevation [m], positive up, canonical orientation (lat ascending, lon
        −180…180, cell centres), global, an integer refinement of ``grid``.
    grid : Grid
        Target grid.
    variant : Variant
        An ``open_ocean`` variant (param ``min_depth``).

    Returns
    -------
    xarray.DataArray
        bool (lat, lon) on ``grid``, named ``open_ocean``.

    Raises
    ------
    GridError
        When the bathymetry is not global, not canonical or not an integer refinement.
    """
    check_units(elevation, "elevation")
    min_depth = _depth_threshold(variant)
    factor = _factor(elevation, grid)
    data: Any = elevation.transpose("lat", "lon").data
    if isinstance(data, dsa.Array):
        pairs = zip(data.chunksize, data.shape, strict=True)
        aligned = data.rechunk(tuple(min(max(1, round(c / factor)) * factor, n) for c, n in pairs))
        shrunk = tuple(tuple(c // factor for c in chunks) for chunks in aligned.chunks)
        mask = aligned.map_blocks(np_open_ocean, factor, min_depth, dtype=bool, chunks=shrunk)
    else:
        mask = np_open_ocean(data, factor, min_depth)
    return xr.DataArray(
        mask,
        dims=("lat", "lon"),
        coords={"lat": grid.lat, "lon": grid.lon},
        name="open_ocean",
        attrs={
            "units": "1",
            "long_name": f"open ocean: median depth of sub-cells > {min_depth:g} m",
            "variant": variant.name,
            "citation": variant.citation,
        },
    )


__all__ = ["np_open_ocean", "open_ocean_mask"]
