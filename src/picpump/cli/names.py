"""Pipeline specs and catalogs given by name on the command line (``toullec2026``, ``demo``).

A path or URL is used as given. A name is ``./pipelines/<name>.yaml`` /
``./catalogs/<name>.yaml`` when the current folder has one (the checkout, or a folder made by
``picpump init``), else the file shipped with picpump. A shipped catalog is used from a copy
of the shipped catalogs in the cache folder (``$PICPUMP_CACHE``, else ``~/.cache/picpump``):
its ``{{ CATALOG_DIR }}/../data/demo`` is then ``<cache>/data/demo``, where
``picpump demo build`` writes the demo archive when run outside a project folder.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from fsspec.core import split_protocol

from picpump.io.store.cache import cache_root
from picpump.resources import find_named, not_found, shipped, shipped_files

DEMO_CATALOG = Path("catalogs") / "demo.yaml"


def pipeline_path(name_or_path: str) -> str:
    """Return the spec file of a name or path (see the module's rules)."""
    found = find_named("pipelines", name_or_path)
    if found is None:
        if split_protocol(name_or_path)[0] is not None or name_or_path.endswith((".yaml", ".yml")):
            return name_or_path  # the spec reader tells what is wrong with it
        raise not_found("pipelines", name_or_path, "pipeline spec")
    return str(found)


def catalog_path(name_or_path: str) -> str:
    """Return the catalog file or URL of a name or path (see the module's rules)."""
    if split_protocol(name_or_path)[0] is not None:
        return name_or_path
    found = find_named("catalogs", name_or_path)
    if found is None:
        if name_or_path.endswith((".yaml", ".yml")):
            return name_or_path  # the catalog reader tells what is wrong with it
        raise not_found("catalogs", name_or_path, "catalog")
    if found == shipped("catalogs", name_or_path):
        return str(_cached_catalogs() / found.name)
    return str(found)


def _cached_catalogs() -> Path:
    """Copy the shipped catalogs to ``<cache>/catalogs`` (the changed ones) and return it."""
    target = cache_root() / "catalogs"
    target.mkdir(parents=True, exist_ok=True)
    for path in shipped_files("catalogs"):
        copy = target / path.name
        if not copy.is_file() or not filecmp.cmp(path, copy, shallow=False):
            shutil.copyfile(path, copy)
    return target


def default_demo_folder() -> str:
    """Where ``picpump demo build`` writes by default.

    ``data/demo`` in a project folder (one with ``catalogs/demo.yaml``: the checkout, or a
    folder made by ``picpump init``), else ``<cache>/data/demo``, where the shipped demo
    catalog looks for it.
    """
    if DEMO_CATALOG.is_file():
        return str(Path("data") / "demo")
    return str(cache_root() / "data" / "demo")


__all__ = ["catalog_path", "default_demo_folder", "pipeline_path"]
