"""Cluster profiles → a dask client, on a laptop, a SLURM cluster or a Pangeo hub.

A profile (``cluster/<name>.yaml``) names a launcher and its options::

    kind: local | threads | slurm | gateway | existing
    options: {...}
    workers: {scale: 2, wait: 1, timeout: 300}

:func:`load_profile` finds and checks one (each option from the command line, else the
profile, else dask config, else picpump's default); :func:`client_for` starts it and always
tears it down; :func:`describe` shows what would be submitted and :func:`origin_report` where
each option came from; :func:`check` starts one worker, runs a tiny task and stops.
Each kind is one :class:`Launcher`, registered in :data:`LAUNCHERS`.
``dask_jobqueue`` and ``dask_gateway`` are imported only when a ``slurm`` or ``gateway``
profile is used.
"""

from __future__ import annotations

from picpump.cluster.dashboard import dashboard_link
from picpump.cluster.launcher import Launcher
from picpump.cluster.launchers import KINDS, LAUNCHERS, launcher_for
from picpump.cluster.profile import (
    BUILTIN,
    apply_overrides,
    check_profile,
    load_profile,
    origin_report,
)
from picpump.cluster.session import check, client_for, describe
from picpump.cluster.spec import Profile, Workers

__all__ = [
    "BUILTIN",
    "KINDS",
    "LAUNCHERS",
    "Launcher",
    "Profile",
    "Workers",
    "apply_overrides",
    "check",
    "check_profile",
    "client_for",
    "dashboard_link",
    "describe",
    "launcher_for",
    "load_profile",
    "origin_report",
]
