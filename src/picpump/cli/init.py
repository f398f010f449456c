"""``picpump init DIR``: a project folder with editable profiles, pipeline specs and catalogs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from picpump.errors import InputError, explain
from picpump.resources import FOLDERS, copy_shipped


def add_parser(commands: Any) -> None:
    """Register ``picpump init``."""
    init = commands.add_parser(
        "init",
        help=f"copy the shipped {', '.join(FOLDERS)} folders into DIR, to edit; names given "
        "to --cluster, run and --catalog are then found there first",
    )
    init.add_argument("folder", nargs="?", default=".", help="the project folder [.]")
    init.add_argument("--force", action="store_true", help="replace files that exist")
    init.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """Copy the shipped files; print what was written and what was kept."""
    target = Path(args.folder)
    if target.exists() and not target.is_dir():
        raise InputError(
            explain("picpump init fills a folder", f"{target} is a file", "give a folder")
        )
    try:
        written = copy_shipped(target, overwrite=args.force)
    except OSError as err:
        raise InputError(
            explain(
                "picpump init writes into a folder it can create and write",
                f"{target}: {err.strerror or err}",
                "give a writable folder",
            )
        ) from err
    for path in written:
        print(f"wrote {path}")
    kept = "" if args.force else " (files that existed were kept; --force replaces them)"
    print(f"{len(written)} file(s) written under {target}{kept}")
    print(f"in {target}: picpump demo build; picpump run toullec2026 --catalog demo")
    return 0
