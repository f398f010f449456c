"""A run resolves each catalog entry once: every folder listed once, every header read once.

The input files are read through a counting fsspec filesystem (the local filesystem under
the ``counting://`` protocol, tallying ``ls`` and file opens); the whole ``picpump run``
command then runs on them.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import dask
import fsspec
import pytest
import yaml
from fsspec.implementations.local import LocalFileSystem

from picpump.cli import main
from picpump.io.api import OPENERS, load_catalog
from picpump.io.catalog.model import DRIVERS
from picpump.pipeline.spec import load_spec

INPUTS = ("pic", "par", "kd490", "poc", "sst", "npp", "bathymetry")


class CountingFileSystem(LocalFileSystem):
    """The local filesystem, counting folder listings and file opens by path."""

    protocol = "counting"
    listings: ClassVar[Counter[str]] = Counter()
    opens: ClassVar[Counter[str]] = Counter()

    def ls(self, path: str, detail: bool = False, **kwargs: Any) -> Any:
        self.listings[self._strip_protocol(path).rstrip("/")] += 1
        return super().ls(path, detail=detail, **kwargs)

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if "r" in mode:
            self.opens[self._strip_protocol(path)] += 1
        return super()._open(path, mode=mode, **kwargs)

    def get_file(self, path1: str, path2: str, *args: Any, **kwargs: Any) -> Any:
        self.opens[self._strip_protocol(path1)] += 1  # a local copy of the file (simplecache)
        return super().get_file(path1, path2, *args, **kwargs)


@pytest.fixture
def counting() -> Iterator[type[CountingFileSystem]]:
    fsspec.register_implementation("counting", CountingFileSystem, clobber=True)
    CountingFileSystem.listings.clear()
    CountingFileSystem.opens.clear()
    yield CountingFileSystem
    fsspec.register_implementation("counting", LocalFileSystem, clobber=True)


@pytest.fixture
def counted_catalog(demo_root: Path, tmp_path: Path) -> str:
    """The demo catalog with every input entry read through ``counting://``."""
    raw = yaml.safe_load((demo_root / "catalogs" / "demo.yaml").read_text())
    data = (demo_root / "data" / "demo").as_posix()
    for name, entry in raw["sources"].items():
        root = f"counting://{data}" if name in INPUTS else data
        args = entry["args"]
        args["urlpath"] = args["urlpath"].replace("{{ CATALOG_DIR }}/../data/demo", root)
    path = tmp_path / "counted.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return str(path)


def test_every_driver_has_an_opener() -> None:
    assert set(OPENERS) == set(DRIVERS)


def test_a_run_lists_each_entry_once_and_reads_each_header_once(
    counting: type[CountingFileSystem], counted_catalog: str, spec_path: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    argv = ["run", spec_path, "--catalog", counted_catalog, "--cluster", "threads"]
    with dask.config.set({"picpump.read-processes": 0}):  # the opens are counted here
        assert main([*argv, "--out", str(out), "--no-progress"]) == 0

    catalog = load_catalog(counted_catalog)
    folders = Counter(
        posixpath.dirname(str(catalog.source(name).args["urlpath"]).split("://", 1)[1])
        for name in INPUTS
    )
    # one listing per entry and folder: the four GlobColour entries share one folder
    assert dict(counting.listings) == dict(folders)
    assert sorted(folders.values()) == [1, 1, 1, 4]

    # every monthly file is opened once for its data; the first file of each monthly entry
    # once more for its header (checked at plan time); the bathymetry once
    spec = load_spec(spec_path)
    monthly_files = [p for p in counting.opens if "bathymetry" not in p]
    assert len(monthly_files) == 6 * len(spec.period)
    twice = sorted(p for p, n in counting.opens.items() if n == 2)
    assert len(twice) == 6 and all(n <= 2 for n in counting.opens.values())
    assert all(spec.period.first.strftime("%Y%m") in Path(p).name for p in twice)
    bathymetry = [n for p, n in counting.opens.items() if "bathymetry" in p]
    assert bathymetry == [1]


def test_a_rerun_reuses_inputs_without_reading_a_file(
    counting: type[CountingFileSystem], counted_catalog: str, spec_path: str, tmp_path: Path
) -> None:
    argv = ["run", spec_path, "--catalog", counted_catalog, "--cluster", "threads"]
    argv += ["--out", str(tmp_path / "out"), "--no-progress"]
    assert main(argv) == 0
    counting.listings.clear()
    counting.opens.clear()
    assert main(argv) == 0
    assert max(counting.listings.values()) == 4  # the shared GlobColour folder, once an entry
    # plan time only: one header per monthly entry and the bathymetry, no data
    assert sum(counting.opens.values()) == 7
