"""``picpump run``: a pipeline spec on a catalog, on a cluster."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from picpump.cli.figures import draw
from picpump.cli.options import add_key_value_option
from picpump.cluster import client_for, load_profile
from picpump.io.api import load_catalog
from picpump.io.catalog.include import with_parameters
from picpump.period import Period
from picpump.pipeline import Plan, load_spec, make_plan
from picpump.report.summary import render_markdown
from picpump.runner import run_plan


def add_parser(commands: Any) -> None:
    """Register ``picpump run``."""
    run = commands.add_parser("run", help="run a pipeline spec on a catalog")
    run.add_argument("pipeline", help="pipeline spec (YAML), e.g. pipelines/toullec2026.yaml")
    run.add_argument("--catalog", required=True, help="input catalog (YAML path or URL)")
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
        help="resolve the catalog and print the products, shapes and chunks; compute nothing",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument(
        "--no-reuse", action="store_true", help="re-ingest the inputs even when up to date"
    )
    run.add_argument(
        "--ensemble",
        choices=["all"],
        help="'all': also run every registered variant of the production model (ensemble.zarr)",
    )
    run.add_argument("--figures", action="store_true", help="then draw the figures and report.html")
    run.set_defaults(handler=command)


def _period_override(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    start, end = Period.parse(text).bounds()
    return {"period": {"start": start, "end": end}}


def dry_run(plan: Plan) -> int:
    """Print what a run would write (products, shapes, chunks, tasks); compute nothing."""
    print(f"{plan.spec.name}: {plan.spec.period} on {plan.spec.grid.resolution}° → {plan.out}")
    for name, entry in plan.entries.items():
        files = len(entry.urls)
        print(f"  entry {name} ({entry.driver}): {files} file(s), {len(entry.gaps)} gap(s)")
    for name, ds in plan.products.items():
        tasks = sum(len(v.data.__dask_graph__()) for v in ds.data_vars.values() if v.chunks)
        print(f"  {name}.zarr: {len(ds.data_vars)} variables, ~{tasks} tasks")
        for var, da in ds.data_vars.items():
            chunks = "×".join(str(max(c)) for c in da.chunks) if da.chunks else "in memory"
            print(f"    {var} {dict(da.sizes)} {da.dtype} chunks {chunks}")
    return 0


def command(args: argparse.Namespace) -> int:
    """Plan the run, then execute it on the cluster and print the summary."""
    overrides = _period_override(args.period) | ({"ensemble": "all"} if args.ensemble else {})
    spec = load_spec(args.pipeline, overrides)
    catalog = with_parameters(load_catalog(args.catalog), dict(args.param))
    out = args.out or f"outputs/{spec.name}"
    profile = load_profile(args.cluster, dict(args.cluster_opt))
    plan = make_plan(spec, catalog, out)
    if args.dry_run:
        return dry_run(plan)
    facts = {"catalog": args.catalog, "pipeline": args.pipeline, "cluster": args.cluster}
    with client_for(profile) as client:
        outcome = run_plan(
            plan,
            client,
            facts=facts,
            progress=not args.no_progress,
            command="picpump " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            reuse_inputs=not args.no_reuse,
            log=lambda line: print(line, flush=True),
        )
    print(render_markdown(outcome.summary))
    print(f"summary: {outcome.summary_url}")
    if args.figures:
        print(f"report: {draw(out)}")
    return 0
