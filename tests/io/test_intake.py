"""Intake opens picpump's catalogs: the input catalogs through picpump's drivers, run catalogs
through Intake's standard ``zarr`` / ``parquet`` drivers."""

from __future__ import annotations

import importlib
import shutil
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import dask
import intake
import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from intake.source import discovery

from picpump.demo import build_demo_archive
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.io.catalog.model import DRIVERS
from picpump.io.products import open_source, open_table, write_product_catalog
from picpump.io.store.table_files import write_table
from picpump.io.store.zarr_store import stage_zarr
from tests.conftest import REPO

DECLARED = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"][
    "intake.drivers"
]


@pytest.fixture(scope="module", autouse=True)
def picpump_drivers() -> None:
    """Make the drivers pyproject declares known to Intake.

    An installed picpump registers them through its entry points; a source checkout whose
    installed metadata predates them gets the same table registered here (Intake's own
    ``register_driver`` refuses dotted names).
    """
    installed = {ep.name for ep in entry_points(group="intake.drivers")}
    for name, target in DECLARED.items():
        if name not in installed:
            module, attr = target.split(":")
            discovery.drivers.registered()[name] = getattr(importlib.import_module(module), attr)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("intake-demo")
    build_demo_archive(root / "data" / "demo", start="2001-01", periods=6)
    (root / "catalogs").mkdir()
    shutil.copy(REPO / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    return root


def test_every_picpump_driver_has_an_intake_entry_point() -> None:
    picpump_drivers = {d for d in DRIVERS if d.startswith("picpump.")}
    assert picpump_drivers <= set(DECLARED)
    assert DECLARED["picpump.monthly_netcdf"] == "picpump.io.intake_plugin:PicpumpSource"


@pytest.mark.parametrize("path", sorted((REPO / "catalogs").glob("*.yaml")), ids=lambda p: p.name)
def test_every_input_catalog_parses_under_intake(path: Path) -> None:
    raw = yaml.safe_load(path.read_text())
    catalog = intake.open_catalog(str(path))
    assert set(catalog) == set(raw.get("sources") or {})


def test_a_demo_entry_read_through_intake_equals_open_monthly(demo_root: Path) -> None:
    path = str(demo_root / "catalogs" / "demo.yaml")
    source = intake.open_catalog(path).pic(period=["2001-02", "2001-05"], months_per_chunk=2)
    through_intake = source.to_dask()
    expected = open_monthly(load_catalog(path), "pic", Grid(1.0), ("2001-02", "2001-05"), 2)
    assert through_intake.chunks == expected.chunks
    xr.testing.assert_identical(through_intake, expected)
    assert source.discover()["shape"] == (4, 180, 360)


def test_static_and_ancillary_demo_entries_read_through_intake(demo_root: Path) -> None:
    catalog = intake.open_catalog(str(demo_root / "catalogs" / "demo.yaml"))
    assert catalog.bathymetry.read().dims == ("lat", "lon")
    assert "open_ocean" in catalog.regions.read()
    assert len(catalog.traps_station.read()) > 0


def _products(out: Path) -> dict[str, str]:
    ds = xr.Dataset(
        {"production": (("lat", "lon"), np.arange(6.0).reshape(2, 3), {"units": "mg m-2 d-1"})},
        coords={"lat": [-0.5, 0.5], "lon": [-1.0, 0.0, 1.0]},
    ).chunk()
    pending = stage_zarr(ds, str(out / "annual.zarr"))
    dask.compute(pending.task)
    pending.publish()
    table = pd.DataFrame({"layer": ["0-100", "100-200"], "r": [0.5, 0.25]})
    urls = write_table(table, str(out / "tables" / "pearson"), attrs={"picpump_product": "p"})
    return {"annual": str(out / "annual.zarr"), "pearson": urls["parquet"]}


def test_every_entry_of_a_product_catalog_opens_with_intake_and_picpump(tmp_path: Path) -> None:
    products = _products(tmp_path)
    url = write_product_catalog(str(tmp_path), products, {"title": "t", "synthetic": True})
    text = Path(url).read_text()
    assert "picpump." not in text.split("sources:")[1]
    catalog = intake.open_catalog(url)
    assert set(catalog) == {"annual", "pearson"}
    through_intake = catalog.annual.to_dask()
    xr.testing.assert_equal(through_intake, open_source(load_catalog(url), "annual"))
    table = catalog.pearson.read()
    pd.testing.assert_frame_equal(table, open_table(load_catalog(url), "pearson")[0])
