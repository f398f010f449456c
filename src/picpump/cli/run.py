"""``picpump run``: a pipeline spec on a catalog, on a cluster."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from picpump.cli.figures import draw
from picpump.cli.names import catalog_path, pipeline_path
from picpump.cli.options import add_key_value_option
from picpump.logs import keep_libraries_off_terminal


def add_parser(commands: Any) -> None:
    """Register ``picpump run``."""
    run = commands.add_parser("run", help="run a pipeline spec on a catalog")
    run.add_argument("pipeline", help="pipeline spec: a YAML path, or a name such as toullec2026")
    run.add_argument(
        "--catalog", required=True, help="input catalog: a YAML path or URL, or a name (demo)"
    )
    run.add_argument("--cluster", default="local", help="cluster profile name or path [local]")
    add_key_value_option(run, "--cluster-opt", "override a cluster profile option (repeatable)")
    add_key_value_option(
        run, "--param", "catalog parameter for every entry declaring it, e.g. base_url=/mirror"
    )
    run.add_argument("--out", help="output folder or URL [outputs/<pipeline name>]")
    run.add_argument("--period", help="override the spec's period, e.g. 2000-01:2004-12")
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="print the months and files per input, the grid, chunks, products, input bytes "
        "and task count; read only listings and headers, write nothing",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bars or lines")
    run.add_argument(
        "--no-reuse", action="store_true", help="re-ingest the inputs even when up to date"
    )
    run.add_argument(
        "--ensemble",
        choices=["all"],
        help="'all': also run every registered variant of the production model (ensemble.zarr)",
    )
    run.add_argument(
        "--zarr-format",
        type=int,
        choices=[2, 3],
        help="Zarr format of the product stores [the spec's zarr_format, else 3]",
    )
    run.add_argument("--figures", action="store_true", help="then draw the figures and report.html")
    run.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Plan the run, then execute it on the cluster and print the summary (or the dry run)."""
    from picpump.api import prepare, run_prepared  # imported when run: the CLI starts fast
    from picpump.cluster import load_profile
    from picpump.pipeline.dry_run import dry_run, render_dry_run
    from picpump.report.summary import render_markdown

    profile = load_profile(args.cluster, dict(args.cluster_opt))
    plan = prepare(
        pipeline_path(args.pipeline),
        catalog_path(args.catalog),
        args.out,
        period=args.period,
        params=dict(args.param),
        ensemble=bool(args.ensemble),
        zarr_format=args.zarr_format,
    )
    if args.dry_run:
        print(render_dry_run(dry_run(plan)))
        return 0
    keep_libraries_off_terminal(importing=("distributed",))
    outcome = run_prepared(
        plan,
        cluster=profile,
        progress=not args.no_progress,
        reuse_inputs=not args.no_reuse,
        command="picpump " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        facts={"catalog": args.catalog, "pipeline": args.pipeline, "cluster": args.cluster},
    ).outcome
    print(render_markdown(outcome.summary))
    print(f"summary: {outcome.summary_url}")
    print(f"log: {outcome.log_url}")
    if args.figures:
        print(f"report: {draw(plan.out)}")
    return 0
