"""The global ``-v``/``-q``/``--log-level`` options of ``picpump``."""

from __future__ import annotations

import argparse

from picpump.logs import LEVEL_NAMES, level_from


def add_logging_options(parser: argparse.ArgumentParser) -> None:
    """Add ``-v``, ``-q`` and ``--log-level`` to the top-level parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``picpump`` parser (the options go before the subcommand).
    """
    group = parser.add_argument_group("output")
    group.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail (repeat: -vv)"
    )
    group.add_argument(
        "-q", "--quiet", action="count", default=0, help="less output (-qq: errors only)"
    )
    group.add_argument(
        "--log-level",
        type=str.upper,
        choices=LEVEL_NAMES,
        help="lowest level shown on the terminal (wins over -v/-q) [INFO]",
    )


def terminal_level(args: argparse.Namespace) -> int:
    """Return the terminal log level the parsed options ask for."""
    return level_from(args.verbose, args.quiet, args.log_level)


__all__ = ["add_logging_options", "terminal_level"]
