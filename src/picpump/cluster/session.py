"""Profile → running cluster → client; and the ``describe`` / ``check`` helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from picpump.cluster import probe
from picpump.cluster.launcher import Launcher
from picpump.cluster.launchers import launcher_for
from picpump.cluster.profile import as_profile
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain


def _launcher(profile: Profile) -> Launcher:
    return launcher_for(profile.kind, f"profile {profile.name or '(mapping)'}")


@contextmanager
def client_for(profile: Profile | Mapping[str, Any]) -> Iterator[Any]:
    """Start the profile's cluster and yield a client; tear everything down on exit.

    While the block runs, a watchdog ends it with a :class:`ClusterError` naming the memory
    limit when workers keep dying or no task finishes for a long time
    (:mod:`picpump.cluster.watchdog`).

    Teardown runs on success, on error and on ``KeyboardInterrupt``: SLURM jobs are
    cancelled, a gateway cluster is shut down, a local cluster is closed; an ``existing``
    scheduler is only disconnected from.

    Parameters
    ----------
    profile : Profile or mapping
        From :func:`~picpump.cluster.load_profile` (or a raw ``{kind, options, workers}``).

    Yields
    ------
    distributed.Client or None
        ``None`` for the ``threads`` kind (dask's threaded scheduler).

    Raises
    ------
    ClusterError
        When the cluster cannot be started or reached, or its workers do not join in time.
    """
    checked = as_profile(profile)
    with _launcher(checked).start(checked) as client, _watched(client):
        yield client


@contextmanager
def _watched(client: Any) -> Iterator[Any]:
    """Watch a distributed client's workers (see :mod:`picpump.cluster.watchdog`)."""
    if client is None:
        yield
        return
    from picpump.cluster.watchdog import watched

    with watched(client):
        yield


def describe(profile: Profile | Mapping[str, Any]) -> str:
    """Tell what the profile would start, without starting anything.

    Parameters
    ----------
    profile : Profile or mapping
        A profile.

    Returns
    -------
    str
        For ``slurm`` the worker job script (``SLURMCluster.job_script()``, with a placeholder
        scheduler address); for ``gateway`` the address, auth (no secret) and cluster options;
        for the others their options.
    """
    checked = as_profile(profile)
    return _launcher(checked).describe(checked)


def _on_worker(client: Any, timeout: float, what: str, func: Callable[..., Any], *args: Any) -> Any:
    """Run ``func(*args)`` on a worker (here for the threaded scheduler), ``timeout`` s at most."""
    if client is None:
        return func(*args)
    from distributed import TimeoutError as DaskTimeoutError

    try:
        return client.submit(func, *args, pure=False).result(timeout=timeout)
    except (TimeoutError, DaskTimeoutError) as err:
        raise ClusterError(
            explain(f"a worker must {what} within {timeout:g} s", "no answer", "see its log")
        ) from err


def _small_sum(client: Any, timeout: float) -> None:
    import dask
    import dask.array as da

    total = da.arange(1000, chunks=100).sum()
    value = dask.compute(total)[0] if client is None else client.compute(total).result(timeout)
    if int(value) != 499500:
        raise ClusterError(explain("sum(range(1000)) is 499500", str(value), "see the logs"))


def check(
    profile: Profile | Mapping[str, Any],
    storage: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    timeout: float = 60,
) -> str:
    """Start the profile's cluster with one worker, run tiny tasks, tear it down.

    Parameters
    ----------
    profile : Profile or mapping
        A profile.
    storage : str, optional
        A folder URL the products will be written to: a worker writes, reads back and
        deletes a small object there (credentials and endpoint as the workers see them).
    storage_options : mapping, optional
        fsspec options for ``storage``.
    timeout : float, default 60
        Seconds each task may take.

    Returns
    -------
    str
        A short report: start-up time, the worker's host and versions, the results, the
        teardown time.

    Raises
    ------
    ClusterError
        When any step fails.
    """
    full = as_profile(profile)
    checked = _launcher(full).one_worker(full)
    lines = [f"profile {checked.name or '(mapping)'}: kind {checked.kind} ({checked.source})"]
    started = time.perf_counter()
    with client_for(checked) as client:
        lines.append(f"first worker ready after {time.perf_counter() - started:.1f} s")
        facts = _on_worker(client, timeout, "report", probe.worker_facts)
        lines.append("worker: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
        _small_sum(client, timeout)
        lines.append("small dask array: 10 chunks summed correctly")
        if storage is not None:
            try:
                size = _on_worker(
                    client,
                    timeout,
                    f"write to {storage}",
                    probe.storage_roundtrip,
                    storage,
                    storage_options,
                )
            except ClusterError:
                raise
            except Exception as err:
                raise probe.storage_error(storage, err) from err
            lines.append(f"storage: wrote, read back and deleted {size} bytes under {storage}")
        closing = time.perf_counter()
    lines.append(f"torn down in {time.perf_counter() - closing:.1f} s")
    return "\n".join(lines) + "\n"


__all__ = ["check", "client_for", "describe"]
