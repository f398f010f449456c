"""Build the demo archive: every month's files, the bathymetry, then ``MANIFEST.json``.

The manifest is written last and atomically; it records the build parameters and the
SHA-256 of every file. A later build with the same parameters finds a complete manifest
and returns at once; any other build first removes the manifest, so an interrupted
rebuild never looks complete.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import picpump
from picpump.io.demo.copernicus import write_copernicus_pp
from picpump.io.demo.fields import DemoOcean, MonthFields
from picpump.io.demo.globcolour import write_globcolour
from picpump.io.demo.naming import (
    ARCHIVE_PATTERNS,
    BATHYMETRY_FILE,
    Month,
    month_files,
    month_range,
)
from picpump.io.demo.nasa import write_nasa_sst
from picpump.io.demo.netcdf import PARTIAL_TAG, write_bathymetry

MANIFEST = "MANIFEST.json"
PARALLEL_FROM = 60
"""Builds of at least this many months use two worker processes where that is safe."""
BLOCK = 12
"""Months per worker task."""
FORMAT_VERSION = 1
"""Version of the demo generator; a manifest of another version is rebuilt."""
DESCRIPTION = (
    "synthetic demo data for picpump: monthly PIC, PAR, KD490, POC (GlobColour layout), "
    "SST (NASA OB.DAAC L3m layout), NPP (Copernicus Marine layout) and a 1 degree "
    "bathymetry; smooth analytic fields, not observations of the real ocean"
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


def _write_months(root: str, seed: int, labels: list[str]) -> list[str]:
    """Write a block of months in a worker process; return the relative paths."""
    ocean = DemoOcean(seed)
    files: list[str] = []
    for label in labels:
        files += _write_month(Path(root), ocean, Month.parse(label), seed)
    return files


def _fork_is_safe() -> bool:
    """Whether worker processes may be forked: Linux, and no other thread is running."""
    return sys.platform == "linux" and threading.active_count() == 1


def _write_all_months(root: Path, ocean: DemoOcean, months: list[Month], seed: int) -> list[str]:
    """Write every month: in two forked processes for long builds, else in this one.

    Forked workers inherit the land mask already loaded here, so they start at once; each
    month depends only on the seed and the month, so the files do not depend on the split.
    """
    workers = min(2, os.cpu_count() or 1)
    if len(months) < PARALLEL_FROM or workers < 2 or not _fork_is_safe():
        return [name for month in months for name in _write_month(root, ocean, month, seed)]
    blocks = [[m.label() for m in months[i : i + BLOCK]] for i in range(0, len(months), BLOCK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        done = pool.map(_write_months, [str(root)] * len(blocks), [seed] * len(blocks), blocks)
        return [name for block in done for name in block]


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


def _remove_stale(root: Path, keep: set[str]) -> None:
    """Remove demo files of earlier builds (other months) and leftover partial files."""
    for folder, pattern in ARCHIVE_PATTERNS.items():
        for path in (root / folder).glob(pattern):
            if f"{folder}/{path.name}" not in keep:
                path.unlink()
    for folder in (*ARCHIVE_PATTERNS, Path(BATHYMETRY_FILE).parent.as_posix()):
        for path in (root / folder).glob(f".*{PARTIAL_TAG}*"):
            path.unlink(missing_ok=True)


def _write_manifest(root: Path, parameters: dict[str, Any], files: list[str]) -> None:
    """Write ``MANIFEST.json`` atomically (temporary file, then rename)."""
    manifest = {
        "synthetic": True,
        "description": DESCRIPTION,
        "generator": "picpump.io.demo",
        "format": FORMAT_VERSION,
        "picpump_version": picpump.__version__,
        "parameters": parameters,
        "complete": True,
        "files": [
            {"path": name, "sha256": sha256(root / name), "bytes": (root / name).stat().st_size}
            for name in sorted(files)
        ],
    }
    partial = root / f".{MANIFEST}{PARTIAL_TAG}{os.getpid()}"
    partial.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(partial, root / MANIFEST)


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
    ``bathymetry/demo_bathymetry_1deg.nc`` and, last, ``MANIFEST.json``. Each file is
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
        For a malformed ``start`` or ``periods`` < 1, or when ``global-land-mask`` is
        missing.
    """
    root = Path(out)
    months = month_range(start, periods)
    parameters = {"start": months[0].label(), "periods": len(months), "seed": int(seed)}
    if not force and _is_complete(root, parameters):
        return root
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).unlink(missing_ok=True)
    for folder in (*ARCHIVE_PATTERNS, Path(BATHYMETRY_FILE).parent.as_posix()):
        (root / folder).mkdir(exist_ok=True)
    ocean = DemoOcean(seed)
    write_bathymetry(root / BATHYMETRY_FILE, ocean.elevation, seed)
    files = [BATHYMETRY_FILE, *_write_all_months(root, ocean, months, seed)]
    _remove_stale(root, set(files))
    _write_manifest(root, parameters, files)
    return root


__all__ = [
    "DESCRIPTION",
    "FORMAT_VERSION",
    "MANIFEST",
    "build_demo_archive",
    "read_manifest",
    "sha256",
]
