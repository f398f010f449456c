"""The user's dask configuration, as one layer under a cluster profile.

dask reads YAML files from ``/etc/dask``, ``<prefix>/etc/dask``, ``~/.config/dask`` and
``$DASK_CONFIG``, then ``DASK_*`` environment variables (``DASK_GATEWAY__ADDRESS`` is
``gateway.address``). A site's ``jobqueue.yaml`` (``jobqueue.slurm.*``), a hub's preset
``gateway.*`` and ``scheduler-address`` are read here; the defaults that dask, distributed,
dask-jobqueue and dask-gateway register for themselves are not: only what the user, the site or
``dask.config.set`` chose counts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

MISSING = object()


def _paths() -> list[str]:
    """Return dask's configuration folders, with ``$DASK_CONFIG`` as it is set now."""
    import dask.config

    paths = list(dask.config.paths)
    if (folder := os.environ.get("DASK_CONFIG")) and folder not in paths:
        paths.append(folder)
    return paths


def _lookup(key: str, config: Mapping[str, Any]) -> Any:
    import dask.config

    return dask.config.get(key, MISSING, config=dict(config))


def site_value(key: str) -> Any:
    """Return the value the user's dask configuration gives ``key``, or :data:`MISSING`.

    Parameters
    ----------
    key : str
        A dotted dask configuration key, e.g. ``jobqueue.slurm.queue``; ``-`` and ``_`` are
        the same.

    Returns
    -------
    object
        The value from the configuration files and ``DASK_*`` variables, else a value set in
        this process (``dask.config.set``) that differs from the packaged default, else
        :data:`MISSING`. ``None`` counts as not set.
    """
    import dask.config

    value = _lookup(key, dask.config.collect(paths=_paths(), env=os.environ))
    if value is MISSING or value is None:
        live = dask.config.get(key, None)
        default = _lookup(key, dask.config.merge(*dask.config.defaults))
        value = live if live is not None and live != default else MISSING
    return value


def site_layer(keys: Mapping[str, str]) -> dict[str, Any]:
    """Read several keys: ``{option: dask config key}`` → ``{option: value}`` of those set.

    A dotted option (``auth.type``) becomes a nested mapping.
    """
    layer: dict[str, Any] = {}
    for option, key in keys.items():
        value = site_value(key)
        if value is MISSING:
            continue
        *parents, leaf = option.split(".")
        target = layer
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return layer


__all__ = ["MISSING", "site_layer", "site_value"]
