"""The ``workers:`` section of a profile: parse it, apply it to a cluster, wait for workers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from picpump.cluster import values
from picpump.cluster.spec import WORKER_KEYS, Workers
from picpump.errors import ClusterError, explain


def parse_workers(
    where: str,
    kind: str,
    raw: Any,
    defaults: Mapping[str, Any] | None = None,
    scalable: bool = False,
) -> Workers:
    """Check a profile's ``workers:`` section.

    Parameters
    ----------
    where : str
        The profile, for messages.
    kind : str
        The profile's kind, for messages.
    raw : mapping or None
        The section as read.
    defaults : mapping, optional
        The kind's defaults (``timeout``, ``scale``); ``None``: the kind takes no key.
    scalable : bool, default False
        Whether the kind asks for workers: every key is accepted, else only ``wait`` and
        ``timeout``.

    Returns
    -------
    Workers
        The section with defaults filled in; ``wait`` defaults to one worker.
    """
    given = values.mapping(f"{where}: workers", raw)
    if defaults is None:
        values.known_keys(f"{where}: workers (kind {kind})", given, {})
        return Workers()
    allowed = WORKER_KEYS if scalable else {k: WORKER_KEYS[k] for k in ("wait", "timeout")}
    values.known_keys(f"{where}: workers", given, allowed)
    if given.get("adapt") is not None and given.get("scale") is not None:
        raise ClusterError(
            explain(
                f"{where}: workers takes either 'scale' or 'adapt'",
                f"scale={given['scale']!r} and adapt={given['adapt']!r}",
                "remove one of them (set it to null)",
            )
        )
    merged = {**defaults, **{k: v for k, v in given.items() if v is not None}}
    if "adapt" in merged:
        merged.pop("scale", None)
    scale = (
        None
        if "scale" not in merged
        else values.integer(f"{where}: workers.scale", merged["scale"])
    )
    adapt = None
    if "adapt" in merged:
        bounds = values.mapping(f"{where}: workers.adapt", merged["adapt"])
        values.known_keys(f"{where}: workers.adapt", bounds, {"minimum": "", "maximum": ""})
        low = values.integer(f"{where}: workers.adapt.minimum", bounds.get("minimum", 0))
        high = values.integer(f"{where}: workers.adapt.maximum", bounds.get("maximum"), max(low, 1))
        adapt = (low, high)
    target = scale if scale is not None else (adapt[0] if adapt is not None else 1)
    wait = values.integer(f"{where}: workers.wait", merged.get("wait", min(1, target)))
    if scalable and wait > target:
        raise ClusterError(
            explain(
                f"{where}: workers.wait cannot exceed the workers asked for",
                f"wait={wait} with {'scale' if scale is not None else 'adapt.minimum'}={target}",
                f"set wait to at most {target}",
            )
        )
    timeout = values.number(f"{where}: workers.timeout", merged["timeout"])
    return Workers(scale=scale, adapt=adapt, wait=wait, timeout=timeout)


def apply(cluster: Any, workers: Workers) -> None:
    """Ask ``cluster`` for its workers: ``adapt(minimum, maximum)`` or ``scale(n)``."""
    if workers.adapt is not None:
        cluster.adapt(minimum=workers.adapt[0], maximum=workers.adapt[1])
    elif workers.scale is not None:
        cluster.scale(workers.scale)


def wait(
    client: Any,
    workers: Workers,
    state: Callable[[], str] | None = None,
    ended: Callable[[], bool] | None = None,
) -> None:
    """Block until ``workers.wait`` workers joined, or raise after ``workers.timeout`` s.

    Parameters
    ----------
    client : distributed.Client
        Connected to the cluster's scheduler.
    workers : Workers
        How many to wait for and how long.
    state : callable, optional
        Returns a one-line account of the pending workers (e.g. their SLURM job states) for
        the error message.
    ended : callable, optional
        Returns True once no worker can join any more (e.g. every SLURM job has left the
        queue): the wait stops there instead of running into the timeout.
    """
    if workers.wait <= 0:
        return
    deadline = time.monotonic() + workers.timeout
    while True:
        try:
            client.wait_for_workers(workers.wait, timeout=min(2.0, workers.timeout))
            return
        except TimeoutError:
            pass
        if ended is not None and ended():
            raise _not_joined(
                client,
                workers,
                "every worker job ended before its worker joined",
                "read the jobs' output (log_directory, or slurm-<id>.out where picpump runs): "
                "is python / picpump installed on the nodes, can they reach the scheduler?",
                state,
            )
        if time.monotonic() >= deadline:
            raise _not_joined(
                client,
                workers,
                f"{workers.wait} worker(s) must join the scheduler within {workers.timeout:g} s",
                "check that the jobs can start (queue, limits) and reach the scheduler "
                "(scheduler_options.host / interface), or raise workers.timeout",
                state,
            )


def _not_joined(
    client: Any, workers: Workers, rule: str, fix: str, state: Callable[[], str] | None
) -> ClusterError:
    joined = len(running_workers(client))
    received = f"{joined} of {workers.wait} joined" + (f"; {state()}" if state else "")
    return ClusterError(explain(rule, received, fix))


def running_workers(client: Any) -> Mapping[str, Any]:
    """Return the scheduler's current workers (address → info)."""
    info: Mapping[str, Any] = client.scheduler_info(n_workers=-1).get("workers", {})
    return info


__all__ = ["apply", "parse_workers", "running_workers", "wait"]
