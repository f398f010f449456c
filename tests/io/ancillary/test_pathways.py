"""Reader of export-pathway grids and the demo pathway file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from picpump.demo.pathways import FECAL_PELLETS_GLOBAL, ocean_2deg, write_demo_pathways
from picpump.errors import GridError, InputError, UnitsError
from picpump.grid import Grid
from picpump.io.ancillary.pathways import read_pathways
from picpump.science.area import cell_area
from picpump.science.pathways import pathways_by_latitude, pathways_on_grid
from picpump.science.registry import variant
from picpump.units import fraction_factor

SOURCE = Grid(2.0)
NAMES = {"fecal_pellets": "FP", "aggregates": "AGG"}
RNG = np.random.default_rng(21)


def write(path: Path, fecal: np.ndarray, units: str | None, *, extra_dim: bool = False) -> None:
    """Lat descending, lon 0…360, under the file's own names."""
    order = np.argsort(SOURCE.lon % 360)
    attrs = {} if units is None else {"units": units}
    scale = 100.0 if units == "%" else 1.0
    fields = {"FP": fecal, "AGG": 1.0 - fecal}
    dims: tuple[str, ...] = ("lat", "lon")
    data = {}
    for name, v in fields.items():
        stored = (v * scale)[::-1][:, order]
        if extra_dim:
            stored = np.stack([stored, stored * 0.5])
        data[name] = ((("model", *dims) if extra_dim else dims), stored, attrs)
    coords = {"lat": SOURCE.lat[::-1], "lon": (SOURCE.lon % 360)[order]}
    xr.Dataset(data, coords=coords).to_netcdf(path, engine="netcdf4")


def test_fraction_units() -> None:
    assert fraction_factor("%", "x") == 0.01
    assert fraction_factor("percent", "x") == 0.01
    assert fraction_factor("1", "x") == 1.0
    for bad in (None, "m", "ppm"):
        with pytest.raises(UnitsError, match="'1' \\(0-1\\) or '%'"):
            fraction_factor(bad, "x")


@pytest.mark.parametrize("units", ["%", "1"])
def test_percent_or_fraction_file_is_read_canonically(tmp_path: Path, units: str) -> None:
    fecal = RNG.uniform(0.6, 0.95, SOURCE.shape)
    fecal[:5] = np.nan
    write(tmp_path / "p.nc", fecal, units)
    ds = read_pathways(str(tmp_path / "p.nc"), variables=NAMES)
    np.testing.assert_allclose(ds["lat"], SOURCE.lat)
    np.testing.assert_allclose(ds["lon"], SOURCE.lon)
    np.testing.assert_allclose(ds["fecal_pellets"].values, fecal, rtol=1e-6)
    np.testing.assert_allclose(ds["aggregates"].values, 1 - fecal, rtol=1e-6)
    assert ds["fecal_pellets"].attrs["units"] == "1"


def test_units_are_never_guessed(tmp_path: Path) -> None:
    fecal = RNG.uniform(0.6, 0.95, SOURCE.shape)
    write(tmp_path / "p.nc", fecal, None)
    with pytest.raises(UnitsError, match="units None"):
        read_pathways(str(tmp_path / "p.nc"), variables=NAMES)
    ds = read_pathways(str(tmp_path / "p.nc"), variables=NAMES, units="1")
    np.testing.assert_allclose(ds["fecal_pellets"].values, fecal, rtol=1e-6)


def test_out_of_range_is_refused(tmp_path: Path) -> None:
    fecal = RNG.uniform(0.6, 0.95, SOURCE.shape)
    write(tmp_path / "pct.nc", fecal, "%")
    with pytest.raises(InputError, match="within 0-1"):  # percent read as a fraction
        read_pathways(str(tmp_path / "pct.nc"), variables=NAMES, units="1")
    fecal[3, 3] = -0.2
    write(tmp_path / "neg.nc", fecal, "1")
    with pytest.raises(InputError, match="-0.2"):
        read_pathways(str(tmp_path / "neg.nc"), variables=NAMES)


def test_extra_dims_need_a_selection(tmp_path: Path) -> None:
    fecal = RNG.uniform(0.6, 0.95, SOURCE.shape)
    write(tmp_path / "m.nc", fecal, "1", extra_dim=True)
    with pytest.raises(InputError, match="\\['model'\\]"):
        read_pathways(str(tmp_path / "m.nc"), variables=NAMES)
    ds = read_pathways(str(tmp_path / "m.nc"), variables=NAMES, select={"model": 1})
    np.testing.assert_allclose(ds["fecal_pellets"].values, fecal * 0.5, rtol=1e-6)
    with pytest.raises(InputError, match="variable for 'fecal_pellets'"):
        read_pathways(str(tmp_path / "m.nc"), select={"model": 1})


def test_duplicate_dateline_column_is_refused(tmp_path: Path) -> None:
    lon = np.arange(0.0, 361.0, 10.0)  # 0 and 360
    ds = xr.Dataset(
        {
            "fecal_pellets": (("lat", "lon"), np.full((18, lon.size), 0.8), {"units": "1"}),
            "aggregates": (("lat", "lon"), np.full((18, lon.size), 0.2), {"units": "1"}),
        },
        coords={"lat": Grid(10.0).lat, "lon": lon},
    )
    ds.to_netcdf(tmp_path / "d.nc")
    with pytest.raises(GridError, match="distinct cell centres"):
        read_pathways(str(tmp_path / "d.nc"))


def test_demo_file_regrids_to_85_percent(tmp_path: Path) -> None:
    land = np.zeros((180, 360), dtype=bool)
    land[:16] = True
    land[60:120, 200:260] = True
    path = tmp_path / "pathways.nc"
    write_demo_pathways(path, seed=2, land=land)
    write_demo_pathways(tmp_path / "again.nc", seed=2, land=land)
    assert path.read_bytes() == (tmp_path / "again.nc").read_bytes()
    with xr.open_dataset(path) as raw:
        assert raw.sizes == {"latitude": 90, "longitude": 180}
        assert raw["latitude"].values[0] > raw["latitude"].values[-1]
        assert raw["longitude"].values.min() >= 0 and "synthetic demo data" in raw.attrs["comment"]
    names = {"fecal_pellets": "FP_fraction", "aggregates": "AGG_fraction"}
    ds = read_pathways(str(path), variables=names)
    assert np.isnan(ds["fecal_pellets"].values[~ocean_2deg(land)]).all()
    one = pathways_on_grid(ds, Grid(1.0))
    area = cell_area(Grid(1.0), variant("cell_area"))
    w = area.where(one["fecal_pellets"].notnull())
    mean = float((one["fecal_pellets"] * w).sum() / w.sum())
    assert mean == pytest.approx(FECAL_PELLETS_GLOBAL, abs=1e-6)
    table = pathways_by_latitude(one, 10.0, area=area)
    tropics = table.loc[(table["lat_min"] >= -10) & (table["lat_max"] <= 10), "fecal_pellets"]
    polar = table.loc[table["lat_min"] >= 60, "fecal_pellets"]
    assert tropics.min() > 0.88 and polar.max() < 0.82
