"""Read the input files in worker processes while dask computes on threads.

netCDF4/HDF5 is not thread-safe: on dask's threaded scheduler every file is read under
:data:`~picpump.io.ingest.netcdf.NETCDF_LOCK`, one at a time, whatever the number of threads.
Measured on the demo archive (1 812 files of 1°, about 5 ms each to open, check and read):
the ingest of a threaded run took 13 s, nearly all of it in that lock. Inside
:func:`reading_processes`, the read tasks of :mod:`picpump.io.ingest.monthly` hand each block
of months to a pool of worker processes, each with its own HDF5 library, and wait for the
values (the dask thread releases the GIL meanwhile). The values, the records and the errors
are those of a read in the calling thread: the block is the same picklable callable.

The workers are forked from this process when the pool opens, before the computation starts
(nothing reads a file then, so no lock is held), and start at once with the modules already
imported. ``forkserver`` or ``spawn`` workers would import the caller's main module again (a
script without a ``__main__`` guard would run twice) and took 1.5–2.5 s to boot here.
Elsewhere than on Linux, blocks are read in the calling threads.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

_POOL: list[Executor] = []


def default_processes() -> int:
    """Return the worker processes of a pool: the dask config key ``picpump.read-processes``.

    Default: the CPUs this process may use (``os.sched_getaffinity``); 0 or 1 reads in the
    calling threads.
    """
    import dask.config

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return int(dask.config.get("picpump.read-processes", cpus or 1))


@contextlib.contextmanager
def reading_processes(processes: int | None = None) -> Iterator[int]:
    """Read input blocks in a pool of worker processes inside the block.

    Parameters
    ----------
    processes : int, optional
        Worker processes [:func:`default_processes`]; below 2, blocks are read in the
        calling threads (no pool).

    Yields
    ------
    int
        The number of worker processes (0 without a pool).
    """
    n = default_processes() if processes is None else processes
    if n < 2 or _POOL or not sys.platform.startswith("linux"):
        yield 0
        return
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"))
    try:
        _start(pool, n)
        _POOL.append(pool)
        yield n
    finally:
        if pool in _POOL:
            _POOL.remove(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _start(pool: ProcessPoolExecutor, n: int) -> None:
    """Fork the workers now; the warning about forking a process with threads is expected.

    Idle threads (dask's pool, zarr's event loop) hold no lock that a worker uses.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        for future in [pool.submit(os.getpid) for _ in range(n)]:
            future.result()


def run_read[T](read: Callable[[], T]) -> T:
    """Call ``read()`` in the pool of :func:`reading_processes` if one is open, else here.

    Parameters
    ----------
    read : callable
        A picklable callable without arguments (a block of months to read).

    Returns
    -------
    object
        What ``read()`` returns; its exception is raised here.
    """
    if not _POOL or multiprocessing.parent_process() is not None:
        return read()
    future: Any = _POOL[0].submit(read)
    result: T = future.result()
    return result


__all__ = ["default_processes", "reading_processes", "run_read"]
