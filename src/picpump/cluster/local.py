"""Clusters on this machine (``local``, ``threads``) and a running scheduler (``existing``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from picpump.cluster import scaling, values
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain

EXISTING_KEYS = {
    "address": "the scheduler's address, e.g. tcp://10.0.0.5:8786",
    "timeout": "seconds to wait for the scheduler to answer [10]",
}
_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?[^\s/:]+:\d+")


def check_local(where: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options of a ``local`` profile: ``distributed.LocalCluster`` keywords, passed as is."""
    return values.mapping(f"{where}: options", options)


def check_threads(where: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options of a ``threads`` profile: none."""
    values.known_keys(f"{where}: options (kind threads)", values.mapping(where, options), {})
    return {}


def check_existing(where: str, options: Mapping[str, Any]) -> dict[str, Any]:
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
def running_threads(profile: Profile) -> Iterator[None]:
    """Yield ``None``: dask's threaded scheduler needs no client."""
    yield None


@contextmanager
def running_local(profile: Profile) -> Iterator[Any]:
    """Start a ``LocalCluster`` and yield a client; close both on exit."""
    from distributed import Client, LocalCluster

    try:
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


@contextmanager
def running_existing(profile: Profile) -> Iterator[Any]:
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


def describe_local(profile: Profile) -> str:
    """One line per option of a ``local``, ``threads`` or ``existing`` profile."""
    lines = [f"kind: {profile.kind} ({profile.source})"]
    lines += [f"  {key}: {value!r}" for key, value in profile.options.items()]
    if profile.kind == "existing":
        lines.append(f"  wait for {profile.workers.wait} worker(s), {profile.workers.timeout:g} s")
    return "\n".join(lines) + "\n"


__all__ = [
    "EXISTING_KEYS",
    "check_existing",
    "check_local",
    "check_threads",
    "describe_local",
    "running_existing",
    "running_local",
    "running_threads",
]
