"""Monthly archives read through virtual Zarr references equal the files read by picpump."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from picpump.cli import main
from picpump.demo import build_demo_archive
from picpump.errors import CatalogError, InputError
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly, resolve
from picpump.io.references import REFERENCES, write_references
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from tests.conftest import REPO

SERIES = ("pic", "par", "kd490", "poc", "sst", "npp")
PERIOD = ("2001-01", "2001-12")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("refs-demo")
    build_demo_archive(root / "data" / "demo", start="2001-01", periods=12)
    (root / "catalogs").mkdir()
    shutil.copy(REPO / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    return root


def references_catalog(root: Path, fmt: str = "json") -> str:
    """The demo catalog with each monthly entry replaced by its references (same names)."""
    path = root / "catalogs" / "demo.yaml"
    raw = yaml.safe_load(path.read_text())
    suffix = ".json" if fmt == "json" else ".parquet"
    for name in SERIES:
        out = root / "refs" / fmt / f"{name}{suffix}"
        out.parent.mkdir(parents=True, exist_ok=True)
        write_references(resolve(load_catalog(str(path)), name, PERIOD), str(out), fmt)
        source = raw["sources"][name]
        raw["sources"][name] = {
            "driver": REFERENCES,
            "args": {"urlpath": f"{{{{ CATALOG_DIR }}}}/../refs/{fmt}/{name}{suffix}"}
            | {"variable": source["args"]["variable"]},
            "metadata": {"canonical": source["metadata"]["canonical"]},
        }
    target = root / "catalogs" / f"references-{fmt}.yaml"
    target.write_text(yaml.safe_dump(raw, sort_keys=False))
    return str(target)


@pytest.fixture(scope="module")
def refs_catalog(demo_root: Path) -> str:
    return references_catalog(demo_root)


@pytest.mark.parametrize("name", SERIES)
def test_each_entry_through_references_equals_the_files(
    demo_root: Path, refs_catalog: str, name: str
) -> None:
    files = load_catalog(str(demo_root / "catalogs" / "demo.yaml"))
    expected = open_monthly(files, name, Grid(1.0), ("2001-03", "2001-10"), 3)
    through = open_monthly(load_catalog(refs_catalog), name, Grid(1.0), ("2001-03", "2001-10"), 3)
    assert through.chunks == expected.chunks
    assert through.attrs.pop("source_references").endswith(f"{name}.json")
    xr.testing.assert_identical(through, expected)


def test_parquet_references_read_the_same(demo_root: Path, refs_catalog: str) -> None:
    parquet = load_catalog(references_catalog(demo_root, "parquet"))
    through = open_monthly(parquet, "sst", Grid(1.0), PERIOD)
    expected = open_monthly(load_catalog(refs_catalog), "sst", Grid(1.0), PERIOD)
    np.testing.assert_array_equal(through.values, expected.values)


def test_a_month_outside_the_references_is_refused(refs_catalog: str) -> None:
    with pytest.raises((InputError, CatalogError)):
        open_monthly(load_catalog(refs_catalog), "pic", Grid(1.0), ("2001-06", "2002-02")).load()


def test_a_wrong_grid_is_refused(refs_catalog: str) -> None:
    with pytest.raises(Exception, match="grid"):
        open_monthly(load_catalog(refs_catalog), "pic", Grid(2.0), PERIOD)


def test_references_are_refused_for_a_static_entry(demo_root: Path) -> None:
    catalog = load_catalog(str(demo_root / "catalogs" / "demo.yaml"))
    with pytest.raises(CatalogError, match="time-series"):
        write_references(resolve(catalog, "bathymetry"), str(demo_root / "b.json"))


def test_the_command_writes_references_and_prints_an_entry(demo_root: Path, capsys) -> None:
    out = demo_root / "cli" / "npp.json"
    out.parent.mkdir()
    catalog = str(demo_root / "catalogs" / "demo.yaml")
    assert (
        main(["references", catalog, "npp", "--out", str(out), "--period", "2001-01:2001-06"]) == 0
    )
    printed = capsys.readouterr().out
    entry = yaml.safe_load(printed.split("catalog entry:\n", 1)[1])["npp_refs"]
    assert entry["driver"] == REFERENCES and entry["args"]["variable"] == "PP"
    assert "6 files referenced" in printed and out.exists()


@pytest.mark.integration
def test_products_of_a_run_through_references_equal_the_ingest_path(
    demo_root: Path, refs_catalog: str, tmp_path: Path
) -> None:
    raw = yaml.safe_load((REPO / "pipelines" / "toullec2026.yaml").read_text())
    raw["period"] = {"start": PERIOD[0], "end": PERIOD[1]}
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(raw))
    runs = {}
    catalogs = {"files": str(demo_root / "catalogs" / "demo.yaml"), "refs": refs_catalog}
    for label, catalog in catalogs.items():
        plan = make_plan(load_spec(str(spec)), load_catalog(catalog), str(tmp_path / label))
        runs[label] = execute(plan, None, progress=False).products
    assert set(runs["files"]) == set(runs["refs"])
    for name, url in runs["files"].items():
        other = runs["refs"][name]
        if url.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(url), pd.read_parquet(other))
        else:
            xr.testing.assert_equal(open_product(url).load(), open_product(other).load())
