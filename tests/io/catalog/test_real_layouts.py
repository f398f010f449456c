"""The real catalogs read the real archive layouts (offline: base_url points at a local tree).

Each test writes a few months in the archive's exact layout (names, folders, attributes,
dtypes, fill values) under tmp_path, loads the project's own catalog YAML with its base-URL
parameter pointed there, opens lazily and compares canonical values with independently
computed references.
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest

from picpump.errors import CatalogError, GridError, InputError
from picpump.grid import Grid
from picpump.io.api import Catalog, load_catalog, open_climatology, open_monthly, resolve
from picpump.io.catalog.months import resolve_months
from picpump.io.catalog.resolve import entry_context, entry_options
from picpump.io.catalog.templates import climatology_fields, render
from picpump.io.ingest import rules
from picpump.io.ingest.arco import arco_url, choose_layout
from picpump.io.ingest.conventions import Axes, FileInfo
from picpump.io.ingest.reader import read_month
from tests.conftest import REPO, raise_if_dask_computes
from tests.io.real_layouts import (
    arco_store,
    globcolour_path,
    last_day,
    nasa_name,
    smooth,
    write_arco,
    write_copernicus_native,
    write_globcolour,
    write_nasa,
)

CATALOGS = REPO / "catalogs"
ONE = Grid(1.0)
NINE_KM = Grid(1 / 12)
COARSE = Grid(10.0)
ERA_CHANGE = pd.date_range("2002-05", periods=3, freq="MS")  # SWF+MER, then MODIS joins
SENSORS = {"2002-05": "AVW-MERSWF", "2002-06": "AVW-MERSWF", "2002-07": "AVW-MERMODSWF"}


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local mirror must need no archive credentials."""
    for name in ("GLOBCOLOUR_FTP_USER", "GLOBCOLOUR_FTP_PASSWORD", "EARTHDATA_TOKEN"):
        monkeypatch.delenv(name, raising=False)


# --- GlobColour ------------------------------------------------------------------------------


def _globcolour_tree(root: Path, param: str = "PIC", scale: float = 1e-4) -> None:
    for m in ERA_CHANGE:
        write_globcolour(root, m, param, smooth(ONE, m, scale), ONE, sensors=SENSORS[f"{m:%Y-%m}"])


def _expected(months: pd.DatetimeIndex, grid: Grid, scale: float) -> np.ndarray:
    return np.stack([smooth(grid, m, scale) for m in months])


def test_globcolour_catalog_reads_the_ftp_tree_across_an_era_change(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path, "PIC")
    _globcolour_tree(tmp_path, "PAR", scale=20.0)
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    period = ("2002-05", "2002-07")
    with raise_if_dask_computes():
        pic = open_monthly(cat, "pic", ONE, period, base_url=str(tmp_path))
        par = open_monthly(cat, "par", ONE, period, base_url=str(tmp_path), res="100")
    assert pic.dims == ("time", "lat", "lon") and pic.shape == (3, 180, 360)
    assert pic.attrs["units"] == "mol m-3" and "source_file_choices" not in pic.attrs
    np.testing.assert_array_equal(pic.values, _expected(ERA_CHANGE, ONE, 1e-4))
    np.testing.assert_array_equal(par.values, _expected(ERA_CHANGE, ONE, 20.0))
    assert bool(pic.sel(lat=-89.5, lon=-179.5, time="2002-05-01").isnull())  # south-west land


def test_globcolour_two_files_for_a_month_prefers_the_weighted_merge(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)
    other = smooth(ONE, "2002-06", 5e-4)
    write_globcolour(tmp_path, "2002-06", "PIC", other, ONE, sensors="AV-MERSWF")
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    pic = open_monthly(cat, "pic", ONE, ("2002-05", "2002-07"), base_url=str(tmp_path))
    np.testing.assert_array_equal(pic.values[1], smooth(ONE, "2002-06", 1e-4))
    said = pic.attrs["source_file_choices"]
    assert said.startswith("2002-06: L3m_20020601-20020630__GLOB_100_AVW-MERSWF_PIC_MO_00.nc over")
    assert "AV-MERSWF" in said and "pattern '*_AVW-*'" in said


def test_globcolour_same_merge_takes_the_most_recent_processing(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)
    newer = smooth(ONE, "2002-06", 7e-4)
    write_globcolour(
        tmp_path, "2002-06", "PIC", newer, ONE, sensors="AVW-MER", date_created="2024-01-02"
    )
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    resolved = resolve(cat, "pic", ("2002-06", "2002-06"), base_url=str(tmp_path))
    (choice,) = resolved.choices
    assert Path(choice.chosen).name.endswith("_AVW-MER_PIC_MO_00.nc")
    assert "most recent date_created 2024-01-02" in choice.reason
    assert [Path(r).name for r in choice.rejected] == [
        "L3m_20020601-20020630__GLOB_100_AVW-MERSWF_PIC_MO_00.nc"
    ]


def test_globcolour_undecidable_duplicate_is_an_error(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)  # every file: date_created 2020-05-04
    write_globcolour(
        tmp_path, "2002-06", "PIC", smooth(ONE, "2002-06", 1e-4), ONE, sensors="AVW-MER"
    )
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    with pytest.raises(InputError, match=r"(?s)2 files for 2002-06.*date_created does not decide"):
        open_monthly(cat, "pic", ONE, ("2002-05", "2002-07"), base_url=str(tmp_path))


def test_gap_in_the_sensor_record_names_the_month_and_the_glob(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)
    globcolour_path(tmp_path, pd.Timestamp("2002-06"), "PIC", sensors="AVW-MERSWF").unlink()
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    with pytest.raises(
        InputError,
        match=r"(?s)no file for 2002-06 \(pattern .*/2002/06/01/"
        r"L3m_20020601-20020630__GLOB_100_\*_PIC_MO_00\.nc\).*allow_gaps: true",
    ):
        open_monthly(cat, "pic", ONE, ("2002-05", "2002-07"), base_url=str(tmp_path))


def test_allow_gaps_reads_a_missing_month_as_missing(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)
    globcolour_path(tmp_path, pd.Timestamp("2002-06"), "PIC", sensors="AVW-MERSWF").unlink()
    text = (CATALOGS / "globcolour.yaml").read_text()
    text = text.replace("variable: PIC_mean\n", "variable: PIC_mean\n      allow_gaps: true\n")
    (tmp_path / "gaps.yaml").write_text(text)
    cat = load_catalog(tmp_path / "gaps.yaml")
    pic = open_monthly(cat, "pic", ONE, ("2002-05", "2002-07"), base_url=str(tmp_path))
    assert pic.attrs["missing_months"] == "2002-06"
    assert bool(pic.isel(time=1).isnull().all())
    np.testing.assert_array_equal(pic.values[2], smooth(ONE, "2002-07", 1e-4))


def test_corrupt_file_in_the_middle_is_named_at_compute(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)
    middle = globcolour_path(tmp_path, pd.Timestamp("2002-06"), "PIC", sensors="AVW-MERSWF")
    middle.write_bytes(middle.read_bytes()[:700])
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    with raise_if_dask_computes():
        pic = open_monthly(cat, "pic", ONE, ("2002-05", "2002-07"), 1, base_url=str(tmp_path))
    with pytest.raises(
        InputError, match=r"(?s)L3m_20020601-20020630__GLOB_100_AVW-MERSWF.*corrupt"
    ):
        pic.compute()


def test_a_month_on_another_grid_is_a_grid_error_naming_the_file(tmp_path: Path) -> None:
    _globcolour_tree(tmp_path)
    quarter = Grid(2.0)  # stands in for a 0.25° file among 1° files, kept small
    write_globcolour(
        tmp_path,
        "2002-07",
        "PIC",
        smooth(quarter, "2002-07", 1e-4),
        quarter,
        sensors="AVW-MERMODSWF",
    )
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    pic = open_monthly(cat, "pic", ONE, ("2002-05", "2002-07"), 1, base_url=str(tmp_path))
    with pytest.raises(GridError, match=r"(?s)shape \(180, 360\).*L3m_20020701.*shape \(90, 180\)"):
        pic.compute()


# --- grids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grid", "shape"), [(Grid(1 / 12), (2160, 4320)), (Grid(1 / 24), (4320, 8640))]
)
def test_nasa_9km_and_4km_coordinates_fit_the_grids(grid: Grid, shape: tuple[int, int]) -> None:
    lat = grid.lat[::-1].astype(np.float32)  # as stored: float32, north first
    info = FileInfo("x.nc", "pic", ("lat", "lon"), shape, coords={"lat": lat, "lon": grid.lon})
    lay = rules.layout(info, Axes(0, 1, None))
    assert lay.flip_lat and grid.shape == shape
    rules.check_grid(lay, grid, "x.nc")
    other = Grid(1 / 24) if grid.nlat == 2160 else Grid(1 / 12)
    with pytest.raises(GridError, match=rf"received: x.nc: shape \({shape[0]}, {shape[1]}\)"):
        rules.check_grid(lay, other, "x.nc")


# --- NASA OB.DAAC ----------------------------------------------------------------------------

PATCH_AT = (1200, 2000)  # canonical row/column of the valid patch (≈ 10°N, 13°W)


def _patch(month: pd.Timestamp | str, scale: float, shift: float = 0.0) -> np.ndarray:
    k = pd.Timestamp(month).month
    values = (shift + scale * (1 + np.arange(24 * 40).reshape(24, 40) / 960 + k)).astype(np.float32)
    values[0, :5] = np.nan
    return values


def _nasa_mo(root: Path, month: pd.Timestamp, suite: str, var: str, values: np.ndarray) -> Path:
    path = root / nasa_name(month, last_day(month), suite, var)
    return write_nasa(
        path, var, values, PATCH_AT, NINE_KM, (month, last_day(month)), valid=(-2, 1e4)
    )


def _window(values: np.ndarray) -> np.ndarray:
    """The patch region of a canonical (…, lat, lon) array."""
    return values[..., PATCH_AT[0] : PATCH_AT[0] + 24, PATCH_AT[1] : PATCH_AT[1] + 40]


def test_nasa_catalog_reads_9km_monthly_files(tmp_path: Path) -> None:
    months = pd.date_range("2010-01", periods=2, freq="MS")
    for m in months:
        _nasa_mo(tmp_path, m, "PIC", "pic", _patch(m, 1e-4))
    cat = load_catalog(CATALOGS / "nasa-oceancolor.yaml")
    with raise_if_dask_computes():
        pic = open_monthly(cat, "pic", NINE_KM, ("2010-01", "2010-02"), 1, base_url=str(tmp_path))
    assert pic.shape == (2, 2160, 4320) and bool((np.diff(pic.lat) > 0).all())
    values = pic.values
    np.testing.assert_array_equal(_window(values[0]), _patch("2010-01", 1e-4))
    np.testing.assert_array_equal(_window(values[1]), _patch("2010-02", 1e-4))
    assert np.isfinite(values[0]).sum() == 24 * 40 - 5 and not (values == -32767).any()


def test_nasa_sst_is_degree_celsius_and_negative_values_stay(tmp_path: Path) -> None:
    month = pd.Timestamp("2010-01")
    values = _patch(month, 0.5, shift=-1.9)  # −1.4 … 0.5 °C
    _nasa_mo(tmp_path, month, "NSST", "sst", values)
    cat = load_catalog(CATALOGS / "nasa-oceancolor.yaml")
    sst = open_monthly(cat, "sst", NINE_KM, ("2010-01", "2010-01"), base_url=str(tmp_path))
    assert sst.attrs["units"] == "degC"
    read = sst.values[0]
    np.testing.assert_allclose(_window(read), values, rtol=1e-6)
    assert np.nanmin(read) < 0 and np.isfinite(read).sum() == 24 * 40 - 5


def _write_mc(root: Path) -> dict[int, Path]:
    time = load_catalog(CATALOGS / "nasa-oceancolor.yaml").source("pic_mc").args["time"]
    paths = {}
    for m in range(1, 13):
        fields = climatology_fields(pd.Timestamp(2000, m, 1), time)
        first, last = pd.Timestamp(fields["cfirst"]), pd.Timestamp(fields["clast"])
        path = root / nasa_name(first, last, "PIC", "pic", period="MC")
        paths[m] = write_nasa(
            path, "pic", _patch(f"2000-{m:02d}", 1e-4), PATCH_AT, NINE_KM, (first, last)
        )
    return paths


def test_nasa_mc_files_are_a_twelve_month_climatology(tmp_path: Path) -> None:
    paths = _write_mc(tmp_path)
    assert paths[7].name == "AQUA_MODIS.20020701_20220731.L3m.MC.PIC.pic.9km.nc"
    assert paths[1].name == "AQUA_MODIS.20030101_20220131.L3m.MC.PIC.pic.9km.nc"
    cat = load_catalog(CATALOGS / "nasa-oceancolor.yaml")
    with raise_if_dask_computes():
        clim = open_climatology(cat, "pic_mc", NINE_KM, months_per_chunk=1, base_url=str(tmp_path))
    assert clim.dims == ("month", "lat", "lon") and list(clim.month.values) == list(range(1, 13))
    assert clim.attrs["climatology_record"] == "2002-07 … 2022-07"
    picked = clim.sel(month=[1, 7, 12]).values
    for k, m in enumerate((1, 7, 12)):
        np.testing.assert_array_equal(_window(picked[k]), _patch(f"2000-{m:02d}", 1e-4))
    with pytest.raises(CatalogError, match="open_climatology"):
        open_monthly(cat, "pic_mc", NINE_KM, base_url=str(tmp_path))


def test_nasa_mc_file_of_another_calendar_month_is_refused(tmp_path: Path) -> None:
    path = write_nasa(
        tmp_path
        / nasa_name(
            pd.Timestamp("2002-07-01"), pd.Timestamp("2022-08-31"), "PIC", "pic", period="MC"
        ),
        "pic",
        _patch("2000-07", 1e-4),
        PATCH_AT,
        NINE_KM,
        (pd.Timestamp("2002-07-01"), pd.Timestamp("2022-08-31")),
    )
    with pytest.raises(InputError, match=r"must cover calendar month 07"):
        read_month(
            str(path),
            variable="pic",
            canonical="pic",
            convention="nasa_l3m",
            month="2000-07",
            grid=NINE_KM,
            climatology=True,
        )


# --- the two genuine NASA files --------------------------------------------------------------

SAMPLES = "ocean_colour_format_samples"


@pytest.mark.shared_data
def test_genuine_nasa_files_through_a_catalog_keep_their_geography(
    shared_data: Path, tmp_path: Path
) -> None:
    text = f"""
sources:
  chl:
    driver: picpump.monthly_netcdf
    args:
      urlpath: "{shared_data / SAMPLES}/S{{{{ jfirst }}}}{{{{ jlast }}}}.L3m_MO_CHL_chlor_a_9km.nc"
      variable: chlor_a
      convention: nasa_l3m
      allow_gaps: true
      time: {{start: 2008-01, freq: MS, end: 2009-10}}
    metadata: {{canonical: null}}
"""
    (tmp_path / "samples.yaml").write_text(text)
    cat = load_catalog(tmp_path / "samples.yaml")
    with raise_if_dask_computes():
        chl = open_monthly(cat, "chl", NINE_KM, months_per_chunk=1)
    assert chl.name == "chlor_a" and chl.attrs["units"] == "mg m^-3"
    assert chl.sizes["time"] == 22 and len(chl.attrs["missing_months"].split(", ")) == 20
    october = chl.sel(time="2009-10-01").values
    with netCDF4.Dataset(shared_data / SAMPLES / "S20092742009304.L3m_MO_CHL_chlor_a_9km.nc") as ds:
        raw = ds["chlor_a"][:]
        lat, lon = ds["lat"][:], ds["lon"][:]
    rows, cols = np.nonzero(~np.ma.getmaskarray(raw))
    assert np.isfinite(october).sum() == rows.size  # 1.9 % of the map, no fill leaked
    assert not (october == -32767).any() and np.nanmin(october) >= 0.0075
    for k in np.linspace(0, rows.size - 1, 7).astype(int):
        i = int(np.argmin(np.abs(NINE_KM.lat - lat[rows[k]])))
        j = int(np.argmin(np.abs(NINE_KM.lon - lon[cols[k]])))
        assert october[i, j] == raw[rows[k], cols[k]]
    january = chl.sel(time="2008-01-01").values
    assert np.isfinite(january).sum() == 11


# --- Copernicus Marine -----------------------------------------------------------------------

PP_DATASET = "cmems_obs-oc_glo_bgc-pp_my_l4-multi-4km_P1M"
PP_PRODUCT = "OCEANCOLOUR_GLO_BGC_L4_MY_009_104"


def test_copernicus_native_pp_files(tmp_path: Path) -> None:
    months = pd.date_range("2015-03", periods=2, freq="MS")
    for m in months:
        name = f"{m:%Y}/{m:%Y%m%d}_{PP_DATASET}.nc"  # real name; 1° here to keep files small
        write_copernicus_native(
            tmp_path / name, m, "PP", smooth(ONE, m, 300.0), ONE, units="milligram m-2 d-1"
        )
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    npp = open_monthly(cat, "npp", ONE, ("2015-03", "2015-04"), native_url=str(tmp_path))
    assert npp.attrs["units"] == "mg m-2 d-1"
    np.testing.assert_array_equal(npp.values, _expected(months, ONE, 300.0))


def test_copernicus_native_sst_in_kelvin_becomes_celsius(tmp_path: Path) -> None:
    month = pd.Timestamp("2015-03")
    kelvin = smooth(COARSE, month, 10.0, offset=28.0)  # ~ 280 … 300 K
    path = write_copernicus_native(
        tmp_path / "ostia.nc",
        month,
        "analysed_sst",
        kelvin,
        COARSE,
        units="kelvin",
        kelvin_packed=True,
    )
    out = read_month(
        str(path),
        variable="analysed_sst",
        canonical="sst",
        convention="copernicus",
        month=month,
        grid=COARSE,
    )
    packed = np.round((kelvin - 273.15) / 0.01) * np.float32(0.01) + np.float32(273.15)
    np.testing.assert_allclose(out, packed - 273.15, atol=2e-4, equal_nan=True)


def _pp_stores(root: Path, months: pd.DatetimeIndex, **kw: bool) -> np.ndarray:
    values = np.stack([smooth(COARSE, m, 300.0) for m in months])
    for layout in ("timeChunked", "geoChunked"):
        store = arco_store(root, "043", PP_PRODUCT, f"{PP_DATASET}_202411", layout)
        write_arco(store, "PP", values, months, COARSE, layout, units="milligram m-2 d-1", **kw)
    return values


@pytest.mark.parametrize("lat_descending", [False, True])
def test_arco_layouts_give_identical_canonical_values(tmp_path: Path, lat_descending: bool) -> None:
    months = pd.date_range("2015-01", periods=6, freq="MS")
    values = _pp_stores(tmp_path, months, lat_descending=lat_descending)
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    period = ("2015-02", "2015-05")
    with raise_if_dask_computes():
        maps = open_monthly(cat, "npp_arco", COARSE, period, access="maps", base_url=str(tmp_path))
        series = open_monthly(
            cat, "npp_arco", COARSE, period, access="series", base_url=str(tmp_path)
        )
    assert (
        maps.attrs["source_layout"] == "timeChunked"
        and "mdl-arco-time-043" in maps.attrs["source_store"]
    )
    assert (
        series.attrs["source_layout"] == "geoChunked"
        and "mdl-arco-geo-043" in series.attrs["source_store"]
    )
    assert maps.chunks == ((1, 1, 1, 1), (18,), (36,))
    assert series.chunks[1] == (6, 6, 6) and series.chunks[2] == (12, 12, 12)
    np.testing.assert_array_equal(maps.values, values[1:5])
    np.testing.assert_array_equal(series.values, maps.values)
    assert list(maps.time.values) == list(months[1:5].values)


def test_timechunked_is_chosen_for_maps_and_climatologies() -> None:
    spec = load_catalog(CATALOGS / "copernicus-marine.yaml").source("npp_arco")
    assert choose_layout(spec, "maps") == "timeChunked"
    assert choose_layout(spec, "climatology") == "timeChunked"
    assert choose_layout(spec, "series") == "geoChunked"
    with pytest.raises(CatalogError, match="access must be one of"):
        choose_layout(spec, "movie")


def test_arco_missing_month_is_named(tmp_path: Path) -> None:
    _pp_stores(tmp_path, pd.date_range("2015-01", periods=6, freq="MS"))
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    with pytest.raises(InputError, match=r"1 months missing from .*timeChunked.zarr: 2015-07"):
        open_monthly(cat, "npp_arco", COARSE, ("2015-05", "2015-07"), base_url=str(tmp_path))


def test_arco_on_another_grid_is_a_grid_error(tmp_path: Path) -> None:
    _pp_stores(tmp_path, pd.date_range("2015-01", periods=6, freq="MS"))
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    with pytest.raises(
        GridError, match=r"shape \(36, 72\).*\n.*timeChunked.zarr: shape \(18, 36\)"
    ):
        open_monthly(cat, "npp_arco", Grid(5.0), ("2015-01", "2015-02"), base_url=str(tmp_path))


def test_ostia_daily_kelvin_store_becomes_monthly_celsius(tmp_path: Path) -> None:
    days = pd.date_range("2016-01-01", "2016-02-29", freq="D")
    rng = np.random.default_rng(7)
    kelvin = (275.0 + 25.0 * rng.random((days.size, *COARSE.shape))).astype(np.float32)
    kelvin[:, :3, :4] = np.nan
    for layout in ("timeChunked", "geoChunked"):
        store = arco_store(
            tmp_path,
            "044",
            "SST_GLO_SST_L4_REP_OBSERVATIONS_010_011",
            "METOFFICE-GLO-SST-L4-REP-OBS-SST_202003",
            layout,
        )
        write_arco(
            store, "analysed_sst", kelvin, days, COARSE, layout, units="kelvin", kelvin_packed=True
        )
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    maps = open_monthly(
        cat, "sst_ostia_arco", COARSE, ("2016-01", "2016-02"), base_url=str(tmp_path)
    )
    series = open_monthly(
        cat,
        "sst_ostia_arco",
        COARSE,
        ("2016-01", "2016-02"),
        access="series",
        base_url=str(tmp_path),
    )
    stored = np.round((kelvin - 273.15) / 0.01) * 0.01  # packed, in °C
    expected = np.stack([stored[:31].mean(axis=0), stored[31:].mean(axis=0)])
    assert maps.attrs["units"] == "degC" and maps.dtype == np.float32
    np.testing.assert_allclose(maps.values, expected, atol=1e-3, equal_nan=True)
    np.testing.assert_allclose(series.values, maps.values, atol=1e-5, equal_nan=True)


def test_missing_arco_store_is_named(tmp_path: Path) -> None:
    _pp_stores(tmp_path, pd.date_range("2015-01", periods=6, freq="MS"))
    cat = load_catalog(CATALOGS / "copernicus-marine.yaml")
    with pytest.raises(InputError, match=r"(?s)readable Zarr store.*P1M_202311/timeChunked.zarr"):
        open_monthly(cat, "npp_arco", COARSE, base_url=str(tmp_path), version="202311")


# --- credentials apply to the real archive's protocol only -----------------------------------


def test_credentials_are_keyed_by_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    cat = load_catalog(CATALOGS / "globcolour.yaml")
    spec = cat.source("pic")
    context = entry_context(cat, spec, {})
    assert entry_options(cat, spec, context, "/mirror/2010/01/01/x.nc") == {}
    with pytest.raises(CatalogError, match="GLOBCOLOUR_FTP_USER"):
        entry_options(cat, spec, context, "ftp://ftp.hermes.acri.fr/GLOB/merged/month/x.nc")
    monkeypatch.setenv("GLOBCOLOUR_FTP_USER", "me")
    monkeypatch.setenv("GLOBCOLOUR_FTP_PASSWORD", "secret")
    ftp = entry_options(cat, spec, context, "ftp://ftp.hermes.acri.fr/GLOB/merged/month/x.nc")
    assert ftp == {"username": "me", "password": "secret"}
    nasa = load_catalog(CATALOGS / "nasa-oceancolor.yaml")
    monkeypatch.setenv("EARTHDATA_TOKEN", "tok")
    https = entry_options(
        nasa, nasa.source("pic"), {}, "https://oceandata.sci.gsfc.nasa.gov/getfile/x.nc"
    )
    assert https == {"client_kwargs": {"headers": {"Authorization": "Bearer tok"}}}


def test_real_catalog_urls_render_the_documented_names() -> None:
    nasa = load_catalog(CATALOGS / "nasa-oceancolor.yaml")
    gc = load_catalog(CATALOGS / "globcolour.yaml")
    cop = load_catalog(CATALOGS / "copernicus-marine.yaml")
    month = pd.Timestamp("2010-01-01")
    fields = {"yyyy": "2010", "mm": "01", "first": "20100101", "last": "20100131"}

    def url(cat: Catalog, name: str, **extra: str) -> str:
        spec = cat.source(name)
        context = {k: str(v["default"]) for k, v in spec.parameters.items()} | fields | extra
        return render(str(spec.args["urlpath"]), context, name)

    assert url(gc, "par") == (
        "ftp://ftp.hermes.acri.fr/GLOB/merged/month/2010/01/01/"
        "L3m_20100101-20100131__GLOB_100_*_PAR_MO_00.nc"
    )
    assert url(nasa, "pic") == (
        "https://oceandata.sci.gsfc.nasa.gov/getfile/AQUA_MODIS.20100101_20100131.L3m.MO.PIC.pic.9km.nc"
    )
    clim = climatology_fields(month.replace(month=7), nasa.source("pic_mc").args["time"])
    assert url(nasa, "pic_mc", **clim).endswith(
        "AQUA_MODIS.20020701_20220731.L3m.MC.PIC.pic.9km.nc"
    )
    assert arco_url(cop, "npp_arco", "maps").startswith(
        "https://s3.waw3-1.cloudferro.com/mdl-arco-time-043/arco/OCEANCOLOUR_GLO_BGC_L4_MY_009_104/"
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ("      allow_gaps: yes please\n", "allow_gaps must be a boolean"),
        ("      duplicates: {prefer: ['*_AVW-*'], then: coin}\n", "args.duplicates must be"),
        ("      duplicates: {prefer: '*_AVW-*'}\n", "args.duplicates must be"),
    ],
)
def test_bad_rules_are_refused_when_the_catalog_is_read(
    tmp_path: Path, change: str, match: str
) -> None:
    text = (CATALOGS / "globcolour.yaml").read_text()
    text = text.replace("      duplicates: *duplicates\n", change, 1)
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(CatalogError, match=match):
        load_catalog(tmp_path / "bad.yaml")


def test_a_climatology_has_no_period(tmp_path: Path) -> None:
    cat = load_catalog(CATALOGS / "nasa-oceancolor.yaml")
    with pytest.raises(CatalogError, match="twelve calendar months, not a period"):
        resolve_months(cat, "pic_mc", ("2010-01", "2010-12"), base_url=str(tmp_path))
