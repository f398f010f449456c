"""A run on stores written by `picpump ingest` gives the products of a run on the files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from picpump.errors import InputError
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline.ingest import ingest_entry
from tests.conftest import raise_if_dask_computes
from tests.pipeline.conftest import END, START

MONTHLY = ("pic", "sst", "par", "kd490", "poc", "npp")


@pytest.fixture(scope="module")
def ingested_catalog(demo_catalog: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every monthly input ingested into its own store; a catalog of the stores."""
    folder = tmp_path_factory.mktemp("stores")
    for name in MONTHLY:
        ingest_entry(demo_catalog, name, str(folder / f"{name}.zarr"), period=(START, END))
    entries = {
        name: {
            "driver": "picpump.ingested",
            "args": {"urlpath": f"{{{{ CATALOG_DIR }}}}/{name}.zarr"},
        }
        for name in MONTHLY
    }
    others = ["bathymetry", "regions", "traps_go_flux", "traps_station", "taxa_biomass"]
    content = {
        "metadata": {"title": "ingested demo inputs", "synthetic": True},
        "includes": [{"catalog": demo_catalog, "sources": [*others, "export_pathways"]}],
        "sources": entries,
    }
    path = folder / "ingested.yaml"
    path.write_text(yaml.safe_dump(content))
    return path


def test_a_run_on_ingest_stores_equals_a_run_on_the_files(
    ingested_catalog: Path, demo_catalog: str, spec_path: str, tmp_path: Path
) -> None:
    spec = load_spec(spec_path, {"outputs": ["monthly"]})
    with raise_if_dask_computes():
        from_stores = make_plan(spec, load_catalog(ingested_catalog), str(tmp_path / "a"))
    from_files = make_plan(spec, load_catalog(demo_catalog), str(tmp_path / "b"))
    a = open_product(execute(from_stores, None, progress=False).products["monthly"]).load()
    b = open_product(execute(from_files, None, progress=False).products["monthly"]).load()
    for name in ("ez_pic_production", "npp", "pic_100", "poc_100"):
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_a_period_not_committed_is_refused(ingested_catalog: Path) -> None:
    catalog = load_catalog(ingested_catalog)
    with pytest.raises(InputError, match="lacks 12 months, first 2003-01"):
        open_monthly(catalog, "pic", Grid(1.0), (START, "2003-12"))
