"""SIGINT and SIGTERM end any command within a bounded time, its cluster torn down.

The first signal raises :class:`Interrupted` in the main thread, so that the open cluster is
closed by its context manager as on any error, and arms a deadline: if the process is still
alive :data:`GRACE_SECONDS` later (a teardown stuck on dead or paused workers), every child
process is terminated and the process exits with the signal's status. A second signal exits
at once the same way.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

GRACE_SECONDS = 5.0
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Interrupted(KeyboardInterrupt):
    """The command was asked to stop by ``signum``; ``status`` is its exit status."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.status = EXIT_STATUS.get(signal.Signals(signum), 128 + signum)


def stop_children(timeout: float = 1.0) -> None:
    """Terminate this process's child processes (local workers, nannies), then kill laggards."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.terminate()
        except psutil.Error:
            continue
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        try:
            child.kill()
        except psutil.Error:
            continue


def _exit_now(status: int, why: str) -> None:
    print(f"picpump: {why}; stopping worker processes", file=sys.stderr, flush=True)
    stop_children()
    os._exit(status)


class _Deadline:
    """The timer armed by the first signal; cancelled when the command returns in time."""

    def __init__(self) -> None:
        self.timer: threading.Timer | None = None

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        interrupted = Interrupted(signum)
        if self.timer is not None:
            _exit_now(interrupted.status, f"{interrupted} received again")
        self.timer = threading.Timer(
            GRACE_SECONDS,
            _exit_now,
            (interrupted.status, f"teardown did not finish within {GRACE_SECONDS:g} s"),
        )
        self.timer.daemon = True
        self.timer.start()
        raise interrupted

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` with a hard deadline, for the block.

    Outside the main thread (where Python cannot install signal handlers) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    deadline = _Deadline()
    previous = {sig: signal.signal(sig, deadline.handle) for sig in EXIT_STATUS}
    try:
        yield
    finally:
        deadline.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


__all__ = ["GRACE_SECONDS", "Interrupted", "interruptible", "stop_children"]
