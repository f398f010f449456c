"""Incremental ingest into a Zarr v3 store: append, skip, resume after SIGKILL, refusals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import pytest
import xarray as xr
import zarr

from picpump.demo import build_demo_archive
from picpump.errors import GridError, InputError, PeriodError, UnitsError
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.io.store.ingest_store import StoreLayout
from picpump.pipeline.ingest import IngestReport, ingest_entry
from tests.conftest import REPO
from tests.io.fixtures import (
    GRID,
    field,
    globcolour_archive,
    monthly_entry,
    write_catalog,
    write_globcolour,
)

TILE = 30
ALL = ("2001-01", "2002-06")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo catalog over an 18-month demo archive (2001-01 … 2002-06)."""
    root = tmp_path_factory.mktemp("demo-ingest")
    build_demo_archive(root / "data" / "demo", start="2001-01", periods=18)
    (root / "catalogs").mkdir()
    shutil.copy(REPO / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    return str(root / "catalogs" / "demo.yaml")


@pytest.fixture(scope="module")
def reference(demo: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted ingest of the 18 months."""
    out = tmp_path_factory.mktemp("reference") / "pic.zarr"
    report = ingest_entry(demo, "pic", str(out), period=ALL, tile=TILE)
    assert len(report.appended) == 18
    return out


def _open(path: Path) -> xr.Dataset:
    """Open a store the way users do (consolidated metadata), without dask: fast in tests."""
    return xr.open_zarr(path, chunks=None)


def store_bytes(path: Path) -> dict[str, bytes]:
    """Every file of a store, by relative path."""
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def raw_shape(path: Path) -> list[int]:
    """The variable's shape in its own metadata (not the consolidated one)."""
    return list(json.loads((path / "pic" / "zarr.json").read_text())["shape"])


# --- the demo archive ------------------------------------------------------------------------


def test_six_then_twelve_equals_one_ingest_of_eighteen(
    demo: str, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pic.zarr"
    first = ingest_entry(demo, "pic", str(out), period=("2001-01", "2001-06"), tile=TILE)
    second = ingest_entry(demo, "pic", str(out), period=ALL)
    assert first.appended == tuple(f"2001-{m:02d}" for m in range(1, 7))
    assert second.skipped == first.appended and len(second.appended) == 12
    xr.testing.assert_identical(_open(out).load(), _open(reference).load())
    assert store_bytes(out) == store_bytes(reference)


def test_store_matches_open_monthly(demo: str, reference: Path) -> None:
    ds = _open(reference)
    expected = open_monthly(load_catalog(demo), "pic", Grid(1.0), period=ALL).compute()
    assert ds.pic.dtype == np.float32 and ds.pic.dims == ("time", "lat", "lon")
    np.testing.assert_array_equal(ds.pic.values, expected.values)
    for name in ("time", "lat", "lon"):
        np.testing.assert_array_equal(ds[name].values, expected[name].values)
    assert ds.pic.attrs["units"] == "mol m-3"
    assert ds.attrs["picpump_ingest"]["months"][0] == "2001-01"
    assert len(ds.attrs["picpump_ingest"]["sources"][0]["sha256"]) == 64


def test_rerun_skips_everything_and_writes_nothing(
    demo: str, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pic.zarr"
    shutil.copytree(reference, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    lines: list[str] = []
    report = ingest_entry(demo, "pic", str(out), period=ALL, log=lines.append)
    assert report.appended == () and len(report.skipped) == 18
    assert any("skipped 2001-01…2002-06 (18 months)" in line for line in lines)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_fully_missing_chunks_are_not_stored(reference: Path) -> None:
    values = _open(reference).pic.values
    expected, absent = set(), 0
    for t in range(0, values.shape[0], 12):
        for i in range(0, 180, TILE):
            for j in range(0, 360, TILE):
                key = f"{t // 12}/{i // TILE}/{j // TILE}"
                if np.isfinite(values[t : t + 12, i : i + TILE, j : j + TILE]).any():
                    expected.add(key)
                else:
                    absent += 1
    chunks = reference / "pic" / "c"
    stored = {str(p.relative_to(chunks)) for p in chunks.rglob("*") if p.is_file()}
    assert absent > 0 and stored == expected


def test_sharded_store_holds_the_same_values(demo: str, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "sharded.zarr"
    ingest_entry(demo, "pic", str(out), period=ALL, tile=TILE, shard_tiles=2)
    meta = json.loads((out / "pic" / "zarr.json").read_text())
    assert meta["codecs"][0]["name"] == "sharding_indexed"
    assert meta["chunk_grid"]["configuration"]["chunk_shape"] == [12, 60, 60]
    xr.testing.assert_equal(_open(out).load(), _open(reference).load())
    assert _open(out).attrs["picpump_ingest"]["layout"]["shard_tiles"] == 2


def test_default_layout_shards_fine_grids_only() -> None:
    fine, coarse = Grid(0.25), Grid(1.0)
    assert StoreLayout.for_grid(fine, 12, None, None).shards(fine) == (12, 720, 720)
    assert StoreLayout.for_grid(fine, 12, None, None).chunks(fine) == (12, 240, 240)
    assert StoreLayout.for_grid(coarse, 12, None, None).shards(coarse) is None
    with pytest.raises(InputError, match="positive integers"):
        StoreLayout.for_grid(coarse, 0, None, None)


# --- killed mid-way, then resumed ------------------------------------------------------------

PAUSE = """
import sys, time
from picpump.pipeline.ingest import IngestReport, ingest_entry
def log(line):
    print(line, flush=True)
    if "not yet committed" in line:
        print("PAUSED", flush=True)
        time.sleep(120)
ingest_entry(sys.argv[1], "pic", sys.argv[2], period=("2001-01", "2002-06"), log=log)
"""


def _kill_after_first_write(catalog: str, out: Path) -> None:
    """Run an ingest in a subprocess and SIGKILL it after a write, before its commit."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSE, catalog, str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(REPO / "src")},
    )
    watchdog = threading.Timer(60, proc.kill)  # never hang the suite
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # ends at EOF if the run finishes without pausing
            if line.startswith("PAUSED"):
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        watchdog.cancel()
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def killed(demo: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 3 committed months whose run was killed after writing 2001-04 … 2001-12."""
    out = tmp_path_factory.mktemp("killed") / "pic.zarr"
    ingest_entry(demo, "pic", str(out), period=("2001-01", "2001-03"), tile=TILE)
    _kill_after_first_write(demo, out)
    return out


def test_killed_store_shows_only_committed_months(killed: Path) -> None:
    assert raw_shape(killed)[0] == 12  # the killed run wrote nine months beyond the commit
    ds = _open(killed)
    assert ds.sizes["time"] == 3 and ds.attrs["picpump_ingest"]["months"][-1] == "2001-03"


def test_resume_after_kill_equals_uninterrupted(
    demo: str, reference: Path, killed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pic.zarr"
    shutil.copytree(killed, out)
    report = ingest_entry(demo, "pic", str(out), period=ALL)
    assert report.cleared == 9 and report.skipped == ("2001-01", "2001-02", "2001-03")
    assert len(report.appended) == 15
    times = _open(out).time.values
    assert len(np.unique(times)) == len(times) == 18
    assert store_bytes(out) == store_bytes(reference)


def test_resume_with_a_shorter_period_clears_the_stale_rows(
    demo: str, killed: Path, tmp_path: Path
) -> None:
    out, uninterrupted = tmp_path / "pic.zarr", tmp_path / "short.zarr"
    shutil.copytree(killed, out)
    short = ("2001-01", "2001-05")
    assert ingest_entry(demo, "pic", str(out), period=short).cleared == 9
    ingest_entry(demo, "pic", str(uninterrupted), period=short, tile=TILE)
    assert raw_shape(out) == [5, 180, 360]
    assert store_bytes(out) == store_bytes(uninterrupted)


# --- refusals and options, on tiny 10° archives -----------------------------------------------

MONTHS = pd.date_range("2001-01", periods=4, freq="MS")
FOLDER = ("data", "globcolour")


def _archive(root: Path) -> str:
    return str(globcolour_archive(root, MONTHS))


def _ingest(catalog: str, out: Path | str, first: str, last: str, **kw: Any) -> IngestReport:
    return ingest_entry(catalog, "pic", str(out), period=(first, last), grid=GRID, **kw)


def test_a_month_on_another_grid_is_refused(tmp_path: Path) -> None:
    catalog, out = _archive(tmp_path), tmp_path / "pic.zarr"
    _ingest(catalog, out, "2001-01", "2001-03")
    coarse = Grid(20.0)
    write_globcolour(
        tmp_path.joinpath(*FOLDER), MONTHS[3], "PIC", field(MONTHS[3], grid=coarse), grid=coarse
    )
    with pytest.raises(GridError):
        _ingest(catalog, out, "2001-01", "2001-04")
    assert _open(out).sizes["time"] == 3
    with pytest.raises(GridError, match="store's grid"):
        ingest_entry(catalog, "pic", str(out), period=("2001-01", "2001-03"), grid=Grid(20.0))


def test_wrong_units_and_wrong_variable_are_refused(tmp_path: Path) -> None:
    catalog, out = _archive(tmp_path), tmp_path / "pic.zarr"
    _ingest(catalog, out, "2001-01", "2001-03")
    folder = tmp_path.joinpath(*FOLDER)
    write_globcolour(folder, MONTHS[3], "PIC", field(MONTHS[3]), units="furlong")
    with pytest.raises(UnitsError):
        _ingest(catalog, out, "2001-01", "2001-04")
    write_globcolour(folder, MONTHS[3], "PIC", field(MONTHS[3]), variable="CHL1_mean")
    with pytest.raises(InputError, match="PIC_mean"):
        _ingest(catalog, out, "2001-01", "2001-04")
    entry = monthly_entry(
        str(folder / "L3m_{{ first }}-*_PIC_MO_00.nc"), "PIC_mean", "poc", "globcolour", periods=4
    )
    other = write_catalog(tmp_path / "catalogs", {"pic": entry}, name="poc.yaml")
    with pytest.raises(InputError, match="same variable"):
        _ingest(str(other), out, "2001-01", "2001-04")
    assert _open(out).sizes["time"] == 3


def test_gap_and_prepend_are_refused_unless_fill_gap(tmp_path: Path) -> None:
    catalog, out = _archive(tmp_path), tmp_path / "pic.zarr"
    _ingest(catalog, out, "2001-02", "2001-02")
    with pytest.raises(InputError, match="grows forward") as err:
        _ingest(catalog, out, "2001-01", "2001-03")
    assert "new store" in str(err.value)
    with pytest.raises(InputError, match="no gap") as err:
        _ingest(catalog, out, "2001-04", "2001-04")
    assert "start the period at 2001-03" in str(err.value)
    report = _ingest(catalog, out, "2001-04", "2001-04", fill_gap=True)
    assert report.appended == ("2001-03", "2001-04")
    assert list(_open(out).time.dt.strftime("%Y-%m").values) == ["2001-02", "2001-03", "2001-04"]


def test_changed_source_is_refused_or_refreshed(tmp_path: Path) -> None:
    catalog, out = _archive(tmp_path), tmp_path / "pic.zarr"
    _ingest(catalog, out, "2001-01", "2001-04")
    folder = tmp_path.joinpath(*FOLDER)
    path = write_globcolour(folder, MONTHS[1], "PIC", 2 * field(MONTHS[1]))
    with pytest.raises(InputError, match="must not change") as err:
        _ingest(catalog, out, "2001-01", "2001-04")
    assert "--refresh" in str(err.value) and "2001-02" in str(err.value)
    report = _ingest(catalog, out, "2001-01", "2001-04", refresh=True)
    assert report.refreshed == ("2001-02", "2001-03", "2001-04")
    assert report.appended == report.refreshed and report.skipped == ("2001-01",)
    stored = _open(out).pic.values
    np.testing.assert_allclose(stored[1], 2 * field(MONTHS[1]), rtol=1e-6)
    np.testing.assert_allclose(stored[2], field(MONTHS[2]), rtol=1e-6)
    os.utime(path, ns=(0, 0))  # touched, same bytes: accepted, stamp refreshed
    assert _ingest(catalog, out, "2001-01", "2001-04").appended == ()
    record = _open(out).attrs["picpump_ingest"]["sources"][1]
    assert record["stamp"].endswith("|0.0") or record["stamp"].endswith("|0")


def test_a_folder_that_is_not_an_ingest_store_is_refused(tmp_path: Path) -> None:
    catalog, out = _archive(tmp_path), tmp_path / "other"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="picpump ingest store"):
        _ingest(catalog, out, "2001-01", "2001-02")
    assert (out / "notes.txt").read_text() == "keep me"


def test_a_gap_month_is_stored_missing_and_a_late_file_needs_refresh(tmp_path: Path) -> None:
    folder = tmp_path.joinpath(*FOLDER)
    for month in MONTHS.delete(2):
        write_globcolour(folder, month, "PIC", field(month))
    entry = monthly_entry(
        str(folder / "L3m_{{ first }}-*_PIC_MO_00.nc"),
        "PIC_mean",
        "pic",
        "globcolour",
        periods=4,
        allow_gaps=True,
    )
    catalog, out = str(write_catalog(tmp_path / "catalogs", {"pic": entry})), tmp_path / "pic.zarr"
    assert len(_ingest(catalog, out, "2001-01", "2001-04").appended) == 4
    ds = _open(out)
    assert np.isnan(ds.pic.values[2]).all() and np.isfinite(ds.pic.values[3]).any()
    assert ds.attrs["picpump_ingest"]["sources"][2]["url"] is None
    write_globcolour(folder, MONTHS[2], "PIC", field(MONTHS[2]))
    with pytest.raises(InputError, match="no file"):
        _ingest(catalog, out, "2001-01", "2001-04")
    assert _ingest(catalog, out, "2001-01", "2001-04", refresh=True).refreshed[0] == "2001-03"
    np.testing.assert_allclose(_open(out).pic.values[2], field(MONTHS[2]), rtol=1e-6)


def test_an_fsspec_store_is_appended_and_resumed(tmp_path: Path) -> None:
    catalog = _archive(tmp_path)
    url = f"memory://picpump-tests/{tmp_path.name}/pic.zarr"
    try:
        _ingest(catalog, url, "2001-01", "2001-02")
        report = _ingest(catalog, url, "2001-01", "2001-04")
        assert report.skipped == ("2001-01", "2001-02") and len(report.appended) == 2
        ds = xr.open_zarr(url, chunks=None)
        np.testing.assert_allclose(ds.pic.values[3], field(MONTHS[3]), rtol=1e-6)
    finally:
        fsspec.filesystem("memory").rm(f"/picpump-tests/{tmp_path.name}", recursive=True)


def test_a_store_modified_outside_picpump_and_a_bad_period_are_refused(tmp_path: Path) -> None:
    catalog, out = _archive(tmp_path), tmp_path / "pic.zarr"
    with pytest.raises(PeriodError, match="YYYY-MM"):
        _ingest(catalog, out, "2001-13", "2001-02")
    _ingest(catalog, out, "2001-01", "2001-02")
    zarr.open_array(out / "time", mode="r+")[1] = 0
    with pytest.raises(InputError, match="modified outside picpump"):
        _ingest(catalog, out, "2001-01", "2001-03")


def test_a_run_interrupted_in_its_first_write_starts_afresh(demo: str, tmp_path: Path) -> None:
    out, uninterrupted = tmp_path / "pic.zarr", tmp_path / "ref.zarr"

    def interrupt(line: str) -> None:
        if "not yet committed" in line:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_entry(demo, "pic", str(out), period=("2001-01", "2001-08"), tile=TILE, log=interrupt)
    assert raw_shape(out)[0] == 8 and _open(out).sizes["time"] == 0
    short = ("2001-01", "2001-05")
    assert len(ingest_entry(demo, "pic", str(out), period=short, tile=TILE).appended) == 5
    ingest_entry(demo, "pic", str(uninterrupted), period=short, tile=TILE)
    assert store_bytes(out) == store_bytes(uninterrupted)
