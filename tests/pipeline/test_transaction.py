"""A run is one transaction: concurrent runs and SIGKILL at each fault point of a run.

Runs are real processes (``picpump run`` in a child forked from a server that imported picpump
once) killed by a real SIGKILL (``PICPUMP_FAULT_AT=<point>``) or slowed at every point
(``PICPUMP_FAULT_AT=*:sleep=<s>``). After each, the output folder must hold one complete
generation, and the products read through it must be those of a clean run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from picpump.errors import PicpumpError
from picpump.io.store.faults import FAULT_VARIABLE
from picpump.io.store.generation import GENERATIONS, current_folder, current_generation
from picpump.io.store.lock import LOCK_NAME
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import COMPLETE_MARKER, open_product
from tests.conftest import REPO

pytestmark = pytest.mark.integration

STORES = ("inputs", "monthly", "climatology", "annual", "global_totals")
TABLES = ("table1",)
OTHER = ("summary.json", "summary.md", "catalog.yaml", "stac", "run.log")
KILL_POINTS = (
    "lock:acquired",
    "published:monthly",
    "publish:annual",
    "publish:table1",
    "catalog",
    "summary",
    "switch",
    "switched",
)
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["picpump.cli", "picpump.runner"])


def _child(args: list[str], fault: str) -> None:
    """Run ``picpump`` with a fault setting; the exit code is the command's."""
    os.environ[FAULT_VARIABLE] = fault
    from picpump.cli import main

    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the process ends here)
    sys.exit(main(args))


def _start(args: list[str], fault: str = "") -> Any:
    process = CONTEXT.Process(target=_child, args=(args, fault))
    process.start()
    return process


def _run(args: list[str], fault: str = "", timeout: float = 300) -> int:
    process = _start(args, fault)
    process.join(timeout)
    assert process.exitcode is not None, "the run did not end"
    return int(process.exitcode)


@pytest.fixture(scope="module")
def slim_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The paper's spec on six months, with one table product."""
    raw = yaml.safe_load((REPO / "pipelines" / "toullec2026.yaml").read_text())
    raw["period"] = {"start": "2001-01", "end": "2001-06"}
    raw["outputs"] = [*STORES, *TABLES]
    path = tmp_path_factory.mktemp("spec") / "slim.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def _args(spec: str, catalog: str, out: Path) -> list[str]:
    return ["run", spec, "--catalog", catalog, "--out", str(out), "--cluster", "threads"]


def _fingerprint(out: Path) -> dict[str, Any]:
    """Every product of the current generation, read through the folder's familiar names.

    Stores: every file's bytes, metadata without its ``history`` (which carries the time of
    writing). Tables: their rows.
    """
    found: dict[str, Any] = {}
    for name in STORES:
        store = out / f"{name}.zarr"
        for path in sorted(p for p in store.rglob("*") if p.is_file()):
            data = path.read_bytes()
            if path.name == "zarr.json":
                meta = json.loads(data)
                meta.get("attributes", {}).pop("history", None)
                for child in meta.get("consolidated_metadata", {}).get("metadata", {}).values():
                    child.get("attributes", {}).pop("history", None)
                data = json.dumps(meta, sort_keys=True).encode()
            found[str(path.relative_to(out))] = data
    for name in TABLES:
        table, _ = read_table(str(out / "tables" / name))
        found[name] = table
    return found


def _assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert sorted(got) == sorted(want)
    for key, value in want.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[key], value, check_exact=True)
        else:
            assert got[key] == value, key


def _assert_one_complete_generation(out: Path, *, leftovers: bool) -> str:
    """The pointer names a complete generation of the run; return its id."""
    generation = current_generation(str(out))
    assert generation is not None
    folder = current_folder(str(out))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["generation"] == generation
    assert Path(folder, "summary.json").read_bytes() == (out / "summary.json").read_bytes()
    for name in STORES:
        assert (out / f"{name}.zarr" / COMPLETE_MARKER).exists(), name
        open_product(str(out / f"{name}.zarr"))
    for name in OTHER:
        assert (out / name).exists(), name
    if not leftovers:
        names = sorted(p.name for p in out.iterdir())
        expected = {f"{s}.zarr" for s in STORES} | set(OTHER) | {"tables", "current", GENERATIONS}
        assert set(names) == expected, names
        assert [p.name for p in (out / GENERATIONS).iterdir()] == [generation]
        assert not any(".partial-" in p.name or ".old-" in p.name for p in out.rglob("*"))
    return generation


@pytest.fixture(scope="module")
def baseline(
    slim_spec: str, demo_catalog: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """A folder after one clean run, and its products."""
    out = tmp_path_factory.mktemp("txn") / "out"
    assert _run(_args(slim_spec, demo_catalog, out)) == 0
    _assert_one_complete_generation(out, leftovers=False)
    return out, _fingerprint(out)


def test_a_kill_at_any_point_leaves_one_complete_generation(
    baseline: tuple[Path, dict[str, Any]], slim_spec: str, demo_catalog: str
) -> None:
    out, products = baseline
    for point in KILL_POINTS:
        before = current_generation(str(out))
        assert _run(_args(slim_spec, demo_catalog, out), point) == -9, point
        after = _assert_one_complete_generation(out, leftovers=True)
        if point != "switched":  # killed after the switch: the new generation is complete
            assert after == before, point
        _assert_same(_fingerprint(out), products)
    assert (out / LOCK_NAME).exists()  # the last killed run's: stale, broken by the next
    assert _run(_args(slim_spec, demo_catalog, out)) == 0
    _assert_one_complete_generation(out, leftovers=False)
    assert not (out / LOCK_NAME).exists()
    _assert_same(_fingerprint(out), products)


def test_a_second_run_is_refused_at_every_step_of_a_slow_run(
    baseline: tuple[Path, dict[str, Any]], slim_spec: str, demo_catalog: str
) -> None:
    out, products = baseline
    args = _args(slim_spec, demo_catalog, out)
    first = _start(args, "*:sleep=1.5")
    refused = 0
    while first.is_alive():
        if (out / LOCK_NAME).exists():
            second = _run(args)
            refused += second == 2
            assert second == 2 or not first.is_alive(), "a second run was let in"
        _assert_readable(out, products)
    assert first.exitcode == 0
    assert refused >= 2
    _assert_one_complete_generation(out, leftovers=False)
    _assert_same(_fingerprint(out), products)


def _assert_readable(out: Path, products: dict[str, Any]) -> None:
    """A reader sees one complete generation, or the pointer moved while it read."""
    for _ in range(5):
        generation = current_generation(str(out))
        try:
            _assert_one_complete_generation(out, leftovers=True)
            _assert_same(_fingerprint(out), products)
            return
        except (FileNotFoundError, AssertionError, KeyError, PicpumpError):
            if current_generation(str(out)) == generation:
                raise
    raise AssertionError("the generation kept changing under the reader")
