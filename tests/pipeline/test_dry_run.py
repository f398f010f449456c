"""`picpump run --dry-run`: months and files per input, grid, chunks, products; nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import dask
import pytest

from picpump.cli import main
from picpump.demo.build import read_manifest
from picpump.io.api import load_catalog
from picpump.pipeline import load_spec, make_plan
from picpump.pipeline.dry_run import dry_run, render_dry_run
from tests.conftest import REPO, CountingScheduler
from tests.pipeline.conftest import PERIODS

MONTHLY_INPUTS = ("pic", "sst", "par", "kd490", "poc", "npp")


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def _dry_run_lists_every_month(
    spec: str, catalog: str, archive: Path, months: int, tmp_path: Path, capsys
) -> str:
    """Run the CLI's dry run with no compute allowed; check it wrote and changed nothing."""
    out = tmp_path / "out"
    before = _snapshot(archive)
    with dask.config.set(scheduler=CountingScheduler(max_computes=0)):
        assert main(["run", spec, "--catalog", catalog, "--out", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    for name in MONTHLY_INPUTS:
        assert f"  {name} (picpump.monthly_netcdf): {months} months, {months} files" in printed
    assert not out.exists()
    assert _snapshot(archive) == before
    return printed


def test_dry_run_on_the_short_demo(
    demo_root: Path, demo_catalog: str, spec_path: str, tmp_path: Path, capsys
) -> None:
    printed = _dry_run_lists_every_month(
        spec_path, demo_catalog, demo_root / "data" / "demo", PERIODS, tmp_path, capsys
    )
    assert "grid: 1.0° (180×360), 12 months per chunk" in printed
    assert "first: " in printed and "last:  " in printed
    assert f"inputs.zarr → {tmp_path / 'out' / 'inputs.zarr'}" in printed
    assert "pic [time=24×lat=180×lon=360] float32, chunks" in printed
    assert "tables (" in printed and "table1" in printed


def test_the_report_is_structured_data(demo_catalog: str, spec_path: str, tmp_path: Path) -> None:
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), str(tmp_path / "out"))
    report = dry_run(plan)
    by_entry = {item.entry: item for item in report.inputs}
    pic = by_entry["pic"]
    assert (pic.months, pic.files, pic.gaps) == (PERIODS, PERIODS, ())
    assert pic.bytes > 0 and pic.unsized == 0
    assert by_entry["bathymetry"].files == 1 and by_entry["bathymetry"].bytes > 0
    assert report.input_bytes == sum(item.bytes for item in report.inputs)
    assert [p.name for p in report.products] == plan.needed
    assert report.tasks >= max(p.tasks for p in report.products) > 0
    json.dumps(report.as_dict())
    assert render_dry_run(report).startswith(f"{plan.spec.name}: 2001-01/2002-12")


def test_dry_run_on_the_full_demo_lists_302_months(tmp_path: Path, capsys) -> None:
    archive = REPO / "data" / "demo"
    manifest = read_manifest(archive)
    if manifest is None or manifest["parameters"]["periods"] != 302:
        pytest.skip("the full demo archive is absent (make demo-archive)")
    _dry_run_lists_every_month(
        str(REPO / "pipelines" / "toullec2026.yaml"),
        str(REPO / "catalogs" / "demo.yaml"),
        archive,
        302,
        tmp_path,
        capsys,
    )
