"""The ``picpump`` command line: one module per subcommand, each with ``add_parser``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

import picpump
from picpump.cli import cluster, compare, demo, export, figures, ingest, init, references, run
from picpump.cli.parser import ExplainingParser
from picpump.cli.verbosity import add_logging_options, terminal_level
from picpump.errors import PicpumpError
from picpump.logs import configure_terminal

SUBCOMMANDS = (run, demo, cluster, ingest, compare, references, init, export, figures)


def _parser() -> argparse.ArgumentParser:
    parser = ExplainingParser(
        prog="picpump",
        description="Ocean carbonate-pump products from satellite ocean colour.",
    )
    parser.add_argument("--version", action="version", version=f"picpump {picpump.__version__}")
    add_logging_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


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
    configure_terminal(terminal_level(args))
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # a kill or scancel also tears clusters down
    try:
        return int(args.handler(args))
    except PicpumpError as err:
        print(f"picpump: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("picpump: interrupted; finished products are intact", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
