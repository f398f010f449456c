"""The ``picpump`` command line: one module per subcommand, each with ``add_parser``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import picpump
from picpump.cli import cluster, compare, demo, export, figures, ingest, init, references, run
from picpump.cli.interrupts import Interrupted, interruptible
from picpump.cli.output import redacted_output
from picpump.cli.parser import ExplainingParser
from picpump.cli.verbosity import add_logging_options, terminal_level
from picpump.errors import PicpumpError
from picpump.io.store.failures import as_picpump_error
from picpump.logs import configure_terminal
from picpump.redact import redact

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


def _refusal(err: BaseException, args: argparse.Namespace) -> PicpumpError | None:
    """Return the message a failure stands for, or ``None`` for a bug (left as a traceback)."""
    return as_picpump_error(err, str(getattr(args, "out", None) or ""))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``picpump`` command line.

    Everything printed (stdout, stderr, log lines) is redacted: no URL credential, token or
    signature leaves. SIGINT and SIGTERM end the command within a few seconds, its cluster
    torn down.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 refused input, 130 interrupted (SIGINT), 143 terminated
        (SIGTERM).
    """
    with redacted_output():
        args = _parser().parse_args(argv)
        configure_terminal(terminal_level(args))
        with interruptible():
            return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except KeyboardInterrupt as err:
        print("picpump: interrupted; finished products are intact", file=sys.stderr)
        return err.status if isinstance(err, Interrupted) else 130
    except Exception as err:
        refusal = _refusal(err, args)
        if refusal is None:
            raise
        print(f"picpump: error: {redact(str(refusal))}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
