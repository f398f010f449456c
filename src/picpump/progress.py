"""Progress of long steps: a live bar on a terminal, plain periodic log lines otherwise.

On a terminal the bar is redrawn in place; when standard output is a file (a SLURM ``.out``,
a pipe) no carriage return is written: a plain line is logged every 10 % or every 30 s.
:func:`dask_progress` and :func:`watch_future` attach it to dask's threaded scheduler and to a
distributed future.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

logger = logging.getLogger(__name__)

STEP_PERCENT = 10
"""Percent between two plain lines."""
EVERY_SECONDS = 30.0
"""Seconds between two plain lines, whatever the fraction."""
QUIET_SECONDS = 1.0
"""Steps shorter than this show nothing on a terminal."""
WIDTH = 30
REDRAW_SECONDS = 0.1


class Progress:
    """Report the progress of one step as it goes.

    Parameters
    ----------
    label : str
        What is in progress (e.g. a product name).
    stream : text stream, optional
        Where a live bar is drawn; default the current ``sys.stdout``.
    live : bool, optional
        Draw a live bar; default: whether ``stream`` is a terminal.
    """

    def __init__(self, label: str, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stdout
        self.live = _is_terminal(self.stream) if live is None else live
        self.start = time.monotonic()
        self._next_percent = STEP_PERCENT
        self._last_line = self.start
        self._last_draw = 0.0
        self._drawn = False

    def update(self, fraction: float) -> None:
        """Record that ``fraction`` (0 to 1) of the step is done."""
        now = time.monotonic()
        if self.live:
            self._draw(fraction, now)
            return
        percent = int(100 * fraction + 1e-9)
        if percent >= self._next_percent or now - self._last_line >= EVERY_SECONDS:
            logger.info("%s: %d %% [%.1f s]", self.label, percent, now - self.start)
            self._last_line = now
            self._next_percent = (percent // STEP_PERCENT + 1) * STEP_PERCENT

    def close(self) -> None:
        """End the step: clear the bar (terminal) or log the last line."""
        if self.live and self._drawn:
            self.stream.write("\r\033[2K")
            self.stream.flush()
        elif not self.live and self._next_percent <= 100:
            logger.info("%s: 100 %% [%.1f s]", self.label, time.monotonic() - self.start)

    def _draw(self, fraction: float, now: float) -> None:
        elapsed = now - self.start
        if elapsed < QUIET_SECONDS or (now - self._last_draw < REDRAW_SECONDS and fraction < 1):
            return
        bar = "#" * int(WIDTH * fraction)
        self.stream.write(
            f"\r{self.label} [{bar:<{WIDTH}}] {int(100 * fraction):3d} % {elapsed:.1f} s"
        )
        self.stream.flush()
        self._last_draw, self._drawn = now, True


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def dask_progress(label: str) -> Iterator[Progress]:
    """Report the progress of the computations of dask's local schedulers inside the block.

    Parameters
    ----------
    label : str
        What is computed.

    Yields
    ------
    Progress
        The reporter, updated after each task.
    """
    from dask.callbacks import Callback

    progress = Progress(label)

    class _Tasks(Callback):
        total = 0

        def _start_state(self, dsk: Any, state: Any) -> None:
            self.total = max(len(dsk), 1)

        def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
            progress.update(len(state["finished"]) / self.total)

    with _Tasks():
        try:
            yield progress
        finally:
            progress.close()


def watch_future(future: Any, label: str) -> None:
    """Report the progress of distributed futures until they finish (or one fails).

    Parameters
    ----------
    future : distributed.Future or list of them
        Computations submitted to a cluster.
    label : str
        What is computed.
    """
    from distributed import futures_of
    from distributed.diagnostics.progressbar import TextProgressBar

    progress = Progress(label)

    class _Bar(TextProgressBar):
        def _draw_bar(self, remaining: int, all: int, **kwargs: Any) -> None:  # noqa: A002
            progress.update(1 - remaining / all if all else 1.0)

        def _draw_stop(self, **kwargs: Any) -> None:
            progress.close()

    futures = futures_of(future)
    if futures:
        _Bar(futures, scheduler=futures[0].client.scheduler.address, interval="500ms")


__all__ = ["Progress", "dask_progress", "watch_future"]
