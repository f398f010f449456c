"""Find, read and check a cluster profile.

A profile is a YAML file::

    kind: slurm            # local | threads | slurm | gateway | existing
    description: ...       # optional, free text
    options: {...}         # the launcher's own keys (documented in cluster/<kind>.yaml)
    workers: {...}         # slurm, gateway: scale or adapt, wait, timeout; existing: wait, timeout

``--cluster NAME`` looks for ``NAME`` as a path, then ``$PICPUMP_CLUSTER_DIR/NAME.yaml``, then
``./cluster/NAME.yaml``, then the profiles shipped with picpump (:mod:`picpump.resources`),
then the built-in ones (``local``, ``threads``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from picpump.cluster import layers, values
from picpump.cluster.launcher import Launcher
from picpump.cluster.launchers import KINDS, launcher_for
from picpump.cluster.site_config import site_layer
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain
from picpump.resources import shipped, shipped_names

BUILTIN: dict[str, dict[str, Any]] = {
    "local": {"kind": "local", "options": {"n_workers": 2, "threads_per_worker": 1}},
    "threads": {"kind": "threads", "options": {}},
}
TOP_KEYS = {
    "kind": f"one of {list(KINDS)}",
    "description": "free text",
    "options": "the launcher's keys",
    "workers": "scale / adapt / wait / timeout",
}


def _find(name_or_path: str) -> tuple[dict[str, Any], str]:
    candidates = [Path(name_or_path)]
    if env := os.environ.get("PICPUMP_CLUSTER_DIR"):
        candidates.append(Path(env) / f"{name_or_path}.yaml")
    candidates.append(Path("cluster") / f"{name_or_path}.yaml")
    if (packaged := shipped("cluster", name_or_path)) is not None:
        candidates.append(packaged)
    for path in candidates:
        if path.suffix in (".yaml", ".yml") and path.is_file():
            try:
                raw = yaml.safe_load(path.read_text())
            except yaml.YAMLError as err:
                raise ClusterError(
                    explain("a cluster profile must be valid YAML", f"{path}: {err}", "fix it")
                ) from err
            return values.mapping(str(path), raw), str(path)
    if name_or_path in BUILTIN:
        return copy.deepcopy(BUILTIN[name_or_path]), "built-in"
    raise ClusterError(
        explain(
            "a cluster profile is a YAML file or the name of one in ./cluster/ "
            "($PICPUMP_CLUSTER_DIR), shipped with picpump, or built in",
            f"{name_or_path!r} (no such file, no cluster/{name_or_path}.yaml)",
            f"use one of {sorted({*BUILTIN, *shipped_names('cluster')})}, a name from "
            "cluster/*.yaml, or a profile's path",
        )
    )


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = target.get(part)
        target[part] = child = dict(child) if isinstance(child, Mapping) else {}
        target = child
    target[leaf] = value


def apply_overrides(raw: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Apply ``--cluster-opt`` values to a raw profile.

    Parameters
    ----------
    raw : mapping
        The profile as read.
    overrides : mapping
        ``key → value``. A plain or dotted key sets an option (``queue``,
        ``scheduler_options.host``); a key under ``workers.`` sets the workers section
        (``workers.scale``, ``workers.adapt.maximum``). Setting ``workers.scale`` drops
        ``adapt`` and the reverse; either resets ``workers.wait`` to its default (one
        worker, or none for ``adapt.minimum: 0``) unless ``workers.wait`` is given too.

    Returns
    -------
    dict
        A new raw profile.
    """
    out = copy.deepcopy(dict(raw))
    for key, value in overrides.items():
        if not isinstance(key, str) or not key or "" in key.split("."):
            raise ClusterError(explain("an override key is a dotted name", repr(key), "fix it"))
        if key.startswith("workers."):
            workers = dict(out.get("workers") or {})
            if key == "workers.scale":
                workers["adapt"] = None
            elif key.startswith("workers.adapt"):
                workers["scale"] = None
            if key != "workers.wait" and "workers.wait" not in overrides:
                workers["wait"] = None
            out["workers"] = workers
            _set(out, key, value)
        else:
            out["options"] = dict(out.get("options") or {})
            _set(out["options"], key.removeprefix("options."), value)
    return out


def check_profile(
    raw: Mapping[str, Any],
    name: str = "",
    source: str = "built-in",
    overrides: Mapping[str, Any] | None = None,
) -> Profile:
    """Check a raw profile (a mapping as read from YAML) and return it as a :class:`Profile`.

    Each option comes from the first layer that sets it (not ``null``): ``overrides`` (the
    command line), the profile, the user's dask configuration (the launcher's
    :attr:`~picpump.cluster.launcher.Launcher.dask_config` keys), picpump's defaults.

    Parameters
    ----------
    raw : mapping
        ``{kind, description, options, workers}``.
    name : str, optional
        The name it was asked for by.
    source : str, optional
        Where it was read from, for messages.
    overrides : mapping, optional
        ``--cluster-opt`` values, see :func:`apply_overrides`.

    Returns
    -------
    Profile
        The checked profile, with the origin of every option.
    """
    where = source if source != "built-in" else f"profile {name or '(mapping)'}"
    values.known_keys(where, raw, TOP_KEYS)
    launcher = launcher_for(raw.get("kind"), where)
    given = overrides or {}
    full = apply_overrides(raw, given)
    options, origins = _layered_options(launcher, where, raw, given)
    checked = launcher.check(where, options)
    workers = launcher.check_workers(where, full.get("workers"))
    origins |= _worker_origins(where, full, given)
    return Profile(launcher.kind, checked, workers, name=name, source=source, origins=origins)


def _layered_options(
    launcher: Launcher, where: str, raw: Mapping[str, Any], overrides: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge command line > profile > dask config > defaults; label each option."""
    from_file = values.mapping(f"{where}: options", raw.get("options"))
    option_overrides = {k: v for k, v in overrides.items() if not k.startswith("workers.")}
    from_cli = apply_overrides({}, option_overrides).get("options", {})
    upper, upper_origins = layers.merge(
        [(layers.COMMAND_LINE, from_cli), (_label(where), from_file)]
    )
    site = site_layer(launcher.dask_config)
    above_defaults, _ = layers.merge([("upper", upper), (layers.DASK_CONFIG, site)])
    options, origins = layers.merge(
        [
            ("upper", upper),
            (layers.DASK_CONFIG, site),
            (layers.DEFAULT, launcher.defaults_under(above_defaults)),
        ],
        launcher.atomic,
    )
    return options, layers.relabel(origins, "upper", upper_origins)


def _label(where: str) -> str:
    """Return the origin label of the profile's own values: ``profile <file or name>``."""
    return where if where.startswith("profile ") else f"profile {where}"


def _worker_origins(
    where: str, full: Mapping[str, Any], overrides: Mapping[str, Any]
) -> dict[str, str]:
    workers = values.mapping(f"{where}: workers", full.get("workers"))
    origins = {}
    for key, value in workers.items():
        if any(k == f"workers.{key}" or k.startswith(f"workers.{key}.") for k in overrides):
            origins[f"workers.{key}"] = layers.COMMAND_LINE
        elif value is not None:
            origins[f"workers.{key}"] = _label(where)
    return origins


def load_profile(name_or_path: str, overrides: Mapping[str, Any] | None = None) -> Profile:
    """Resolve a profile name or path, apply overrides and check everything.

    Parameters
    ----------
    name_or_path : str
        A YAML path, a name under ``$PICPUMP_CLUSTER_DIR`` or ``./cluster/``, or a built-in
        name (``local``, ``threads``).
    overrides : mapping, optional
        ``--cluster-opt`` values, see :func:`apply_overrides`.

    Returns
    -------
    Profile
        The checked profile.

    Raises
    ------
    ClusterError
        No such profile, an unknown kind or key, or a value that breaks a rule.
    """
    raw, source = _find(name_or_path)
    return check_profile(raw, name=name_or_path, source=source, overrides=overrides)


def origin_report(profile: Profile) -> str:
    """Every option of a checked profile, its value and where it came from.

    Parameters
    ----------
    profile : Profile
        From :func:`load_profile` or :func:`check_profile`.

    Returns
    -------
    str
        A heading line, then one line per option (``key  value  [origin]``), origins being
        ``command line``, ``profile <file>``, ``dask config`` or ``picpump default``.
    """
    settings: dict[str, Any] = dict(profile.options)
    if launcher_for(profile.kind, profile.name).worker_defaults is not None:
        settings["workers"] = profile.workers.as_dict()
    lines = [f"# {profile.kind} profile {profile.name or '(mapping)'}: each value and its origin"]
    lines += [f"#{line}" for line in layers.origin_lines(settings, profile.origins)]
    return "\n".join(lines) + "\n"


def as_profile(profile: Profile | Mapping[str, Any]) -> Profile:
    """Accept a :class:`Profile` or a raw mapping (checked here)."""
    if isinstance(profile, Profile):
        return profile
    return check_profile(profile)


__all__ = [
    "BUILTIN",
    "apply_overrides",
    "as_profile",
    "check_profile",
    "load_profile",
    "origin_report",
]
