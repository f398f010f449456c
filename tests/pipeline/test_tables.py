"""Table products of a run: recomputed independently from the written products and traps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from scipy import stats

from picpump.errors import SpecError
from picpump.grid import Grid
from picpump.io.api import load_catalog
from picpump.io.store.table_files import read_table, read_units
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline.spec import parse_spec
from picpump.pipeline.table_products import one_degree
from tests.conftest import REPO


@pytest.fixture(scope="module")
def run(demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory):
    out = str(tmp_path_factory.mktemp("tables") / "out")
    plan = make_plan(load_spec(spec_path), load_catalog(demo_catalog), out)
    return plan, execute(plan, None, progress=False)


def _table(result, name: str) -> tuple[pd.DataFrame, dict]:
    return read_table(result.products[name])


def test_every_column_of_every_table_has_a_unit(run) -> None:
    _, result = run
    tables = [u for u in result.products.values() if u.endswith(".parquet")]
    assert len(tables) >= 7
    for url in tables:
        table, _ = read_table(url)
        for units in (read_units(url), read_units(url.replace(".parquet", ".json"))):
            assert sorted(units) == sorted(map(str, table.columns)), url


def test_every_table_is_written_with_provenance(run) -> None:
    plan, result = run
    for name in plan.spec.analysis.tables:
        table, attrs = _table(result, name)
        assert len(table) > 0, name
        assert attrs["picpump_product"] == name and attrs["synthetic"] == 1
        assert "fielding2013" in attrs["model_variants"]
        assert result.products[name].endswith(f"tables/{name}.parquet")


def test_table1_counts_the_good_trap_rows(run) -> None:
    _, result = run
    table1, _ = _table(result, "table1")
    matchups, _ = _table(result, "matchups")
    paper_flags = {"long_deployment", "shallow_water", "unknown_water_depth", "missing_pic"}
    flagged = matchups["qc"].str.split(";").map(lambda f: bool(set(f) & paper_flags))
    good = matchups[~flagged & ~matchups["qc"].str.contains("undated|duplicate|bad_")]
    counts = good.groupby("layer", observed=False).size()
    assert table1.set_index("layer")["observations"].to_dict() == counts.to_dict()
    assert table1["observations"].sum() > 500


def test_pearson_equals_scipy_on_the_matchups(run) -> None:
    _, result = run
    pearson, attrs = _table(result, "pearson_by_layer")
    matchups, _ = _table(result, "matchups")
    good = matchups[matchups["qc"] == ""]
    for row in pearson.itertuples():
        rows = good[good["layer"] == row.layer]
        column = "production" if row.predictor == "ez_pic_production" else "npp"
        x, y = np.log10(rows["pic_flux"]), np.log10(rows[column])
        expected = stats.pearsonr(x, y)
        assert row.n == len(rows)
        assert row.r == pytest.approx(expected.statistic, abs=1e-12)
        assert row.p == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_matchups_use_the_run_climatology(run) -> None:
    _, result = run
    matchups, _ = _table(result, "matchups")
    clim = open_product(result.products["climatology"])["ez_pic_production_mean"].load()
    rows = matchups[matchups["matched_on"] == "month"].head(50)
    expected = clim.sel(
        month=xr.DataArray(rows["month"].astype(int).to_numpy()),
        lat=xr.DataArray(rows["cell_lat"].to_numpy()),
        lon=xr.DataArray(rows["cell_lon"].to_numpy()),
    )
    np.testing.assert_allclose(rows["production"], expected.values, rtol=1e-6)
    assert (matchups.loc[matchups["qc"] == "", "production"] >= 0.1).all()


def test_regressions_and_efficiencies_are_present(run) -> None:
    _, result = run
    regression, _ = _table(result, "regression_by_region_layer")
    assert regression["significant"].any() and set(regression["layer"]) >= {"0-100", ">4000"}
    efficiency, attrs = _table(result, "efficiency_by_latitude")
    valid = efficiency.dropna(subset=["e_eff"])
    assert (valid["e_eff_low"] <= valid["e_eff"]).all() and (
        valid["e_eff"] <= valid["e_eff_high"]
    ).all()
    assert attrs["definitions"], "the efficiency definitions are recorded"
    pathways, _ = _table(result, "export_pathways_by_latitude")
    shares = pathways["fecal_pellets"] + pathways["aggregates"]
    np.testing.assert_allclose(shares.dropna(), 1.0, atol=1e-6)


def test_taxa_contribution_sums_to_100(run) -> None:
    _, result = run
    taxa, _ = _table(result, "taxa_contribution")
    assert list(taxa["taxon"]) == ["coccolithophores", "pteropods", "foraminifers"]
    assert taxa["share_percent"].sum() == pytest.approx(100.0)


def test_a_table_without_its_section_is_refused() -> None:
    raw = yaml.safe_load((REPO / "pipelines" / "toullec2026.yaml").read_text())
    raw.pop("traps")
    with pytest.raises(SpecError, match="needs the spec sections"):
        parse_spec(raw)


def test_finer_runs_are_coarsened_to_one_degree_for_the_tables() -> None:
    spec = parse_spec(
        {
            **yaml.safe_load((REPO / "pipelines" / "toullec2026.yaml").read_text()),
            "grid": {"resolution": 0.5},
        }
    )
    grid = Grid(0.5)
    field = xr.DataArray(
        np.ones((12, *grid.shape), dtype="float32"),
        dims=("month", "lat", "lon"),
        coords={"month": np.arange(1, 13), "lat": grid.lat, "lon": grid.lon},
    )
    ocean = xr.DataArray(
        np.ones(grid.shape, bool), dims=("lat", "lon"), coords=field.coords.drop_vars("month")
    )
    clim = xr.Dataset(
        {n: field for n in ("ez_pic_production_mean", "npp_mean", "pic_100_mean")}
    ).assign(open_ocean=ocean)
    annual = xr.Dataset({n: field.isel(month=0, drop=True) for n in ("ez_pic_production", "npp")})
    fields = one_degree(clim, annual, spec)
    assert fields.climatology["npp_mean"].shape == (12, 180, 360)
    assert bool(fields.ocean.all()) and float(fields.climatology["npp_mean"].mean()) == 1.0
