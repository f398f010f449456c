"""The command line's argument parser: a usage error is told as rule / received / fix."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from picpump.errors import explain


class ExplainingParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors say the rule broken, what was received and the fix.

    Exit status 2, no traceback, like every refused input of ``picpump``; the subcommands'
    parsers are of this class too (``add_subparsers`` uses the parent's class).
    """

    def error(self, message: str) -> NoReturn:
        """Print the usage line and the explained error, then exit with status 2."""
        self.print_usage(sys.stderr)
        text = explain(
            f"`{self.prog}` takes the arguments and options its --help lists",
            message,
            f"see `{self.prog} --help`",
        )
        self.exit(2, f"picpump: error: {text}\n")


__all__ = ["ExplainingParser"]
