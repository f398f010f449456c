"""CF checks for the tests: cfchecker offline (vendored tables) and the CDO command line."""

from __future__ import annotations

import lzma
import shutil
import subprocess
from pathlib import Path

import netCDF4
import pytest

from tests.conftest import REPO

TABLES = REPO / "tests" / "data" / "cf"
STANDARD_NAMES = TABLES / "cf-standard-name-table-v93.xml.xz"
CHECKED_VERSION = "CF-1.8"
"""The newest CF version cfchecker 4.1 knows (products declare CF-1.10, a superset)."""


def standard_name_table(folder: Path) -> Path:
    """Decompress the vendored standard-name table into ``folder``; return its path."""
    path = folder / STANDARD_NAMES.name.removesuffix(".xz")
    if not path.exists():
        path.write_bytes(lzma.decompress(STANDARD_NAMES.read_bytes()))
    return path


def cf_errors(nc_path: Path, work: Path) -> list[str]:
    """Run cfchecker on a copy of ``nc_path`` declared as :data:`CHECKED_VERSION`.

    Parameters
    ----------
    nc_path : Path
        A NetCDF file.
    work : Path
        A scratch folder (tables and the copy are written there).

    Returns
    -------
    list of str
        The ERROR and FATAL messages (empty when the file passes).
    """
    checks = pytest.importorskip("cfchecker.cfchecks")
    copy = work / nc_path.name
    shutil.copy(nc_path, copy)
    with netCDF4.Dataset(copy, "a") as ds:
        ds.Conventions = CHECKED_VERSION
    checker = checks.CFChecker(
        cfStandardNamesXML=str(standard_name_table(work)),
        cfAreaTypesXML=str(TABLES / "area-type-table-empty.xml"),
        cfRegionNamesXML=str(TABLES / "region-names-empty.xml"),
        version=checks.CFVersion((1, 8)),
        silent=True,
    )
    checker.checker(str(copy))
    counts = checker.get_counts()
    errors = [m for m in checker.all_messages if m.startswith(("ERROR:", "FATAL:"))]
    if counts["ERROR"] + counts["FATAL"] and not errors:
        errors = [f"{counts['ERROR']} error(s), {counts['FATAL']} fatal"]
    return errors


def cdo(*args: str) -> str:
    """Run ``cdo -s ARGS``; return its standard output (skip the test when CDO is absent)."""
    if shutil.which("cdo") is None:
        pytest.skip("cdo is not installed")
    done = subprocess.run(["cdo", "-s", *args], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"cdo {' '.join(args)} failed: {done.stderr}")
    return done.stdout
