r"""Conservative (area-weighted) coarsening of regular latitude/longitude fields.

A target cell takes the area-weighted mean of the valid source cells it overlaps:

.. math:: \bar x_T = \frac{\sum_s w_{Ts}\, x_s}{\sum_{s\ \mathrm{valid}} w_{Ts}}, \qquad
          w_{Ts} = \Delta\lambda_{Ts}\,(\sin\varphi_N - \sin\varphi_S)_{Ts}

(exact spherical overlap areas up to the constant :math:`R^2`, as in
:mod:`picpump.science.area`; Jones 1999, Mon. Weather Rev. 127:2204,
doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2). Without missing values the area
integral :math:`\sum x A` is the same before and after. NaN cells are left out and the weights
renormalised; ``min_fraction`` sets the share of the target cell's area that must be valid.

:func:`coarsen_conservative` handles integer factors between regular cell-centred grids
blockwise (any leading dims, dask chunks multiples of the factor); any rectilinear source goes
through :func:`picpump.science.regrid_rectilinear.regrid_conservative` instead. Both stay lazy
on dask input. Sums accumulate in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import GridError, explain
from picpump.grid import Grid
from picpump.science._field_dims import check_lat_lon_last

Float64Array = NDArray[np.float64]


def row_weights(lat_centres: ArrayLike, resolution_deg: float) -> Float64Array:
    r"""Return the relative area of one cell per latitude row of a regular grid.

    :math:`\sin\varphi_N - \sin\varphi_S`, edges clipped to ±90° (Moritz 2000,
    doi:10.1007/s001900050278).

    Parameters
    ----------
    lat_centres : array_like
        Cell-centre latitudes [degrees_north].
    resolution_deg : float
        Cell height [degrees].

    Returns
    -------
    ndarray of float64
        Weights proportional to the cell areas of each row.
    """
    phi = np.asarray(lat_centres, dtype=np.float64)
    half = resolution_deg / 2.0
    north = np.sin(np.deg2rad(np.minimum(phi + half, 90.0)))
    south = np.sin(np.deg2rad(np.maximum(phi - half, -90.0)))
    return np.asarray(north - south, dtype=np.float64)


def _coarse_sums(
    values: ArrayLike, factor: int, weights: ArrayLike
) -> tuple[Float64Array, Float64Array, Float64Array]:
    """Weighted sums of values, of valid weights and of all weights per coarse cell."""
    x = np.asarray(values)
    w = np.asarray(weights, dtype=np.float64)
    *lead, nlat, nlon = x.shape
    shape = (*lead, nlat // factor, factor, nlon // factor, factor)
    valid = np.isfinite(x)
    wx = np.where(valid, x, 0.0).astype(np.float64) * w[:, None]
    wv = valid * w[:, None]
    value_sum = wx.reshape(shape).sum(axis=(-3, -1))
    valid_sum = wv.reshape(shape).sum(axis=(-3, -1))
    total = w.reshape(nlat // factor, factor).sum(axis=1)[:, None] * factor
    return value_sum, valid_sum, np.broadcast_to(total, valid_sum.shape[-2:])


def np_coarsen_conservative(
    values: ArrayLike, factor: int, weights: ArrayLike, min_fraction: float = 0.0
) -> NDArray[Any]:
    r"""Area-weighted mean over ``factor × factor`` blocks of the last two axes.

    .. math:: \bar x = \sum_{s\ \mathrm{valid}} w_s x_s \Big/ \sum_{s\ \mathrm{valid}} w_s

    (Jones 1999, doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2). All cells of a row of a
    regular grid have the same area, so ``weights`` are per row.

    Parameters
    ----------
    values : array_like, shape (..., nlat, nlon)
        Field; NaN is missing. ``nlat`` and ``nlon`` are multiples of ``factor``.
    factor : int
        Source cells per target cell along each axis.
    weights : array_like, shape (nlat,)
        Relative cell area of each source row (:func:`row_weights`).
    min_fraction : float, default 0.0
        Share of the target cell's area that must be valid; below it (or with no valid
        sub-cell) the result is NaN.

    Returns
    -------
    ndarray, shape (..., nlat // factor, nlon // factor)
        The means; float32 for float32 input, float64 otherwise.
    """
    dtype = np.result_type(np.asarray(values).dtype, np.float32)
    if factor == 1:  # exact identity (a valid cell is its own whole area)
        return np.asarray(values).astype(dtype)
    value_sum, valid_sum, total = _coarse_sums(values, factor, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = value_sum / valid_sum
    keep = (valid_sum > 0) & (valid_sum >= min_fraction * total * (1 - 1e-12))
    return np.where(keep, mean, np.nan).astype(dtype)


def np_coarsen_fraction(values: ArrayLike, factor: int, weights: ArrayLike) -> Float64Array:
    """Return the valid share of each target cell's area (0…1), as in coarsening.

    Parameters
    ----------
    values : array_like, shape (..., nlat, nlon)
        Field; NaN is missing.
    factor : int
        Source cells per target cell along each axis.
    weights : array_like, shape (nlat,)
        Relative cell area of each source row.

    Returns
    -------
    ndarray of float64, shape (..., nlat // factor, nlon // factor)
        Valid area / cell area.
    """
    _, valid_sum, total = _coarse_sums(values, factor, weights)
    return np.asarray(valid_sum / total, dtype=np.float64)


def _regular_step(coord: NDArray[np.float64], name: str) -> float:
    """Return the spacing of a regular ascending axis, or raise GridError."""
    steps = np.diff(coord)
    if coord.size < 2 or np.any(steps <= 0) or np.ptp(steps) > 1e-6 * abs(float(steps[0])):
        raise GridError(
            explain(
                f"coarsen_conservative needs a regular, ascending '{name}' axis",
                f"{name} from {coord[:1]} to {coord[-1:]} with {coord.size} cells",
                "canonicalise the grid first (picpump.io), or use regrid_conservative",
            )
        )
    return float(steps.mean())


def _factor(da: xr.DataArray, factor: int | None, target: Grid | None) -> tuple[int, float]:
    """Check the source grid and return (factor, source resolution)."""
    lat = np.asarray(da["lat"].values, dtype=np.float64)
    lon = np.asarray(da["lon"].values, dtype=np.float64)
    res = _regular_step(lat, "lat")
    lon_res = _regular_step(lon, "lon")
    if abs(lon_res - res) > 1e-6 * res:
        raise GridError(
            explain(
                "coarsen_conservative needs square cells (one resolution for lat and lon)",
                f"lat step {res:.6g}°, lon step {lon_res:.6g}°",
                "use regrid_conservative for rectangular cells",
            )
        )
    if factor is None and target is None:
        raise GridError(explain("give a factor or a target grid", "neither", "e.g. factor=4"))
    wanted = round(target.resolution / res) if target is not None else int(factor or 0)
    if target is not None and (
        abs(wanted * res - target.resolution) > 1e-6 * target.resolution
        or (factor is not None and factor != wanted)
    ):
        raise GridError(
            explain(
                "the target resolution must be a whole multiple of the source resolution",
                f"source {res:.6g}°, target {target.resolution:.6g}°, factor {factor}",
                "use regrid_conservative for non-integer ratios",
            )
        )
    if wanted < 1 or lat.size % wanted or lon.size % wanted:
        raise GridError(
            explain(
                "the factor must be a positive integer dividing the lat and lon sizes",
                f"factor {wanted} for {lat.size} × {lon.size} cells",
                "choose a factor dividing both sizes (e.g. 4 for 0.25° → 1°, 24 for 4 km → 1°)",
            )
        )
    if target is not None and (lat.size // wanted, lon.size // wanted) != target.shape:
        raise GridError(
            explain(
                f"a coarsening to the global {target.resolution}° grid needs a global source",
                f"{lat.size} × {lon.size} cells of {res:.6g}°",
                "pass factor= for a regional grid",
            )
        )
    return wanted, res


def _aligned(data: Any, factor: int) -> Any:
    """Rechunk a dask array so that the lat/lon chunks are multiples of ``factor``."""
    chunks = list(data.chunks)
    for axis in (-2, -1):
        sizes = chunks[axis]
        if any(size % factor for size in sizes[:-1]) or sizes[-1] % factor:
            step = max(factor, -(-max(sizes) // factor) * factor)
            chunks[axis] = step
        else:
            chunks[axis] = sizes
    return data.rechunk(tuple(chunks))


def _apply_blocks(data: Any, factor: int, weights: Float64Array, kernel: Any, dtype: Any) -> Any:
    """Run a coarsening kernel on numpy data, or blockwise on dask data."""
    if not hasattr(data, "chunks") or data.chunks is None:
        return kernel(data, factor, weights)
    data = _aligned(data, factor)
    chunks = (*data.chunks[:-2], *(tuple(c // factor for c in data.chunks[a]) for a in (-2, -1)))

    def block(x: NDArray[Any], block_info: dict[Any, Any] | None = None) -> NDArray[Any]:
        start, stop = block_info[0]["array-location"][-2] if block_info else (0, x.shape[-2])
        return np.asarray(kernel(x, factor, weights[start:stop]))

    return data.map_blocks(block, chunks=chunks, dtype=dtype)


def _coarse_coords(da: xr.DataArray, factor: int, res: float) -> dict[Any, Any]:
    """Coordinates of the coarse cells; exactly those of :class:`Grid` for a global field."""
    lat = da["lat"].values.reshape(-1, factor).mean(axis=1)
    lon = da["lon"].values.reshape(-1, factor).mean(axis=1)
    try:
        grid = Grid(180.0 / round(180.0 / (res * factor)))  # 1/24 × 24 → exactly 1.0
    except GridError:
        grid = None
    if grid is not None and grid.shape == (lat.size, lon.size):
        if np.allclose(lat, grid.lat, atol=1e-6 * res) and np.allclose(
            lon, grid.lon, atol=1e-6 * res
        ):
            lat, lon = grid.lat, grid.lon  # no float noise: aligns exactly with other products
    lead = {d: da[d] for d in da.dims[:-2] if d in da.coords}
    return {**lead, "lat": ("lat", lat, da["lat"].attrs), "lon": ("lon", lon, da["lon"].attrs)}


def coarsen_conservative(
    da: xr.DataArray,
    factor: int | None = None,
    *,
    target: Grid | None = None,
    min_fraction: float = 0.0,
    fraction: bool = False,
) -> xr.DataArray:
    r"""Coarsen a regular cell-centred field by an integer factor, area-weighted and NaN-aware.

    .. math:: \bar x_T = \sum_{s \in T,\ \mathrm{valid}} w_s x_s \Big/
              \sum_{s \in T,\ \mathrm{valid}} w_s, \quad w_s \propto \sin\varphi_N - \sin\varphi_S

    (Jones 1999, doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2). Lazy on dask input:
    one ``map_blocks`` task per input chunk; lat/lon chunks that are not multiples of the factor
    are rechunked first (lazily).

    Parameters
    ----------
    da : xarray.DataArray
        Field with dims (..., lat, lon) on a regular grid, lat and lon ascending.
    factor : int, optional
        Source cells per target cell along each axis (0.25° → 1°: 4; 1/24° → 1°: 24).
    target : Grid, optional
        The global target grid; the factor is then derived (and checked against ``factor``).
    min_fraction : float, default 0.0
        Share of the target cell's area that must be valid, else NaN.
    fraction : bool, default False
        Return the valid area fraction (0…1) of each target cell instead of the mean.

    Returns
    -------
    xarray.DataArray
        The coarse field (same attrs, name, leading dims), or its valid fraction [1].

    Raises
    ------
    GridError
        For a non-regular or non-ascending grid, a factor that does not divide the sizes, or a
        target that is not a whole multiple of the source resolution.
    """
    check_lat_lon_last(da, "coarsen_conservative")
    n, res = _factor(da, factor, target)
    weights = row_weights(da["lat"].values, res)
    if fraction:
        data = _apply_blocks(da.data, n, weights, np_coarsen_fraction, np.float64)
        attrs = {"units": "1", "long_name": "valid fraction of the cell area"}
        return xr.DataArray(data, dims=da.dims, coords=_coarse_coords(da, n, res), attrs=attrs)

    def kernel(x: NDArray[Any], f: int, w: Float64Array) -> NDArray[Any]:
        return np_coarsen_conservative(x, f, w, min_fraction)

    dtype = np.result_type(da.dtype, np.float32)
    data = _apply_blocks(da.data, n, weights, kernel, dtype)
    return xr.DataArray(
        data, dims=da.dims, coords=_coarse_coords(da, n, res), attrs=dict(da.attrs), name=da.name
    )


__all__ = [
    "coarsen_conservative",
    "np_coarsen_conservative",
    "np_coarsen_fraction",
    "row_weights",
]
