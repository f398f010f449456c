"""A short demo archive, its catalog and a pipeline spec, shared by the pipeline tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from picpump.demo import build_demo_archive
from tests.conftest import REPO

START, PERIODS, END = "2001-01", 24, "2002-12"


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project-like folder: catalogs/demo.yaml next to data/demo (24 months)."""
    root = tmp_path_factory.mktemp("demo-project")
    build_demo_archive(root / "data" / "demo", start=START, periods=PERIODS)
    (root / "catalogs").mkdir()
    shutil.copy(REPO / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    return root


@pytest.fixture(scope="session")
def demo_catalog(demo_root: Path) -> str:
    return str(demo_root / "catalogs" / "demo.yaml")


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The paper's spec restricted to the short archive's period."""
    raw = yaml.safe_load((REPO / "pipelines" / "toullec2026.yaml").read_text())
    raw["period"] = {"start": START, "end": END}
    path = tmp_path_factory.mktemp("spec") / "short.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)
