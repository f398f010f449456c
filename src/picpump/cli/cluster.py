"""``picpump cluster describe|check``: show or try a cluster profile."""

from __future__ import annotations

import argparse
from typing import Any

from picpump.cli.options import add_key_value_option, nested


def add_parser(commands: Any) -> None:
    """Register ``picpump cluster describe`` and ``picpump cluster check``."""
    cluster = commands.add_parser("cluster", help="show or try a cluster profile")
    cluster_commands = cluster.add_subparsers(dest="cluster_command", required=True)
    describe_parser = cluster_commands.add_parser(
        "describe",
        help="print each option and its origin, and what the profile would submit (nothing starts)",
    )
    check_parser = cluster_commands.add_parser(
        "check", help="start the profile with one worker, run a tiny task, tear it down"
    )
    for sub in (describe_parser, check_parser):
        sub.add_argument("profile", help="cluster profile name or path")
        add_key_value_option(sub, "--cluster-opt", "override a profile option (repeatable)")
        sub.set_defaults(handler=command)
    check_parser.add_argument(
        "--storage", metavar="URL", help="also write, read back and delete an object under URL"
    )
    add_key_value_option(
        check_parser,
        "--storage-opt",
        "fsspec option for --storage (dotted keys nest: client_kwargs.endpoint_url=...)",
    )


def command(args: argparse.Namespace) -> int:
    """Describe or check the profile."""
    from picpump.cluster import check, describe, load_profile, origin_report  # when run

    profile = load_profile(args.profile, dict(args.cluster_opt))
    if args.cluster_command == "describe":
        text = origin_report(profile) + describe(profile)
    else:
        text = check(profile, storage=args.storage, storage_options=nested(args.storage_opt))
    print(text, end="" if text.endswith("\n") else "\n")
    return 0
