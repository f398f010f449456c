"""``picpump export``: the products of a run as CF NetCDF4 files."""

from __future__ import annotations

import argparse
from typing import Any

from picpump.io.formats import EXPORT_FORMATS as FORMATS


def add_parser(commands: Any) -> None:
    """Register ``picpump export``."""
    export = commands.add_parser(
        "export", help="write the products of a run as CF NetCDF4 files (one per product)"
    )
    export.add_argument("run_dir", help="output folder of a run")
    export.add_argument("--format", choices=FORMATS, default="netcdf", help="[netcdf]")
    export.add_argument("--products", nargs="+", help="products to export [all of the run]")
    export.add_argument("--out", help="target folder [RUN_DIR/netcdf]")
    export.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Export the products; print one line per file."""
    from picpump.report.export import export_run  # imported when run: the CLI starts fast

    export_run(
        args.run_dir,
        fmt=args.format,
        products=args.products,
        out=args.out,
        log=lambda line: print(line, flush=True),
    )
    return 0
