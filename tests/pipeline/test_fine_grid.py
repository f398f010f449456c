"""The whole pipeline on a 0.5° archive: fine products, 1° tables by conservative coarsening."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.demo import build_demo_archive
from picpump.demo.naming import BATHYMETRY_FILE, Month, month_files
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_static
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline.plan import Plan
from picpump.pipeline.run import RunResult
from picpump.pipeline.sources import RunSources
from picpump.pipeline.table_products import (
    ANNUAL_FIELDS,
    CLIMATOLOGY_FIELDS,
    OCEAN_SHARE,
    build_tables,
)
from picpump.science.regrid import coarsen_conservative
from tests.conftest import REPO, raise_if_dask_computes
from tests.pipeline.fine_archive import (
    FINE,
    FINE_BATHYMETRY_FILE,
    build_fine_archive,
    colour_gaps,
    fine_catalog,
    fine_month_files,
    short_spec,
)

pytestmark = pytest.mark.integration

# Four months (the northern blooms), enough for every table to have rows, in ~20 s.
START, PERIODS, END, SEED = "2001-05", 4, "2001-08", 20260
ONE_DEGREE = Grid(1.0)
GRIDDED = ("inputs", "monthly", "climatology", "annual")


def _project(root: Path, resolution: float) -> tuple[str, str]:
    """Catalog and spec of a project folder whose archive is ``root/data/demo``."""
    (root / "catalogs").mkdir()
    demo = REPO / "catalogs" / "demo.yaml"
    if resolution == 1.0:
        catalog = root / "catalogs" / "demo.yaml"
        shutil.copy(demo, catalog)
    else:
        catalog = fine_catalog(demo, root / "catalogs" / "demo_fine.yaml")
    pipeline = REPO / "pipelines" / "toullec2026.yaml"
    spec = short_spec(pipeline, root / "spec.yaml", (START, END), resolution)
    return str(catalog), str(spec)


@pytest.fixture(scope="module")
def fine_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("fine-project")
    build_fine_archive(root / "data" / "demo", start=START, periods=PERIODS, seed=SEED)
    return _project(root, FINE.resolution)


@pytest.fixture(scope="module")
def coarse_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("coarse-project")
    build_demo_archive(root / "data" / "demo", start=START, periods=PERIODS, seed=SEED)
    return _project(root, ONE_DEGREE.resolution)


def _run(project: tuple[str, str], out: Path) -> tuple[Plan, RunResult]:
    catalog, spec = project
    plan = make_plan(load_spec(spec), load_catalog(catalog), str(out))
    return plan, execute(plan, None, progress=False)


@pytest.fixture(scope="module")
def fine_run(fine_project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, RunResult]:
    return _run(fine_project, tmp_path_factory.mktemp("fine-run") / "out")


@pytest.fixture(scope="module")
def coarse_run(coarse_project, tmp_path_factory: pytest.TempPathFactory):
    return _run(coarse_project, tmp_path_factory.mktemp("coarse-run") / "out")


def _archive(project: tuple[str, str]) -> Path:
    return Path(project[0]).parents[1] / "data" / "demo"


# Attributes that depend on the grid, the coverage or the file name; every other attribute of
# a fine file equals that of the 1° demo file of the same month.
GRID_ATTRIBUTES = {
    "product_name",
    "title",
    "dataset_id",
    "ofile",
    "resolution",
    "spatial_resolution",
    "nb_equ_bins",
    "lat_step",
    "lon_step",
    "northernmost_latitude",
    "southernmost_latitude",
    "westernmost_longitude",
    "easternmost_longitude",
    "nb_grid_bins",
    "nb_bins",
    "nb_valid_bins",
    "pct_valid_bins",
    "latitude_step",
    "longitude_step",
    "sw_point_latitude",
    "sw_point_longitude",
    "geospatial_lat_resolution",
    "geospatial_lon_resolution",
    "spatialResolution",
    "number_of_lines",
    "number_of_columns",
    "data_bins",
    "data_minimum",
    "data_maximum",
}


def _attrs(obj: netCDF4.Dataset | netCDF4.Group | netCDF4.Variable) -> dict[str, Any]:
    return {k: obj.getncattr(k) for k in obj.ncattrs()}


def _assert_same_attrs(fine: dict[str, Any], coarse: dict[str, Any], where: str) -> None:
    assert list(fine) == list(coarse), where
    for key, value in coarse.items():
        assert type(fine[key]) is type(value), (where, key)
        if key not in GRID_ATTRIBUTES:
            assert np.array_equal(fine[key], value), (where, key)


def _assert_same_layout(fine: netCDF4.Dataset, coarse: netCDF4.Dataset, where: str) -> None:
    """Same dimensions, variables, dtypes, fill values, attributes and groups."""
    sizes = {n: len(d) for n, d in coarse.dimensions.items()}
    sizes |= {k: n for k, n in (("lat", FINE.nlat), ("lon", FINE.nlon)) if k in sizes}
    assert {n: len(d) for n, d in fine.dimensions.items()} == sizes, where
    _assert_same_attrs(_attrs(fine), _attrs(coarse), where)
    assert list(fine.variables) == list(coarse.variables), where
    for name, var in coarse.variables.items():
        other = fine.variables[name]
        assert (other.dtype, other.dimensions) == (var.dtype, var.dimensions), (where, name)
        assert other.filters()["zlib"] == var.filters()["zlib"], (where, name)
        _assert_same_attrs(_attrs(other), _attrs(var), f"{where}:{name}")
    assert list(fine.groups) == list(coarse.groups), where
    for name, group in coarse.groups.items():
        _assert_same_layout(fine.groups[name], group, f"{where}/{name}")


def _block_mean(values: np.ndarray) -> np.ndarray:
    """Unweighted mean of each 2 × 2 block of the last two axes (NaN when one is missing)."""
    *lead, ny, nx = values.shape
    return values.reshape(*lead, ny // 2, 2, nx // 2, 2).mean(axis=(-3, -1))


def test_fine_files_keep_the_demo_layouts(fine_project, coarse_project) -> None:
    month = Month.parse(START)
    fine_files, coarse_files = fine_month_files(month), month_files(month)
    pairs = [(fine_files[k], coarse_files[k], k) for k in coarse_files]
    pairs.append((FINE_BATHYMETRY_FILE, BATHYMETRY_FILE, "elevation"))
    variables = {"SST": "sst", "PP": "PP"}
    for fine_name, coarse_name, key in pairs:
        assert fine_name != coarse_name
        with (
            netCDF4.Dataset(_archive(fine_project) / fine_name) as fine,
            netCDF4.Dataset(_archive(coarse_project) / coarse_name) as coarse,
        ):
            _assert_same_layout(fine, coarse, fine_name)
            lat = coarse["lat"][:]
            expected = FINE.lat[::-1] if lat[0] > lat[-1] else FINE.lat
            np.testing.assert_array_equal(fine["lat"][:], expected.astype(np.float32))
            np.testing.assert_array_equal(fine["lon"][:], FINE.lon.astype(np.float32))
            variable = variables.get(key, f"{key}_mean" if key.isupper() else key)
            values = np.ma.filled(fine[variable][:].astype(np.float64), np.nan)
            reference = np.ma.filled(coarse[variable][:].astype(np.float64), np.nan)
            # The sub-cell texture sums to zero: the 2 × 2 mean gives the 1° field back.
            mean = _block_mean(values)
            both = np.isfinite(mean)
            assert both.sum() > 0.3 * both.size
            np.testing.assert_allclose(mean[both], reference[both], rtol=2e-6, atol=1e-5)


def test_building_the_fine_plan_computes_nothing(fine_project, tmp_path: Path) -> None:
    catalog, spec = fine_project
    with raise_if_dask_computes():
        plan = make_plan(load_spec(spec), load_catalog(catalog), str(tmp_path / "out"))
    assert plan.spec.grid == FINE
    assert plan.products["inputs"]["pic"].shape == (PERIODS, *FINE.shape)
    for name in GRIDDED:
        assert (plan.products[name].sizes["lat"], plan.products[name].sizes["lon"]) == FINE.shape
    assert not (tmp_path / "out").exists()


def test_products_are_on_the_fine_grid(fine_run) -> None:
    plan, result = fine_run
    for name in GRIDDED:
        ds = open_product(result.products[name])
        assert (ds.sizes["lat"], ds.sizes["lon"]) == FINE.shape, name
        np.testing.assert_array_equal(ds["lat"], FINE.lat)
        np.testing.assert_array_equal(ds["lon"], FINE.lon)
    production = open_product(result.products["monthly"])["ez_pic_production"].load()
    assert production.shape == (PERIODS, *FINE.shape)
    for i, month in enumerate(pd.date_range(START, END, freq="MS")):
        field = production.isel(time=i).values
        gaps = colour_gaps(Month(month.year, month.month))
        # The sub-cell gaps of the ocean colour reach the product cell by cell.
        assert np.isnan(field[gaps]).all()
        assert np.isfinite(field[~gaps]).sum() > 0.2 * FINE.nlat * FINE.nlon


def test_global_totals_match_the_one_degree_run(fine_run, coarse_run) -> None:
    """Totals of the 0.5° run against the same months run on the 1° demo archive.

    Expected ratio (0.5° / 1°): 1 for NPP, whose sub-cell texture sums to zero over each
    block (only the slightly different areas of the two sub-rows change the total, < 1e-4);
    ``1 - 1/64`` for everything built on ocean colour, as one sub-cell in 16 blocks (1/64 of
    the area, a diagonal lattice unrelated to the fields) has no ocean colour at 0.5°. The
    tolerance, 0.3 % of the total, covers the uneven weight of the removed sub-cells and the
    second-order effect of the ±10 % texture through the nonlinear production model; it is far
    below the 1.6 % the gaps remove, so a total that ignores the cell areas, double-counts the
    sub-cells (×4) or is not affected by the gaps fails.
    """
    fine = open_product(fine_run[1].products["global_totals"]).load()
    coarse = open_product(coarse_run[1].products["global_totals"]).load()
    assert set(fine.data_vars) == set(coarse.data_vars)
    for name in fine.data_vars:
        expected = 1.0 if str(name).startswith("global_npp") else 1.0 - 1.0 / 64
        ratio = (fine[name] / coarse[name]).values
        np.testing.assert_allclose(ratio, expected, rtol=3e-3, err_msg=name)
        np.testing.assert_allclose(ratio, 1.0, rtol=0.03, err_msg=name)  # within a few %


def test_every_table_is_written(fine_run) -> None:
    plan, result = fine_run
    assert plan.spec.analysis.tables
    for name in plan.spec.analysis.tables:
        table, attrs = read_table(result.products[name])
        assert len(table) > 0, name
        assert attrs["picpump_product"] == name


def test_tables_equal_those_of_an_independent_coarsening(fine_project, fine_run) -> None:
    """Coarsen the written 0.5° products here, build the tables on them as a 1° run would."""
    catalog, spec = fine_project
    _, result = fine_run
    clim = open_product(result.products["climatology"])
    annual = open_product(result.products["annual"])
    share = coarsen_conservative(clim["open_ocean"].astype("float64"), target=ONE_DEGREE)
    coarse_clim = xr.Dataset(
        {n: coarsen_conservative(clim[n], target=ONE_DEGREE) for n in CLIMATOLOGY_FIELDS}
    ).assign(open_ocean=share >= OCEAN_SHARE)
    coarse_annual = xr.Dataset(
        {n: coarsen_conservative(annual[n], target=ONE_DEGREE) for n in ANNUAL_FIELDS}
    )
    one_degree_spec = load_spec(spec, overrides={"grid": {"resolution": 1.0}})
    cat = load_catalog(catalog)
    bathymetry = open_static(cat, one_degree_spec.inputs["bathymetry"])
    sources = RunSources.from_catalog(cat, one_degree_spec.analysis_entries, bathymetry)
    tables = build_tables(sources, one_degree_spec, coarse_clim, coarse_annual)
    assert list(tables) == list(one_degree_spec.analysis.tables)
    for name, expected in tables.items():
        written, _ = read_table(result.products[name])
        pd.testing.assert_frame_equal(written, expected, obj=name)


def _weighted_block_means(
    field: np.ndarray, months: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means of the 2 × 2 fine cells of each 1° cell: area-weighted, plain and NaN-strict."""
    rows = 2 * np.floor(lat + 90.0).astype(int)[:, None] + np.arange(2)
    cols = 2 * np.floor(lon + 180.0).astype(int)[:, None] + np.arange(2)
    blocks = field[(months - 1)[:, None, None], rows[:, :, None], cols[:, None, :]]
    centre = np.deg2rad(FINE.lat[rows])
    half = np.deg2rad(FINE.resolution / 2)
    weights = (np.sin(centre + half) - np.sin(centre - half))[:, :, None]  # area of a row
    valid = np.isfinite(blocks)
    with np.errstate(invalid="ignore"):
        weighted = np.where(valid, blocks * weights, 0).sum(axis=(1, 2)) / (
            (valid * weights).sum(axis=(1, 2))
        )
        plain = np.nanmean(blocks.reshape(len(months), 4), axis=1)
    return weighted, plain, blocks.mean(axis=(1, 2))


@pytest.mark.filterwarnings("ignore:Mean of empty slice")
def test_matchups_are_area_weighted_means_of_the_fine_climatology(fine_run) -> None:
    _, result = fine_run
    matchups, _ = read_table(result.products["matchups"])
    rows = matchups[matchups["matched_on"] == "month"]
    clim = open_product(result.products["climatology"])
    for column, field in (("production", "ez_pic_production_mean"), ("npp", "npp_mean")):
        weighted, plain, strict = _weighted_block_means(
            clim[field].values,
            rows["month"].to_numpy(dtype=int),
            rows["cell_lat"].to_numpy(),
            rows["cell_lon"].to_numpy(),
        )
        got = rows[column].to_numpy()
        np.testing.assert_allclose(got, weighted, rtol=1e-6, equal_nan=True, err_msg=column)
        found = np.isfinite(weighted)
        assert found.sum() > 200, column
        # The reference tells the weights apart, and NaN-aware from NaN-propagating means.
        assert not np.allclose(got[found], plain[found], rtol=1e-6), column
        if column == "production":
            assert np.isnan(strict[found]).any()


def test_matchups_agree_with_the_one_degree_run(fine_run, coarse_run) -> None:
    """Same traps, flags and cells; values within the sub-cell structure of the fine archive.

    NPP has no sub-cell gaps and a texture that sums to zero, so only the unequal areas of
    the sub-rows separate the two runs (< 1e-3). Production also loses one sub-cell in some
    blocks: the mean of the other three moves by at most 2 % for a linear field
    ((0.10 - 0.02 - 0.02) / 3), hence 3 %.
    """
    fine, _ = read_table(fine_run[1].products["matchups"])
    coarse, _ = read_table(coarse_run[1].products["matchups"])
    same = ["trap_id", "start", "qc", "layer", "cell_lat", "cell_lon", "month", "matched_on"]
    pd.testing.assert_frame_equal(fine[same], coarse[same])
    np.testing.assert_allclose(fine["npp"], coarse["npp"], rtol=1e-3)
    np.testing.assert_allclose(fine["production"], coarse["production"], rtol=0.03)
    assert fine["production"].notna().sum() > 200
