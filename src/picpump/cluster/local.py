"""Clusters on this machine (``local``, ``threads``) and a running scheduler (``existing``)."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import inspect
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from picpump import malloc
from picpump.cluster import scaling, values
from picpump.cluster.launcher import Launcher, option_lines
from picpump.cluster.layers import COMMAND_LINE
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain

EXISTING_KEYS = {
    "address": "the scheduler's address, e.g. tcp://10.0.0.5:8786",
    "timeout": "seconds to wait for the scheduler to answer [10]",
}
_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?[^\s/:]+:\d+")
THREADS_BELOW = 2 * 2**30
"""Default of the dask config key ``picpump.local.threads-below`` (bytes of inputs)."""


class ThreadsLauncher(Launcher):
    """``threads``: dask's threaded scheduler in this process; no cluster, no client."""

    kind = "threads"

    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Options of a ``threads`` profile: none."""
        values.known_keys(f"{where}: options (kind threads)", values.mapping(where, options), {})
        return {}

    @contextmanager
    def start(self, profile: Profile) -> Iterator[None]:
        """Yield ``None``: dask's threaded scheduler needs no client."""
        yield None

    def describe(self, profile: Profile) -> str:
        """Show the kind and where the profile comes from."""
        return "\n".join(option_lines(profile)) + "\n"


class LocalLauncher(Launcher):
    """``local``: a ``distributed.LocalCluster`` on this machine."""

    kind = "local"

    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Options of a ``local`` profile: ``distributed.LocalCluster`` keywords, passed as is.

        A key must be a keyword of ``LocalCluster``, or of the ``Worker`` / ``Nanny`` it
        passes the others to: a typo is refused here, not in a worker process.
        """
        given = values.mapping(f"{where}: options", options)
        allowed = local_cluster_keywords()
        for key in given:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                raise ClusterError(
                    explain(
                        f"{where}: options of a local profile are distributed.LocalCluster "
                        "keywords (or Worker / Nanny keywords it passes on)",
                        f"unknown key {key!r}",
                        (f"did you mean {close[0]!r}? " if close else "")
                        + "see cluster/local.yaml and distributed.LocalCluster's documentation",
                    )
                )
        _check_local_values(where, given)
        return given

    @contextmanager
    def start(self, profile: Profile) -> Iterator[Any]:
        """Start a ``LocalCluster`` and yield a client; close both on exit.

        The worker processes keep the memory they free (:mod:`picpump.malloc`).
        """
        import dask.config
        from distributed import Client, LocalCluster

        try:
            with dask.config.set(malloc.nanny_config(_memory_limit(profile.options))):
                cluster = LocalCluster(**profile.options)
        except (TypeError, ValueError) as err:
            raise ClusterError(
                explain(
                    "local cluster options must be distributed.LocalCluster keywords",
                    str(err),
                    "fix them in the profile (see cluster/local.yaml)",
                )
            ) from err
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()

    def describe(self, profile: Profile) -> str:
        """Show one line per option."""
        return "\n".join(option_lines(profile)) + "\n"

    def one_worker(self, profile: Profile) -> Profile:
        """Return the profile starting one worker process."""
        return dataclasses.replace(profile, options={**profile.options, "n_workers": 1})


def _memory_limit(options: Mapping[str, Any]) -> int | None:
    """Return a worker's explicit memory limit in bytes (``None`` for "auto", fractions, none)."""
    from dask.utils import parse_bytes

    given = options.get("memory_limit")
    if isinstance(given, str) and given.strip().lower() not in ("", "auto", "0"):
        return int(parse_bytes(given))
    if isinstance(given, int | float) and given > 1:  # a number ≤ 1 is a fraction of RAM
        return int(given)
    return None


def threads_below() -> float:
    """Return the inputs size (bytes) under which a ``local`` run computes on threads.

    The dask config key ``picpump.local.threads-below`` (environment
    ``DASK_PICPUMP__LOCAL__THREADS_BELOW``); 0 always starts the LocalCluster.
    """
    import dask.config
    from dask.utils import parse_bytes

    value = dask.config.get("picpump.local.threads-below", THREADS_BELOW)
    return float(parse_bytes(value) if isinstance(value, str) else value)


def for_run(profile: Profile, input_bytes: float) -> Profile:
    """Return the profile to start for a run whose inputs hold ``input_bytes``.

    A ``local`` profile given no option on the command line computes a small run (inputs
    under :func:`threads_below`, e.g. the 1° demo: 0.5 GB) with dask's threaded scheduler
    in this process: a LocalCluster's worker processes take seconds to start and move every
    chunk between processes, which costs more than they gain on data that fits in memory.
    The graph, hence every product, is the same. Other profiles are returned as given.

    Parameters
    ----------
    profile : Profile
        The checked profile.
    input_bytes : float
        Uncompressed size of the run's inputs.

    Returns
    -------
    Profile
        ``profile``, or a ``threads`` profile of the same name.
    """
    if profile.kind != "local" or COMMAND_LINE in profile.origins.values():
        return profile
    if input_bytes >= threads_below():
        return profile
    return dataclasses.replace(profile, kind="threads", options={})


def _check_local_values(where: str, given: Mapping[str, Any]) -> None:
    """Check the types of the common ``LocalCluster`` keywords (others are checked at start)."""
    at = f"{where}: options."
    for key, minimum in (("n_workers", 0), ("threads_per_worker", 1)):
        if given.get(key) is not None:
            values.integer(at + key, given[key], minimum)
    if given.get("processes") is not None and not isinstance(given["processes"], bool):
        raise values.refuse(at + "processes", "true or false", given["processes"], "write one")
    limit = given.get("memory_limit")
    if limit is not None and limit != "auto":
        from dask.utils import parse_bytes

        try:
            parse_bytes(limit)
        except (TypeError, ValueError) as err:
            raise values.refuse(
                at + "memory_limit", "a memory size or auto", limit, "write e.g. 4GiB"
            ) from err


@functools.cache
def local_cluster_keywords() -> frozenset[str]:
    """Keywords ``distributed.LocalCluster`` accepts, itself or for its workers and nannies."""
    from distributed import LocalCluster, Nanny, Worker

    names: set[str] = set()
    for target in (LocalCluster, Worker, Nanny):
        for name, parameter in inspect.signature(target).parameters.items():
            if parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                names.add(name)
    return frozenset(names)


class ExistingLauncher(Launcher):
    """``existing``: a scheduler started elsewhere; connected to, never stopped."""

    kind = "existing"
    worker_defaults = {"timeout": 60}
    dask_config = {"address": "scheduler-address"}
    defaults = {"address": "tcp://127.0.0.1:8786", "timeout": 10}

    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Options of an ``existing`` profile: the scheduler address and a connect timeout."""
        given = values.mapping(f"{where}: options", options)
        values.known_keys(f"{where}: options", given, EXISTING_KEYS)
        address = values.text(f"{where}: options.address", given.get("address"))
        if not _ADDRESS.fullmatch(address):
            raise values.refuse(
                f"{where}: options.address",
                "a scheduler address [protocol://]host:port",
                address,
                "write e.g. tcp://10.0.0.5:8786 (what the scheduler prints at start)",
            )
        timeout = values.number(f"{where}: options.timeout", given.get("timeout", 10))
        return {"address": address, "timeout": timeout}

    @contextmanager
    def start(self, profile: Profile) -> Iterator[Any]:
        """Connect to a running scheduler and yield a client; the cluster is left running."""
        from distributed import Client

        address, timeout = profile.options["address"], profile.options["timeout"]
        try:
            client = Client(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as err:
            raise ClusterError(
                explain(
                    f"the scheduler must answer at {address} within {timeout:g} s",
                    f"{type(err).__name__}: {err}",
                    "start it (dask scheduler), check the address and port, or the firewall",
                )
            ) from err
        try:
            scaling.wait(client, profile.workers)
            yield client
        finally:
            client.close()

    def describe(self, profile: Profile) -> str:
        """Show one line per option, then the workers waited for."""
        workers = profile.workers
        lines = option_lines(profile)
        lines.append(f"  wait for {workers.wait} worker(s), {workers.timeout:g} s")
        return "\n".join(lines) + "\n"

    def one_worker(self, profile: Profile) -> Profile:
        """Return the profile waiting for one worker."""
        return dataclasses.replace(profile, workers=dataclasses.replace(profile.workers, wait=1))


__all__ = [
    "EXISTING_KEYS",
    "ExistingLauncher",
    "LocalLauncher",
    "ThreadsLauncher",
    "for_run",
    "local_cluster_keywords",
    "threads_below",
]
