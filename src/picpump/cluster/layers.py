"""Where each cluster option comes from: command line > profile > dask config > defaults.

Each layer is a mapping of options; a value of ``None`` (YAML ``null``) is not set and lets a
lower layer speak. Mappings merge key by key (``scheduler_options.host`` from the command line,
``scheduler_options.interface`` from dask config), except the keys a launcher declares atomic
(a gateway's ``auth``), which come whole from one layer. Every leaf is labelled with the layer
it came from; :func:`origin_lines` prints them for ``picpump cluster describe``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

COMMAND_LINE = "command line"
DASK_CONFIG = "dask config"
DEFAULT = "picpump default"

Layer = tuple[str, Mapping[str, Any]]


def _mappings_on_top(present: list[tuple[str, Any]]) -> list[Layer]:
    """Return the layers whose value is a mapping, down to the first that is not."""
    out: list[Layer] = []
    for label, value in present:
        if not isinstance(value, Mapping):
            break
        out.append((label, value))
    return out


def merge(
    layers: Sequence[Layer], atomic: Collection[str] = (), prefix: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge option layers, highest first; label every leaf with its layer.

    Parameters
    ----------
    layers : sequence of (label, mapping)
        The layers, the one that wins first.
    atomic : collection of str
        Dotted keys whose mapping value is taken whole from the highest layer setting it.
    prefix : str, optional
        The dotted path of the layers (for nested mappings).

    Returns
    -------
    options : dict
        The merged options; a key only ever set to ``None`` stays ``None``.
    origins : dict
        Dotted leaf key → label of the layer it came from.
    """
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    keys = dict.fromkeys(key for _, layer in reversed(layers) for key in layer)
    for key in keys:
        path = prefix + key
        present = [(label, layer[key]) for label, layer in layers if layer.get(key) is not None]
        if not present:
            merged[key] = None
            continue
        label, value = present[0]
        if isinstance(value, Mapping) and path not in atomic and value:
            merged[key], inner = merge(_mappings_on_top(present), atomic, path + ".")
            origins.update(inner)
        else:
            merged[key] = value
            origins[path] = label
    return merged, origins


def relabel(origins: Mapping[str, str], label: str, detail: Mapping[str, str]) -> dict[str, str]:
    """Replace ``label`` by the finer labels of ``detail`` (same path or below it)."""
    out: dict[str, str] = {}
    for path, where in origins.items():
        finer = {p: w for p, w in detail.items() if p == path or p.startswith(path + ".")}
        if where == label and finer:
            out.update(finer)
        else:
            out[path] = where
    return out


def _leaves(options: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, Mapping) and value:
            out.update(_leaves(value, prefix + key + "."))
        else:
            out[prefix + key] = value
    return out


def origin_lines(options: Mapping[str, Any], origins: Mapping[str, str]) -> list[str]:
    """One line per leaf option: ``key: value  [where it came from]``.

    Parameters
    ----------
    options : mapping
        Checked options.
    origins : mapping
        Dotted key → layer label; a leaf not listed is a picpump default.

    Returns
    -------
    list of str
        The lines, in the options' order.
    """
    leaves = _leaves(options)
    width = max((len(key) for key in leaves), default=0)
    return [
        f"  {key.ljust(width)}  {value!r}  [{_origin(key, origins)}]"
        for key, value in leaves.items()
    ]


def _origin(path: str, origins: Mapping[str, str]) -> str:
    while path:
        if path in origins:
            return origins[path]
        path = path.rpartition(".")[0]
    return DEFAULT


__all__ = ["COMMAND_LINE", "DASK_CONFIG", "DEFAULT", "merge", "origin_lines", "relabel"]
