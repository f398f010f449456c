"""Figures of an ensemble run (spread maps, tornado chart): drawn only when the run has one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from matplotlib.collections import PathCollection, QuadMesh
from PIL import Image

from picpump.cli import main
from picpump.io.api import load_catalog
from picpump.pipeline import load_spec, make_plan
from picpump.report.figures import FIGURES, make_figures
from picpump.report.figures.data import RunProducts
from picpump.report.figures.fig_ensemble import attribution_area, member_totals
from picpump.report.figures.style import pretty_units
from picpump.report.html import write_report
from picpump.runner import run_plan

pytestmark = pytest.mark.integration

ENSEMBLE = {
    "variants": {"growth_rate": "all", "depth_factor": "all"},
    "parameters": {"k_i": [2.0, 6.0]},
    "levels": 2,
}
ENSEMBLE_FIGURES = ("ens1_spread_map", "ens2_tornado")


@pytest.fixture(scope="module")
def ensemble_dir(spec_path, demo_catalog, tmp_path_factory, offline) -> Path:
    """A short demo run with an ensemble (8 members, totals only), its figures and report."""
    raw = yaml.safe_load(Path(spec_path).read_text())
    raw.update(ensemble=ENSEMBLE, outputs=["global_totals"])
    spec = tmp_path_factory.mktemp("spec") / "ensemble.yaml"
    spec.write_text(yaml.safe_dump(raw))
    out = tmp_path_factory.mktemp("ensemble-figures") / "out"
    plan = make_plan(load_spec(str(spec)), load_catalog(demo_catalog), str(out))
    run_plan(plan, None, progress=False)
    write_report(str(out))
    return out


def _panels_and_bars(fig):
    bars = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    return [a for a in fig.axes if a not in bars], bars


def test_ensemble_figures_are_sharp_non_blank_pngs(ensemble_dir: Path) -> None:
    for name in ENSEMBLE_FIGURES:
        with Image.open(ensemble_dir / "figures" / f"{name}.png") as image:
            assert min(image.info["dpi"]) >= 150, name
            pixels = np.asarray(image.convert("L"), dtype=float)
        assert pixels.std() > 10, name


def test_spread_maps_have_their_panels_and_units(ensemble_dir: Path) -> None:
    run = RunProducts(str(ensemble_dir))
    fig = FIGURES["ens1_spread_map"].draw(run)
    panels, bars = _panels_and_bars(fig)
    assert len(panels) == FIGURES["ens1_spread_map"].panels == len(bars) == 4
    ensemble = run.product("ensemble")
    production = pretty_units(ensemble["ez_pic_production_median"].attrs["units"])
    labels = [bar.get_xlabel() for bar in bars]
    assert sum(f"[{production}]" in label for label in labels) == 3, labels
    assert any(label.startswith("relative spread [1]") for label in labels), labels
    # the median (a) and both quantiles (c, d) share one colour scale
    meshes = [next(c for c in ax.collections if isinstance(c, QuadMesh)) for ax in panels]
    scales = {(m.norm.vmin, m.norm.vmax) for k, m in enumerate(meshes) if k != 1}
    assert len(scales) == 1 and meshes[1].norm.vmax < max(scales)[1]


def test_tornado_sorts_factors_and_annotates_their_index(ensemble_dir: Path) -> None:
    run = RunProducts(str(ensemble_dir))
    table = run.table("ensemble_attribution")
    fig = FIGURES["ens2_tornado"].draw(run)
    panels, bars = _panels_and_bars(fig)
    assert len(panels) == FIGURES["ens2_tornado"].panels and not bars
    tornado, spread = panels
    widest_first = table.assign(size=table["oat_max"] - table["oat_min"]).sort_values(
        "size", ascending=False
    )
    top_down = [t.get_text().split(" (")[0] for t in tornado.get_yticklabels()][::-1]
    assert top_down == list(widest_first["factor"])
    notes = sorted(t.get_text() for t in tornado.texts if t.get_text().startswith("S = "))
    assert notes == sorted(f"S = {s:.2f}" for s in table["first_order_index"])
    units = pretty_units(run.product("ensemble")["global_pic_production_sphere"].attrs["units"])
    assert re.search(re.escape(f"[{units}]"), spread.get_xlabel())


def test_distribution_shows_every_member(ensemble_dir: Path) -> None:
    run = RunProducts(str(ensemble_dir))
    ensemble = run.product("ensemble")
    totals = member_totals(ensemble)
    assert next(iter(totals)) == attribution_area(ensemble) == "sphere"
    table = run.table("ensemble_attribution")
    # the attribution's baseline is one of the members' totals under its cell area
    assert np.isclose(totals["sphere"].values, table["baseline"].iloc[0]).any()
    spread = _panels_and_bars(FIGURES["ens2_tornado"].draw(run))[0][1]
    dots = sum(len(c.get_offsets()) for c in spread.collections if isinstance(c, PathCollection))
    assert dots == ensemble.sizes["member"] * len(totals)


def test_report_embeds_the_ensemble_figures(ensemble_dir: Path) -> None:
    page = (ensemble_dir / "report.html").read_text()
    for name in ENSEMBLE_FIGURES:
        assert f'<figure id="{name}">' in page
    assert "ensemble_attribution" in page


def test_cli_draws_an_ensemble_figure_alone(ensemble_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(ensemble_dir, copy, ignore=shutil.ignore_patterns("figures", "report.html"))
    assert main(["figures", str(copy), "--only", "ens2"]) == 0
    assert sorted(p.name for p in (copy / "figures").iterdir()) == ["ens2_tornado.png"]


def test_a_run_without_ensemble_neither_draws_nor_lists_them(
    ensemble_dir: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(ensemble_dir / "global_totals.zarr", plain / "global_totals.zarr")
    lines: list[str] = []
    written = make_figures(str(plain), log=lines.append)
    assert set(written) == {"run_totals"}
    assert not [line for line in lines if line.startswith("ens")]
    write_report(str(plain))
    page = (plain / "report.html").read_text()
    assert "run_totals" in page and "ens1_spread_map" not in page and "ens2" not in page
    # asked for by name, they are skipped with a reason
    lines.clear()
    assert make_figures(str(plain), only=["ens1", "ens2"], log=lines.append) == {}
    assert [line.split(":")[0] for line in lines] == list(ENSEMBLE_FIGURES)
    assert all("skipped, the run has no ensemble" in line for line in lines)


def test_the_demo_run_has_no_ensemble_figures(run_dir: Path) -> None:
    drawn = {p.stem for p in (run_dir / "figures").iterdir()}
    assert drawn and not drawn & set(ENSEMBLE_FIGURES)
    assert "ens1_spread_map" not in (run_dir / "report.html").read_text()


def test_attribution_area_falls_back_to_the_first_total() -> None:
    totals = {
        f"global_pic_production_{a}": (("member", "time"), np.ones((2, 3)))
        for a in ("toullec_eq5", "sphere")
    }
    bare = xr.Dataset(totals)
    assert attribution_area(bare) == "sphere"
    spec = {"area_variants": ["toullec_eq5", "sphere"]}
    assert attribution_area(bare.assign_attrs(pipeline_spec=json.dumps(spec))) == "toullec_eq5"
    assert list(member_totals(bare.assign_attrs(pipeline_spec=json.dumps(spec)))) == [
        "toullec_eq5",
        "sphere",
    ]
