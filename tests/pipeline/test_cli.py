"""`picpump run` as a user calls it: local dask cluster, summary contract, notebook, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from picpump.cli import main
from picpump.errors import CatalogError
from picpump.io.api import load_catalog
from picpump.io.products import open_table
from tests.conftest import REPO

SUMMARY_KEYS = {
    "products",
    "global_pic_production_pg_per_yr",
    "global_pic_stock_tg",
    "pic_turnover_days",
    "global_npp_pg_per_yr",
    "synthetic",
    "spec",
    "variants",
    "versions",
}
TABLE_PRODUCTS = {
    "table1",
    "pearson_by_layer",
    "regression_by_region_layer",
    "efficiency_by_latitude",
    "taxa_contribution",
    "export_pathways_by_latitude",
}


@pytest.fixture(scope="module")
def cli_run(demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    args = ["run", spec_path, "--catalog", demo_catalog, "--out", str(out), "--no-progress"]
    assert main([*args, "--cluster", "local", "--cluster-opt", "n_workers=2"]) == 0
    return out


def test_summary_json_is_the_documented_contract(cli_run: Path) -> None:
    summary = json.loads((cli_run / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    production = summary["global_pic_production_pg_per_yr"]
    assert production["area_variant"] == "sphere"
    assert {"mean", "sd"} <= set(production) and "eq5" in production
    assert production["eq5"]["mean"] == pytest.approx(2.001 * production["mean"], rel=3e-3)
    assert summary["synthetic"] is True
    assert summary["pic_turnover_days"] > 0
    for path in summary["products"].values():
        assert Path(path).exists()
    assert TABLE_PRODUCTS <= set(summary["products"])
    assert [row["layer"] for row in summary["table1"]][0] == "0-100"
    assert {row["predictor"] for row in summary["r2_by_layer"]} == {"ez_pic_production", "npp"}


def test_summary_md_shows_table1_and_r2(cli_run: Path) -> None:
    text = (cli_run / "summary.md").read_text()
    assert "## Table 1" in text and "R² production" in text and "| >4000 |" in text


def test_product_catalog_lists_tables(cli_run: Path) -> None:
    catalog = load_catalog(str(cli_run / "catalog.yaml"))
    table, attrs = open_table(catalog, "pearson_by_layer")
    assert list(table.columns[:3]) == ["layer", "predictor", "n"]
    assert attrs["picpump_product"] == "pearson_by_layer" and attrs["synthetic"] == 1
    with pytest.raises(CatalogError, match="open_source"):
        open_table(catalog, "annual")


def test_summary_md_says_synthetic(cli_run: Path) -> None:
    text = (cli_run / "summary.md").read_text()
    assert "synthetic demo data" in text and "Pg C yr-1" in text


def _run_notebook(name: str, products: Path) -> None:
    """Execute a notebook of the repository (outputs stripped) on the products in a folder."""
    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "strip outputs"
    os.environ["PICPUMP_PRODUCTS"] = str(products)
    os.environ["MPLBACKEND"] = "Agg"
    NotebookClient(
        nb, timeout=300, resources={"metadata": {"path": str(REPO / "notebooks")}}
    ).execute()


def test_quickstart_notebook_runs_on_the_products(cli_run: Path) -> None:
    _run_notebook("01-quickstart.ipynb", cli_run)
    assert (cli_run / "annual_pic_production.png").stat().st_size > 1000


def test_traps_notebook_draws_figures_5_and_7(cli_run: Path) -> None:
    _run_notebook("02-traps-and-efficiencies.ipynb", cli_run)
    for figure in ("fig5_flux_vs_production.png", "fig7_efficiency_by_latitude.png"):
        assert (cli_run / figure).stat().st_size > 1000


def test_a_missing_catalog_is_a_clear_error(spec_path: str, tmp_path: Path, capsys) -> None:
    code = main(
        ["run", spec_path, "--catalog", str(tmp_path / "nope.yaml"), "--cluster", "threads"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "fix:" in err


def test_an_unknown_catalog_parameter_is_a_clear_error(
    demo_catalog: str, spec_path: str, capsys
) -> None:
    code = main(["run", spec_path, "--catalog", demo_catalog, "--param", "base_url=/mirror"])
    assert code == 2
    assert "base_url" in capsys.readouterr().err


def test_a_wrong_cluster_profile_is_a_clear_error(
    demo_catalog: str, spec_path: str, capsys
) -> None:
    code = main(["run", spec_path, "--catalog", demo_catalog, "--cluster", "no-such-profile"])
    assert code == 2
    assert "no-such-profile" in capsys.readouterr().err


def test_demo_build_command(tmp_path: Path) -> None:
    assert main(["demo", "build", "--out", str(tmp_path / "d"), "--periods", "2"]) == 0
    assert (tmp_path / "d" / "MANIFEST.json").is_file()
