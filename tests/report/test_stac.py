"""The STAC collection a run writes: one Item per product, valid offline, read back by pystac."""

from __future__ import annotations

import json
from pathlib import Path

import intake
import pystac
import pytest
from pystac.errors import STACValidationError

from picpump.io.api import load_catalog
from picpump.pipeline import load_spec, make_plan
from picpump.report.stac import offline_validator, validate_stac
from picpump.runner import RunOutcome, run_plan
from tests.pipeline.conftest import demo_catalog, demo_root, spec_path  # noqa: F401

pytestmark = pytest.mark.integration

GRIDDED = {"inputs", "monthly", "climatology", "annual", "global_totals"}


@pytest.fixture(scope="module")
def run(demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    out = str(tmp_path_factory.mktemp("stac-run") / "out")
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), out)
    return run_plan(plan, None, progress=False)


def _collection_path(run: RunOutcome) -> Path:
    return Path(run.catalog_url).parent / "stac" / "collection.json"


def test_the_collection_validates_offline_and_lists_every_product(run: RunOutcome) -> None:
    assert sorted(validate_stac(str(_collection_path(run)))) == sorted(run.result.products)


def test_pystac_reads_back_items_with_their_assets(run: RunOutcome) -> None:
    collection = pystac.Collection.from_file(str(_collection_path(run)))
    items = {item.id: item for item in collection.get_items()}
    assert set(items) == set(run.result.products)
    for name, url in run.result.products.items():
        asset = items[name].assets["data"]
        assert Path(asset.get_absolute_href() or "").resolve() == Path(url).resolve()
        media = (
            "application/vnd.zarr" if url.endswith(".zarr") else "application/vnd.apache.parquet"
        )
        assert asset.media_type == media
    assert collection.extra_fields["picpump:synthetic"] is True


def test_gridded_items_describe_their_dimensions_and_variables(run: RunOutcome) -> None:
    collection = pystac.Collection.from_file(str(_collection_path(run)))
    annual = collection.get_item("annual")
    assert annual is not None
    cube = annual.properties
    assert cube["cube:dimensions"]["lat"] == {
        "type": "spatial",
        "axis": "y",
        "extent": [-90.0, 90.0],
        "reference_system": 4326,
        "step": 1.0,
    }
    production = cube["cube:variables"]["ez_pic_production"]
    assert production["dimensions"] == ["lat", "lon"] and production["unit"] == "mg m-2 d-1"
    climatology = collection.get_item("climatology")
    assert climatology is not None
    month = climatology.properties["cube:dimensions"]["month"]
    assert month["values"] == list(range(1, 13))
    assert annual.properties["start_datetime"] == "2001-01-01T00:00:00Z"


def test_a_broken_item_fails_validation(run: RunOutcome) -> None:
    item_path = _collection_path(run).parent / "annual" / "annual.json"
    document = json.loads(item_path.read_text())
    document["properties"]["cube:dimensions"]["lat"]["axis"] = "q"
    item = pystac.Item.from_dict(document)
    with pytest.raises(STACValidationError, match="datacube"):
        item.validate(validator=offline_validator())


def test_every_entry_of_the_run_catalog_opens_with_intake(run: RunOutcome) -> None:
    catalog = intake.open_catalog(run.catalog_url)
    assert set(catalog) == set(run.result.products)
    for name in catalog:
        source = catalog[name]
        opened = source.read() if source.container == "dataframe" else source.to_dask()
        assert len(opened) > 0
