"""The ``picpump`` command line: ``run``, ``demo build``."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import picpump
from picpump.cluster import check, client_for, describe, load_profile
from picpump.demo import build_demo_archive
from picpump.errors import PicpumpError
from picpump.grid import Grid
from picpump.io.api import load_catalog
from picpump.io.catalog.include import with_parameters
from picpump.io.products import write_product_catalog
from picpump.period import Period
from picpump.pipeline import Plan, execute, load_spec, make_plan
from picpump.pipeline.ingest import ingest_entry
from picpump.report.compare import compare_runs
from picpump.report.summary import render_markdown, summarise, write_summary


def _key_value(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    key, value = text.split("=", 1)
    import yaml

    return key, yaml.safe_load(value)


def _add_key_value_option(parser: argparse.ArgumentParser, flag: str, help_text: str) -> None:
    """Add a repeatable ``FLAG KEY=VALUE`` option collecting ``(key, value)`` pairs.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)command parser.
    flag : str
        The option, e.g. ``--cluster-opt``.
    help_text : str
        Its help line.
    """
    parser.add_argument(
        flag, action="append", type=_key_value, default=[], metavar="KEY=VALUE", help=help_text
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="picpump",
        description="Ocean carbonate-pump products from satellite ocean colour.",
    )
    parser.add_argument("--version", action="version", version=f"picpump {picpump.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a pipeline spec on a catalog")
    run.add_argument("pipeline", help="pipeline spec (YAML), e.g. pipelines/toullec2026.yaml")
    run.add_argument("--catalog", required=True, help="input catalog (YAML path or URL)")
    run.add_argument("--cluster", default="local", help="cluster profile name or path [local]")
    _add_key_value_option(run, "--cluster-opt", "override a cluster profile option (repeatable)")
    _add_key_value_option(
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

    demo = commands.add_parser("demo", help="the embedded demo archive")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    build = demo_commands.add_parser("build", help="build the synthetic demo archive")
    build.add_argument("--out", default="data/demo", help="target folder [data/demo]")
    build.add_argument("--start", default="1997-09", help="first month [1997-09]")
    build.add_argument("--periods", type=int, default=302, help="number of months [302]")
    build.add_argument("--seed", type=int, default=20260, help="random seed [20260]")
    build.add_argument("--force", action="store_true", help="rebuild even if complete")
    _cluster_parser(commands)
    _ingest_parser(commands)
    _compare_parser(commands)
    return parser


def _cluster_parser(commands: Any) -> None:
    cluster = commands.add_parser("cluster", help="show or try a cluster profile")
    cluster_commands = cluster.add_subparsers(dest="cluster_command", required=True)
    describe = cluster_commands.add_parser(
        "describe", help="print what the profile would submit (nothing is started)"
    )
    check = cluster_commands.add_parser(
        "check", help="start the profile with one worker, run a tiny task, tear it down"
    )
    for sub in (describe, check):
        sub.add_argument("profile", help="cluster profile name or path")
        _add_key_value_option(sub, "--cluster-opt", "override a profile option (repeatable)")
    check.add_argument(
        "--storage", metavar="URL", help="also write, read back and delete an object under URL"
    )
    _add_key_value_option(
        check,
        "--storage-opt",
        "fsspec option for --storage (dotted keys nest: client_kwargs.endpoint_url=...)",
    )


def _ingest_parser(commands: Any) -> None:
    ingest = commands.add_parser(
        "ingest", help="append the new months of a catalog entry to a Zarr v3 store (resumable)"
    )
    ingest.add_argument("catalog", help="input catalog (YAML path or URL)")
    ingest.add_argument("entry", help="monthly catalog entry, e.g. pic")
    ingest.add_argument("--out", required=True, help="the Zarr store (created if absent)")
    ingest.add_argument("--period", help="months to hold, START:END, e.g. 1997-09:2022-10")
    ingest.add_argument("--grid", help="grid of a new store: degrees or 1deg, 9km, 4km [1deg]")
    ingest.add_argument("--months-per-write", type=int, default=12, help="time chunk [12]")
    ingest.add_argument("--tile", type=int, help="chunk side in cells [min(240, nlat/2)]")
    ingest.add_argument("--shard-tiles", type=int, help="chunks per shard side [3 at <=0.25 deg]")
    _add_key_value_option(ingest, "--param", "user parameter of the entry (repeatable)")
    _add_key_value_option(ingest, "--storage-opt", "fsspec option for --out (dotted keys nest)")
    ingest.add_argument(
        "--refresh", action="store_true", help="re-ingest from the first month whose file changed"
    )
    ingest.add_argument(
        "--fill-gap", action="store_true", help="also ingest the months between store and period"
    )


def _compare_parser(commands: Any) -> None:
    compare = commands.add_parser(
        "compare", help="compare the products of two runs, value by value (exit 1 if they differ)"
    )
    compare.add_argument("first", help="output folder of one run")
    compare.add_argument("second", help="output folder of the other run")


def _compare(args: argparse.Namespace) -> int:
    differences = compare_runs(args.first, args.second)
    for difference in differences:
        print(difference.describe())
    print(f"{len(differences)} difference(s) between {args.first} and {args.second}")
    return 1 if differences else 0


def _grid(text: str | None) -> Grid | None:
    if not text:
        return None
    try:
        degrees = float(text)
    except ValueError:
        return Grid.from_spec(text)
    return Grid.from_spec(degrees)


def _ingest(args: argparse.Namespace) -> int:
    report = ingest_entry(
        load_catalog(args.catalog),
        args.entry,
        args.out,
        period=Period.parse(args.period) if args.period else None,
        grid=_grid(args.grid),
        storage_options=_nested(args.storage_opt),
        months_per_write=args.months_per_write,
        tile=args.tile,
        shard_tiles=args.shard_tiles,
        parameters=dict(args.param),
        refresh=args.refresh,
        fill_gap=args.fill_gap,
        log=lambda line: print(line, flush=True),
    )
    print(
        f"{report.variable}: {len(report.skipped)} months skipped, {len(report.appended)} "
        f"appended ({report.seconds_per_month:.3f} s/month), {report.seconds:.2f} s"
    )
    return 0


def _nested(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        *parents, leaf = key.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out


def _cluster(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile, dict(args.cluster_opt))
    if args.cluster_command == "describe":
        text = describe(profile)
    else:
        text = check(profile, storage=args.storage, storage_options=_nested(args.storage_opt))
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _period_override(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    start, end = Period.parse(text).bounds()
    return {"period": {"start": start, "end": end}}


def _dry_run(plan: Plan) -> int:
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


def _run(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    clock = time.perf_counter()
    overrides = _period_override(args.period) | ({"ensemble": "all"} if args.ensemble else {})
    spec = load_spec(args.pipeline, overrides)
    catalog = with_parameters(load_catalog(args.catalog), dict(args.param))
    out = args.out or f"outputs/{spec.name}"
    profile = load_profile(args.cluster, dict(args.cluster_opt))
    plan = make_plan(spec, catalog, out)
    if args.dry_run:
        return _dry_run(plan)
    command = "picpump " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    with client_for(profile) as client:
        result = execute(
            plan,
            client,
            progress=not args.no_progress,
            command=command,
            reuse_inputs=not args.no_reuse,
            log=lambda line: print(line, flush=True),
        )
    run_facts = {
        "name": spec.name,
        "catalog": args.catalog,
        "pipeline": args.pipeline,
        "out": out,
        "cluster": args.cluster,
        "period": "/".join(spec.period.bounds()),
        "grid": spec.grid.resolution,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - clock, 2),
        "product_seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "reused": result.reused,
    }
    summary = summarise(
        result.products,
        spec=spec.raw,
        variants=spec.variants.as_dict(),
        area_variants=list(spec.area_variants),
        synthetic=bool(catalog.metadata.get("synthetic", False)),
        run=run_facts,
    )
    catalog_meta = {
        "title": f"picpump products of run '{spec.name}'",
        "synthetic": bool(catalog.metadata.get("synthetic", False)),
    }
    write_product_catalog(out, result.products, catalog_meta)
    json_url, _ = write_summary(out, summary)
    print(render_markdown(summary))
    print(f"summary: {json_url}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    clock = time.perf_counter()
    path = build_demo_archive(
        args.out, start=args.start, periods=args.periods, seed=args.seed, force=args.force
    )
    print(f"demo archive (synthetic demo data): {path} [{time.perf_counter() - clock:.1f} s]")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``picpump`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 refused input, 130 interrupted.
    """
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # a kill or scancel also tears clusters down
    commands = {
        "run": _run,
        "demo": _demo,
        "cluster": _cluster,
        "ingest": _ingest,
        "compare": _compare,
    }
    try:
        return commands[args.command](args)
    except PicpumpError as err:
        print(f"picpump: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("picpump: interrupted; finished products are intact", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
