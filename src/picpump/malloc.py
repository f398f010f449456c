"""Keep the memory a computation frees for its next blocks (glibc malloc thresholds).

By default glibc hands every block of 128 KiB or more back to the kernel when it is freed,
raising that threshold only as large blocks come and go; distributed's worker processes also
set ``MALLOC_TRIM_THRESHOLD_=65536``, which freezes it. Every tile-sized array (10 MB for a
302-month 90 × 90 float32 tile) is then fresh memory, and each of its pages is faulted in
again. On the benchmark machine, a VM that hands freed guest memory back to its host, that
cost about 3 ms per MB: with the thresholds below, the production tasks of the 0.25° job
took 6 worker-seconds instead of 12, and the threaded climatology 7 % less.

The thresholds are the dask config key ``picpump.malloc`` (``mmap-threshold``,
``trim-threshold``, sizes); ``picpump.malloc: null`` leaves glibc's and distributed's
defaults. A worker keeps at most about ``trim-threshold`` of freed memory per malloc arena.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

DEFAULTS = {"mmap-threshold": "64MiB", "trim-threshold": "512MiB"}
"""Blocks below ``mmap-threshold`` come from the heap; up to ``trim-threshold`` of free heap
is kept (glibc's ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD``)."""

NANNY_ENVIRONMENT = "distributed.nanny.pre-spawn-environ"
"""The dask config of the variables a nanny sets before it spawns its worker process."""

C_INT_MAX = 2**31 - 1
"""``mallopt`` takes a C ``int``: larger sizes are capped."""

_MALLOPT = {"trim-threshold": -1, "mmap-threshold": -3}
"""glibc's ``mallopt`` parameter numbers (``malloc.h``)."""

_ENVIRONMENT = {
    "trim-threshold": "MALLOC_TRIM_THRESHOLD_",
    "mmap-threshold": "MALLOC_MMAP_THRESHOLD_",
}
"""The environment variables glibc reads at process start for the same settings."""


def thresholds(memory_limit: int | None = None) -> dict[str, int]:
    """Return the configured thresholds in bytes (empty when ``picpump.malloc`` is null).

    Parameters
    ----------
    memory_limit : int, optional
        A worker's memory limit in bytes: each threshold is capped at an eighth of it, so
        that the freed memory a worker keeps cannot hold it paused at its limit.

    Returns
    -------
    dict
        ``{"mmap-threshold": bytes, "trim-threshold": bytes}``, or ``{}``.
    """
    import dask.config
    from dask.utils import parse_bytes

    chosen: Any = dask.config.get("picpump.malloc", DEFAULTS)
    if not chosen:
        return {}
    merged = {**DEFAULTS, **chosen}
    cap = min(C_INT_MAX, memory_limit // 8) if memory_limit else C_INT_MAX
    return {key: min(int(parse_bytes(merged[key])), cap) for key in _MALLOPT}


def process_environment(memory_limit: int | None = None) -> dict[str, str]:
    """Environment variables giving a new process the thresholds (e.g. a dask worker).

    Parameters
    ----------
    memory_limit : int, optional
        The worker's memory limit in bytes (see :func:`thresholds`).

    Returns
    -------
    dict
        ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_``, or ``{}``.
    """
    return {_ENVIRONMENT[key]: str(value) for key, value in thresholds(memory_limit).items()}


def nanny_config(memory_limit: int | None = None) -> dict[str, Any]:
    """Return the dask config setting :func:`process_environment` in a nanny's new worker.

    To pass to ``dask.config.set`` while a ``LocalCluster`` starts. The two variables replace
    those of ``distributed.nanny.pre-spawn-environ`` (whose default sets
    ``MALLOC_TRIM_THRESHOLD_``), the others are kept; the environment of the starting
    process still wins (distributed's rule).

    Parameters
    ----------
    memory_limit : int, optional
        The workers' memory limit in bytes (see :func:`thresholds`).

    Returns
    -------
    dict
        ``{"distributed.nanny.pre-spawn-environ": {...}}``, or ``{}``.
    """
    import dask.config
    import distributed  # noqa: F401  (its config defaults, merged into dask's on import)

    wanted = process_environment(memory_limit)
    if not wanted:
        return {}
    current = dict(dask.config.get(NANNY_ENVIRONMENT, None) or {})
    return {NANNY_ENVIRONMENT: {**current, **wanted}}


@functools.cache
def keep_freed_memory() -> bool:
    """Apply the thresholds to this process (once); whether they were applied.

    ``False`` where the C library is not glibc (no ``mallopt``) or ``picpump.malloc`` is null.
    """
    wanted = thresholds()
    name = ctypes.util.find_library("c")
    if not wanted or name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return all(mallopt(_MALLOPT[key], value) == 1 for key, value in wanted.items())


__all__ = ["DEFAULTS", "keep_freed_memory", "nanny_config", "process_environment", "thresholds"]
