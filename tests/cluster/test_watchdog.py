"""The watchdog's verdicts: worker deaths, workers paused at their limit, no progress."""

from __future__ import annotations

import time

import dask
import pytest

from picpump.cluster.watchdog import Watchdog, WorkerHealth
from picpump.errors import ClusterError


def _state(**changes: object) -> dict:
    return {"removed": 0, "idle": 0.0, "waiting": 5, "paused": 0, "workers": 2} | changes


def test_healthy_run_has_no_verdict() -> None:
    assert Watchdog(client=None)._verdict(_state(idle=30.0)) == ""


def test_repeated_worker_deaths_end_the_run() -> None:
    with dask.config.set({"picpump.watchdog.max-worker-deaths": 3}):
        assert "3 workers died" in Watchdog(client=None)._verdict(_state(removed=3))


def test_workers_paused_with_tasks_waiting_end_the_run() -> None:
    watchdog = Watchdog(client=None)
    with dask.config.set({"picpump.watchdog.paused-seconds": 0}):
        assert "every worker stayed paused" in watchdog._verdict(_state(paused=2))
        assert watchdog._verdict(_state(paused=2, waiting=0)) == ""


def test_one_paused_worker_that_others_wait_for_ends_the_run() -> None:
    watchdog = Watchdog(client=None)
    with dask.config.set({"picpump.watchdog.paused-seconds": 0}):
        assert "1 worker(s) stayed paused" in watchdog._verdict(_state(paused=1, idle=1.0))
    with dask.config.set({"picpump.watchdog.paused-seconds": 30}):
        watchdog = Watchdog(client=None)
        watchdog.paused_since = (
            time.monotonic() - 60
        )  # paused long ago, but tasks still finish on the other
        assert watchdog._verdict(_state(paused=1, idle=5.0)) == ""
        assert "1 worker(s) stayed paused" in watchdog._verdict(_state(paused=1, idle=31.0))


def test_no_task_finishing_ends_the_run() -> None:
    with dask.config.set({"picpump.watchdog.stall-seconds": 100}):
        assert "none finishing" in Watchdog(client=None)._verdict(_state(idle=101.0))
        assert Watchdog(client=None)._verdict(_state(idle=101.0, waiting=0)) == ""


def test_retired_workers_are_not_deaths() -> None:
    plugin = WorkerHealth()
    plugin.remove_worker(None, "tcp://a", stimulus_id="retire-workers-123")
    plugin.remove_worker(None, "tcp://b", stimulus_id="handle-worker-cleanup-456")
    assert plugin.removed == 1


def test_the_failure_names_the_limit_and_the_fixes() -> None:
    watchdog = Watchdog(client=None)
    watchdog.reason, watchdog.limits = "7 workers died", "2 worker(s), memory_limit 300 MiB each"
    with pytest.raises(ClusterError, match=r"(?s)memory_limit 300 MiB.*memory_limit=.*tile"):
        raise watchdog.failure()
