"""Run generations: one pointer switched last, the familiar names, clean-up, copy-free reuse."""

from __future__ import annotations

import os
from pathlib import Path

import fsspec
import pytest

from picpump.io.store.generation import (
    current_folder,
    current_generation,
    generation_url,
    link_store,
    remove_leftovers,
    switch_to,
)
from picpump.io.store.lock import LOCK_NAME
from picpump.io.store.transaction import run_transaction
from picpump.io.store.zarr_store import join, read_json


def _write_generation(out: str, name: str, value: str, extra: tuple[str, ...] = ()) -> None:
    fs, root = fsspec.core.url_to_fs(generation_url(out, name))
    for item in ("a.zarr/zarr.json", "tables/t.parquet", "summary.json", *extra):
        fs.makedirs(f"{root}/{item}".rsplit("/", 1)[0], exist_ok=True)
        fs.pipe_file(f"{root}/{item}", value.encode())


@pytest.fixture(params=["local", "memory"])
def out(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "out")
    memory = fsspec.filesystem("memory")
    if memory.exists("/gentest"):
        memory.rm("/gentest", recursive=True)
    return "memory://gentest/out"


def _read(out: str, name: str) -> str:
    with fsspec.open(join(current_folder(out), name), "r") as f:
        return str(f.read())


def test_a_folder_without_generations_is_read_as_it_is(out: str) -> None:
    assert current_generation(out) is None
    assert current_folder(out) == out


def test_the_switch_moves_every_name_at_once(out: str) -> None:
    _write_generation(out, "g1", "one", extra=("old.zarr/zarr.json",))
    switch_to(out, "g1")
    assert current_generation(out) == "g1"
    assert _read(out, "summary.json") == _read(out, "a.zarr/zarr.json") == "one"
    _write_generation(out, "g2", "two")
    assert _read(out, "summary.json") == "one"  # written but not switched: invisible
    switch_to(out, "g2")
    assert current_folder(out) == generation_url(out, "g2")
    assert _read(out, "tables/t.parquet") == "two"


def test_local_names_are_links_through_one_pointer(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write_generation(str(out), "g1", "one", extra=("old.zarr/zarr.json",))
    switch_to(str(out), "g1")
    _write_generation(str(out), "g2", "two")
    switch_to(str(out), "g2")
    assert os.readlink(out / "current") == "generations/g2"
    assert os.readlink(out / "summary.json") == "current/summary.json"
    assert (out / "a.zarr" / "zarr.json").read_text() == "two"
    assert not os.path.lexists(out / "old.zarr")  # not in the current generation


def test_a_folder_of_an_earlier_layout_is_replaced_at_the_switch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a.zarr").mkdir(parents=True)
    (out / "a.zarr" / "zarr.json").write_text("flat")
    (out / "gone.zarr").mkdir()
    (out / "summary.json").write_text("flat")
    _write_generation(str(out), "g1", "one")
    switch_to(str(out), "g1")
    assert (out / "a.zarr" / "zarr.json").read_text() == "one"
    assert (out / "summary.json").read_text() == "one"
    assert sorted(p.name for p in out.iterdir()) == [
        "a.zarr",
        "current",
        "generations",
        "summary.json",
        "tables",
    ]


def test_leftovers_of_dead_runs_are_removed_and_the_kept_generation_stays(out: str) -> None:
    _write_generation(out, "g1", "one")
    switch_to(out, "g1")
    _write_generation(out, "dead", "x")
    fs, root = fsspec.core.url_to_fs(out)
    for name in ("a.zarr.partial-1234", "b.zarr.old-99", f"{LOCK_NAME}.partial-1"):
        fs.pipe_file(f"{root}/{name}", b"x")
    removed = remove_leftovers(out, ["g1"])
    assert sorted(p.rsplit("/", 1)[-1] for p in removed) == [
        "a.zarr.partial-1234",
        "b.zarr.old-99",
        "dead",
    ]
    assert fs.exists(f"{root}/{LOCK_NAME}.partial-1")  # the lock's own files are not touched
    assert _read(out, "summary.json") == "one"


def test_linking_a_store_shares_the_files_locally(tmp_path: Path) -> None:
    source = tmp_path / "g1" / "inputs.zarr"
    (source / "pic" / "c").mkdir(parents=True)
    (source / "pic" / "c" / "0").write_bytes(b"chunk")
    (source / "zarr.json").write_text("{}")
    target = tmp_path / "g2" / "inputs.zarr"
    link_store(str(source), str(target))
    assert (target / "pic" / "c" / "0").read_bytes() == b"chunk"
    assert os.stat(target / "pic" / "c" / "0").st_ino == os.stat(source / "pic" / "c" / "0").st_ino


def test_linking_a_store_copies_the_objects_elsewhere() -> None:
    memory = fsspec.filesystem("memory")
    memory.pipe_file("/linktest/g1/inputs.zarr/pic/c/0", b"chunk")
    link_store("memory://linktest/g1/inputs.zarr", "memory://linktest/g2/inputs.zarr")
    assert memory.cat_file("/linktest/g2/inputs.zarr/pic/c/0") == b"chunk"


def test_a_transaction_publishes_on_success_only(out: str) -> None:
    with run_transaction(out) as first:
        assert first.previous == out
        _write_generation(out, first.generation, "one")
    with pytest.raises(RuntimeError, match="boom"), run_transaction(out) as second:
        assert second.previous == generation_url(out, first.generation)
        _write_generation(out, second.generation, "two")
        raise RuntimeError("boom")
    assert current_generation(out) == first.generation
    assert _read(out, "summary.json") == "one"
    fs, root = fsspec.core.url_to_fs(out)
    assert [p.rsplit("/", 1)[-1] for p in fs.ls(f"{root}/generations", detail=False)] == [
        first.generation
    ]
    fs, root = fsspec.core.url_to_fs(out)
    assert not fs.exists(f"{root}/{LOCK_NAME}")
    with run_transaction(out) as third:
        _write_generation(out, third.generation, "three")
    assert [p.rsplit("/", 1)[-1] for p in fs.ls(f"{root}/generations", detail=False)] == [
        third.generation
    ]
    if not out.startswith("memory"):
        return
    assert read_json(join(out, "current.json"))["generation"] == third.generation


def _generations(out: str) -> list[str]:
    fs, root = fsspec.core.url_to_fs(out)
    return [p.rsplit("/", 1)[-1] for p in fs.ls(f"{root}/generations", detail=False)]
