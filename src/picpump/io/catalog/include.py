"""Catalogs that include entries of other catalogs (``includes:``).

A run reads its inputs from one catalog, but the real archives are three (GlobColour for
PIC, PAR, Kd490 and POC; NASA for SST; Copernicus for NPP) plus the ancillary files. A
composing catalog lists what it takes from each::

    includes:
      - catalog: "{{ CATALOG_DIR }}/globcolour.yaml"
        sources: [pic, par, kd490, poc]           # or {new_name: name_there}; default all
        parameters: {res: "25"}                   # new defaults of the entries' parameters
      - catalog: "{{ CATALOG_DIR }}/nasa-oceancolor.yaml"
        sources: {sst: sst}

An included entry keeps its own ``CATALOG_DIR`` (the folder of the catalog it was written
in), so relative paths still point where their author meant. A name defined twice is an
error, never a silent override.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from fsspec.core import split_protocol

from picpump.errors import CatalogError, explain
from picpump.io.catalog.templates import render

MAX_DEPTH = 4
"""Includes may nest this deep (a guard against cycles)."""


def _bad(rule: str, received: str, where: str, fix: str) -> CatalogError:
    return CatalogError(explain(rule, f"{received} ({where})", fix))


def _folder(urlpath: str) -> str:
    if split_protocol(urlpath)[0] is None:
        return os.path.dirname(os.path.abspath(urlpath))
    return urlpath.rsplit("/", 1)[0]


def _selection(raw: Any, available: Mapping[str, Any], where: str) -> dict[str, str]:
    """Return the chosen entries: new name → name in the included catalog."""
    if raw is None:
        return {name: name for name in available}
    if isinstance(raw, list):
        chosen = {str(name): str(name) for name in raw}
    elif isinstance(raw, Mapping):
        chosen = {str(new): str(old) for new, old in raw.items()}
    else:
        fix = "write sources: [a, b] or sources: {new_name: name_there}"
        raise _bad("'sources' of an include must be a list or a mapping", repr(raw), where, fix)
    missing = sorted(set(chosen.values()) - set(available))
    if missing:
        fix = f"pick among {sorted(available)}"
        raise _bad("included sources must exist in that catalog", f"{missing}", where, fix)
    return chosen


def _with_defaults(spec: Any, overrides: Mapping[str, Any]) -> Any:
    """Return the entry with new defaults for those of its parameters it declares."""
    parameters = dict(spec.parameters)
    for name, value in overrides.items():
        if name in parameters:
            declared = parameters[name] if isinstance(parameters[name], Mapping) else {}
            parameters[name] = {**declared, "default": value}
    return replace(spec, parameters=parameters)


def _check_overrides(overrides: Mapping[str, Any], specs: list[Any], where: str) -> None:
    declared = {name for spec in specs for name in spec.parameters}
    unknown = sorted(set(overrides) - declared)
    if unknown:
        fix = f"use parameters the included entries declare: {sorted(declared)}"
        raise _bad("include parameters must be declared by the entries", f"{unknown}", where, fix)


def resolve_includes(
    raw: Mapping[str, Any],
    urlpath: str,
    load: Callable[..., Any],
    storage_options: Mapping[str, Any],
    depth: int = 0,
) -> dict[str, Any]:
    """Load the entries a catalog includes from other catalogs.

    Parameters
    ----------
    raw : mapping
        The including catalog's YAML content.
    urlpath : str
        Where it was read from (``CATALOG_DIR`` of its templates).
    load : callable
        ``load(urlpath, storage_options, depth)`` returning a loaded catalog.
    storage_options : mapping
        fsspec options to read the included catalogs.
    depth : int
        Current nesting depth.

    Returns
    -------
    dict of str to CatalogEntry
        The included entries under their new names, each with its own ``catalog_dir``.

    Raises
    ------
    CatalogError
        A malformed include, a missing catalog or entry, a name included twice, or
        includes nested deeper than :data:`MAX_DEPTH` (a cycle).
    """
    includes = raw.get("includes") or []
    if not isinstance(includes, list):
        fix = "write includes: [{catalog: other.yaml, sources: [...]}]"
        raise _bad("'includes' must be a list", repr(includes), urlpath, fix)
    if includes and depth >= MAX_DEPTH:
        fix = "remove the include cycle"
        raise _bad(f"includes may nest at most {MAX_DEPTH} deep", "deeper", urlpath, fix)
    out: dict[str, Any] = {}
    for i, item in enumerate(includes):
        where = f"{urlpath}: includes[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("catalog"), str):
            raise _bad("an include needs 'catalog: path'", repr(item), where, "add it")
        context = {"CATALOG_DIR": _folder(urlpath)}
        target = render(str(item["catalog"]), context, where)
        if split_protocol(target)[0] is None and not os.path.isabs(target):
            target = os.path.join(_folder(urlpath), target)
        other = load(target, storage_options, depth + 1)
        overrides = {
            str(k): render(str(v), context, where)
            for k, v in dict(item.get("parameters") or {}).items()
        }
        chosen = _selection(item.get("sources"), other.sources, where)
        _check_overrides(overrides, [other.sources[old] for old in chosen.values()], where)
        for new, old in chosen.items():
            if new in out:
                raise _bad("a source name must be included once", new, where, "rename one")
            spec = other.sources[old]
            spec = replace(spec, name=new, catalog_dir=spec.catalog_dir or other.catalog_dir)
            out[new] = _with_defaults(spec, overrides)
    return out


def with_parameters(catalog: Any, overrides: Mapping[str, Any]) -> Any:
    """Return the catalog with new defaults for its entries' user parameters.

    Each override applies to every entry that declares that parameter (e.g. ``base_url`` of
    a local mirror, ``res`` of the archive's grid); the values are then checked as any
    parameter is (type, allowed values) when an entry is used.

    Parameters
    ----------
    catalog : Catalog
        A loaded catalog.
    overrides : mapping
        Parameter name → value.

    Returns
    -------
    Catalog
        A copy with the new defaults.

    Raises
    ------
    CatalogError
        A parameter that no entry declares.
    """
    if not overrides:
        return catalog
    _check_overrides(overrides, list(catalog.sources.values()), catalog.urlpath)
    sources = {name: _with_defaults(spec, overrides) for name, spec in catalog.sources.items()}
    return replace(catalog, sources=sources)


__all__ = ["MAX_DEPTH", "resolve_includes", "with_parameters"]
