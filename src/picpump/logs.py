"""Logging: the command line's terminal lines, the run log, and third-party records.

Every module logs through ``logging.getLogger(__name__)``; records of the ``picpump`` loggers
are the lines a user sees. :func:`configure_terminal` (called by the command line) prints them
as plain lines on standard output, and keeps the records of other libraries (distributed's
shuffle warnings, Python warnings…) off the terminal. :func:`capturing_run_log` collects every
record of a run, picpump's and the libraries', for the ``run.log`` of the run folder.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from picpump.errors import InputError, explain

PACKAGE = "picpump"
THIRD_PARTY = (
    "distributed",
    "dask",
    "dask_jobqueue",
    "dask_gateway",
    "bokeh",
    "tornado",
    "asyncio",
    "fsspec",
    "s3fs",
    "zarr",
    "numcodecs",
    "py.warnings",
)
"""Libraries whose records go to the run log, never to the terminal."""
LEVEL_NAMES = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RUN_LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class _TerminalHandler(logging.StreamHandler):
    """Plain lines on the current ``sys.stdout`` (looked up at each record: redirections work)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout  # not setStream: it flushes the previous, maybe closed, stream
        super().emit(record)


class _TerminalFormatter(logging.Formatter):
    """The message alone; warnings and errors say so."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


def level_from(verbose: int = 0, quiet: int = 0, name: str | None = None) -> int:
    """Return the terminal log level of ``-v``/``-q`` counts or an explicit level name.

    Parameters
    ----------
    verbose : int
        How many ``-v`` (each one level more detail, from INFO).
    quiet : int
        How many ``-q`` (each one level less detail, from INFO).
    name : str, optional
        An explicit level (``DEBUG``, ``INFO``, ``WARNING``, ``ERROR``, ``CRITICAL``); wins.

    Returns
    -------
    int
        A :mod:`logging` level.

    Raises
    ------
    InputError
        For an unknown level name.
    """
    if name is not None:
        if name.upper() not in LEVEL_NAMES:
            raise InputError(
                explain("--log-level is a logging level", repr(name), f"one of {LEVEL_NAMES}")
            )
        return int(getattr(logging, name.upper()))
    return min(max(logging.INFO + 10 * (quiet - verbose), logging.DEBUG), logging.CRITICAL)


def keep_libraries_off_terminal(importing: Sequence[str] = ()) -> None:
    """Drop the terminal handlers that libraries installed; their records reach the root logger.

    distributed installs a standard-error handler on its loggers when it is imported; this
    removes it (and that of the other :data:`THIRD_PARTY` loggers) so that their records only
    reach the handlers of the root logger: the run log.

    Parameters
    ----------
    importing : sequence of str
        Libraries to import first (they install their handlers on import).
    """
    for module in importing:
        importlib.import_module(module)
    for name in THIRD_PARTY:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if isinstance(handler, logging.StreamHandler) and not isinstance(
                handler, logging.FileHandler
            ):
                logger.removeHandler(handler)
        logger.propagate = True


def configure_terminal(level: int = logging.INFO) -> None:
    """Print picpump's records at ``level`` and above on standard output, as plain lines.

    Records of other libraries and Python warnings are kept off the terminal (they reach the
    run log, see :func:`capturing_run_log`). Calling it again replaces the earlier setting.

    Parameters
    ----------
    level : int
        The lowest level shown on the terminal.
    """
    logger = logging.getLogger(PACKAGE)
    for handler in [h for h in logger.handlers if isinstance(h, _TerminalHandler)]:
        logger.removeHandler(handler)
    handler = _TerminalHandler(sys.stdout)
    handler.setFormatter(_TerminalFormatter("%(message)s"))
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(min(level, logging.INFO))
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())  # no "last resort" printing of library records
    route_warnings_to_logging()
    keep_libraries_off_terminal()


class RunLog(logging.Handler):
    """Collect the formatted records of one run, for ``run.log``."""

    def __init__(self, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter(RUN_LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one formatted record."""
        self.lines.append(self.format(record))

    def text(self) -> str:
        """Return the collected records, one per line."""
        return "".join(f"{line}\n" for line in self.lines)


def _is_logging(showwarning: object) -> bool:
    return getattr(showwarning, "__module__", "") == "logging"


def route_warnings_to_logging() -> None:
    """Send Python warnings to the ``py.warnings`` logger.

    Unlike a bare :func:`logging.captureWarnings`, this also works after a
    :class:`warnings.catch_warnings` block put the original display back while
    :mod:`logging` still believes it captures them.
    """
    if not _is_logging(warnings.showwarning):
        logging.captureWarnings(False)
        logging.captureWarnings(True)


@contextmanager
def capturing_run_log(level: int = logging.INFO) -> Iterator[RunLog]:
    """Collect every record of a run (picpump's and the libraries', warnings included).

    Parameters
    ----------
    level : int
        The lowest level kept.

    Yields
    ------
    RunLog
        The handler; its :meth:`RunLog.text` is the content of ``run.log``.
    """
    handler = RunLog(level)
    package = logging.getLogger(PACKAGE)
    earlier_level = package.level
    if package.getEffectiveLevel() > level:
        package.setLevel(level)
    earlier_display = warnings.showwarning
    route_warnings_to_logging()
    hosts = [logging.getLogger()]
    hosts += [
        logging.getLogger(name) for name in THIRD_PARTY if not logging.getLogger(name).propagate
    ]
    for host in hosts:
        host.addHandler(handler)
    try:
        yield handler
    finally:
        for host in hosts:
            host.removeHandler(handler)
        package.setLevel(earlier_level)
        if not _is_logging(earlier_display):
            logging.captureWarnings(False)
            warnings.showwarning = earlier_display


__all__ = [
    "PACKAGE",
    "THIRD_PARTY",
    "RunLog",
    "capturing_run_log",
    "configure_terminal",
    "keep_libraries_off_terminal",
    "level_from",
    "route_warnings_to_logging",
]
