"""Clusters on this machine (``local``, ``threads``) and a running scheduler (``existing``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from picpump.cluster import scaling, values
from picpump.cluster.launcher import Launcher, option_lines
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain

EXISTING_KEYS = {
    "address": "the scheduler's address, e.g. tcp://10.0.0.5:8786",
    "timeout": "seconds to wait for the scheduler to answer [10]",
}
_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?[^\s/:]+:\d+")


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
        """Options of a ``local`` profile: ``distributed.LocalCluster`` keywords, passed as is."""
        return values.mapping(f"{where}: options", options)

    @contextmanager
    def start(self, profile: Profile) -> Iterator[Any]:
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

    def describe(self, profile: Profile) -> str:
        """Show one line per option."""
        return "\n".join(option_lines(profile)) + "\n"

    def one_worker(self, profile: Profile) -> Profile:
        """Return the profile starting one worker process."""
        return dataclasses.replace(profile, options={**profile.options, "n_workers": 1})


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


__all__ = ["EXISTING_KEYS", "ExistingLauncher", "LocalLauncher", "ThreadsLauncher"]
