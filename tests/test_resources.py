"""The shipped profiles, specs and catalogs: the same files as the checkout's folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from picpump.cluster import load_profile
from picpump.io.api import load_catalog
from picpump.pipeline import load_spec
from picpump.resources import FOLDERS, ROOT, copy_shipped, find_named, shipped, shipped_names
from tests.conftest import REPO


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_shipped_files_are_the_checkouts(folder: str) -> None:
    top = {path.name: path.read_bytes() for path in (REPO / folder).glob("*.yaml")}
    packaged = {path.name: path.read_bytes() for path in (ROOT / folder).glob("*.yaml")}
    fix = f"cp {folder}/*.yaml src/picpump/resources/{folder}/"
    assert sorted(packaged) == sorted(top), fix
    for name, text in top.items():
        assert packaged[name] == text, f"{folder}/{name} differs from its shipped copy: {fix}"


def test_every_shipped_file_loads_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in shipped_names("cluster"):
        assert load_profile(name).source == str(ROOT / "cluster" / f"{name}.yaml")
    for name in shipped_names("pipelines"):
        assert load_spec(str(shipped("pipelines", name))).name
    assert "demo" in load_catalog(str(shipped("catalogs", "demo"))).metadata["title"]


def test_a_project_folder_comes_before_the_shipped_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_named("pipelines", "toullec2026") == ROOT / "pipelines" / "toullec2026.yaml"
    assert find_named("pipelines", "nope") is None
    written = copy_shipped(tmp_path)
    assert (tmp_path / "cluster" / "slurm.yaml") in written
    assert find_named("pipelines", "toullec2026") == Path("pipelines") / "toullec2026.yaml"
    (tmp_path / "cluster" / "slurm.yaml").write_text("kind: threads\n")
    assert copy_shipped(tmp_path) == []
    assert load_profile("slurm").kind == "threads"
    assert (tmp_path / "cluster" / "slurm.yaml") in copy_shipped(tmp_path, overwrite=True)
    assert load_profile("slurm").kind == "slurm"
