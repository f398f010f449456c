"""Option helpers shared by the subcommands: ``KEY=VALUE`` pairs and dotted nesting."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import yaml


def key_value(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE``; the value is read as YAML (numbers, booleans, lists)."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    key, value = text.split("=", 1)
    try:
        return key, yaml.safe_load(value)
    except yaml.YAMLError as err:
        reason = str(err).splitlines()[0]
        raise argparse.ArgumentTypeError(
            f"the value of {key} must be plain YAML (numbers, booleans, strings, lists), "
            f"no tags; received {value!r} ({reason}); fix: quote it, e.g. {key}='{value}'"
        ) from None


def add_key_value_option(parser: argparse.ArgumentParser, flag: str, help_text: str) -> None:
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
        flag, action="append", type=key_value, default=[], metavar="KEY=VALUE", help=help_text
    )


def nested(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Turn ``[("a.b", 1)]`` into ``{"a": {"b": 1}}``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        *parents, leaf = key.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out
