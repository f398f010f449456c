"""What every launcher kind provides: :class:`Launcher` (and :class:`ScalableLauncher`).

A launcher kind is one subclass, registered in :data:`picpump.cluster.launchers.LAUNCHERS`:
it checks the profile's ``options:`` and ``workers:`` sections, starts the cluster as a
context manager that yields a client and always tears it down, and describes what it would
start.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from picpump.cluster import scaling
from picpump.cluster.spec import Profile, Workers


class Launcher(ABC):
    """One launcher kind: its option checks, how it starts, how it is described.

    Attributes
    ----------
    kind : str
        The profile's ``kind:`` value.
    worker_defaults : mapping or None
        Defaults of the ``workers:`` section; ``None``: the kind takes no ``workers:`` keys.
    scalable : bool
        Whether ``workers:`` may ask for workers (``scale`` / ``adapt``), not only wait for them.
    dask_config : mapping
        Option (dotted for a nested key) → the dask configuration key it is read from when
        neither the command line nor the profile sets it.
    defaults : mapping
        picpump's defaults of options, under every other layer.
    atomic : frozenset of str
        Mapping options taken whole from one layer (not merged key by key).
    """

    kind: ClassVar[str]
    worker_defaults: ClassVar[Mapping[str, Any] | None] = None
    scalable: ClassVar[bool] = False
    dask_config: ClassVar[Mapping[str, str]] = {}
    defaults: ClassVar[Mapping[str, Any]] = {}
    atomic: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Check the ``options:`` section and return it with the defaults filled in.

        Parameters
        ----------
        where : str
            The profile, for messages.
        options : mapping
            The ``options:`` section as read.

        Returns
        -------
        dict
            The checked options.

        Raises
        ------
        ClusterError
            An unknown key or a value that breaks a rule.
        """

    @abstractmethod
    def start(self, profile: Profile) -> AbstractContextManager[Any]:
        """Start the cluster; the context yields a client and tears everything down on exit.

        Parameters
        ----------
        profile : Profile
            A checked profile of this kind.

        Returns
        -------
        context manager
            Yields a ``distributed.Client`` (or ``None`` for dask's threaded scheduler).
        """

    @abstractmethod
    def describe(self, profile: Profile) -> str:
        """Tell what :meth:`start` would start, without starting anything.

        Parameters
        ----------
        profile : Profile
            A checked profile of this kind.

        Returns
        -------
        str
            Lines of text, ending with a newline.
        """

    def defaults_under(self, upper: Mapping[str, Any]) -> Mapping[str, Any]:
        """Return the defaults layer, given the options the layers above it set.

        Parameters
        ----------
        upper : mapping
            The options set by the command line, the profile and dask config.

        Returns
        -------
        mapping
            :attr:`defaults` (a kind may drop defaults that only fit together with others).
        """
        return self.defaults

    def check_workers(self, where: str, raw: Any) -> Workers:
        """Check the ``workers:`` section (see :func:`picpump.cluster.scaling.parse_workers`)."""
        return scaling.parse_workers(where, self.kind, raw, self.worker_defaults, self.scalable)

    def one_worker(self, profile: Profile) -> Profile:
        """Return the profile cut down to start a single worker (for a quick check)."""
        return profile


class ScalableLauncher(Launcher):
    """A launcher that asks for its workers (``workers: scale / adapt``) and waits for them."""

    scalable = True

    def one_worker(self, profile: Profile) -> Profile:
        """Return the profile asking for one worker and waiting for it."""
        workers = Workers(scale=1, adapt=None, wait=1, timeout=profile.workers.timeout)
        return dataclasses.replace(profile, workers=workers)


def option_lines(profile: Profile) -> list[str]:
    """Return the kind and source of a profile, then one line per option."""
    lines = [f"kind: {profile.kind} ({profile.source})"]
    return lines + [f"  {key}: {value!r}" for key, value in profile.options.items()]


__all__ = ["Launcher", "ScalableLauncher", "option_lines"]
