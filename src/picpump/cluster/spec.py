"""What a profile is, once read and checked: :class:`Profile` and its :class:`Workers`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WORKER_KEYS = {
    "scale": "a fixed number of workers",
    "adapt": "{minimum, maximum}: let the scheduler scale between the two (instead of scale)",
    "wait": "workers to wait for before the run starts (0: do not wait)",
    "timeout": "seconds to wait for them before giving up with an error",
}


@dataclass(frozen=True)
class Workers:
    """How many workers a launched cluster gets, and how long to wait for them.

    Attributes
    ----------
    scale : int or None
        A fixed number of workers (``cluster.scale(n)``).
    adapt : tuple of (int, int) or None
        ``(minimum, maximum)`` for ``cluster.adapt``; exclusive with ``scale``.
    wait : int
        Workers that must have joined before :func:`~picpump.cluster.client_for` yields.
    timeout : float
        Seconds to wait for them; then a :class:`~picpump.errors.ClusterError`.
    """

    scale: int | None = None
    adapt: tuple[int, int] | None = None
    wait: int = 0
    timeout: float = 300.0

    def as_dict(self) -> dict[str, Any]:
        """Return the section as it is written in a profile."""
        adapt = None if self.adapt is None else {"minimum": self.adapt[0], "maximum": self.adapt[1]}
        return {"scale": self.scale, "adapt": adapt, "wait": self.wait, "timeout": self.timeout}


@dataclass(frozen=True)
class Profile:
    """A checked cluster profile.

    Attributes
    ----------
    kind : str
        The launcher: a key of :data:`picpump.cluster.launchers.LAUNCHERS`.
    options : mapping
        The launcher's own options, checked (see the profiles in ``cluster/``).
    workers : Workers
        Scaling and waiting, for the ``slurm``, ``gateway`` and ``existing`` kinds.
    name : str
        The name or path the profile was asked for by.
    source : str
        The file it was read from, or ``"built-in"``.
    origins : mapping
        Dotted option (``queue``, ``scheduler_options.host``, ``workers.scale``) → where its
        value came from: the command line, the profile, dask config; absent: a default.
    """

    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)
    workers: Workers = field(default_factory=Workers)
    name: str = ""
    source: str = "built-in"
    origins: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        """Mapping-style access to ``kind`` and ``options`` (the profile's YAML keys)."""
        if key == "workers":
            return self.workers.as_dict()
        if key in ("kind", "options"):
            return getattr(self, key)
        raise KeyError(key)


__all__ = ["WORKER_KEYS", "Profile", "Workers"]
