"""Build the demo archive: every month's files, the bathymetry, then ``MANIFEST.json``.

The manifest is written last and atomically; it records the build parameters and the
SHA-256 of every file. A later build with the same parameters finds a complete manifest
and returns at once; any other build first marks the manifest incomplete, so an
interrupted rebuild never looks complete, and at the end removes the files that earlier
builds listed and this one did not write (never any other file).
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import picpump
from picpump.demo.ancillary import write_demo_ancillary
from picpump.demo.copernicus import write_copernicus_pp
from picpump.demo.fields import DemoOcean, MonthFields
from picpump.demo.globcolour import write_globcolour
from picpump.demo.naming import (
    ARCHIVE_FOLDERS,
    BATHYMETRY_FILE,
    Month,
    month_files,
    month_range,
)
from picpump.demo.nasa import write_nasa_sst
from picpump.demo.netcdf import PARTIAL_TAG, write_bathymetry
from picpump.errors import InputError, explain
from picpump.io.store.publish import write_files
from picpump.progress import Progress

MANIFEST = "MANIFEST.json"
PARALLEL_FROM = 60
"""Builds of at least this many months use two worker processes where that is safe."""
BLOCK = 12
"""Months per worker task."""
FORMAT_VERSION = 2
"""Version of the demo generator; a manifest of another version is rebuilt."""
logger = logging.getLogger(__name__)
DESCRIPTION = (
    "synthetic demo data for picpump: monthly PIC, PAR, KD490, POC (GlobColour layout), "
    "SST (NASA OB.DAAC L3m layout), NPP (Copernicus Marine layout), a 1 degree "
    "bathymetry, a region mask (RECCAP2 layout), sediment traps (PANGAEA and station "
    "layouts), calcifier biomass and export pathways; smooth analytic fields, not "
    "observations of the real ocean"
)


def _write_month(root: Path, ocean: DemoOcean, month: Month, seed: int) -> list[str]:
    """Write the six files of one month; return their relative paths."""
    fields: MonthFields = ocean.month(month)
    files = month_files(month)
    values = {
        "PIC": fields.pic,
        "PAR": fields.par,
        "KD490": fields.kd490,
        "POC": fields.poc,
    }
    for param, data in values.items():
        write_globcolour(root / files[param], param, month, data, seed)
    write_nasa_sst(root / files["SST"], month, fields.sst, seed)
    write_copernicus_pp(root / files["PP"], month, fields.npp, seed)
    return list(files.values())


_WORKER: dict[str, DemoOcean] = {}
"""The demo ocean of a forked worker process (handed over by :func:`_adopt`)."""


def _adopt(ocean: DemoOcean) -> None:
    """Keep the parent's demo ocean in a forked worker (no copy: fork shares the memory)."""
    _WORKER["ocean"] = ocean


def _write_months(root: str, seed: int, labels: list[str]) -> list[str]:
    """Write a block of months in a worker process; return the relative paths."""
    ocean = _WORKER["ocean"]
    files: list[str] = []
    for label in labels:
        files += _write_month(Path(root), ocean, Month.parse(label), seed)
    return files


def _fork_is_safe() -> bool:
    """Whether worker processes may be forked: Linux, and no other thread is running."""
    return sys.platform == "linux" and threading.active_count() == 1


def _write_all_months(root: Path, ocean: DemoOcean, months: list[Month], seed: int) -> list[str]:
    """Write every month: in two forked processes for long builds, else in this one.

    Forked workers inherit the demo ocean already built here, so they start at once; each
    month depends only on the seed and the month, so the files do not depend on the split.
    Progress is reported per block of months.
    """
    workers = min(2, os.cpu_count() or 1)
    progress = Progress(f"demo months ({len(months)})")
    files: list[str] = []
    if len(months) < PARALLEL_FROM or workers < 2 or not _fork_is_safe():
        for count, month in enumerate(months, 1):
            files += _write_month(root, ocean, month, seed)
            progress.update(count / len(months))
        progress.close()
        return files
    blocks = [[m.label() for m in months[i : i + BLOCK]] for i in range(0, len(months), BLOCK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, context, initializer=_adopt, initargs=(ocean,)) as pool:
        done = pool.map(_write_months, [str(root)] * len(blocks), [seed] * len(blocks), blocks)
        written = 0
        for labels, block in zip(blocks, done, strict=True):
            files += block
            written += len(labels)
            progress.update(written / len(months))
    progress.close()
    return files


def sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    str
        The digest.
    """
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_manifest(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Return the archive's manifest, or None when it is absent or unreadable.

    Parameters
    ----------
    root : str or path-like
        Archive folder.

    Returns
    -------
    dict or None
        The manifest.
    """
    try:
        data = json.loads((Path(root) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_complete(root: Path, parameters: dict[str, Any]) -> bool:
    """Whether a complete archive of these parameters and this generator is present."""
    manifest = read_manifest(root)
    if manifest is None or manifest.get("complete") is not True:
        return False
    if manifest.get("parameters") != parameters or manifest.get("format") != FORMAT_VERSION:
        return False
    return all((root / entry["path"]).is_file() for entry in manifest.get("files", []))


def _publish(root: Path, manifest: dict[str, Any]) -> None:
    """Write ``MANIFEST.json`` atomically (hidden temporary file, then rename)."""
    text = json.dumps(manifest, indent=1) + "\n"
    write_files({os.fspath(root / MANIFEST): text.encode()}, hidden=True)


def _mark_incomplete(root: Path) -> set[str]:
    """Mark an earlier manifest incomplete (keeping its file list); return that list.

    A rebuild that is interrupted thus never looks complete, and the next build still knows
    which files earlier builds wrote.
    """
    earlier = read_manifest(root)
    if earlier is None:
        (root / MANIFEST).unlink(missing_ok=True)
        return set()
    _publish(root, earlier | {"complete": False})
    return {str(entry["path"]) for entry in earlier.get("files", [])}


def _remove_stale(root: Path, earlier: set[str], keep: set[str]) -> None:
    """Remove the files earlier builds wrote that this one did not, and partial files.

    Only files listed in an earlier manifest are removed, never other files of the folder.
    """
    for name in earlier - keep:
        if name.split("/")[0] in ARCHIVE_FOLDERS and ".." not in name.split("/"):
            (root / name).unlink(missing_ok=True)
    for folder in ARCHIVE_FOLDERS:
        for path in (root / folder).glob(f".*{PARTIAL_TAG}*"):
            path.unlink(missing_ok=True)


def _manifest(root: Path, parameters: dict[str, Any], files: list[str]) -> dict[str, Any]:
    """Return the manifest of a complete build (with the SHA-256 of every file)."""
    return {
        "synthetic": True,
        "description": DESCRIPTION,
        "generator": "picpump.demo",
        "format": FORMAT_VERSION,
        "picpump_version": picpump.__version__,
        "parameters": parameters,
        "complete": True,
        "files": [
            {"path": name, "sha256": sha256(root / name), "bytes": (root / name).stat().st_size}
            for name in sorted(files)
        ],
    }


def build_demo_archive(
    out: str | os.PathLike[str],
    *,
    start: str = "1997-09",
    periods: int = 302,
    seed: int = 20260,
    force: bool = False,
) -> Path:
    """Build the synthetic demo archive in the real file conventions.

    Writes, under ``out``: ``globcolour/`` (PIC, PAR, KD490, POC; GlobColour L3m names and
    layout), ``nasa/`` (SST; NASA OB.DAAC L3m), ``copernicus/`` (NPP; Copernicus Marine),
    ``bathymetry/demo_bathymetry_1deg.nc``, ``ancillary/`` (region mask, sediment traps,
    calcifier biomass, export pathways) and, last, ``MANIFEST.json``. Each file is
    written under a temporary name and renamed when complete. The fields are smooth,
    physically shaped and deterministic: the same seed gives byte-identical files.

    Parameters
    ----------
    out : str or path-like
        Archive folder (created if needed).
    start : str, optional
        First month, ``YYYY-MM``.
    periods : int, optional
        Number of months.
    seed : int, optional
        Seed of every random structure.
    force : bool, optional
        Rebuild even when a complete archive of the same parameters is present.

    Returns
    -------
    pathlib.Path
        The archive folder.

    Raises
    ------
    InputError
        For a malformed ``start``, ``periods`` < 1, a negative ``seed``, or when
        ``global-land-mask`` is missing.
    """
    root = Path(out)
    months = month_range(start, periods)
    if int(seed) < 0:
        raise InputError(explain("the demo seed is a non-negative integer", repr(seed), "give 0…"))
    parameters = {"start": months[0].label(), "periods": len(months), "seed": int(seed)}
    if not force and _is_complete(root, parameters):
        return root
    root.mkdir(parents=True, exist_ok=True)
    earlier = _mark_incomplete(root)
    for folder in ARCHIVE_FOLDERS:
        (root / folder).mkdir(exist_ok=True)
    logger.info("demo archive %s: %d months from %s", root, len(months), months[0].label())
    ocean = DemoOcean(seed)
    write_bathymetry(root / BATHYMETRY_FILE, ocean.elevation, seed)
    files = [BATHYMETRY_FILE, *write_demo_ancillary(root, ocean, seed)]
    files += _write_all_months(root, ocean, months, seed)
    _remove_stale(root, earlier, set(files))
    logger.info("demo archive %s: writing the manifest of %d files", root, len(files))
    _publish(root, _manifest(root, parameters, files))
    return root


__all__ = [
    "DESCRIPTION",
    "FORMAT_VERSION",
    "MANIFEST",
    "build_demo_archive",
    "read_manifest",
    "sha256",
]
