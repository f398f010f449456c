"""Catalog loading, templates, month resolution, globbing and the lazy monthly stack."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pytest

from picpump.errors import CatalogError, InputError, PeriodError
from picpump.grid import Grid
from picpump.io.api import Catalog, load_catalog, open_monthly, open_static
from picpump.io.catalog.model import months_of
from picpump.io.catalog.months import resolve_month_urls
from picpump.io.catalog.resolve import render_template, resolve_url
from picpump.io.catalog.templates import month_fields, render
from picpump.io.store.fs import source_fingerprint
from tests.conftest import raise_if_dask_computes
from tests.io.fixtures import (
    GLOBCOLOUR_PIC,
    GRID,
    RES_PARAMETER,
    catalog_text,
    field,
    globcolour_archive,
    monthly_entry,
    write_canonical,
    write_catalog,
    write_globcolour,
)

MONTHS = pd.date_range("2001-01", periods=5, freq="MS")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A 5-month GlobColour PIC archive and its catalog."""
    return globcolour_archive(tmp_path, MONTHS)


# --- templates -------------------------------------------------------------------------------


def test_month_fields_of_a_leap_february() -> None:
    fields = month_fields(pd.Timestamp("2008-02-01"))
    assert fields == {
        "yyyymm": "200802",
        "yyyy": "2008",
        "mm": "02",
        "first": "20080201",
        "last": "20080229",
        "jfirst": "2008032",
        "jlast": "2008060",
    }


def test_month_fields_old_nasa_name() -> None:
    f = month_fields(pd.Timestamp("2008-01-01"))
    assert f"S{f['jfirst']}{f['jlast']}.L3m_MO_CHL_chlor_a_9km.nc" == (
        "S20080012008031.L3m_MO_CHL_chlor_a_9km.nc"
    )


def test_time_block_param_adds_a_field() -> None:
    fields = month_fields(pd.Timestamp("1997-09-01"), {"param": "ym", "fmt": "%Y-%m"})
    assert fields["ym"] == "1997-09"


def test_render_spaces_optional_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICPUMP_TEST_BUCKET", "my-bucket")
    out = render(
        "s3://{{env(PICPUMP_TEST_BUCKET)}}/{{ yyyy }}/{{res}}", {"yyyy": "2001", "res": "4"}, "t"
    )
    assert out == "s3://my-bucket/2001/4"


def test_render_unset_env_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PICPUMP_UNSET_VAR", raising=False)
    with pytest.raises(CatalogError, match="PICPUMP_UNSET_VAR"):
        render("{{ env(PICPUMP_UNSET_VAR) }}", {}, "test")


def test_render_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(CatalogError, match=r"yyyymm.*\n.*\{\{ yyymm \}\}"):
        render("a_{{ yyymm }}.nc", month_fields(pd.Timestamp("2001-01-01")), "test")


# --- loading ---------------------------------------------------------------------------------


def test_load_catalog(archive: Path) -> None:
    cat = load_catalog(archive)
    assert isinstance(cat, Catalog)
    assert cat.metadata["synthetic"] is True
    spec = cat.source("pic")
    assert spec.driver == "picpump.monthly_netcdf"
    assert spec.metadata["canonical"] == "pic"
    assert spec.parameters["res"]["default"] == "100"
    assert cat.catalog_dir == str(archive.parent)


def test_unknown_source_lists_the_sources(archive: Path) -> None:
    with pytest.raises(CatalogError, match=r"\['pic'\]"):
        load_catalog(archive).source("pik")


def _entry(**changes: object) -> dict:
    entry = monthly_entry("{{ CATALOG_DIR }}/x_{{ yyyymm }}.nc", "v", "pic", "canonical")
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            entry[section][name] = value
        else:
            entry[section] = value
    return entry


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("sources: [unclosed", "valid YAML"),
        ("metadata: {}\n", "'sources' must be a mapping"),
        (catalog_text({"a": _entry(driver="intake_xarray.netcdf")}), "driver must be one of"),
        (catalog_text({"a": _entry(args__variable=None)}), "args.variable is required"),
        (catalog_text({"a": _entry(args__convention="seadas")}), "args.convention"),
        (catalog_text({"a": _entry(metadata={"canonical": "chl"})}), "metadata.canonical"),
        (catalog_text({"a": _entry(args__time={"start": "2001-01"})}), "periods/end"),
        (catalog_text({"a": _entry(args__time={"start": "x", "periods": 2})}), "valid months"),
        (catalog_text({"a": _entry(args__time=None)}), "args.time"),
    ],
)
def test_bad_catalogs_are_refused(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError, match=match):
        load_catalog(path)


def test_missing_catalog_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="must exist"):
        load_catalog(tmp_path / "nope.yaml")


# --- months ----------------------------------------------------------------------------------


def test_months_of_whole_archive_and_period(archive: Path) -> None:
    spec = load_catalog(archive).source("pic")
    assert list(months_of(spec)) == list(MONTHS)
    assert months_of(spec).dtype == "datetime64[ns]"
    sub = months_of(spec, ("2001-02", "2001-03"))
    assert list(sub) == [pd.Timestamp("2001-02-01"), pd.Timestamp("2001-03-01")]


@pytest.mark.parametrize("period", [("2000-12", "2001-02"), ("2001-04", "2001-06")])
def test_period_outside_the_archive_is_refused(archive: Path, period: tuple[str, str]) -> None:
    with pytest.raises(CatalogError, match="inside the archive"):
        months_of(load_catalog(archive).source("pic"), period)


def test_a_reversed_period_is_refused_where_it_is_read(archive: Path) -> None:
    with pytest.raises(PeriodError, match="must end after it starts"):
        months_of(load_catalog(archive).source("pic"), ("2001-03", "2001-02"))


def test_time_block_with_end(tmp_path: Path) -> None:
    entry = _entry(args__time={"start": "1997-09", "end": "2022-10", "freq": "MS"})
    cat = load_catalog(write_catalog(tmp_path, {"a": entry}))
    assert len(months_of(cat.source("a"))) == 302


# --- URL resolution --------------------------------------------------------------------------


def test_catalog_dir_of_a_plain_path(archive: Path) -> None:
    urls = resolve_month_urls(load_catalog(archive), "pic", ("2001-02", "2001-02"))
    expected = archive.parent.parent / "data" / "globcolour"
    assert urls == [
        (
            pd.Timestamp("2001-02-01"),
            str(expected / "L3m_20010201-20010228__GLOB_100_AVW-MODVIR_PIC_MO_00.nc"),
        )
    ]


def test_catalog_dir_of_a_file_url(archive: Path) -> None:
    cat = load_catalog(f"file://{archive}")
    (month, url), *_ = resolve_month_urls(cat, "pic")
    assert url.startswith("file://") and url.endswith(
        "L3m_20010101-20010131__GLOB_100_AVW-MODVIR_PIC_MO_00.nc"
    )
    assert ".." not in url
    data = open_monthly(cat, "pic", GRID, ("2001-01", "2001-01")).values
    np.testing.assert_array_equal(data[0], field(month))


def test_glob_matches_changing_sensor_codes(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "globcolour"
    for month, sensors in zip(MONTHS[:3], ["SWF", "MERMODSWF", "MERMOD"], strict=True):
        write_globcolour(folder, month, "PIC", field(month), sensors=f"AVW-{sensors}")
    write_globcolour(folder, MONTHS[0], "PIC", field(MONTHS[0]), res="25")
    entry = monthly_entry(GLOBCOLOUR_PIC, "PIC_mean", "pic", "globcolour", periods=3)
    entry["parameters"] = RES_PARAMETER
    cat = load_catalog(write_catalog(tmp_path / "catalogs", {"pic": entry}))
    names = [os.path.basename(u) for _, u in resolve_month_urls(cat, "pic")]
    assert [n.split("_")[5] for n in names] == ["AVW-SWF", "AVW-MERMODSWF", "AVW-MERMOD"]


def test_user_parameter_default_and_override(tmp_path: Path) -> None:
    cat_path = globcolour_archive(tmp_path, MONTHS[:2])
    for m in MONTHS[:2]:
        write_globcolour(tmp_path / "data" / "globcolour", m, "PIC", field(m) * 2, res="25")
    cat = load_catalog(cat_path)
    assert "_100_" in resolve_month_urls(cat, "pic")[0][1]
    assert "_25_" in resolve_month_urls(cat, "pic", res="25")[0][1]
    with pytest.raises(CatalogError, match="parameters of 'pic' must be among"):
        resolve_month_urls(cat, "pic", resolution="25")


def test_parameter_type_and_allowed_values(tmp_path: Path) -> None:
    entry = _entry(args__urlpath="{{ CATALOG_DIR }}/x_{{ yyyymm }}_{{ n }}.nc")
    entry["parameters"] = {"n": {"type": "int", "default": 1, "allowed": [1, 2]}}
    for m in MONTHS[:3]:
        write_canonical(tmp_path, m, "v", field(m), filename=f"x_{m:%Y%m}_2.nc")
    cat = load_catalog(write_catalog(tmp_path, {"a": entry}))
    assert resolve_month_urls(cat, "a", n="2")[0][1].endswith("x_200101_2.nc")
    with pytest.raises(CatalogError, match="must be of type int"):
        resolve_month_urls(cat, "a", n="two")
    with pytest.raises(CatalogError, match=r"one of \[1, 2\]"):
        resolve_month_urls(cat, "a", n=3)


def test_urlpath_without_month_field_is_refused(tmp_path: Path) -> None:
    cat = load_catalog(
        write_catalog(tmp_path, {"a": _entry(args__urlpath="{{ CATALOG_DIR }}/x.nc")})
    )
    with pytest.raises(CatalogError, match="month field"):
        resolve_month_urls(cat, "a")


def test_env_in_urlpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for m in MONTHS[:3]:
        write_canonical(tmp_path / "store", m, "v", field(m), filename=f"x_{m:%Y%m}.nc")
    monkeypatch.setenv("PICPUMP_TEST_ROOT", str(tmp_path / "store"))
    cat = load_catalog(
        write_catalog(
            tmp_path, {"a": _entry(args__urlpath="{{ env(PICPUMP_TEST_ROOT) }}/x_{{ yyyymm }}.nc")}
        )
    )
    assert resolve_month_urls(cat, "a")[2][1] == str(tmp_path / "store" / "x_200103.nc")


# --- memory:// (an fsspec filesystem netCDF4 cannot read directly) ----------------------------


@pytest.fixture
def memory_catalog(tmp_path: Path):
    """The 5-month archive copied to fsspec's memory filesystem."""
    globcolour_archive(tmp_path, MONTHS)
    fs = fsspec.filesystem("memory")
    root = f"/picpump-test-{os.getpid()}-{tmp_path.name}"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            fs.pipe(f"{root}/{path.relative_to(tmp_path).as_posix()}", path.read_bytes())
    shutil.rmtree(tmp_path / "data")  # make sure nothing is read from disk
    yield f"memory://{root}/catalogs/catalog.yaml"
    fs.rm(root, recursive=True)


def test_memory_catalog_dir_and_values(memory_catalog: str) -> None:
    cat = load_catalog(memory_catalog)
    assert cat.catalog_dir.startswith("memory://")
    urls = resolve_month_urls(cat, "pic")
    assert all(u.startswith("memory://") and ".." not in u for _, u in urls)
    with raise_if_dask_computes():
        pic = open_monthly(cat, "pic", GRID, months_per_chunk=2)
    np.testing.assert_array_equal(pic.values, np.stack([field(m) for m in MONTHS]))


# --- open_monthly ----------------------------------------------------------------------------


def test_open_monthly_is_lazy_canonical_and_chunked(archive: Path) -> None:
    cat = load_catalog(archive)
    with raise_if_dask_computes():
        pic = open_monthly(cat, "pic", GRID, months_per_chunk=2)
    assert pic.name == "pic"
    assert pic.dims == ("time", "lat", "lon")
    assert pic.dtype == np.float32
    assert pic.time.dtype == "datetime64[ns]"
    assert list(pic.time.values) == list(MONTHS.values)
    np.testing.assert_array_equal(pic.lat, GRID.lat)
    np.testing.assert_array_equal(pic.lon, GRID.lon)
    assert pic.attrs["units"] == "mol m-3"
    assert "standard_name" in pic.attrs
    assert pic.chunks == ((2, 2, 1), (18,), (36,))
    reads = [k for k in pic.data.__dask_graph__() if str(k[0]).startswith("read-")]
    assert len(reads) == 3  # one read task per chunk, not per file
    values = pic.compute()
    np.testing.assert_array_equal(values.values, np.stack([field(m) for m in MONTHS]))


def test_open_monthly_period_subset(archive: Path) -> None:
    pic = open_monthly(load_catalog(archive), "pic", GRID, ("2001-02", "2001-04"))
    assert pic.sizes["time"] == 3
    assert pic.chunks[0] == (3,)
    np.testing.assert_array_equal(pic.isel(time=0).values, field("2001-02"))


def test_open_monthly_reads_no_data_at_build(archive: Path) -> None:
    """Building the graph must not read the files: corrupt all but the first, then build."""
    cat = load_catalog(archive)
    for _, url in resolve_month_urls(cat, "pic")[1:]:
        Path(url).write_bytes(b"not a netcdf file")
    with raise_if_dask_computes():
        pic = open_monthly(cat, "pic", GRID)
    with pytest.raises(InputError, match="truncated or corrupt"):
        pic.compute()


def test_open_monthly_with_the_distributed_scheduler(archive: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.Client(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ):
        pic = open_monthly(load_catalog(archive), "pic", GRID, months_per_chunk=2)
        np.testing.assert_array_equal(pic.values, np.stack([field(m) for m in MONTHS]))


def test_static_source_on_a_monthly_reader_is_refused(tmp_path: Path) -> None:
    write_canonical(
        tmp_path, "2001-01", "elevation", field("2001-01"), with_time=False, filename="topo.nc"
    )
    entry = {
        "driver": "picpump.netcdf",
        "args": {"urlpath": "{{ CATALOG_DIR }}/topo.nc", "variable": "elevation"},
    }
    cat = load_catalog(write_catalog(tmp_path, {"topo": entry}))
    with pytest.raises(CatalogError, match="open_static"):
        open_monthly(cat, "topo", GRID)


# --- static sources --------------------------------------------------------------------------


def test_open_static_orients_and_converts(tmp_path: Path) -> None:
    grid = Grid(5.0)
    values = -1000.0 * field("2001-01", grid=grid, scale=1.0)
    write_canonical(
        tmp_path / "data",
        "2001-01",
        "Band1",
        values,
        grid=grid,
        with_time=False,
        lat_descending=True,
        lon360=True,
        filename="topo.nc",
    )
    entry = {
        "driver": "picpump.netcdf",
        "args": {"urlpath": "{{ CATALOG_DIR }}/data/top*.nc", "variable": "Band1", "units": "m"},
        "metadata": {"canonical": "elevation"},
    }
    cat = load_catalog(write_catalog(tmp_path, {"topo": entry}))
    assert resolve_url(cat, "topo") == str(tmp_path / "data" / "topo.nc")
    topo = open_static(cat, "topo")
    assert topo.name == "elevation" and topo.attrs["units"] == "m"
    np.testing.assert_array_equal(topo.lat, grid.lat)
    np.testing.assert_allclose(topo.lon, grid.lon)
    np.testing.assert_array_equal(topo.values, values)


def test_render_template_for_products(archive: Path) -> None:
    cat = load_catalog(archive)
    assert render_template("{{ CATALOG_DIR }}/../out/inputs.zarr", cat) == str(
        archive.parent.parent / "out" / "inputs.zarr"
    )


# --- fingerprints ----------------------------------------------------------------------------


def test_source_fingerprint_changes_with_the_files(archive: Path) -> None:
    urls = [u for _, u in resolve_month_urls(load_catalog(archive), "pic")]
    first = source_fingerprint(urls, {})
    assert source_fingerprint(urls, {}) == first
    assert source_fingerprint(urls[:-1], {}) != first
    with open(urls[0], "ab") as f:
        f.write(b"\0" * 10)
    assert source_fingerprint(urls, {}) != first


def test_source_fingerprint_on_memory(memory_catalog: str) -> None:
    urls = [u for _, u in resolve_month_urls(load_catalog(memory_catalog), "pic")]
    assert len(source_fingerprint(urls, None)) == 64
    assert source_fingerprint(urls + [urls[0] + ".missing"], None) != source_fingerprint(urls, None)
