"""``picpump compare``: the products of two runs, value by value."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(commands: Any) -> None:
    """Register ``picpump compare``."""
    compare = commands.add_parser(
        "compare", help="compare the products of two runs, value by value (exit 1 if they differ)"
    )
    compare.add_argument("first", help="output folder of one run")
    compare.add_argument("second", help="output folder of the other run")
    compare.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Print the differences; exit 1 if there are any."""
    from picpump.report.compare import compare_runs  # imported when run: the CLI starts fast

    differences = compare_runs(args.first, args.second)
    for difference in differences:
        print(difference.describe())
    print(f"{len(differences)} difference(s) between {args.first} and {args.second}")
    return 1 if differences else 0
