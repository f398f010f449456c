"""Conservative coarsening and regridding: conservation, NaN rules, numpy = xarray = dask."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

from picpump.errors import GridError
from picpump.grid import Grid
from picpump.science.area import np_cell_area
from picpump.science.overlap import lat_overlap, lon_overlap
from picpump.science.registry import variant
from picpump.science.regrid import coarsen_conservative, np_coarsen_conservative, row_weights
from picpump.science.regrid_rectilinear import regrid_conservative
from tests.conftest import raise_if_dask_computes

SPHERE = variant("cell_area")
RNG = np.random.default_rng(11)


def field(grid: Grid, lead: int = 2, nan_share: float = 0.0) -> xr.DataArray:
    values = RNG.random((lead, *grid.shape), dtype=np.float32).astype(np.float64) * 10.0
    values[RNG.random(values.shape) < nan_share] = np.nan
    return xr.DataArray(
        values,
        dims=("month", "lat", "lon"),
        coords={"month": np.arange(1, lead + 1), "lat": grid.lat, "lon": grid.lon},
        attrs={"units": "g m-2"},
        name="stock",
    )


def integral(da: xr.DataArray, resolution: float) -> np.ndarray:
    """Σ value × area [value m2] with the project's own cell areas (independent of regrid)."""
    area = np_cell_area(da["lat"].values, resolution, SPHERE)[:, None]
    return np.asarray((da.values * area).sum(axis=(-2, -1)))


@pytest.mark.parametrize(("fine", "factor"), [(Grid(0.25), 4), (Grid(1 / 24), 24), (Grid(1), 1)])
def test_coarsening_conserves_the_area_integral(fine: Grid, factor: int) -> None:
    # a regional tile from the South Pole, 120 × 240 cells
    lat, lon = fine.lat[:120], fine.lon[:240]
    values = RNG.random((1, lat.size, lon.size)) * 10.0
    da = xr.DataArray(values, dims=("t", "lat", "lon"), coords={"lat": lat, "lon": lon})
    coarse = coarsen_conservative(da, factor)
    assert coarse.shape == (1, 120 // factor, 240 // factor)
    np.testing.assert_allclose(
        integral(coarse, fine.resolution * factor), integral(da, fine.resolution), rtol=1e-10
    )


def test_factor_one_is_the_identity() -> None:
    da = field(Grid(2.0), nan_share=0.2)
    np.testing.assert_array_equal(coarsen_conservative(da, 1).values, da.values)


def test_target_grid_gives_the_factor_and_coordinates() -> None:
    da = field(Grid(0.25), lead=1)
    out = coarsen_conservative(da, target=Grid(1.0))
    np.testing.assert_array_equal(out["lat"], Grid(1.0).lat)  # exact: aligns with 1° products
    np.testing.assert_array_equal(out["lon"], Grid(1.0).lon)
    tiny = xr.DataArray(
        dsa.ones((1, 4320, 8640), dtype=np.float32, chunks=(1, 1440, 2880)),
        dims=("t", "lat", "lon"),
        coords={"lat": Grid(1 / 24).lat, "lon": Grid(1 / 24).lon},
    )
    four_km = coarsen_conservative(tiny, 24)  # lazy: no 4 km array is reduced here
    np.testing.assert_array_equal(four_km["lat"], Grid(1.0).lat)
    assert four_km.chunks is not None and four_km.chunks[1:] == ((60, 60, 60), (120, 120, 120))
    assert out.dims == da.dims and out.attrs == da.attrs and out.name == "stock"


def test_constant_stays_constant_with_missing_cells() -> None:
    da = xr.full_like(field(Grid(0.5), nan_share=0.0), 3.25)
    da = da.where(RNG.random(da.shape) > 0.3)
    out = coarsen_conservative(da, 4)
    valid = out.values[np.isfinite(out.values)]
    assert valid.size > 0.9 * out.size
    np.testing.assert_allclose(valid, 3.25, rtol=1e-12)


def test_nan_cells_are_left_out_and_weights_renormalised() -> None:
    grid = Grid(30.0)  # 6 × 12, factor 2 → 3 × 6
    values = np.arange(72, dtype=np.float64).reshape(1, 6, 12)
    values[0, 0, 0] = np.nan  # southernmost block loses one sub-cell
    da = xr.DataArray(values, dims=("t", "lat", "lon"), coords={"lat": grid.lat, "lon": grid.lon})
    w = np_cell_area(grid.lat, 30.0, SPHERE)
    expected = (values[0, 0, 1] * w[0] + values[0, 1, 0] * w[1] + values[0, 1, 1] * w[1]) / (
        w[0] + 2 * w[1]
    )
    out = coarsen_conservative(da, 2)
    np.testing.assert_allclose(out.values[0, 0, 0], expected, rtol=1e-12)
    share = (w[0] + 2 * w[1]) / (2 * w[0] + 2 * w[1])
    fraction = coarsen_conservative(da, 2, fraction=True)
    np.testing.assert_allclose(fraction.values[0, 0, 0], share, rtol=1e-12)
    assert fraction.values[0, 0, 1] == 1.0
    assert np.isnan(coarsen_conservative(da, 2, min_fraction=share + 1e-6).values[0, 0, 0])
    assert np.isfinite(coarsen_conservative(da, 2, min_fraction=share).values[0, 0, 0])


def test_all_missing_block_is_missing() -> None:
    da = field(Grid(10.0), lead=1)
    da[0, :2, :2] = np.nan
    assert np.isnan(coarsen_conservative(da, 2).values[0, 0, 0])


def test_numpy_xarray_and_dask_agree_and_dask_stays_lazy() -> None:
    grid = Grid(0.5)
    da = field(grid, lead=3, nan_share=0.3).astype(np.float32)
    kernel = np_coarsen_conservative(da.values, 4, row_weights(grid.lat, 0.5), 0.5)
    eager = coarsen_conservative(da, 4, min_fraction=0.5)
    with raise_if_dask_computes():
        lazy = coarsen_conservative(
            da.chunk({"month": 1, "lat": 90, "lon": 100}), 4, min_fraction=0.5
        )
        lazy_fraction = coarsen_conservative(da.chunk({"lat": 36}), 4, fraction=True)
    assert lazy.dtype == np.float32 and lazy.chunks is not None
    assert lazy.chunks[1] == (23, 23, 23, 21)  # lat chunks of 90 → multiples of 4: 92
    np.testing.assert_array_equal(eager.values, kernel)
    np.testing.assert_allclose(lazy.values, kernel, rtol=1e-6)
    np.testing.assert_allclose(
        lazy_fraction.values, coarsen_conservative(da, 4, fraction=True).values
    )


@pytest.mark.parametrize(
    ("shape", "factor", "target", "match"),
    [
        ((12, 24), 5, None, "dividing the lat and lon sizes"),
        ((12, 24), None, Grid(22.5), "whole multiple"),
        ((12, 24), 2, Grid(45.0), "whole multiple"),
        ((12, 24), None, None, "factor or a target"),
        ((6, 24), 2, Grid(30.0), "global source"),
    ],
)
def test_bad_factors_raise_grid_error(
    shape: tuple[int, int], factor: int | None, target: Grid | None, match: str
) -> None:
    lat = -90 + 15.0 * (np.arange(shape[0]) + 0.5)
    lon = -180 + 15.0 * (np.arange(shape[1]) + 0.5)
    da = xr.DataArray(np.ones(shape), dims=("lat", "lon"), coords={"lat": lat, "lon": lon})
    with pytest.raises(GridError, match=match):
        coarsen_conservative(da, factor, target=target)


def test_irregular_or_descending_grid_is_refused() -> None:
    da = field(Grid(10.0), lead=1)
    with pytest.raises(GridError, match="regular, ascending 'lat'"):
        coarsen_conservative(da.isel(lat=slice(None, None, -1)), 2)
    with pytest.raises(GridError, match=r"\(\.\.\., lat, lon\)"):
        coarsen_conservative(da.transpose("lat", "month", "lon"), 2)


def test_overlap_weights_sum_to_cell_areas() -> None:
    edges_src = np.array([-90.0, -30.0, 10.0, 90.0])
    edges_tgt = np.linspace(-90, 90, 7)
    lat_w = lat_overlap(edges_src, edges_tgt)
    np.testing.assert_allclose(lat_w.sum(axis=1), np.diff(np.sin(np.deg2rad(edges_tgt))))
    lon_w = lon_overlap(np.array([-181.25, -178.75, 178.75]), np.array([-180.0, -179.0, 179.0]))
    # the first source cell straddles the dateline: 0.25° of it on each side of the second
    # target cell (−179…179), and the whole first target cell (−180…−179)
    np.testing.assert_allclose(lon_w, [[1.0, 0.0], [0.5, 357.5]])


@pytest.mark.parametrize("source", [Grid(2.0), Grid(0.5), Grid(1.0)])
def test_regrid_conserves_the_area_integral(source: Grid) -> None:
    da = field(source)
    out = regrid_conservative(da, Grid(1.0))
    np.testing.assert_allclose(integral(out, 1.0), integral(da, source.resolution), rtol=1e-10)


def test_regrid_of_a_2x2_5_grid_with_lon_0_360_and_lat_descending() -> None:
    lat = np.arange(89.0, -90.0, -2.0)  # 90 rows, centres ±89, descending
    lon = np.arange(0.0, 360.0, 2.5)  # 144 columns, centres 0 … 357.5 (cells straddle 0°)
    values = RNG.random((lat.size, lon.size))
    da = xr.DataArray(values, dims=("lat", "lon"), coords={"lat": lat, "lon": lon})
    out = regrid_conservative(da, Grid(1.0))
    area_src = np.diff(np.sin(np.deg2rad(np.clip(lat[:, None] + [[1.0, -1.0]], -90, 90))))
    total_src = (values * -area_src * np.deg2rad(2.5)).sum()
    area_1 = np_cell_area(Grid(1.0).lat, 1.0, SPHERE)[:, None] / SPHERE.params["radius"] ** 2
    np.testing.assert_allclose((out.values * area_1).sum(), total_src, rtol=1e-10)
    # a 1° cell inside one source cell takes its value: lat 88.5 and lon 0.5 lie in (89, 0)
    np.testing.assert_allclose(out.sel(lat=88.5, lon=0.5).item(), values[0, 0])


def test_regrid_nan_aware_constant_and_fraction() -> None:
    da = xr.full_like(field(Grid(2.0), lead=1), 7.0).where(RNG.random((1, 90, 180)) > 0.25)
    out = regrid_conservative(da, Grid(1.0))
    np.testing.assert_allclose(out.values[np.isfinite(out.values)], 7.0, rtol=1e-12)
    fraction = regrid_conservative(da, Grid(1.0), fraction=True)
    assert set(np.unique(fraction.values)) <= {0.0, 1.0}  # 1° cells nest in 2° cells
    np.testing.assert_array_equal(np.isfinite(out.values), fraction.values > 0)
    strict = regrid_conservative(da, Grid(4.0), min_fraction=1.0)
    loose = regrid_conservative(da, Grid(4.0))
    assert np.isnan(strict.values).sum() > np.isnan(loose.values).sum()


def test_regrid_equals_coarsening_and_dask_stays_lazy() -> None:
    da = field(Grid(0.5), lead=2, nan_share=0.2)
    expected = coarsen_conservative(da, 2).values
    np.testing.assert_allclose(regrid_conservative(da, Grid(1.0)).values, expected, rtol=1e-12)
    with raise_if_dask_computes():
        lazy = regrid_conservative(da.chunk({"month": 1}), Grid(1.0))
    assert lazy.chunks is not None and lazy.chunks[0] == (1, 1)
    np.testing.assert_allclose(lazy.values, expected, rtol=1e-12)


def test_regrid_refuses_repeated_columns() -> None:
    lon = np.append(np.arange(0.0, 360.0, 10.0), 360.0)  # 0° and 360° both present
    da = xr.DataArray(np.ones((18, lon.size)), dims=("lat", "lon"))
    da = da.assign_coords(lat=Grid(10.0).lat, lon=lon)
    with pytest.raises(GridError, match="distinct cell centres"):
        regrid_conservative(da, Grid(10.0))
