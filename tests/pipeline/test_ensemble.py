"""The ensemble product on the short demo archive: members equal single runs; specs refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from picpump.errors import SpecError
from picpump.io.api import load_catalog
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline.ensemble_stage import build_ensemble
from picpump.pipeline.spec import parse_spec
from picpump.report.summary import render_markdown, summarise
from picpump.science.ensemble import member_variants
from tests.conftest import raise_if_dask_computes

ENSEMBLE = {
    "variants": {"growth_rate": "all", "depth_factor": "all"},
    "parameters": {"k_i": [2.0, 6.0]},
    "levels": 2,
}
GRIDDED = ["inputs", "monthly", "climatology", "annual", "global_totals"]


def _spec_with(spec_path: str, tmp_path_factory: pytest.TempPathFactory, **changes) -> str:
    raw = yaml.safe_load(open(spec_path).read())
    raw.update(changes)
    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


@pytest.fixture(scope="module")
def ensemble_run(demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory):
    path = _spec_with(spec_path, tmp_path_factory, ensemble=ENSEMBLE, outputs=["global_totals"])
    out = str(tmp_path_factory.mktemp("ensemble") / "out")
    plan = make_plan(load_spec(path), load_catalog(demo_catalog), out)
    return plan, execute(plan, None, progress=False)


def _single_run(demo_catalog, spec_path, tmp_path_factory, variants) -> dict:
    mapping = {k: {"name": v.name, **v.params} for k, v in vars(variants).items()}
    del mapping["cell_area"], mapping["open_ocean"]  # the run's own, unchanged
    path = _spec_with(spec_path, tmp_path_factory, variants=mapping, outputs=GRIDDED)
    out = str(tmp_path_factory.mktemp("single") / "out")
    plan = make_plan(load_spec(path), load_catalog(demo_catalog), out)
    return execute(plan, None, progress=False).products


@pytest.mark.parametrize("member", [0, 3, 6])
def test_each_member_equals_a_single_run(
    ensemble_run, demo_catalog, spec_path, tmp_path_factory, member: int
) -> None:
    plan, result = ensemble_run
    ensemble = open_product(result.products["ensemble"]).sel(member=member).load()
    variants = member_variants(plan.spec.variants, plan.spec.ensemble.members()[member])
    single = _single_run(demo_catalog, spec_path, tmp_path_factory, variants)
    annual = open_product(single["annual"]).load()
    totals = open_product(single["global_totals"]).load()
    np.testing.assert_allclose(
        ensemble["ez_pic_production_annual"], annual["ez_pic_production"], rtol=1e-6
    )
    for area in plan.spec.area_variants:
        name = f"global_pic_production_{area}"
        np.testing.assert_allclose(ensemble[name], totals[name], rtol=1e-6)


def test_the_ensemble_product_labels_members_and_records_the_design(ensemble_run) -> None:
    plan, result = ensemble_run
    ds = open_product(result.products["ensemble"])
    assert ds.sizes["member"] == 8
    # factors in the order of the spec's mapping (here as written by yaml.safe_dump: sorted)
    assert list(ds["depth_factor"].values[:4]) == ["exponential"] * 4
    assert sorted(set(ds["light_limitation_k_i"].values)) == [2.0, 6.0]
    assert json.loads(ds.attrs["ensemble_design"])["members"] == 8
    assert ds.attrs["ensemble_seed"] == 0
    assert ds.attrs["picpump_product"] == "ensemble"
    median = ds["ez_pic_production_median"].values
    p05, p95 = ds["ez_pic_production_p05"].values, ds["ez_pic_production_p95"].values
    ok = np.isfinite(median)
    assert ok.mean() > 0.3 and np.all(p05[ok] <= median[ok]) and np.all(median[ok] <= p95[ok])
    for var in ds.data_vars.values():
        has_units = "units" in var.attrs or "flag_meanings" in var.attrs  # flags: no units
        assert has_units and "long_name" in var.attrs, var.name


def test_the_attribution_table_and_the_summary(ensemble_run) -> None:
    plan, result = ensemble_run
    table, attrs = read_table(result.products["ensemble_attribution"])
    assert list(table["factor"]) == ["depth_factor", "growth_rate", "light_limitation_k_i"]
    assert table["first_order_index"].between(0, 1).all()
    assert table["first_order_index"].sum() <= 1.0 + 1e-9
    assert table.set_index("factor")["first_order_index"].idxmax() == "depth_factor"
    assert json.loads(attrs["ensemble_design"])["sampling"] == "factorial"
    summary = summarise(
        result.products,
        spec=plan.spec.raw,
        variants=plan.spec.variants.as_dict(),
        area_variants=list(plan.spec.area_variants),
        synthetic=True,
        run={"name": "t", "wall_seconds": 1.0},
    )
    figures = summary["ensemble"]
    assert figures["members"] == 8 and figures["dominant_factor"] == "depth_factor"
    prod = figures["global_pic_production_pg_per_yr"]
    assert prod["min"] <= prod["p05"] <= prod["median"] <= prod["p95"] <= prod["max"]
    assert "Ensemble" in render_markdown(summary)


def test_without_an_ensemble_nothing_changes(demo_catalog, spec_path, tmp_path) -> None:
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), str(tmp_path))
    assert plan.spec.ensemble is None and "ensemble" not in plan.needed


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ({"variants": {"cell_area": "all"}}, "variant factors are kinds among"),
        ({"variants": {"growth_rate": ["nobody2099"]}}, "nobody2099"),
        ({"variants": {"growth_rate": "some"}}, "'all' or a list"),
        ({"parameters": {"c0": [0.05, 0.08]}}, "one parameter of a sampled"),
        ({"parameters": {"nobody.k_i": [2, 6]}}, "one parameter of a sampled"),
        ({"parameters": {"k_i": [6.0, 2.0]}}, "low < high"),
        ({"parameters": {"k_i": "wide"}}, "range"),
        ({"sampling": "sobol", "variants": {"growth_rate": "all"}}, "ensemble.sampling"),
        ({"sampling": "lhs", "members": 1, "parameters": {"k_i": [2, 6]}}, "integer ≥ 2"),
        ({"colour": 1}, "'ensemble' keys are among"),
        ({}, "at least one"),
        ({"parameters": {"k_i": [2, 6], "zeu_max": [100, 300]}, "levels": 40}, "1024 members"),
        ("some", "a mapping, or 'all'"),
    ],
)
def test_bad_ensemble_sections_are_refused(spec_path: str, section, match: str) -> None:
    raw = yaml.safe_load(open(spec_path).read())
    with pytest.raises(SpecError, match=match) as err:
        parse_spec({**raw, "ensemble": section})
    assert "received" in str(err.value).lower() or "fix" in str(err.value).lower()


def test_the_cli_shortcut_runs_every_registered_variant(
    demo_catalog: str, spec_path: str, tmp_path, capsys
) -> None:
    from picpump.cli import main

    args = ["run", spec_path, "--catalog", demo_catalog, "--out", str(tmp_path), "--dry-run"]
    assert main([*args, "--ensemble", "all"]) == 0
    printed = capsys.readouterr().out
    assert "ensemble.zarr" in printed
    assert "ez_pic_production_annual [member=8×" in printed
    assert not (tmp_path / "ensemble.zarr").exists()


def test_compare_reads_the_member_dimension(ensemble_run, tmp_path) -> None:
    import shutil

    from picpump.report.compare import compare_runs

    _, result = ensemble_run
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        shutil.copytree(result.products["ensemble"], folder / "ensemble.zarr")
    assert compare_runs(str(first), str(second)) == []
    store = open_product(str(second / "ensemble.zarr")).load()
    store["ez_pic_production_annual"][{"member": 5}] *= 1.5
    shutil.rmtree(second / "ensemble.zarr")
    store.to_zarr(second / "ensemble.zarr", consolidated=True)
    (second / "ensemble.zarr" / ".picpump-complete").touch()
    found = {(d.product, d.item) for d in compare_runs(str(first), str(second))}
    assert found == {("ensemble", "ez_pic_production_annual")}


def test_a_month_without_valid_pic_has_nan_totals_in_every_member(ensemble_run) -> None:
    from picpump.pipeline.ensemble_stage import build_ensemble

    plan, result = ensemble_run
    inputs = open_product(result.products["inputs"]).load()
    inputs["pic"][{"time": 1}] = np.nan
    ensemble = build_ensemble(inputs, plan.spec).compute()
    for area in plan.spec.area_variants:
        totals = ensemble[f"global_pic_production_{area}"]
        assert totals.isel(time=1).isnull().all()
        assert np.isfinite(totals.drop_isel(time=1)).all()


def test_opening_the_inputs_and_building_the_ensemble_compute_nothing(ensemble_run) -> None:
    plan, result = ensemble_run
    with raise_if_dask_computes():
        product = build_ensemble(open_product(result.products["inputs"]), plan.spec)
    assert product["ez_pic_production_annual"].chunks is not None
