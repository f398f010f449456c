"""Figures and report of a demo run: drawn offline, only from the written products."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from picpump.cli import main
from picpump.report.figures import FIGURES, make_figures
from picpump.report.figures.data import RunProducts
from picpump.report.figures.style import pretty_units

pytestmark = pytest.mark.integration
PAPER_AND_RUN = {name: spec for name, spec in FIGURES.items() if not spec.optional}
"""Every figure of a run without an ensemble (the ensemble's: test_ensemble_figures.py)."""


def test_every_figure_is_a_sharp_non_blank_png(run_dir: Path) -> None:
    for name in PAPER_AND_RUN:
        path = run_dir / "figures" / f"{name}.png"
        assert path.is_file(), name
        with Image.open(path) as image:
            assert min(image.info["dpi"]) >= 150, name
            pixels = np.asarray(image.convert("L"), dtype=float)
        assert pixels.std() > 10, name


def test_no_map_data_was_downloaded(run_dir: Path, offline: Path) -> None:
    assert list(offline.iterdir()) == []


def _panels_and_bars(fig):
    bars = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    return [a for a in fig.axes if a not in bars], bars


def test_panels_and_colourbars_carry_units(run_dir: Path) -> None:
    run = RunProducts(str(run_dir))
    for name, spec in PAPER_AND_RUN.items():
        fig = spec.draw(run)
        panels, bars = _panels_and_bars(fig)
        assert len(panels) == spec.panels, name
        for bar in bars:
            assert re.search(r"\[[^\]]+\]", bar.get_xlabel()), (name, bar.get_xlabel())
    fig2 = FIGURES["fig2_maps"].draw(run)
    labels = [bar.get_xlabel() for bar in _panels_and_bars(fig2)[1]]
    units = run.product("annual")["npp"].attrs["units"]
    assert len(labels) == 6 and f"annual NPP [{pretty_units(units)}]" in labels
    assert "[d]" in labels[-1]


def test_figures_from_copied_products_are_identical(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    for item in run_dir.iterdir():
        if item.name.endswith(".zarr"):
            shutil.copytree(item, copy / item.name)
    shutil.copytree(run_dir / "tables", copy / "tables")
    assert not (copy / "catalog.yaml").exists()
    written = make_figures(str(copy), only=["fig2", "fig5", "fig6"])
    assert set(written) == {"fig2_maps", "fig5_flux", "fig6_slopes"}
    for name in written:
        original = (run_dir / "figures" / f"{name}.png").read_bytes()
        assert (copy / "figures" / f"{name}.png").read_bytes() == original, name


def test_cli_draws_chosen_figures_in_chosen_formats(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("figures", "report.html"))
    assert main(["figures", str(copy), "--only", "fig7", "--format", "png,svg"]) == 0
    assert sorted(p.name for p in (copy / "figures").iterdir()) == [
        "fig7_latitude.png",
        "fig7_latitude.svg",
    ]
    assert (copy / "report.html").is_file()
    assert main(["figures", str(copy), "--only", "fig99"]) == 2


def test_colour_scale_is_logarithmic_only_where_values_span_decades() -> None:
    from matplotlib.colors import LogNorm

    from picpump.report.figures.style import color_norm

    residence = np.geomspace(3.4, 50961.0, 500)
    assert isinstance(color_norm(residence), LogNorm)
    assert not isinstance(color_norm(np.linspace(150.0, 750.0, 500)), LogNorm)
    assert not isinstance(color_norm(np.linspace(-1.0, 1.0, 500)), LogNorm)
    assert pretty_units("mg m-2 d-1") == "mg m$^{-2}$ d$^{-1}$" and pretty_units("1") == "1"
