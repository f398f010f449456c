"""``picpump figures``: draw a run's figures and its report page from its written products."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(commands: Any) -> None:
    """Register ``picpump figures``."""
    figures = commands.add_parser(
        "figures", help="draw a run's figures and report.html from its products"
    )
    figures.add_argument("run_dir", help="the run's output folder (local path or URL)")
    figures.add_argument(
        "--only", nargs="+", metavar="FIG", help="figures to draw, e.g. fig2 fig7 [all]"
    )
    figures.add_argument(
        "--format", default="png", help="comma-separated formats: png,svg,pdf [png]"
    )
    figures.set_defaults(handler=command)


def draw(run_dir: str, only: list[str] | None = None, formats: str = "png") -> str:
    """Draw the figures of ``run_dir`` and write its report; return the report's URL.

    They go into the run's current generation (next to the products they are drawn from).
    """
    from picpump.io.store.generation import current_folder  # imported when drawing
    from picpump.report.html import write_report  # matplotlib and cartopy: only when drawing

    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    folder = current_folder(run_dir)
    return write_report(folder, only, wanted, log=lambda line: print(line, flush=True))


def command(args: argparse.Namespace) -> int:
    """Draw the figures and the report page."""
    draw(args.run_dir, args.only, args.format)
    return 0
