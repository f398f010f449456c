"""Computations without a client use dask's threaded get, never a lookup for a client."""

from __future__ import annotations

import dask
import dask.array as da
import dask.threaded
import numpy as np

from picpump.pipeline.compute import compute_all, local_computations, local_scheduler


def test_the_threaded_get_unless_the_config_names_a_scheduler() -> None:
    assert local_scheduler() is dask.threaded.get
    with dask.config.set(scheduler="synchronous"):
        assert local_scheduler() == "synchronous"


def test_implicit_computations_use_it_only_without_a_client() -> None:
    with local_computations(None):
        assert dask.config.get("scheduler") is dask.threaded.get
        assert dask.config.get("array.rechunk.method") == "tasks"
    assert dask.config.get("scheduler", None) is None
    with local_computations(object()):
        assert dask.config.get("scheduler", None) is None


def test_compute_all_runs_the_tasks_with_the_threads_asked() -> None:
    seen: list[int] = []

    def record(block):  # type: ignore[no-untyped-def]
        seen.append(int(block.sum()))
        return block

    x = da.arange(8, chunks=2).map_blocks(record, meta=np.empty(0, int))
    compute_all([x], threads=3)
    assert sorted(seen) == [1, 5, 9, 13]


def test_a_failure_returns_only_once_no_task_runs() -> None:
    """The caller may then discard what the tasks wrote: nothing is still writing."""
    import time

    import pytest
    from dask import delayed

    finished: list[str] = []

    def slow() -> None:
        time.sleep(0.3)
        finished.append("slow")

    def fail() -> None:
        time.sleep(0.05)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        compute_all([delayed(slow)(), delayed(fail)()], threads=2)
    assert finished == ["slow"]
