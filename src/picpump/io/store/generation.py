"""Run generations: every run writes a new folder, and one small pointer is switched last.

Layout of an output folder ``OUT``::

    OUT/generations/<id>/     everything one run wrote: *.zarr, tables/, summary.json,
                              summary.md, catalog.yaml
    OUT/current               local disks: a symlink to generations/<id> (the pointer)
    OUT/current.json          object stores: {"generation": "<id>", ...} (the pointer)
    OUT/monthly.zarr ...      local disks: symlinks to current/monthly.zarr ..., so the
                              familiar names keep working (``xr.open_zarr("OUT/monthly.zarr")``)
    OUT/.picpump-run.lock     while a run writes (:mod:`picpump.io.store.lock`)

The switch is one atomic operation: a rename of a new symlink over ``OUT/current`` locally, one
PUT of ``current.json`` on an object store. Readers therefore see every product, table and
summary of one run, or of the previous one, never a mix; a run killed at any point leaves the
previous generation current. :func:`current_folder` is the one way picpump readers find it.
A folder without a pointer (written by :func:`picpump.pipeline.execute` alone, or by an
earlier picpump) is read as it is.

Nothing here is safe without the run lock: :func:`remove_leftovers` deletes every generation
but the ones it is told to keep.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from picpump.io.store.fs import filesystem, is_local_fs
from picpump.io.store.publish import PARTIAL_TAG, new_token
from picpump.io.store.zarr_store import join, read_json, write_json

GENERATIONS = "generations"
"""Folder of the generations inside an output folder."""
CURRENT_LINK = "current"
"""The pointer on a local disk: a symlink to ``generations/<id>``."""
POINTER = "current.json"
"""The pointer on an object store."""
OLD_TAG = ".old-"
"""Part of the name of a folder swapped aside by an interrupted publish."""
RUN_NAMES = (
    "summary.json",
    "summary.md",
    "catalog.yaml",
    "tables",
    "stac",
    "run.log",
    "figures",
    "report.html",
)
"""Names of a run's outputs besides its ``*.zarr`` stores."""
_PROTECTED = (".picpump-run.lock",)


def new_generation_id() -> str:
    """Return a new generation id: UTC time then a random token (sorts by start time)."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{new_token()}"


def generation_url(out: str, generation: str) -> str:
    """Return the folder of ``generation`` inside ``out``."""
    return join(out, f"{GENERATIONS}/{generation}")


def current_generation(out: str, storage_options: Mapping[str, Any] | None = None) -> str | None:
    """Return the id of the current generation of ``out``, or None when it has none.

    Parameters
    ----------
    out : str
        An output folder (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.

    Returns
    -------
    str or None
        The generation the pointer names.
    """
    fs, root = filesystem(out, storage_options)
    if is_local_fs(fs):
        link = posixpath.join(root.rstrip("/"), CURRENT_LINK)
        return posixpath.basename(os.readlink(link)) if os.path.islink(link) else None
    try:
        pointer = read_json(join(out, POINTER), storage_options)
    except FileNotFoundError:
        return None
    return str(pointer["generation"])


def current_folder(out: str, storage_options: Mapping[str, Any] | None = None) -> str:
    """Return the folder holding the current, complete outputs of ``out``.

    Every reader of an output folder goes through this function.

    Parameters
    ----------
    out : str
        An output folder (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.

    Returns
    -------
    str
        ``OUT/generations/<id>`` of the current generation; ``out`` itself for a folder
        without generations.
    """
    generation = current_generation(out, storage_options)
    return out if generation is None else generation_url(out, generation)


def switch_to(out: str, generation: str, storage_options: Mapping[str, Any] | None = None) -> None:
    """Make ``generation`` the current one: the single atomic step of a run's publication.

    Locally, the familiar names (``OUT/monthly.zarr`` ...) are made symlinks through
    ``OUT/current`` first (new names dangle until the switch), then the ``current`` symlink
    is replaced in one rename. Names the new generation lacks are removed afterwards.

    Parameters
    ----------
    out : str
        The output folder.
    generation : str
        A complete generation inside it.
    storage_options : mapping, optional
        fsspec options of its filesystem.
    """
    fs, root = filesystem(out, storage_options)
    if not is_local_fs(fs):
        pointer = {"generation": generation, "path": f"{GENERATIONS}/{generation}"}
        write_json(join(out, POINTER), pointer | {"switched": _now()}, storage_options)
        return
    root = root.rstrip("/")
    names = _run_names(os.listdir(posixpath.join(root, GENERATIONS, generation)))
    for name in names:
        _ensure_name_link(root, name, before_switch=True)
    staged = posixpath.join(root, f"{CURRENT_LINK}{PARTIAL_TAG}{new_token()}")
    os.symlink(posixpath.join(GENERATIONS, generation), staged)
    os.replace(staged, posixpath.join(root, CURRENT_LINK))
    for name in names:
        _ensure_name_link(root, name, before_switch=False)
    for name in _run_names(os.listdir(root)):
        if name not in names:
            _remove(fs, posixpath.join(root, name))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _run_names(names: Collection[str]) -> list[str]:
    """Return the outputs of a run among ``names``: stores, tables, summaries, catalog."""
    return sorted(n for n in names if _is_run_name(n))


def _is_run_name(name: str) -> bool:
    if PARTIAL_TAG in name or OLD_TAG in name:
        return False
    return name.endswith(".zarr") or name in RUN_NAMES


def _ensure_name_link(root: str, name: str, *, before_switch: bool) -> None:
    """Make ``root/name`` a symlink to ``current/name``.

    A real file or folder there (a folder without generations) is replaced after the switch
    only, so that it stays readable until then.
    """
    path = posixpath.join(root, name)
    target = posixpath.join(CURRENT_LINK, name)
    if os.path.islink(path):
        if os.readlink(path) != target:
            _replace_with_link(path, target)
        return
    if not os.path.lexists(path):
        _replace_with_link(path, target)
        return
    if before_switch:
        return
    aside = f"{path}{OLD_TAG}{new_token()}"
    os.rename(path, aside)
    _replace_with_link(path, target)
    fs, _ = filesystem(aside)
    _remove(fs, aside)


def _replace_with_link(path: str, target: str) -> None:
    staged = f"{path}{PARTIAL_TAG}{new_token()}"
    os.symlink(target, staged)
    os.replace(staged, path)


def _remove(fs: Any, path: str) -> None:
    """Remove a file, a folder or a symlink (never what a symlink points to)."""
    if os.path.islink(path):
        os.remove(path)
    elif fs.exists(path):
        fs.rm(path, recursive=True)


def remove_leftovers(
    out: str, keep: Collection[str], storage_options: Mapping[str, Any] | None = None
) -> list[str]:
    """Delete what runs that ended or died left behind; return what was removed.

    Removed: every generation not in ``keep``, staged (``.partial-``) and swapped-aside
    (``.old-``) names at the top of ``out`` and in ``generations/``, and, once ``out`` has
    generations, top-level run outputs that are not links to the current one (from a folder
    written without generations). Call it only while holding the run lock.

    Parameters
    ----------
    out : str
        The output folder.
    keep : collection of str
        Generation ids to keep (the current one; the new one after a switch).
    storage_options : mapping, optional
        fsspec options of its filesystem.

    Returns
    -------
    list of str
        The removed paths.
    """
    fs, root = filesystem(out, storage_options)
    root = root.rstrip("/")
    fs.invalidate_cache(root)
    if not fs.exists(root):
        return []
    doomed = [p for p in _children(fs, root) if _is_leftover(posixpath.basename(p))]
    generations = posixpath.join(root, GENERATIONS)
    if fs.exists(generations):
        doomed += [p for p in _children(fs, generations) if posixpath.basename(p) not in keep]
    if current_generation(out, storage_options) is not None:
        doomed += _flat_outputs(fs, root)
    for path in doomed:
        _remove(fs, path)
    return doomed


def _children(fs: Any, folder: str) -> list[str]:
    return [str(p).rstrip("/") for p in fs.ls(folder, detail=False)]


def _is_leftover(name: str) -> bool:
    if name.startswith(_PROTECTED):
        return False
    return PARTIAL_TAG in name or OLD_TAG in name


def _flat_outputs(fs: Any, root: str) -> list[str]:
    """Top-level run outputs that are real files or folders (not links to the current one)."""
    local = is_local_fs(fs)
    return [
        path
        for path in _children(fs, root)
        if _is_run_name(posixpath.basename(path)) and not (local and os.path.islink(path))
    ]


def link_store(source: str, target: str, storage_options: Mapping[str, Any] | None = None) -> None:
    """Give the store at ``source`` a second name, ``target``, without copying its data locally.

    Locally every file is hard-linked (no data is copied; the stores are never modified in
    place, a new run writes a new store). On object stores the objects are copied by the
    server (no data passes through this machine).

    Parameters
    ----------
    source, target : str
        Store URLs on one filesystem; ``target`` must not exist.
    storage_options : mapping, optional
        fsspec options of that filesystem.
    """
    fs, src = filesystem(source, storage_options)
    dst = filesystem(target, storage_options)[1]
    src, dst = src.rstrip("/"), dst.rstrip("/")
    if not is_local_fs(fs):
        files = fs.find(src)
        fs.copy(files, [dst + f[len(src) :] for f in files])
        return
    for folder, _, files in os.walk(src):
        into = dst + folder[len(src) :]
        os.makedirs(into, exist_ok=True)
        for name in files:
            os.link(posixpath.join(folder, name), posixpath.join(into, name))


__all__ = [
    "CURRENT_LINK",
    "GENERATIONS",
    "OLD_TAG",
    "POINTER",
    "RUN_NAMES",
    "current_folder",
    "current_generation",
    "generation_url",
    "link_store",
    "new_generation_id",
    "remove_leftovers",
    "switch_to",
]
