"""Cluster profiles → a dask client (or none, for the threaded scheduler).

A profile is a YAML file ``{kind: local | threads, options: {...}}``; ``--cluster NAME``
looks for ``cluster/NAME.yaml`` under the current directory, then for a built-in profile.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from picpump.errors import ClusterError, explain

BUILTIN: dict[str, dict[str, Any]] = {
    "local": {"kind": "local", "options": {"n_workers": 2, "threads_per_worker": 1}},
    "threads": {"kind": "threads", "options": {}},
}
KINDS = ("local", "threads")


def load_profile(name_or_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve a profile name or path to ``{kind, options}``.

    Parameters
    ----------
    name_or_path : str
        A YAML path, a name under ``./cluster/``, or a built-in name (``local``, ``threads``).
    overrides : mapping, optional
        Option values replacing the profile's (``--cluster-opt key=value``).

    Returns
    -------
    dict
        The profile.
    """
    path = Path(name_or_path)
    candidates = [path, Path("cluster") / f"{name_or_path}.yaml"]
    found = next((p for p in candidates if p.suffix in (".yaml", ".yml") and p.is_file()), None)
    if found is not None:
        profile = yaml.safe_load(found.read_text()) or {}
    elif name_or_path in BUILTIN:
        profile = BUILTIN[name_or_path]
    else:
        raise ClusterError(
            explain(
                "a cluster profile is a YAML file or one of the built-in names",
                f"{name_or_path!r} (no such file, no cluster/{name_or_path}.yaml)",
                f"use one of {sorted(BUILTIN)} or give the path of a profile",
            )
        )
    kind = profile.get("kind")
    if kind not in KINDS:
        raise ClusterError(
            explain(f"a profile's 'kind' must be one of {list(KINDS)}", repr(kind), "fix it")
        )
    options = {**dict(profile.get("options") or {}), **dict(overrides or {})}
    return {"kind": kind, "options": options}


@contextmanager
def client_for(profile: Mapping[str, Any]) -> Iterator[Any]:
    """Start the profile's cluster and yield a client; tear everything down on exit.

    Parameters
    ----------
    profile : mapping
        From :func:`load_profile`.

    Yields
    ------
    distributed.Client or None
        ``None`` for the ``threads`` kind (dask's threaded scheduler).
    """
    if profile["kind"] == "threads":
        yield None
        return
    from distributed import Client, LocalCluster

    try:
        cluster = LocalCluster(**profile["options"])
    except (TypeError, ValueError) as err:
        raise ClusterError(
            explain("local cluster options must be LocalCluster keywords", str(err), "fix them")
        ) from err
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


__all__ = ["client_for", "load_profile"]
