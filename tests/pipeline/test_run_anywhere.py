"""``picpump run`` by name from a folder outside the checkout; the dashboard link."""

from __future__ import annotations

from pathlib import Path

import pytest

from picpump.cli import main
from tests.pipeline.conftest import END, START

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_folder(tmp_path: Path, demo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder; the demo archive where the shipped demo catalog looks."""
    cache = tmp_path / "cache"
    (cache / "data").mkdir(parents=True)
    (cache / "data" / "demo").symlink_to(demo_root / "data" / "demo")
    monkeypatch.setenv("PICPUMP_CACHE", str(cache))
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_run_by_name_from_an_empty_folder(
    empty_folder: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["run", "toullec2026", "--catalog", "demo", "--period", f"{START}:{END}"]
    assert main([*args, "--cluster", "threads", "--out", "out", "--no-progress"]) == 0
    assert (empty_folder / "out" / "summary.json").is_file()
    assert "dashboard:" not in capsys.readouterr().out  # the threaded scheduler has none


def test_the_dashboard_link_is_printed_when_the_cluster_is_up(
    empty_folder: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["run", "toullec2026", "--catalog", "demo", "--period", f"{START}:{END}"]
    options = ["--cluster-opt", "n_workers=1", "--cluster-opt", "dashboard_address=:0"]
    assert main([*args, "--cluster", "local", *options, "--out", "out", "--no-progress"]) == 0
    out = capsys.readouterr().out
    link = next(line for line in out.splitlines() if line.startswith("dashboard: "))
    assert link.startswith("dashboard: http") and link.endswith("/status")
    assert out.index("dashboard: ") < out.index("summary: ")


def test_demo_build_writes_where_the_shipped_catalog_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PICPUMP_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "build", "--periods", "1", "--start", START]) == 0
    assert (tmp_path / "cache" / "data" / "demo" / "MANIFEST.json").is_file()
    assert str(tmp_path / "cache" / "data" / "demo") in capsys.readouterr().out
