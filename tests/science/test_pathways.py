"""Export pathways by latitude (Fig. 7b): regrid to 1°, area-weighted band means."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from picpump.errors import GridError, SpecError
from picpump.grid import Grid
from picpump.science.area import cell_area
from picpump.science.pathways import COLUMNS, pathways_by_latitude, pathways_on_grid
from picpump.science.registry import variant
from tests.conftest import raise_if_dask_computes

SPHERE = variant("cell_area")
RNG = np.random.default_rng(5)


def fractions(grid: Grid, fecal: np.ndarray) -> xr.Dataset:
    coords = {"lat": grid.lat, "lon": grid.lon}
    return xr.Dataset(
        {
            "fecal_pellets": (("lat", "lon"), fecal, {"units": "1"}),
            "aggregates": (("lat", "lon"), 1.0 - fecal, {"units": "1"}),
        },
        coords=coords,
    )


def test_band_means_against_a_hand_computation() -> None:
    grid = Grid(30.0)  # 6 rows, one per 30° band
    fecal = RNG.uniform(0.6, 0.95, grid.shape)
    fecal[2, :4] = np.nan
    area = cell_area(grid, SPHERE)
    table = pathways_by_latitude(fractions(grid, fecal), band_deg=60.0, area=area)
    assert list(table.columns) == COLUMNS
    np.testing.assert_allclose(table["lat_min"], [-90, -30, 30])
    np.testing.assert_allclose(table["lat_max"], [-30, 30, 90])
    a = area.values
    for band, rows in enumerate(([0, 1], [2, 3], [4, 5])):
        x, w = fecal[rows], a[rows]
        ok = np.isfinite(x)
        expected = (x[ok] * w[ok]).sum() / w[ok].sum()
        assert table.loc[band, "fecal_pellets"] == pytest.approx(expected, rel=1e-12)
        assert table.loc[band, "aggregates"] == pytest.approx(1 - expected, rel=1e-12)
        assert table.loc[band, "n_cells"] == ok.sum()


def test_ocean_mask_and_empty_bands() -> None:
    grid = Grid(30.0)
    fecal = np.full(grid.shape, 0.8)
    fecal[0] = 0.5
    ocean = xr.ones_like(cell_area(grid, SPHERE), dtype=bool)
    ocean[1:] = False
    table = pathways_by_latitude(
        fractions(grid, fecal), 30.0, area=cell_area(grid, SPHERE), ocean=ocean
    )
    assert table.loc[0, "fecal_pellets"] == pytest.approx(0.5)
    assert table["fecal_pellets"].iloc[1:].isna().all()
    assert list(table["n_cells"]) == [12, 0, 0, 0, 0, 0]


def test_regrid_from_2deg_keeps_the_global_mean() -> None:
    source = Grid(2.0)
    lat = source.lat[:, None] * np.ones(source.nlon)
    fecal = 0.78 + 0.12 * np.exp(-((lat / 38.0) ** 2))
    fecal[RNG.random(fecal.shape) < 0.3] = np.nan  # land
    src = fractions(source, fecal)
    with raise_if_dask_computes():
        lazy = pathways_on_grid(src.chunk(), Grid(1.0))
    one = lazy.compute()
    # 1° cells nest in 2° cells: the area-weighted mean over the valid cells is unchanged
    w_src = cell_area(source, SPHERE).where(src["fecal_pellets"].notnull())
    w_one = cell_area(Grid(1.0), SPHERE).where(one["fecal_pellets"].notnull())
    np.testing.assert_allclose(
        float((one["fecal_pellets"] * w_one).sum() / w_one.sum()),
        float((src["fecal_pellets"] * w_src).sum() / w_src.sum()),
        rtol=1e-10,
    )
    table = pathways_by_latitude(one, area=cell_area(Grid(1.0), SPHERE))
    assert len(table) == 18
    assert table["fecal_pellets"].iloc[8] > table["fecal_pellets"].iloc[0]  # tropics > polar
    np.testing.assert_allclose(table["fecal_pellets"] + table["aggregates"], 1.0, rtol=1e-6)


def test_rules() -> None:
    grid = Grid(30.0)
    ds = fractions(grid, np.full(grid.shape, 0.8))
    area = cell_area(grid, SPHERE)
    with pytest.raises(SpecError, match="divide 180"):
        pathways_by_latitude(ds, 7.0, area=area)
    with pytest.raises(SpecError, match="aggregates"):
        pathways_by_latitude(ds.drop_vars("aggregates"), area=area)
    with pytest.raises(GridError, match="share one grid"):
        pathways_by_latitude(ds, area=cell_area(Grid(10.0), SPHERE))
