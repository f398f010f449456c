"""Workers' log records go to the run log of the client, not to the workers' standard error.

A local cluster's worker processes share the terminal of the command; their libraries
(distributed's shuffle and memory warnings, Python warnings) would print there.
:func:`forward_worker_logs` keeps those records off the workers' standard error and forwards
them to the client process, where they reach the run log (:mod:`picpump.logs`).
"""

from __future__ import annotations

import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from picpump.logs import keep_libraries_off_terminal, route_warnings_to_logging


class LibrariesOffTerminal(WorkerPlugin):
    """On each worker, present and future: library records reach the root logger only."""

    name = "picpump-libraries-off-terminal"

    def setup(self, worker: Any) -> None:
        """Drop the libraries' standard-error handlers in the worker process."""
        keep_libraries_off_terminal()
        route_warnings_to_logging()


def forward_worker_logs(client: Any, level: int = logging.WARNING) -> None:
    """Forward the workers' records at ``level`` and above to this process's loggers.

    Parameters
    ----------
    client : distributed.Client
        The client of the run's cluster.
    level : int
        The lowest level forwarded.
    """
    client.register_plugin(LibrariesOffTerminal())
    client.forward_logging(level=level)


__all__ = ["LibrariesOffTerminal", "forward_worker_logs"]
