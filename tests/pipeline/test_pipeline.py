"""The main job end to end on a short demo archive: laziness, products, summary, failures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from picpump.io.api import load_catalog
from picpump.io.store import chunk_reader
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline import stages as stages_module
from picpump.pipeline.run import batches
from picpump.science.calcification import np_ez_pic_production
from picpump.science.climatology import monthly_climatology
from tests.conftest import raise_if_dask_computes


@pytest.fixture(scope="module")
def products(demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory):
    out = str(tmp_path_factory.mktemp("run") / "out")
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), out)
    result = execute(plan, None, progress=False)
    return plan, result


def test_building_the_plan_computes_nothing(demo_catalog: str, spec_path: str, tmp_path) -> None:
    spec, catalog = load_spec(spec_path), load_catalog(demo_catalog)
    with raise_if_dask_computes():
        plan = make_plan(spec, catalog, str(tmp_path))
        previewed = plan.products  # the lazy preview of every product computes nothing either
    stages = ["inputs", "monthly", "climatology", "annual", "global_totals"]
    assert list(previewed) == [*stages, "taxa_stocks", "regions"]
    assert not (tmp_path / "inputs.zarr").exists()


def test_every_product_is_written_with_cf_attributes(products) -> None:
    plan, result = products
    assert set(result.products) == set(plan.needed) | set(plan.spec.analysis.tables)
    for name in plan.needed:
        ds = open_product(result.products[name])
        assert ds.attrs["Conventions"] == "CF-1.10"
        assert ds.attrs["picpump_product"] == name
        assert "synthetic demo data" in ds.attrs["comment"]
        assert json.loads(ds.attrs["model_variants"])["growth_rate"]["name"] == "fielding2013"
        for var in ds.data_vars.values():
            has_units = "units" in var.attrs or "flag_meanings" in var.attrs  # flags: no units
            assert has_units and "long_name" in var.attrs, var.name


def test_monthly_production_equals_the_numpy_kernel(products) -> None:
    plan, result = products
    inputs = open_product(result.products["inputs"]).load()
    monthly = open_product(result.products["monthly"]).load()
    expected = np_ez_pic_production(
        inputs["pic"].values,
        inputs["sst"].values,
        inputs["par"].values,
        inputs["kd490"].values,
        plan.spec.variants,
    )
    expected = np.where(inputs["open_ocean"].values, expected, np.nan)
    np.testing.assert_allclose(monthly["ez_pic_production"].values, expected, rtol=1e-6)
    assert np.isfinite(monthly["ez_pic_production"].values).mean() > 0.3


def test_climatology_product_equals_the_kernel_on_the_monthly_stack(products) -> None:
    _, result = products
    monthly = open_product(result.products["monthly"]).load()
    clim = open_product(result.products["climatology"]).load()
    expected = monthly_climatology(monthly["npp"])
    np.testing.assert_allclose(clim["npp_mean"], expected["mean"], rtol=1e-6)
    np.testing.assert_allclose(clim["npp_std"], expected["std"], rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(clim["npp_count"], expected["count"])


def test_annual_products_are_consistent(products) -> None:
    _, result = products
    annual = open_product(result.products["annual"]).load()
    production = annual["ez_pic_production"].where(annual["ez_pic_production"] > 0)
    ratio = annual["pic_100"] / (production / 1000.0)
    np.testing.assert_allclose(annual["pic_residence_time"], ratio, rtol=1e-5)
    assert np.isnan(annual["pic_residence_time"].where(annual["ez_pic_production"] == 0)).all()
    cv = annual["npp_cv"].values
    assert np.nanmin(cv) >= 0 and np.isfinite(cv).any()


def test_global_totals_are_plausible_for_the_demo(products) -> None:
    _, result = products
    totals = open_product(result.products["global_totals"]).load()
    production = totals["global_pic_production_sphere"]
    assert totals.sizes["time"] == 24
    assert 0.3 < float(production.mean()) < 5.0
    ratio = totals["global_pic_production_toullec_eq5"] / production
    np.testing.assert_allclose(ratio, 2.001, rtol=2e-3)


def test_second_run_reuses_the_ingest(products) -> None:
    plan, _ = products
    result = execute(plan, None, progress=False)
    assert result.reused == ["inputs"]


def test_a_failed_product_leaves_no_half_written_store(
    demo_catalog: str, spec_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), str(out))
    execute(plan, None, progress=False)
    before = open_product(str(out / "annual.zarr")).load()

    monkeypatch.setattr(stages_module, "build_annual", _failing(stages_module.build_annual))
    with pytest.raises(RuntimeError, match="boom"):
        execute(plan, None, progress=False)
    assert sorted(p.name for p in out.iterdir() if "partial" in p.name) == []
    after = open_product(str(out / "annual.zarr")).load()
    xr.testing.assert_identical(before, after)


def _explode(block: np.ndarray) -> np.ndarray:
    raise RuntimeError("boom")


def _failing(build):  # noqa: ANN001, ANN202
    def wrapper(clim: xr.Dataset, spec):  # noqa: ANN001, ANN202
        ds = build(clim, spec)
        return ds.map(lambda v: v.copy(data=v.chunk().data.map_blocks(_explode, dtype=v.dtype)))

    return wrapper


def test_monthly_climatology_and_totals_are_computed_together() -> None:
    needed = ["inputs", "monthly", "climatology", "annual", "global_totals", "regions"]
    assert batches(needed) == [
        ["inputs"],
        ["monthly", "climatology", "global_totals"],
        ["annual"],
        ["regions"],
    ]
    assert batches(["inputs", "monthly", "global_totals"]) == [
        ["inputs"],
        ["monthly", "global_totals"],
    ]
    assert batches(needed, together=False) == [[name] for name in needed]  # object stores


def test_the_climatology_does_not_read_the_monthly_product_back(
    demo_catalog: str, spec_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    original = chunk_reader.read_chunk

    def recording(fs, path, *args):  # noqa: ANN001, ANN202
        read.append(path)
        return original(fs, path, *args)

    monkeypatch.setattr(chunk_reader, "read_chunk", recording)
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), str(tmp_path / "out"))
    execute(plan, None, progress=False)
    assert any("/inputs.zarr/" in path for path in read)  # the production reads its inputs
    assert not [path for path in read if "/monthly.zarr/" in path]


def test_a_failure_in_products_computed_together_publishes_none_of_them(
    demo_catalog: str, spec_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), str(out))
    monkeypatch.setattr(
        stages_module, "build_global_totals", _failing(stages_module.build_global_totals)
    )
    with pytest.raises(RuntimeError, match="boom"):
        execute(plan, None, progress=False)
    names = sorted(p.name for p in out.iterdir())
    assert "inputs.zarr" in names
    assert not [n for n in names if "partial" in n or n.split(".")[0] in ("monthly", "climatology")]
