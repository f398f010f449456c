"""Bad inputs: each case is a one-defect copy of a small demo archive (3 months).

Each outcome is asserted: either the run is refused (exit 2, a message naming the file, or
the month, and the rule), or the defect is handled by a named rule whose record is in the
products and the summary (months left out of the totals, cells masked by the plausibility
rule, conversions applied). None may change the summary silently.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import pytest
import yaml

from picpump.cli import main
from picpump.demo import build_demo_archive
from picpump.io.store.zarr_store import open_product
from tests.conftest import REPO

START, PERIODS, END = "2001-01", 3, "2001-03"
DAY, BAD_MONTH = "20010201", "2001-02"
OUTPUTS = ["inputs", "monthly", "global_totals"]
TOTAL_KEYS = {
    "production": "global_pic_production_pg_per_yr",
    "npp": "global_npp_pg_per_yr",
    "pic_stock": "global_pic_stock_tg",
    "poc_stock": "global_poc_stock_tg",
}
GLOBCOLOUR = {"pic": "PIC", "par": "PAR", "kd490": "KD490", "poc": "POC"}
VARIABLE = {"pic": "PIC_mean", "par": "PAR_mean", "kd490": "KD490_mean", "poc": "POC_mean"}
VARIABLE |= {"sst": "sst", "npp": "PP"}


# --- the archive and its files ---------------------------------------------------------------


def data_file(root: Path, canonical: str, day: str = DAY) -> Path:
    """The file of one input variable for one month of the project ``root``."""
    demo = root / "data" / "demo"
    if canonical in GLOBCOLOUR:
        pattern = f"globcolour/L3m_{day}-*_{GLOBCOLOUR[canonical]}_MO_00.nc"
    elif canonical == "sst":
        pattern = f"nasa/*.{day}_*.sst.1deg.nc"
    else:
        pattern = f"copernicus/{day}_*.nc"
    return next(demo.glob(pattern))


def edit_values(root: Path, canonical: str, change: Callable[[np.ndarray], np.ndarray]) -> None:
    """Replace the stored values of one month of ``canonical`` by ``change(values)``."""
    with netCDF4.Dataset(data_file(root, canonical), "r+") as nc:
        var = nc[VARIABLE[canonical]]
        var.set_auto_maskandscale(False)
        var[...] = change(np.array(var[...]))


def set_attr(root: Path, canonical: str, name: str, value: Any) -> None:
    with netCDF4.Dataset(data_file(root, canonical), "r+") as nc:
        nc[VARIABLE[canonical]].setncattr(name, value)


def del_attr(root: Path, canonical: str, name: str) -> None:
    with netCDF4.Dataset(data_file(root, canonical), "r+") as nc:
        nc[VARIABLE[canonical]].delncattr(name)


def valid_cells(values: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Indices of the first ``n`` cells holding data (the files' fills are negative)."""
    ok = np.isfinite(values) & (values > 0) & (values < 1e3)
    return tuple(i[:n] for i in np.nonzero(ok))


def with_cells(value: float, n: int = 9) -> Callable[[np.ndarray], np.ndarray]:
    def change(values: np.ndarray) -> np.ndarray:
        values[valid_cells(values, n)] = value
        return values

    return change


def all_fill(canonical: str) -> Callable[[Path], None]:
    fill = {"sst": -32767.0}.get(canonical, -999.0)
    return lambda root: edit_values(root, canonical, lambda v: np.full_like(v, fill))


def times(factor: float, canonical: str) -> Callable[[Path], None]:
    def change(values: np.ndarray) -> np.ndarray:
        data = values > 0
        values[data] *= factor
        return values

    return lambda root: edit_values(root, canonical, change)


def data_as(canonical: str, value: float) -> Callable[[Path], None]:
    """Every cell holding data becomes ``value`` (fills stay fills)."""
    return lambda root: edit_values(root, canonical, lambda v: np.where(v > 0, value, v))


def cells(canonical: str, value: float) -> Callable[[Path], None]:
    return lambda root: edit_values(root, canonical, with_cells(value))


def plus(offset: float) -> Callable[[np.ndarray], np.ndarray]:
    def change(values: np.ndarray) -> np.ndarray:
        values[values > -1000] += offset
        return values

    return change


def sst_in_kelvin(root: Path) -> None:
    edit_values(root, "sst", plus(273.15))
    set_attr(root, "sst", "units", "K")
    set_attr(root, "sst", "valid_min", np.float32(271.15))
    set_attr(root, "sst", "valid_max", np.float32(318.15))


def pic_in_mmol(root: Path) -> None:
    times(1000.0, "pic")(root)
    set_attr(root, "pic", "units", "mmol m-3")


def overwrite(content: bytes | None, canonical: str = "pic") -> Callable[[Path], None]:
    def defect(root: Path) -> None:
        path = data_file(root, canonical)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3] if content is None else content)

    return defect


def remove(canonical: str) -> Callable[[Path], None]:
    return lambda root: data_file(root, canonical).unlink()


def duplicate_month(root: Path) -> None:
    path = data_file(root, "pic")
    shutil.copy(path, path.with_name(path.name.replace("AV-SWF", "AVW-MOD")))


def edit_coordinate(name: str, change: Callable[[np.ndarray], np.ndarray]) -> Callable:
    def defect(root: Path) -> None:
        with netCDF4.Dataset(data_file(root, "pic"), "r+") as nc:
            nc[name][...] = change(np.array(nc[name][...]))

    return defect


def with_nan(values: np.ndarray) -> np.ndarray:
    values[10] = np.nan
    return values


def rename_variable(root: Path) -> None:
    with netCDF4.Dataset(data_file(root, "pic"), "r+") as nc:
        nc.renameVariable("PIC_mean", "PIC_avg")


def wrong_month(root: Path) -> None:
    with netCDF4.Dataset(data_file(root, "pic"), "r+") as nc:
        nc.setncattr("period_start_day", "20050601")
        nc.setncattr("period_end_day", "20050630")


def layout_change(flip: bool, roll: bool) -> Callable[[Path], None]:
    """Store one month's PIC file south first and/or on 0…360 longitudes (same values)."""

    def defect(root: Path) -> None:
        with netCDF4.Dataset(data_file(root, "pic"), "r+") as nc:
            lat, lon = np.array(nc["lat"][...]), np.array(nc["lon"][...])
            var = nc["PIC_mean"]
            var.set_auto_maskandscale(False)
            values = np.array(var[...])
            if flip:
                nc["lat"][...], values = lat[::-1], values[::-1]
            if roll:
                shift = lon.size // 2
                nc["lon"][...] = np.roll(np.where(lon < 0, lon + 360.0, lon), -shift)
                values = np.roll(values, -shift, axis=1)
            var[...] = values

    return defect


def time_units(units: str) -> Callable[[Path], None]:
    def defect(root: Path) -> None:
        with netCDF4.Dataset(data_file(root, "npp"), "r+") as nc:
            nc["time"].setncattr("units", units)

    return defect


def edit_catalog(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def defect(root: Path) -> None:
        path = root / "catalogs" / "demo.yaml"
        raw = yaml.safe_load(path.read_text())
        change(raw)
        path.write_text(yaml.safe_dump(raw))

    return defect


def catalog_text(old: str, new: str) -> Callable[[Path], None]:
    def defect(root: Path) -> None:
        path = root / "catalogs" / "demo.yaml"
        path.write_text(path.read_text().replace(old, new, 1))

    return defect


def gap_allowed(root: Path) -> None:
    remove("pic")(root)
    edit_catalog(lambda raw: raw["sources"]["pic"]["args"].update(allow_gaps=True))(root)


def all_months_fill(root: Path) -> None:
    for day in ("20010101", "20010201", "20010301"):
        with netCDF4.Dataset(data_file(root, "pic", day), "r+") as nc:
            nc["PIC_mean"][...] = np.ma.masked


# --- outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """Exit 2, and every word (file name, month, rule) in the message."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Handled:
    """Exit 0, and ``check(summary, out)`` passes."""

    check: Callable[[dict[str, Any], Path], None]


def excluded(*keys: str, months: tuple[str, ...] = (BAD_MONTH,)) -> Handled:
    """The month's totals are NaN, left out of the mean ± SD, and listed in the summary."""

    def check(summary: dict[str, Any], out: Path) -> None:
        quality = summary["input_quality"]
        totals = open_product(str(out / "global_totals.zarr"))
        for key in keys:
            assert quality["excluded_months"][key] == list(months)
            assert summary[TOTAL_KEYS[key]]["n_months"] == PERIODS - len(months)
        series = totals["global_pic_production_sphere"].sel(time=list(months)).values
        assert ("production" not in keys) or np.isnan(series).all()
        assert ", ".join(months) in (out / "summary.md").read_text()

    return Handled(check)


def masked(canonical: str, count: int) -> Handled:
    """The plausibility rule set ``count`` cells to NaN, recorded in the product and summary."""

    def check(summary: dict[str, Any], out: Path) -> None:
        assert summary["input_quality"]["implausible_cells"][canonical] == count
        record = open_product(str(out / "inputs.zarr"))[f"{canonical}_implausible_cells"]
        assert int(record.sel(time=BAD_MONTH).sum()) == count
        assert int(record.sum()) == count
        assert f"{canonical}: {count} cell(s)" in (out / "summary.md").read_text()

    return Handled(check)


def converted(canonical: str, flag: str, months: int) -> Handled:
    """The conversion is recorded per month; the totals stay those of the clean archive."""

    def check(summary: dict[str, Any], out: Path) -> None:
        assert summary["input_quality"]["conversion_months"][canonical][flag] == months
        record = open_product(str(out / "inputs.zarr"))[f"{canonical}_conversions"]
        bit = record.attrs["flag_masks"][record.attrs["flag_meanings"].split().index(flag)]
        assert int(np.count_nonzero(record.values & bit)) == months
        assert all(not m for m in summary["input_quality"]["excluded_months"].values())
        mean = summary["global_pic_production_pg_per_yr"]["mean"]
        assert mean == pytest.approx(CLEAN_PRODUCTION[0], rel=1e-5)

    return Handled(check)


CLEAN_PRODUCTION: list[float] = []


@dataclass(frozen=True)
class Case:
    name: str
    defect: Callable[[Path], None]
    outcome: Refused | Handled


PIC_FILE = "L3m_20010201-20010228__GLOB_100_AV-SWF_PIC_MO_00.nc"
SST_FILE = "AQUA_MODIS.20010201_20010228.L3m.MO.SST.sst.1deg.nc"
NPP_FILE = "20010201_cmems_obs-oc_glo_bgc-pp_my_l4-multi-1deg_P1M.nc"
PLAUSIBILITY = "plausibility rule"

CASES = [
    # Missing is never zero: a month without valid data has NaN totals, listed.
    Case("pic_all_fill", all_fill("pic"), excluded("production", "pic_stock")),
    Case("sst_all_fill", all_fill("sst"), excluded("production")),
    Case("par_all_fill", all_fill("par"), excluded("production")),
    Case("kd490_all_fill", all_fill("kd490"), excluded("production")),
    Case("poc_all_fill", all_fill("poc"), excluded("poc_stock")),
    Case("npp_all_fill", all_fill("npp"), excluded("npp")),
    Case("pic_all_nan", data_as("pic", np.nan), excluded("production", "pic_stock")),
    Case("pic_all_negative", times(-1.0, "pic"), excluded("production", "pic_stock")),
    Case("pic_gap_allowed", gap_allowed, excluded("production", "pic_stock")),
    Case(
        "pic_every_month_fill",
        all_months_fill,
        excluded("production", months=("2001-01", "2001-02", "2001-03")),
    ),
    # Plausibility: a few bad cells are masked and counted.
    Case("pic_inf_cells", cells("pic", np.inf), masked("pic", 9)),
    Case("pic_1e30_cells", cells("pic", 1e30), masked("pic", 9)),
    Case("pic_minus_inf_cells", cells("pic", -np.inf), masked("pic", 9)),
    Case("sst_inf_cells", cells("sst", np.inf), masked("sst", 9)),
    Case("sst_1e30_cells", cells("sst", 1e30), masked("sst", 9)),
    Case("sst_minus_50_cells", cells("sst", -50.0), masked("sst", 9)),
    Case("par_1e30_cells", cells("par", 1e30), masked("par", 9)),
    Case("par_inf_cells", cells("par", np.inf), masked("par", 9)),
    Case("kd490_minus_inf_cells", cells("kd490", -np.inf), masked("kd490", 9)),
    Case("kd490_1e30_cells", cells("kd490", 1e30), masked("kd490", 9)),
    Case("poc_inf_cells", cells("poc", np.inf), masked("poc", 9)),
    Case("npp_1e30_cells", cells("npp", 1e30), masked("npp", 9)),
    # Plausibility: most of a month out of range looks like a unit error and is refused.
    Case("pic_x1000_mmol_as_mol", times(1000.0, "pic"), Refused((PIC_FILE, PLAUSIBILITY))),
    Case("par_x1000", times(1000.0, "par"), Refused(("PAR_MO_00.nc", PLAUSIBILITY))),
    Case("kd490_x1000", times(1000.0, "kd490"), Refused(("KD490_MO_00.nc", PLAUSIBILITY))),
    Case("poc_x1000", times(1000.0, "poc"), Refused(("POC_MO_00.nc", PLAUSIBILITY))),
    Case("npp_x1000", times(1000.0, "npp"), Refused((NPP_FILE, PLAUSIBILITY))),
    Case(
        "sst_kelvin_labelled_degc",
        lambda r: edit_values(r, "sst", plus(273.15)),
        Refused((SST_FILE, PLAUSIBILITY, BAD_MONTH)),
    ),
    Case(
        "npp_mg_labelled_g",
        lambda r: set_attr(r, "npp", "units", "g m-2 d-1"),
        Refused((NPP_FILE, PLAUSIBILITY)),
    ),
    Case("pic_all_inf", data_as("pic", np.inf), Refused((PIC_FILE, PLAUSIBILITY))),
    # Conversions: handled, recorded, the totals unchanged.
    Case("sst_in_kelvin_labelled_k", sst_in_kelvin, converted("sst", "units_converted", 1)),
    Case("pic_in_mmol_labelled_mmol", pic_in_mmol, converted("pic", "units_converted", 1)),
    Case("pic_south_first", layout_change(True, False), converted("pic", "latitude_flipped", 2)),
    Case("pic_lon_0_360", layout_change(False, True), converted("pic", "longitude_rolled", 1)),
    # Units refused by the units rule.
    Case("pic_units_missing", lambda r: del_attr(r, "pic", "units"), Refused((PIC_FILE, "units"))),
    Case(
        "pic_units_unknown",
        lambda r: set_attr(r, "pic", "units", "furlongs"),
        Refused((PIC_FILE, "furlongs", "units must be one of")),
    ),
    Case(
        "pic_units_ambiguous",
        lambda r: set_attr(r, "pic", "units", "mg m-3"),
        Refused((PIC_FILE, "carbon or calcium carbonate")),
    ),
    Case(
        "sst_units_fahrenheit",
        lambda r: set_attr(r, "sst", "units", "degF"),
        Refused((SST_FILE, "degF", "units must be one of")),
    ),
    # Files: missing, duplicated, corrupt, truncated, empty, wrong variable, wrong month.
    Case("pic_month_missing", remove("pic"), Refused((BAD_MONTH, "pic"))),
    Case("pic_month_duplicated", duplicate_month, Refused(("AVW-MOD", BAD_MONTH))),
    Case("pic_truncated", overwrite(None), Refused((PIC_FILE,))),
    Case("pic_corrupt", overwrite(b"\x89HDF garbage " * 100), Refused((PIC_FILE,))),
    Case("pic_empty", overwrite(b""), Refused((PIC_FILE,))),
    Case("sst_corrupt", overwrite(b"not a netcdf file", "sst"), Refused((SST_FILE,))),
    Case("pic_variable_renamed", rename_variable, Refused((PIC_FILE, "PIC_mean"))),
    Case("pic_wrong_month", wrong_month, Refused((PIC_FILE, "2005-06"))),
    Case(
        "bathymetry_missing",
        lambda r: (r / "data/demo/bathymetry/demo_bathymetry_1deg.nc").unlink(),
        Refused(("demo_bathymetry_1deg.nc",)),
    ),
    Case(
        "bathymetry_corrupt",
        lambda r: (r / "data/demo/bathymetry/demo_bathymetry_1deg.nc").write_bytes(b"x" * 64),
        Refused(("demo_bathymetry_1deg.nc",)),
    ),
    # Grid.
    Case(
        "pic_lat_shifted",
        edit_coordinate("lat", lambda v: v + 0.25),
        Refused((PIC_FILE, "pipeline grid")),
    ),
    Case("pic_nan_in_lat", edit_coordinate("lat", with_nan), Refused((PIC_FILE, "NaN", "lat"))),
    Case("pic_nan_in_lon", edit_coordinate("lon", with_nan), Refused((PIC_FILE, "NaN", "lon"))),
    # Time units and catalog defects.
    Case(
        "npp_time_months_since",
        time_units("months since 2001-01-01"),
        Refused((NPP_FILE, "time")),
    ),
    Case(
        "npp_time_units_garbage",
        time_units("fortnights after lunch"),
        Refused((NPP_FILE, "time")),
    ),
    Case(
        "catalog_unknown_key",
        edit_catalog(lambda raw: raw["sources"]["pic"]["args"].update(urlpatth="x")),
        Refused(("urlpatth",)),
    ),
    Case(
        "catalog_http_unreachable",
        catalog_text(
            'urlpath: "{{ CATALOG_DIR }}/../data/demo/bathymetry',
            'urlpath: "http://127.0.0.1:9/bathymetry',
        ),
        Refused(("127.0.0.1:9",)),
    ),
]


# --- running a case -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project: data/demo (3 months), catalogs/demo.yaml, a spec of 3 products."""
    root = tmp_path_factory.mktemp("bad-inputs") / "pristine"
    build_demo_archive(root / "data" / "demo", start=START, periods=PERIODS)
    (root / "catalogs").mkdir()
    shutil.copy(REPO / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    raw = yaml.safe_load((REPO / "pipelines" / "toullec2026.yaml").read_text())
    raw["period"] = {"start": START, "end": END}
    raw["outputs"] = OUTPUTS
    raw["chunks"] = {"months": PERIODS, "tile": 0}
    raw["area_variants"] = ["sphere"]
    (root / "spec.yaml").write_text(yaml.safe_dump(raw))
    return root


def run(root: Path, out: Path) -> int:
    args = ["run", str(root / "spec.yaml"), "--catalog", str(root / "catalogs" / "demo.yaml")]
    return main([*args, "--out", str(out), "--no-progress", "--cluster", "threads"])


@pytest.fixture(scope="module")
def clean_out(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a run on the clean archive."""
    out = tmp_path_factory.mktemp("clean") / "out"
    assert run(pristine, out) == 0
    return out


@pytest.fixture(scope="module")
def clean(clean_out: Path) -> dict[str, Any]:
    """The summary of the clean archive."""
    summary: dict[str, Any] = json.loads((clean_out / "summary.json").read_text())
    CLEAN_PRODUCTION[:] = [summary["global_pic_production_pg_per_yr"]["mean"]]
    return summary


def _records(summary: dict[str, Any], clean: dict[str, Any]) -> bool:
    """Whether the summary records something the clean run did not."""
    quality, before = summary["input_quality"], clean["input_quality"]
    return (
        any(quality["excluded_months"].values())
        or any(quality["implausible_cells"].values())
        or quality["conversion_months"] != before["conversion_months"]
    )


def params() -> list[Any]:
    out = []
    for case in CASES:
        out.append(pytest.param(case, id=case.name))
    return out


@pytest.mark.parametrize("case", params())
def test_bad_input(
    case: Case,
    pristine: Path,
    clean: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "project"
    shutil.copytree(pristine, root)
    case.defect(root)
    out = tmp_path / "out"
    rc = run(root, out)
    err = capsys.readouterr().err
    if isinstance(case.outcome, Refused):
        assert rc == 2, err
        assert "Traceback" not in err
        assert "received:" in err and "fix:" in err, err
        for word in case.outcome.words:
            assert word in err, f"{word!r} not in:\n{err}"
        return
    assert rc == 0, err
    summary = json.loads((out / "summary.json").read_text())
    case.outcome.check(summary, out)
    production = summary["global_pic_production_pg_per_yr"]
    clean_production = clean["global_pic_production_pg_per_yr"]
    if production["mean"] != pytest.approx(clean_production["mean"], rel=1e-5):
        assert _records(summary, clean), "the summary changed without a record"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def test_all_fill_pic_month_gives_nan_total_and_the_summary_of_the_others(
    pristine: Path, clean_out: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(pristine, root)
    all_fill("pic")(root)
    assert run(root, tmp_path / "out") == 0
    totals = open_product(str(tmp_path / "out" / "global_totals.zarr"))
    before = open_product(str(clean_out / "global_totals.zarr"))
    name = "global_pic_production_sphere"
    assert np.isnan(totals[name].sel(time=BAD_MONTH).values).all()
    others = before[name].drop_sel(time=totals[name].sel(time=BAD_MONTH)["time"].values)
    np.testing.assert_array_equal(totals[name].dropna("time").values, others.values)
    production = json.loads((tmp_path / "out" / "summary.json").read_text())[
        "global_pic_production_pg_per_yr"
    ]
    assert production["n_months"] == PERIODS - 1
    assert production["mean"] == pytest.approx(float(others.mean()), rel=1e-12)
    assert production["sd"] == pytest.approx(float(others.std(ddof=1)), rel=1e-12)
