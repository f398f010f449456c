"""Compute on a distributed client; after a failure, return only once no task of ours runs.

When a task fails, ``client.gather`` raises at once and ``client.cancel`` only releases the
other tasks: a worker thread already running one goes on until it ends. A caller discarding
a product's temporary store would race with chunks still being written into it (an error
removing the folder, or a folder recreated after it was removed). Here, after a failure, the
workers are polled until none runs a task of the computation's graphs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from picpump.progress import watch_future

STOP_TIMEOUT_S = 120.0
"""Seconds to wait for running tasks after a failure; then the error goes up anyway."""

POLL_S = 0.05

logger = logging.getLogger(__name__)


def layer_names(tasks: Sequence[Any]) -> frozenset[str]:
    """Return the names of the layers of the tasks' graphs (upstream layers included).

    A task key's name contains the name of its layer, or of the last of the layers fused into
    it (``getitem-monthly-climatology-picpump-write-<token>``).
    """
    names: set[str] = set()
    for task in tasks:
        graph = task.__dask_graph__()
        names.update(str(name) for name in getattr(graph, "layers", {}))
    return frozenset(names)


def _key_name(key: Any) -> str:
    return str(key[0] if isinstance(key, tuple) else key)


def running_here(names: frozenset[str], dask_worker: Any = None) -> int:
    """Count the tasks of ``names`` occupying a thread of this worker (cancelled included).

    Run on each worker by ``client.run``.
    """
    assert dask_worker is not None
    running = dask_worker.state.all_running_tasks
    return sum(1 for ts in running if any(n in _key_name(ts.key) for n in names))


def wait_until_stopped(client: Any, names: frozenset[str], timeout: float = STOP_TIMEOUT_S) -> bool:
    """Poll the workers until none runs a task of ``names``; whether that happened in time.

    Parameters
    ----------
    client : distributed.Client
        The client the tasks were computed on.
    names : frozenset of str
        From :func:`layer_names`.
    timeout : float
        Seconds to wait at most.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            counts = client.run(running_here, names)
        except (OSError, TimeoutError):  # workers gone: nothing of theirs runs any more
            return True
        except Exception as err:  # noqa: BLE001 - the computation's own error must go up
            logger.warning("could not ask the workers which tasks still run: %s", err)
            return False
        if not any(counts.values()):
            return True
        if time.monotonic() > deadline:
            logger.warning("%d tasks still run after a failure", sum(counts.values()))
            return False
        time.sleep(POLL_S)


def compute_on_client(tasks: Sequence[Any], client: Any, progress: bool, label: str) -> None:
    """Compute ``tasks`` on ``client``; on a failure, cancel and wait for running tasks.

    Parameters
    ----------
    tasks : sequence
        dask collections or delayed objects.
    client : distributed.Client
        Where to compute.
    progress : bool
        Report the progress (:mod:`picpump.progress`).
    label : str
        What the progress reports are about.
    """
    futures = client.compute(list(tasks))
    if progress:
        watch_future(futures, label)
    try:
        client.gather(futures)
    except BaseException:
        client.cancel(futures)
        wait_until_stopped(client, layer_names(tasks))
        raise


__all__ = ["compute_on_client", "layer_names", "running_here", "wait_until_stopped"]
