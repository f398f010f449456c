"""Everything a command prints or logs goes through :func:`picpump.redact.redact`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from picpump.redact import RedactingFilter, RedactingStream


def _all_handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    return list({id(h): h for logger in loggers for h in logger.handlers}.values())


@contextmanager
def redacted_output() -> Iterator[None]:
    """Redact ``sys.stdout``, ``sys.stderr`` and every logging handler for the block."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(streams[0]), RedactingStream(streams[1])
    redacting = RedactingFilter()
    handlers = _all_handlers()
    for handler in handlers:
        handler.addFilter(redacting)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = streams
        for handler in handlers:
            handler.removeFilter(redacting)


__all__ = ["redacted_output"]
