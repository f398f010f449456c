"""``picpump ingest``: append the new months of a catalog entry to a Zarr store."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from picpump.cli.names import catalog_path
from picpump.cli.options import add_key_value_option, nested
from picpump.period import Period

if TYPE_CHECKING:
    from picpump.grid import Grid


def add_parser(commands: Any) -> None:
    """Register ``picpump ingest``."""
    ingest = commands.add_parser(
        "ingest", help="append the new months of a catalog entry to a Zarr v3 store (resumable)"
    )
    ingest.add_argument("catalog", help="input catalog: a YAML path or URL, or a name (demo)")
    ingest.add_argument("entry", help="monthly catalog entry, e.g. pic")
    ingest.add_argument("--out", required=True, help="the Zarr store (created if absent)")
    ingest.add_argument("--period", help="months to hold, START:END, e.g. 1997-09:2022-10")
    ingest.add_argument("--grid", help="grid of a new store: degrees or 1deg, 9km, 4km [1deg]")
    ingest.add_argument("--months-per-write", type=int, default=12, help="time chunk [12]")
    ingest.add_argument("--tile", type=int, help="chunk side in cells [min(240, nlat/2)]")
    ingest.add_argument("--shard-tiles", type=int, help="chunks per shard side [3 at <=0.25 deg]")
    add_key_value_option(ingest, "--param", "user parameter of the entry (repeatable)")
    add_key_value_option(ingest, "--storage-opt", "fsspec option for --out (dotted keys nest)")
    ingest.add_argument(
        "--refresh", action="store_true", help="re-ingest from the first month whose file changed"
    )
    ingest.add_argument(
        "--fill-gap", action="store_true", help="also ingest the months between store and period"
    )
    ingest.set_defaults(handler=command)


def _grid(text: str | None) -> Grid | None:
    if not text:
        return None
    from picpump.grid import Grid  # imports xarray: only when a grid is given

    try:
        degrees = float(text)
    except ValueError:
        return Grid.from_spec(text)
    return Grid.from_spec(degrees)


def command(args: argparse.Namespace) -> int:
    """Ingest the entry's new months; print what was appended and skipped."""
    from picpump.io.api import load_catalog  # imported when run: the CLI starts fast
    from picpump.pipeline.ingest import ingest_entry

    report = ingest_entry(
        load_catalog(catalog_path(args.catalog)),
        args.entry,
        args.out,
        period=Period.parse(args.period) if args.period else None,
        grid=_grid(args.grid),
        storage_options=nested(args.storage_opt),
        months_per_write=args.months_per_write,
        tile=args.tile,
        shard_tiles=args.shard_tiles,
        parameters=dict(args.param),
        refresh=args.refresh,
        fill_gap=args.fill_gap,
    )
    print(
        f"{report.variable}: {len(report.skipped)} months skipped, {len(report.appended)} "
        f"appended ({report.seconds_per_month:.3f} s/month), {report.seconds:.2f} s"
    )
    return 0
