"""The demo archive: file conventions, manifest, determinism and physical shape.

One short archive (14 months from 2002-01, crossing two GlobColour sensor eras) is built
once for the module; the full 302-month layout is checked from the names alone.
"""

from __future__ import annotations

import fnmatch
import inspect
import json
import re
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import xarray as xr
import yaml

from picpump.demo import MANIFEST, build_demo_archive, read_manifest
from picpump.demo.build import sha256
from picpump.demo.naming import (
    GLOBCOLOUR_ERAS,
    Month,
    globcolour_era,
    month_files,
    month_range,
)
from picpump.demo.netcdf import atomic_dataset
from picpump.errors import InputError
from tests.conftest import REPO

START, PERIODS = "2002-01", 14
ANCILLARY_FILES, ANCILLARY_NETCDF = 5, 3  # region mask, traps (.tab, .csv), biomass, pathways
MONTHS = month_range(START, PERIODS)
PARAMS = ("PIC", "PAR", "KD490", "POC")
UNITS = {"PIC": "mol/m3", "PAR": "einstein/m2/day", "KD490": "m-1", "POC": "mg/m3"}
GLOBCOLOUR_RE = re.compile(
    r"L3m_(\d{8})-(\d{8})__GLOB_100_(AVW?)-([A-Z0-9]+)_(PIC|PAR|KD490|POC)_MO_00\.nc"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_archive(tmp_path_factory.mktemp("demo"), start=START, periods=PERIODS)


def _read(path: Path, variable: str) -> np.ndarray:
    """Read a field as float64 with NaN for fill, latitude ascending, no time axis."""
    with netCDF4.Dataset(path) as ds:
        values = np.ma.filled(ds[variable][:].astype(np.float64), np.nan)
        lat = ds["lat"][:]
    values = values.reshape(values.shape[-2:])
    return values[::-1] if lat[0] > lat[-1] else values


@pytest.fixture(scope="module")
def fields(archive: Path) -> dict[str, np.ndarray]:
    """Every monthly field of the short archive: name → (month, lat, lon), lat ascending."""
    names = {"PIC": "PIC_mean", "PAR": "PAR_mean", "KD490": "KD490_mean", "POC": "POC_mean"}
    names |= {"SST": "sst", "PP": "PP"}
    stacks: dict[str, list[np.ndarray]] = {key: [] for key in names}
    for month in MONTHS:
        files = month_files(month)
        for key, variable in names.items():
            stacks[key].append(_read(archive / files[key], variable))
    return {key: np.stack(values) for key, values in stacks.items()}


@pytest.fixture(scope="module")
def elevation(archive: Path) -> np.ndarray:
    return _read(archive / "bathymetry" / "demo_bathymetry_1deg.nc", "elevation")


LAT = np.arange(-89.5, 90.0)
LON = np.arange(-179.5, 180.0)


def _box(lat0: float, lat1: float, lon0: float, lon1: float) -> tuple[np.ndarray, np.ndarray]:
    """Row and column selectors of a lat/lon box (canonical grid)."""
    return (LAT >= lat0) & (LAT <= lat1), (LON >= lon0) & (LON <= lon1)


def _in_box(field: np.ndarray, box: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    rows, cols = box
    return field[..., rows, :][..., cols]


def _month_index(label: str) -> int:
    return MONTHS.index(Month.parse(label))


# --- names and layout --------------------------------------------------------------------


def test_file_names_and_counts_follow_each_convention(archive: Path) -> None:
    globcolour = sorted(p.name for p in (archive / "globcolour").iterdir())
    assert len(globcolour) == 4 * PERIODS
    for name in globcolour:
        match = GLOBCOLOUR_RE.fullmatch(name)
        assert match, name
        first, last = Month.parse(match.group(1)[:6]).first, Month.parse(match.group(1)[:6]).last
        assert (match.group(1), match.group(2)) == (f"{first:%Y%m%d}", f"{last:%Y%m%d}")
    assert "L3m_20020201-20020228__GLOB_100_AV-SWF_PIC_MO_00.nc" in globcolour
    nasa = sorted(p.name for p in (archive / "nasa").iterdir())
    assert len(nasa) == PERIODS
    assert nasa[0] == "AQUA_MODIS.20020101_20020131.L3m.MO.SST.sst.1deg.nc"
    copernicus = sorted(p.name for p in (archive / "copernicus").iterdir())
    assert len(copernicus) == PERIODS
    assert copernicus[0] == "20020101_cmems_obs-oc_glo_bgc-pp_my_l4-multi-1deg_P1M.nc"
    assert [p.name for p in (archive / "bathymetry").iterdir()] == ["demo_bathymetry_1deg.nc"]
    assert not list(archive.rglob(".*partial*"))


def test_sensor_part_of_globcolour_names_changes_across_eras(archive: Path) -> None:
    eras = {
        "-".join(GLOBCOLOUR_RE.fullmatch(p.name).groups()[2:4])  # type: ignore[union-attr]
        for p in (archive / "globcolour").glob("*_PIC_MO_00.nc")
    }
    assert eras == {"AV-SWF", "AVW-MERSWF", "AVW-MERMODSWF"}
    assert globcolour_era(Month(1997, 9)) == ("AV", "SWF")
    assert globcolour_era(Month(2015, 6)) == ("AVW", "MODVIR")
    assert globcolour_era(Month(2022, 10))[1].startswith("MODOLA")


def test_full_archive_layout_needs_no_build() -> None:
    defaults = inspect.signature(build_demo_archive).parameters
    months = month_range(defaults["start"].default, defaults["periods"].default)
    assert (months[0].label(), months[-1].label(), len(months)) == ("1997-09", "2022-10", 302)
    names = [name for month in months for name in month_files(month).values()]
    assert len(set(names)) == len(names) == 302 * 6
    used = {globcolour_era(m) for m in months}
    assert used == {(merge, sensors) for _, merge, sensors in GLOBCOLOUR_ERAS}


def test_globcolour_files_are_2d_descending_with_fill_and_period(archive: Path) -> None:
    month = Month(2002, 6)
    for param in PARAMS:
        with netCDF4.Dataset(archive / month_files(month)[param]) as ds:
            var = ds[f"{param}_mean"]
            assert var.dtype == np.float32 and var.dimensions == ("lat", "lon")
            assert "time" not in ds.dimensions
            assert var._FillValue == np.float32(-999.0) and var.units == UNITS[param]
            lat, lon = ds["lat"][:], ds["lon"][:]
            assert lat[0] == 89.5 and lat[-1] == -89.5 and np.all(np.diff(lat) < 0)
            assert lon[0] == -179.5 and lon[-1] == 179.5
            assert (ds.period_start_day, ds.period_end_day) == ("20020601", "20020630")
            assert ds.product_name == Path(month_files(month)[param]).name
            assert ds.sensor_name_list == "MER,SWF"
            assert {f"{param}_flags", f"{param}_error"} <= set(ds.variables)


def test_nasa_files_copy_the_l3m_layout(archive: Path) -> None:
    with netCDF4.Dataset(archive / month_files(Month(2002, 2))["SST"]) as ds:
        sst = ds["sst"]
        assert sst.dtype == np.float32 and sst.dimensions == ("lat", "lon")
        assert sst._FillValue == np.float32(-32767.0) and sst.units == "degree_C"
        assert (sst.valid_min, sst.valid_max) == (-2.0, 45.0)
        assert "scale_factor" not in sst.ncattrs()
        assert ds["palette"].dtype == np.uint8 and ds["palette"].dimensions == (
            "rgb",
            "eightbitcolor",
        )
        assert ds["lat"][0] == 89.5 and ds["lat"][-1] == -89.5
        assert ds.time_coverage_start == "2002-02-01T00:00:00.000Z"
        assert ds.time_coverage_end == "2002-02-28T23:59:59.000Z"
        assert ds.product_name.startswith("AQUA_MODIS.20020201_20020228.L3m.MO.SST")
        assert ds.map_projection == "Equidistant Cylindrical" and ds.spatialResolution
        assert "processing_control" in ds.groups and "time" not in ds.dimensions


def test_copernicus_files_have_a_time_axis_of_one(archive: Path) -> None:
    path = archive / month_files(Month(2002, 3))["PP"]
    with xr.open_dataset(path, engine="netcdf4") as ds:
        assert ds["PP"].dims == ("time", "lat", "lon") and ds.sizes["time"] == 1
        assert str(ds["time"].values[0])[:10] == "2002-03-01"
        assert ds["PP"].attrs["units"] == "milligram m-2 d-1"
        assert ds["PP"].encoding["_FillValue"] == -999.0


def test_bathymetry_has_shelves_ridges_and_land(archive: Path, elevation: np.ndarray) -> None:
    land = elevation > 0
    assert 0.25 < land.mean() < 0.4
    ocean = elevation[~land]
    assert -5600 < np.median(ocean) < -3000
    assert ((ocean > -200) & (ocean < 0)).sum() > 1000
    mid_atlantic_ridge = _in_box(elevation, _box(-12, -8, -17, -13))
    brazil_basin = _in_box(elevation, _box(-12, -8, -30, -26))
    assert np.median(mid_atlantic_ridge) > np.median(brazil_basin) + 1000
    with netCDF4.Dataset(archive / "bathymetry" / "demo_bathymetry_1deg.nc") as ds:
        var = ds["elevation"]
        assert var.dtype == np.float32 and (var.units, var.positive) == ("m", "up")
        assert ds["lat"][0] == -89.5 and ds["lat"][-1] == 89.5


def test_every_file_says_synthetic_demo_data(archive: Path) -> None:
    for entry in read_manifest(archive)["files"]:  # type: ignore[index]
        path = archive / entry["path"]
        if path.suffix == ".csv":  # the station layout has no comment line: the manifest says it
            continue
        if path.suffix == ".tab":  # PANGAEA layout: said in its header block
            assert "synthetic demo data" in path.read_text()
            continue
        with netCDF4.Dataset(path) as ds:
            assert "synthetic demo data" in ds.comment


def test_xarray_reads_a_globcolour_file_with_fill_as_nan(archive: Path) -> None:
    path = archive / month_files(Month(2002, 1))["PAR"]
    with xr.open_dataset(path, engine="netcdf4") as ds:
        par = ds["PAR_mean"]
        assert par.dims == ("lat", "lon") and float(par.min()) > 0
        assert bool(par.isnull().any()) and float(par.lat[0]) == 89.5


# --- manifest, rebuilds, atomic writes, determinism --------------------------------------


def test_manifest_lists_every_file_with_its_sha256(archive: Path) -> None:
    manifest = json.loads((archive / MANIFEST).read_text())
    assert manifest["synthetic"] is True and manifest["complete"] is True
    assert manifest["description"].startswith("synthetic demo data")
    assert manifest["parameters"] == {"start": START, "periods": PERIODS, "seed": 20260}
    paths = [entry["path"] for entry in manifest["files"]]
    on_disk = sorted(
        p.relative_to(archive).as_posix()
        for p in archive.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )
    assert sorted(paths) == on_disk and len(paths) == 6 * PERIODS + 1 + ANCILLARY_FILES
    for entry in manifest["files"][:10]:
        assert sha256(archive / entry["path"]) == entry["sha256"]


def test_a_second_build_with_the_same_parameters_is_skipped(archive: Path) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in [archive / MANIFEST, *archive.rglob("*.nc")]}
    assert build_demo_archive(archive, start=START, periods=PERIODS) == archive
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_other_parameters_rebuild_and_remove_stale_months(tmp_path: Path) -> None:
    foreign = tmp_path / "globcolour" / "L3m_20000101-20000131__GLOB_100_AV-SWF_CHL1_MO_00.nc"
    foreign.parent.mkdir()
    foreign.write_text("not ours")
    build_demo_archive(tmp_path, start="2010-01", periods=2)
    first = json.loads((tmp_path / MANIFEST).read_text())
    build_demo_archive(tmp_path, start="2010-02", periods=1)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["parameters"]["start"] == "2010-02"
    assert not list(tmp_path.rglob("*20100101*"))
    assert len(list(tmp_path.rglob("*.nc"))) == 8 + ANCILLARY_NETCDF
    assert foreign.read_text() == "not ours"
    same = {e["path"]: e["sha256"] for e in first["files"]}
    assert all(same[e["path"]] == e["sha256"] for e in manifest["files"])
    before = (tmp_path / MANIFEST).stat().st_mtime_ns
    build_demo_archive(tmp_path, start="2010-02", periods=1, force=True)
    assert (tmp_path / MANIFEST).stat().st_mtime_ns != before


def test_same_seed_gives_identical_files_and_another_seed_does_not(
    archive: Path, tmp_path: Path
) -> None:
    reference = {e["path"]: e["sha256"] for e in read_manifest(archive)["files"]}  # type: ignore[index]
    again = build_demo_archive(tmp_path / "same", start="2002-05", periods=3)
    for entry in read_manifest(again)["files"]:  # type: ignore[index]
        assert reference[entry["path"]] == entry["sha256"], entry["path"]
    other = build_demo_archive(tmp_path / "other", start="2002-05", periods=1, seed=7)
    pic = month_files(Month(2002, 5))["PIC"]
    assert sha256(other / pic) != reference[pic]


def test_an_interrupted_rebuild_never_looks_complete(tmp_path: Path, monkeypatch) -> None:
    build_demo_archive(tmp_path, start="2010-01", periods=1)

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("picpump.demo.build.write_bathymetry", killed)
    with pytest.raises(KeyboardInterrupt):
        build_demo_archive(tmp_path, start="2010-01", periods=2)
    assert read_manifest(tmp_path)["complete"] is False  # type: ignore[index]
    monkeypatch.undo()
    build_demo_archive(tmp_path, start="2010-01", periods=2)
    assert read_manifest(tmp_path)["complete"] is True  # type: ignore[index]


def test_an_interrupted_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.nc"
    with pytest.raises(RuntimeError), atomic_dataset(target) as ds:
        ds.createDimension("lat", 3)
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_bad_parameters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="YYYY-MM"):
        build_demo_archive(tmp_path, start="1997-13")
    with pytest.raises(InputError, match="at least one month"):
        build_demo_archive(tmp_path, periods=0)
    with pytest.raises(InputError, match="non-negative"):
        build_demo_archive(tmp_path, periods=1, seed=-1)
    assert list(tmp_path.iterdir()) == []


def test_month_helpers() -> None:
    assert Month.parse("1997-09").index == 0 and Month.parse("199710").index == 1
    assert [m.label() for m in month_range("2001-11", 3)] == ["2001-11", "2001-12", "2002-01"]
    assert Month(2004, 2).days == 29 and Month(2004, 2).last.day == 29


# --- physical shape ----------------------------------------------------------------------


def test_values_lie_in_physical_ranges(fields) -> None:
    limits = {
        "PIC": (1e-5, 3e-3),
        "PAR": (0.0, 70.0),
        "KD490": (0.0166, 1.5),
        "POC": (10.0, 800.0),
        "SST": (-1.8, 33.0),
        "PP": (10.0, 6000.0),
    }
    for key, (low, high) in limits.items():
        values = fields[key][np.isfinite(fields[key])]
        assert low <= values.min() and values.max() <= high, key
    gyre = _box(18, 28, -160, -140)
    assert 1e-5 < np.nanmedian(_in_box(fields["PIC"], gyre)) < 6e-5
    assert 0.02 < np.nanmedian(_in_box(fields["KD490"], gyre)) < 0.035
    assert 15 < np.nanmedian(_in_box(fields["POC"], gyre)) < 45
    assert 80 < np.nanmedian(_in_box(fields["PP"], gyre)) < 300
    assert 26 < np.nanmedian(_in_box(fields["SST"], _box(-2, 2, 140, 170))) < 31
    upwelling = _in_box(fields["PP"], _box(-18, -8, -82, -76))
    assert np.nanmax(upwelling) > 500


def test_north_atlantic_spring_bloom(fields) -> None:
    north_atlantic = _box(50, 56, -40, -15)
    january = np.nanmedian(_in_box(fields["PIC"][_month_index("2002-01")], north_atlantic))
    may = np.nanmedian(_in_box(fields["PIC"][_month_index("2002-05")], north_atlantic))
    june = np.nanmedian(_in_box(fields["PIC"][_month_index("2002-06")], _box(55, 62, -35, -15)))
    assert may > 2 * january and 3e-4 < june < 1.5e-3


def test_great_calcite_belt_in_austral_summer(fields) -> None:
    belt = _box(-54, -44, -180, 180)
    summer = np.nanmedian(_in_box(fields["PIC"][_month_index("2003-01")], belt))
    winter = np.nanmedian(_in_box(fields["PIC"][_month_index("2002-07")], belt))
    assert summer > 3 * winter and summer > 2e-4


def test_polar_night_and_sea_ice_gaps(fields, elevation: np.ndarray) -> None:
    ocean = elevation < 0
    arctic, antarctic = ocean & (LAT > 70)[:, None], ocean & (LAT < -65)[:, None]
    december, june = _month_index("2002-12"), _month_index("2002-06")
    for key in PARAMS:
        assert np.isnan(fields[key][december][arctic]).all(), key
        assert np.isnan(fields[key][june][antarctic]).all(), key
    assert np.isnan(fields["PP"][december][ocean & (LAT > 75)[:, None]]).all()
    assert np.isfinite(fields["PP"][june][ocean & (LAT > 75)[:, None]]).any()


def test_ocean_colour_products_share_their_gaps_and_sst_has_fewer(fields) -> None:
    missing = np.isnan(fields["PIC"])
    for key in PARAMS[1:]:
        assert np.array_equal(np.isnan(fields[key]), missing), key
    valid = (~missing).sum(axis=(1, 2))
    assert (np.isfinite(fields["SST"]).sum(axis=(1, 2)) > valid).all()
    assert (np.isfinite(fields["PP"]).sum(axis=(1, 2)) > valid).all()


def test_cloud_gaps_are_a_few_percent_to_a_third(fields, elevation: np.ndarray) -> None:
    tropics = (elevation < 0) & (np.abs(LAT) < 30)[:, None]
    fraction = np.isnan(fields["PIC"][:, tropics]).mean(axis=1)
    assert (fraction > 0.02).all() and (fraction < 0.35).all()


# --- the catalog --------------------------------------------------------------------------


def _expand(template: str, month: Month, catalog_dir: Path) -> str:
    fields = {
        "CATALOG_DIR": str(catalog_dir),
        "first": f"{month.first:%Y%m%d}",
        "last": f"{month.last:%Y%m%d}",
        "yyyymm": f"{month.year:04d}{month.month:02d}",
    }
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: fields[m.group(1)], template)


def test_catalog_describes_the_archive(archive: Path) -> None:
    catalog = yaml.safe_load((REPO / "catalogs" / "demo.yaml").read_text())
    assert catalog["metadata"]["synthetic"] is True
    assert "synthetic demo data" in catalog["metadata"]["description"]
    # The catalog expects the archive in ../data/demo relative to the catalog folder.
    catalog_dir = archive / "catalogs"
    defaults = inspect.signature(build_demo_archive).parameters
    files = {p.relative_to(archive).as_posix() for p in archive.rglob("*.nc")}
    monthly = {
        k: v for k, v in catalog["sources"].items() if v["driver"].endswith("monthly_netcdf")
    }
    assert set(monthly) == {"pic", "par", "kd490", "poc", "sst", "npp"}
    for name, source in monthly.items():
        args = source["args"]
        assert args["time"] == {
            "start": defaults["start"].default,
            "freq": "MS",
            "periods": defaults["periods"].default,
        }
        assert source["metadata"]["canonical"] == name and source["metadata"]["synthetic"]
        for month in MONTHS:
            pattern = _expand(args["urlpath"], month, catalog_dir)
            prefix = f"{catalog_dir}/../data/demo/"
            assert pattern.startswith(prefix)
            matches = fnmatch.filter(files, pattern[len(prefix) :])
            assert len(matches) == 1, (name, month)
            with netCDF4.Dataset(archive / matches[0]) as ds:
                assert args["variable"] in ds.variables
    bathymetry = catalog["sources"]["bathymetry"]
    assert bathymetry["args"]["urlpath"].endswith("/demo_bathymetry_1deg.nc")
    assert bathymetry["metadata"]["canonical"] == "elevation"
