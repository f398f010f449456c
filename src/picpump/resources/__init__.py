"""The profiles, pipeline specs and catalogs shipped with picpump, addressable by name.

The wheel carries them as package data (``picpump/resources/{cluster,pipelines,catalogs}``),
so ``--cluster slurm``, ``picpump run toullec2026 --catalog demo`` work from any folder
after ``pip install``. The checkout's top-level ``cluster/``, ``pipelines/`` and
``catalogs/`` folders hold the same files (a test keeps them identical); ``picpump init DIR``
copies them into a folder of one's own to edit.

A name is looked up as a path first, then as ``./<folder>/<name>.yaml`` (a project folder
made by ``picpump init`` or the checkout), then among the shipped files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from picpump.errors import InputError, explain

ROOT = Path(__file__).resolve().parent
FOLDERS = ("cluster", "pipelines", "catalogs")
"""The shipped folders, named as in the checkout and in a folder made by ``picpump init``."""


def _folder(folder: str) -> Path:
    if folder not in FOLDERS:
        raise InputError(explain(f"a shipped folder is one of {FOLDERS}", repr(folder), "pick one"))
    return ROOT / folder


def shipped_files(folder: str) -> list[Path]:
    """Return the shipped YAML files of ``folder``, sorted by name."""
    return sorted(_folder(folder).glob("*.yaml"))


def shipped_names(folder: str) -> list[str]:
    """Return the names of the shipped YAML files of ``folder`` (without ``.yaml``)."""
    return [path.stem for path in shipped_files(folder)]


def shipped(folder: str, name: str) -> Path | None:
    """Return the shipped file ``<folder>/<name>.yaml``, or ``None`` when there is none."""
    path = _folder(folder) / f"{name}.yaml"
    return path if path.is_file() and "/" not in name and os.sep not in name else None


def find_named(folder: str, name_or_path: str) -> Path | None:
    """Find a file given by path or by name.

    Parameters
    ----------
    folder : str
        One of :data:`FOLDERS`.
    name_or_path : str
        A path to a file, or a name such as ``toullec2026``.

    Returns
    -------
    pathlib.Path or None
        The path as given when it is a file, else ``./<folder>/<name>.yaml``, else the
        shipped file; ``None`` when none exists.
    """
    given = Path(name_or_path)
    if given.is_file():
        return given
    local = Path(folder) / f"{name_or_path}.yaml"
    if local.is_file():
        return local
    return shipped(folder, name_or_path)


def not_found(folder: str, name_or_path: str, what: str) -> InputError:
    """Build the error for a name or path that is no file (lists the shipped names)."""
    return InputError(
        explain(
            f"a {what} is a YAML file, or the name of one in ./{folder}/ or shipped with picpump",
            f"{name_or_path!r} (no such file, no {folder}/{name_or_path}.yaml)",
            f"give a path, or one of the shipped names {shipped_names(folder)}",
        )
    )


def copy_shipped(target: str | os.PathLike[str], overwrite: bool = False) -> list[Path]:
    """Copy every shipped folder under ``target`` (``target/cluster/local.yaml`` ...).

    Parameters
    ----------
    target : path-like
        The folder to fill (created if absent).
    overwrite : bool, default False
        Replace files that exist; else they are kept as they are.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    written = []
    for folder in FOLDERS:
        destination = Path(target) / folder
        destination.mkdir(parents=True, exist_ok=True)
        for source in shipped_files(folder):
            path = destination / source.name
            if overwrite or not path.exists():
                shutil.copyfile(source, path)
                written.append(path)
    return written


__all__ = [
    "FOLDERS",
    "ROOT",
    "copy_shipped",
    "find_named",
    "not_found",
    "shipped",
    "shipped_files",
    "shipped_names",
]
