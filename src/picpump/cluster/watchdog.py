"""A run on a cluster ends with a message, not a hang, when its workers keep dying or stall.

A small scheduler plugin counts worker removals and remembers when a task last finished; a
thread on the client polls it. When more workers died than allowed, when every worker stayed
paused at its memory limit (or some did while no task finished: the others may wait for the
data a paused worker holds), or when tasks are waiting but none finished for the stall time,
the run's futures are cancelled and the run ends with a
:class:`~picpump.errors.ClusterError` naming the workers' memory limit and the fixes.

Limits are dask config keys (environment ``DASK_PICPUMP__WATCHDOG__...``):
``picpump.watchdog.max-worker-deaths`` (default 6), ``picpump.watchdog.paused-seconds``
(default 45), ``picpump.watchdog.stall-seconds`` (default 600);
``picpump.watchdog.poll-seconds`` (default 2) sets the polling period.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dask
from distributed.diagnostics.plugin import SchedulerPlugin

from picpump.errors import ClusterError, explain

LOG = logging.getLogger(__name__)
PLUGIN_NAME = "picpump-watchdog"
DEFAULTS = {
    "max-worker-deaths": 6,
    "paused-seconds": 45.0,
    "stall-seconds": 600.0,
    "poll-seconds": 2.0,
}
_DONE = frozenset({"memory", "released", "forgotten", "erred"})


class WorkerHealth(SchedulerPlugin):
    """Count worker removals and the time the last task finished, on the scheduler."""

    name = PLUGIN_NAME

    def __init__(self) -> None:
        self.removed = 0
        self.last_finish = time.monotonic()

    def remove_worker(self, scheduler: Any, worker: str, **kwargs: Any) -> None:
        """Count a worker that left unasked (died or was restarted; not one retired)."""
        if "retire" not in str(kwargs.get("stimulus_id", "")):
            self.removed += 1

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        """Remember when a task last finished."""
        if finish == "memory":
            self.last_finish = time.monotonic()


def health(dask_scheduler: Any) -> dict[str, Any]:
    """Report worker removals, seconds since a task finished, waiting tasks (on the scheduler)."""
    plugin = dask_scheduler.plugins.get(PLUGIN_NAME)
    waiting = sum(1 for ts in dask_scheduler.tasks.values() if ts.state not in _DONE)
    workers = list(dask_scheduler.workers.values())
    paused = sum(1 for ws in workers if ws.status.name == "paused")
    state = {
        "removed": 0,
        "idle": 0.0,
        "waiting": waiting,
        "paused": paused,
        "workers": len(workers),
    }
    if plugin is not None:
        state.update(removed=plugin.removed, idle=time.monotonic() - plugin.last_finish)
    return state


def _limit(key: str) -> float:
    return float(dask.config.get(f"picpump.watchdog.{key}", DEFAULTS[key]))


def memory_limits(client: Any) -> str:
    """Describe the workers' memory limits, e.g. ``2 workers, memory_limit 300 MiB each``."""
    workers = client.scheduler_info().get("workers", {}).values()
    limits = sorted({int(w.get("memory_limit") or 0) for w in workers})
    shown = ", ".join(f"{limit / 2**20:.0f} MiB" if limit else "none" for limit in limits)
    return f"{len(workers)} worker(s), memory_limit {shown or 'unknown'} each"


class Watchdog:
    """Poll the scheduler's health for one client; cancel the run when it is stuck."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.reason = ""
        self.limits = ""
        self.paused_since: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=PLUGIN_NAME, daemon=True)

    def start(self) -> None:
        """Register the plugin and start polling (not at all on a scheduler that refuses it)."""
        try:
            self.client.register_plugin(WorkerHealth(), name=PLUGIN_NAME)
        except Exception as err:  # noqa: BLE001 - e.g. a remote scheduler without picpump
            LOG.warning("worker health is not watched on this scheduler: %s", err)
            return
        self.limits = memory_limits(self.client)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and remove the plugin (before the cluster is torn down)."""
        self._stop.set()
        if self._thread.ident is None:
            return
        self._thread.join(timeout=_limit("poll-seconds") + 1)
        with contextlib.suppress(Exception):
            self.client.unregister_scheduler_plugin(PLUGIN_NAME)

    def _verdict(self, state: dict[str, Any]) -> str:
        deaths, stall = int(_limit("max-worker-deaths")), _limit("stall-seconds")
        if state["removed"] >= deaths:
            return f"{state['removed']} workers died or were restarted (limit {deaths})"
        limit = _limit("paused-seconds")
        starved = bool(state["paused"] and state["waiting"])
        paused = self._paused_for(starved)
        every = state["paused"] >= state["workers"]
        if starved and paused >= limit and (every or state["idle"] >= limit):
            # one paused worker can hold the data the others wait for: none of them finishes
            who = "every worker" if every else f"{state['paused']} worker(s)"
            return f"{who} stayed paused at the memory limit for {paused:.0f} s, no task finishing"
        if state["waiting"] and state["idle"] >= stall:
            return f"{state['waiting']} tasks waited {state['idle']:.0f} s with none finishing"
        return ""

    def _paused_for(self, paused: bool) -> float:
        """Seconds every worker has been paused with tasks waiting (0 when not)."""
        now = time.monotonic()
        if not paused:
            self.paused_since = None
            return 0.0
        self.paused_since = self.paused_since or now
        return now - self.paused_since

    def _watch(self) -> None:
        while not self._stop.wait(_limit("poll-seconds")):
            try:
                state = self.client.run_on_scheduler(health)
            except Exception:  # noqa: BLE001 - a scheduler that cannot answer is judged later
                continue
            self.reason = self._verdict(state)
            if self.reason:
                self._cancel_all()
                return

    def _cancel_all(self) -> None:
        from distributed import Future

        futures: list[Any] = [Future(key, self.client) for key in list(self.client.futures)]
        self.client.cancel(futures, force=True)

    def failure(self) -> ClusterError:
        """Return the error that ends a run stopped by the watchdog (or by killed workers)."""
        received = f"{self.reason or 'workers were killed while running tasks'}; {self.limits}"
        return ClusterError(
            explain(
                "each worker must hold its tasks within its memory limit",
                received,
                "give each worker more memory (--cluster-opt memory_limit=4GiB, or fewer "
                "workers on this machine) or use smaller tiles (the spec's chunks: {tile: 45})",
            )
        )


@contextmanager
def watched(client: Any) -> Iterator[Watchdog | None]:
    """Watch ``client``'s workers for the block; a stuck run ends with a ClusterError."""
    if client is None:
        yield None
        return
    watchdog = Watchdog(client)
    watchdog.start()
    try:
        yield watchdog
    except Exception as err:
        if watchdog.reason or type(err).__name__ == "KilledWorker":
            raise watchdog.failure() from err
        raise
    finally:
        watchdog.stop()


__all__ = ["DEFAULTS", "Watchdog", "WorkerHealth", "health", "memory_limits", "watched"]
