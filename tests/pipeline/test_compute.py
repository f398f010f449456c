"""compute_all: dask's threaded get without a client; a failure returns once no task runs."""

from __future__ import annotations

from pathlib import Path

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


def test_on_a_client_a_failure_returns_only_once_no_task_runs(tmp_path: Path) -> None:
    """``client.cancel`` leaves running tasks running: the call waits for them."""
    import time

    import pytest
    from dask import delayed
    from distributed import Client, LocalCluster

    done = tmp_path / "slow-done"  # a file: the tasks run on copies of this test's objects

    def slow() -> None:
        time.sleep(0.5)
        done.touch()

    def fail() -> None:
        time.sleep(0.05)
        raise RuntimeError("boom")

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        with pytest.raises(RuntimeError, match="boom"):
            compute_all([delayed(slow)(), delayed(fail)()], client)
        assert done.exists()


def test_the_running_tasks_are_found_by_the_names_of_their_layers() -> None:
    from picpump.pipeline.on_client import layer_names

    x = da.arange(8, chunks=2)
    y = (x + 1).map_blocks(np.sqrt)
    names = layer_names([y])
    assert x.name in names and y.name in names
    fused_key = (f"add-{y.name}", 0)  # the name dask gives a task fused into y's layer
    assert any(name in str(fused_key[0]) for name in names)


def test_the_computations_error_goes_up_even_if_the_workers_cannot_be_asked() -> None:
    import pytest

    class Client:  # gather fails, then asking the workers fails too
        def compute(self, tasks: list[object]) -> list[object]:
            return tasks

        def gather(self, futures: list[object]) -> None:
            raise RuntimeError("boom")

        def cancel(self, futures: list[object]) -> None:
            pass

        def run(self, *args: object) -> None:
            raise ValueError("run is not allowed here")

    with pytest.raises(RuntimeError, match="boom"):
        compute_all([da.arange(4, chunks=2)], Client())
