"""``picpump references``: virtual Zarr references to a monthly entry's NetCDF4/HDF5 files."""

from __future__ import annotations

import argparse
from typing import Any

import yaml

from picpump.cli.options import add_key_value_option
from picpump.io.formats import REFERENCE_FORMATS as FORMATS
from picpump.io.formats import REFERENCES
from picpump.period import Period


def add_parser(commands: Any) -> None:
    """Register ``picpump references``."""
    references = commands.add_parser(
        "references",
        help="write virtual Zarr references (kerchunk) to a monthly entry's files, no copy",
    )
    references.add_argument("catalog", help="input catalog (YAML path or URL)")
    references.add_argument("entry", help="monthly catalog entry of NetCDF4/HDF5 files, e.g. pic")
    references.add_argument("--out", required=True, help="references file (.json or .parquet)")
    references.add_argument("--period", help="months to reference, START:END [the archive]")
    references.add_argument("--format", choices=FORMATS, help="[from --out's suffix, else json]")
    add_key_value_option(references, "--param", "user parameter of the entry (repeatable)")
    references.set_defaults(handler=command)


def entry_text(name: str, out: str, variable: str, canonical: Any) -> str:
    """Return the YAML of a catalog entry that reads through the references."""
    entry = {
        "driver": REFERENCES,
        "description": f"'{name}' read through virtual Zarr references",
        "args": {"urlpath": out, "variable": variable},
        "metadata": {"canonical": canonical},
    }
    return yaml.safe_dump({f"{name}_refs": entry}, sort_keys=False)


def command(args: argparse.Namespace) -> int:
    """Write the references; print a catalog entry that reads through them."""
    from picpump.io.api import load_catalog, resolve  # imported when run: the CLI starts fast
    from picpump.io.references import write_references

    catalog = load_catalog(args.catalog)
    period = Period.parse(args.period) if args.period else None
    entry = resolve(catalog, args.entry, period, **dict(args.param))
    fmt = args.format or ("parquet" if args.out.rstrip("/").endswith(".parquet") else "json")
    write_references(entry, args.out, fmt)
    present = sum(url is not None for _, url in entry.files)
    print(f"{args.entry}: {present} files referenced in {args.out} ({fmt}); catalog entry:")
    canonical = entry.entry.metadata.get("canonical")
    print(entry_text(args.entry, args.out, str(entry.args["variable"]), canonical), end="")
    return 0
