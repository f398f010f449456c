"""Compute lazy writes in one call: on a distributed client, or dask's threaded scheduler."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import Any

import dask
import dask.threaded
from dask.system import CPU_COUNT

from picpump.malloc import keep_freed_memory
from picpump.pipeline.on_client import compute_on_client
from picpump.progress import dask_progress


def local_scheduler() -> str | Callable[..., Any]:
    """Return the scheduler of a computation without a client.

    The scheduler set in the dask config (``scheduler``: a name or a ``get`` function) if
    any, else dask's threaded ``get`` as a callable: given no scheduler, or a name, dask
    imports ``distributed`` to look for a client, which took 0.4 s of a 1.6 s climatology on
    the benchmark machine.
    """
    chosen: str | Callable[..., Any] | None = dask.config.get("scheduler", None)
    return chosen or dask.threaded.get


@contextmanager
def local_computations(client: Any) -> Iterator[None]:
    """Inside the block, computations without a client use :func:`local_scheduler`.

    For the implicit ones too (``.values`` of a lazy product in a report), and rechunks are
    planned as tasks (the only method without a client): without this, each looks for a
    distributed client first. With a ``client``, nothing changes.
    """
    if client is not None:
        yield
        return
    settings: dict[str, Any] = {"scheduler": local_scheduler()}
    if dask.config.get("array.rechunk.method", None) is None:
        settings["array.rechunk.method"] = "tasks"
    with dask.config.set(settings):
        yield


def warm_up_kernels() -> None:
    """Import the kernels and load the compiled loops (numba's cache: 0.3 s on a first call)."""
    from picpump.science import climatology, totals

    climatology.warm_up()
    totals.warm_up()


def start_warm_up(client: Any = None) -> None:
    """Load the kernels where the computation will run, without waiting for it.

    Without a client, in a background thread of this process, while the graph is built and
    the stores are prepared; on a client, on every worker (fresh worker processes import the
    kernels in their first task otherwise: on the 0.25° benchmark job, part of the 4.9
    worker-seconds without a task) and never in this process, which only builds the graph:
    numba's typing context and the C parser it imports took 0.85 s of CPU there, on the cores
    of a local cluster's workers.

    Parameters
    ----------
    client : distributed.Client, optional
        Where the computation will run.
    """
    if client is None:
        threading.Thread(target=warm_up_kernels, name="picpump-warm-up", daemon=True).start()
    else:
        from distributed import fire_and_forget

        for worker in client.scheduler_info().get("workers", {}):
            task = client.submit(warm_up_kernels, pure=False, workers=[worker])
            fire_and_forget(task)


def _compute_here(tasks: Sequence[Any], threads: int | None) -> None:
    """Compute on the local scheduler; on the threaded one, return only once no task runs.

    The process keeps the memory the tasks free (:mod:`picpump.malloc`). When a task fails,
    dask raises at once while the other threads finish their tasks: a caller discarding a
    product's temporary store would race with chunks still being written into it. Here the
    threads run in a pool of this call, which cancels the queued tasks and waits for the
    running ones before the error goes up.
    """
    keep_freed_memory()
    scheduler = local_scheduler()
    if scheduler is not dask.threaded.get:
        dask.compute(*tasks, scheduler=scheduler, num_workers=threads)
        return
    pool = ThreadPoolExecutor(threads or CPU_COUNT)
    try:
        dask.compute(*tasks, scheduler=scheduler, pool=pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _flat(tasks: Sequence[Any]) -> list[Any]:
    """Return the collections of ``tasks``, a tuple or list among them giving its items."""
    return [item for task in tasks for item in (task if isinstance(task, list | tuple) else [task])]


def compute_all(
    tasks: Sequence[Any],
    client: Any = None,
    *,
    progress: bool = False,
    label: str = "computing",
    threads: int | None = None,
) -> None:
    """Compute ``tasks`` in one call, with a progress bar if asked.

    On a failure, the error goes up only once no task of the computation runs (on threads,
    :func:`_compute_here`; on a client, :func:`~picpump.pipeline.on_client.compute_on_client`):
    the caller may then discard what the tasks wrote.

    Parameters
    ----------
    tasks : sequence
        dask collections or delayed objects, or tuples of them (e.g. the lazy writes of
        products, :attr:`picpump.io.store.zarr_store.PendingWrite.task`).
    client : distributed.Client, optional
        Where to compute; ``None`` uses :func:`local_scheduler`.
    progress : bool, default False
        Report the progress (:mod:`picpump.progress`).
    label : str
        What the progress reports are about.
    threads : int, optional
        Threads of the threaded scheduler [dask's default: one per CPU].
    """
    tasks = _flat(tasks)
    if client is None:
        with dask_progress(label) if progress else nullcontext():
            _compute_here(tasks, threads)
        return
    compute_on_client(tasks, client, progress, label)


__all__ = [
    "compute_all",
    "local_computations",
    "local_scheduler",
    "start_warm_up",
    "warm_up_kernels",
]
