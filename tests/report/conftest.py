"""A demo run with its figures and report, drawn with cartopy offline (shared by the tests)."""

from __future__ import annotations

from pathlib import Path

import cartopy
import cartopy.io
import pytest

from picpump.io.api import load_catalog
from picpump.pipeline import load_spec, make_plan
from picpump.report.html import write_report
from picpump.runner import run_plan
from tests.pipeline.conftest import demo_catalog, demo_root, spec_path  # noqa: F401


def _no_download(*_args, **_kwargs):
    raise RuntimeError("a figure tried to download map data")


@pytest.fixture(scope="session")
def offline(tmp_path_factory: pytest.TempPathFactory):
    """Cartopy with an empty data folder and any download refused."""
    empty = tmp_path_factory.mktemp("no-natural-earth")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(cartopy.config, "data_dir", str(empty))
        patch.setitem(cartopy.config, "pre_existing_data_dir", str(empty))
        patch.setattr(cartopy.io.Downloader, "acquire_resource", _no_download)
        yield empty


@pytest.fixture(scope="session")
def run_dir(demo_catalog, spec_path, tmp_path_factory, offline) -> Path:  # noqa: F811
    """A demo run with every product, its figures and its report."""
    out = tmp_path_factory.mktemp("figures") / "out"
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), str(out))
    run_plan(plan, None, progress=False)
    write_report(str(out))
    return out
