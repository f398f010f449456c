"""``picpump demo build``: the embedded synthetic demo archive."""

from __future__ import annotations

import argparse
import time
from typing import Any

from picpump.cli.names import default_demo_folder
from picpump.errors import InputError, explain


def add_parser(commands: Any) -> None:
    """Register ``picpump demo build``."""
    demo = commands.add_parser("demo", help="the embedded demo archive")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    build = demo_commands.add_parser("build", help="build the synthetic demo archive")
    build.add_argument(
        "--out",
        help="target folder [data/demo in a project folder (with catalogs/demo.yaml), else "
        "<cache>/data/demo, where `--catalog demo` finds it]",
    )
    build.add_argument("--start", default="1997-09", help="first month [1997-09]")
    build.add_argument("--periods", type=int, default=302, help="number of months [302]")
    build.add_argument("--seed", type=int, default=20260, help="random seed [20260]")
    build.add_argument("--force", action="store_true", help="rebuild even if complete")
    build.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Build (or reuse) the demo archive."""
    from picpump.demo import build_demo_archive  # imported when run: the CLI starts fast

    clock = time.perf_counter()
    out = args.out or default_demo_folder()
    try:
        path = build_demo_archive(
            out, start=args.start, periods=args.periods, seed=args.seed, force=args.force
        )
    except OSError as err:
        raise InputError(
            explain(
                "the demo archive is written to a folder picpump can create and write",
                f"{out}: {err.strerror or err}",
                "give --out a writable folder",
            )
        ) from err
    print(f"demo archive (synthetic demo data): {path} [{time.perf_counter() - clock:.1f} s]")
    return 0
