"""One set of canonical rules for NetCDF months, ARCO stores and ancillary grids."""

from __future__ import annotations

from pathlib import Path

import dask.array as da
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.errors import GridError
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.io.ingest import rules
from picpump.io.ingest.lazy import orient_lazy, standardise_lazy
from picpump.io.ingest.lonlat import canonical_lonlat, find_lonlat
from picpump.io.ingest.names import axis_role
from tests.io.real_layouts import arco_store

GRID = Grid(10.0)
CATALOGS = Path(__file__).resolve().parents[3] / "catalogs"
PP_PRODUCT = "OCEANCOLOUR_GLO_BGC_L4_MY_009_104"
PP_DATASET = "cmems_obs-oc_glo_bgc-pp_my_l4-multi-4km_P1M_202411"


def _stored(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Canonical (…, lat, lon) values stored lat descending, lon 0…360."""
    order = np.argsort(GRID.lon % 360.0)
    return values[..., ::-1, :][..., order], GRID.lat[::-1], (GRID.lon % 360.0)[order]


def test_orientation_flips_latitude_and_rolls_longitude() -> None:
    canonical = np.arange(GRID.nlat * GRID.nlon, dtype=np.float32).reshape(GRID.shape)
    stored, lat, lon = _stored(canonical)
    found = rules.orientation(lat, lon)
    assert found.flip_lat and found.lon_shift == GRID.nlon // 2
    np.testing.assert_array_equal(found.lat, GRID.lat)
    np.testing.assert_array_equal(found.lon, GRID.lon)
    np.testing.assert_array_equal(rules.orient(stored, found), canonical)
    np.testing.assert_array_equal(stored[np.ix_(found.lat_index(), found.lon_index())], canonical)


def test_canonical_coordinates_are_left_alone() -> None:
    found = rules.orientation(GRID.lat, GRID.lon)
    assert not found.flip_lat and found.lon_shift == 0
    values = np.ones(GRID.shape)
    assert rules.orient(values, found) is values


def test_the_same_orientation_runs_lazily_on_dask_with_the_stored_chunks() -> None:
    canonical = np.random.default_rng(1).random((3, *GRID.shape)).astype(np.float32)
    stored, lat, lon = _stored(canonical)
    var = xr.DataArray(
        da.from_array(stored, chunks=(1, 6, 12)),
        dims=("time", "lat", "lon"),
        coords={"lat": lat, "lon": lon},
    )
    out = orient_lazy(var, rules.orientation(lat, lon))
    assert out.chunks == ((1, 1, 1), (6, 6, 6), (12, 12, 12))
    np.testing.assert_array_equal(out.values, canonical)
    np.testing.assert_array_equal(out["lon"].values, GRID.lon)


def test_lazy_values_are_the_numpy_rule_block_by_block() -> None:
    values = np.random.default_rng(2).normal(1.0, 1.0, (4, *GRID.shape)).astype(np.float32)
    valid = {"valid_min": -0.5, "valid_max": 2.5}
    var = xr.DataArray(da.from_array(values, chunks=(1, 9, 18)), dims=("time", "lat", "lon"))
    out = standardise_lazy(var, valid, "npp", 1e3, 0.0)
    assert out.dtype == np.float32 and out.chunks == var.chunks
    expected = rules.standardise_decoded(values, valid, "npp", 1e3, 0.0)
    np.testing.assert_array_equal(out.values, expected)
    assert np.isnan(expected[values <= 0]).all() and np.isnan(expected[values > 2.5]).all()


def _write_arco(path: Path, values: np.ndarray, months: pd.DatetimeIndex, layout: str) -> None:
    """An ARCO store lat descending, lon 0…360, with a valid range."""
    stored, lat, lon = _stored(values)
    chunks = (1, GRID.nlat, GRID.nlon) if layout == "timeChunked" else (len(months), 6, 12)
    attrs = {"units": "milligram m-2 d-1", "valid_min": 10.0, "valid_max": 400.0}
    ds = xr.Dataset(
        {"PP": (("time", "latitude", "longitude"), stored, attrs)},
        coords={"time": months, "latitude": lat, "longitude": lon},
    )
    encoding = {"PP": {"chunks": chunks, "dtype": "float32", "_FillValue": np.float32(np.nan)}}
    ds.to_zarr(path, mode="w", zarr_format=2, consolidated=True, encoding=encoding)


@pytest.mark.parametrize("access", ["maps", "series"])
def test_arco_store_in_a_foreign_orientation_is_canonical(tmp_path: Path, access: str) -> None:
    months = pd.date_range("2015-01", periods=3, freq="MS")
    rng = np.random.default_rng(3)
    values = (rng.random((months.size, *GRID.shape)) * 500.0 - 20.0).astype(np.float32)
    for layout in ("timeChunked", "geoChunked"):
        _write_arco(
            arco_store(tmp_path, "043", PP_PRODUCT, PP_DATASET, layout), values, months, layout
        )
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    out = open_monthly(
        cat, "npp_arco", GRID, access=access, base_url=str(tmp_path), period=("2015-01", "2015-03")
    )
    expected = np.where((values >= 10.0) & (values <= 400.0), values, np.nan)
    np.testing.assert_array_equal(out.values, expected)
    np.testing.assert_array_equal(out["lat"].values, GRID.lat)


def test_axis_names_are_one_list_compared_case_insensitively() -> None:
    assert [axis_role(n) for n in ("LATITUDE", "Longitude", "nav_lat", "rlon", "T", "depth")] == [
        "lat",
        "lon",
        "lat",
        "lon",
        "time",
        None,
    ]
    assert find_lonlat(["time", "Longitude", "LAT"], None, None, "x.nc") == ("LAT", "Longitude")
    assert find_lonlat(["lat", "latitude", "lon"], None, None, "x.nc") == ("lat", "lon")


def _grid_dataset(lat: np.ndarray, lon: np.ndarray) -> xr.Dataset:
    values = np.arange(lat.size * lon.size, dtype=float).reshape(lat.size, lon.size)
    return xr.Dataset(
        {"v": (("y", "x"), values), "row": (("y",), lat.copy())}, coords={"y": lat, "x": lon}
    )


def test_ancillary_grids_follow_the_same_orientation() -> None:
    canonical = np.arange(GRID.nlat * GRID.nlon, dtype=float).reshape(GRID.shape)
    stored, lat, lon = _stored(canonical)
    ds = xr.Dataset(
        {"v": (("y", "x"), stored), "row": (("y",), lat.copy())}, coords={"y": lat, "x": lon}
    )
    out = canonical_lonlat(ds, "y", "x", "x.nc")
    np.testing.assert_array_equal(out["v"].values, canonical)
    np.testing.assert_array_equal(out["row"].values, GRID.lat)
    np.testing.assert_array_equal(out["lon"].values, GRID.lon)


@pytest.mark.parametrize(
    ("lat", "lon", "match"),
    [
        (np.array([0.0, 10.0, 5.0]), np.array([0.0, 10.0]), "in order"),
        (np.array([0.0, 95.0]), np.array([0.0, 10.0]), "'lat' values must be finite"),
        (np.array([0.0, np.nan]), np.array([0.0, 10.0]), "'lat' values must be finite"),
        (np.array([0.0, 10.0]), np.array([-200.0, 10.0]), "'lon' values must be finite"),
    ],
)
def test_ancillary_grids_out_of_order_or_range_are_refused(
    lat: np.ndarray, lon: np.ndarray, match: str
) -> None:
    with pytest.raises(GridError, match=match):
        canonical_lonlat(_grid_dataset(lat, lon), "y", "x", "x.nc")
