"""The launcher kinds a profile may name: :data:`LAUNCHERS`, one :class:`Launcher` per kind.

A new kind is one :class:`~picpump.cluster.launcher.Launcher` subclass, listed here.
"""

from __future__ import annotations

from picpump.cluster.gateway import GatewayLauncher
from picpump.cluster.launcher import Launcher
from picpump.cluster.local import ExistingLauncher, LocalLauncher, ThreadsLauncher
from picpump.cluster.slurm import SlurmLauncher
from picpump.errors import ClusterError, explain

LAUNCHERS: dict[str, Launcher] = {
    launcher.kind: launcher
    for launcher in (
        LocalLauncher(),
        ThreadsLauncher(),
        SlurmLauncher(),
        GatewayLauncher(),
        ExistingLauncher(),
    )
}
KINDS: tuple[str, ...] = tuple(LAUNCHERS)


def launcher_for(kind: object, where: str) -> Launcher:
    """Return the launcher of a profile's ``kind:``.

    Parameters
    ----------
    kind : object
        The ``kind:`` value as read.
    where : str
        The profile, for messages.

    Returns
    -------
    Launcher
        The registered launcher.

    Raises
    ------
    ClusterError
        ``kind`` is not one of :data:`KINDS`.
    """
    if not isinstance(kind, str) or kind not in LAUNCHERS:
        raise ClusterError(
            explain(
                f"{where}: 'kind' must be one of {list(KINDS)}",
                repr(kind),
                "set kind: to the launcher you want (see the profiles in cluster/)",
            )
        )
    return LAUNCHERS[kind]


__all__ = ["KINDS", "LAUNCHERS", "launcher_for"]
