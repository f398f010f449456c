"""Atomic publication of files and folders, locally and on an object-store-like filesystem."""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest

from picpump.io.store.fs import filesystem
from picpump.io.store.publish import (
    MARKER_TEXT,
    PARTIAL_TAG,
    StagedFile,
    StagedFolder,
    staged_files,
    write_files,
)

MARKER = ".done"


@pytest.fixture(params=["local", "memory"])
def base(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A folder on the local filesystem, or on fsspec's in-memory filesystem (no rename)."""
    if request.param == "local":
        yield str(tmp_path)
        return
    url = f"memory://publish-{uuid.uuid4().hex}"
    yield url
    fs, path = filesystem(url)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def _tree(base: str) -> dict[str, bytes]:
    """Every file under ``base``, by path relative to it, with its bytes."""
    fs, root = filesystem(base)
    return {f[len(root) :].lstrip("/"): fs.cat_file(f) for f in fs.find(root)}


def _url(base: str, name: str) -> str:
    return f"{base}/{name}"


def test_file_publish_replaces_the_previous_file(base: str) -> None:
    write_files({_url(base, "a.txt"): b"old"})
    stage = StagedFile(_url(base, "a.txt"))
    stage.write(b"new")
    assert _tree(base)["a.txt"] == b"old"  # not visible before publish
    stage.publish()
    assert _tree(base) == {"a.txt": b"new"}


def test_file_discard_leaves_the_previous_file(base: str) -> None:
    write_files({_url(base, "a.txt"): b"old"})
    stage = StagedFile(_url(base, "a.txt"))
    with stage.open() as sink:
        sink.write(b"new")
    stage.discard()
    assert _tree(base) == {"a.txt": b"old"}


def test_failure_before_publish_changes_no_file(base: str) -> None:
    write_files({_url(base, "a.txt"): b"old a", _url(base, "b.txt"): b"old b"})
    with pytest.raises(OSError, match="disk full"):
        with staged_files([_url(base, "a.txt"), _url(base, "b.txt")]) as (a, _):
            a.write(b"new a")
            raise OSError("disk full")
    assert _tree(base) == {"a.txt": b"old a", "b.txt": b"old b"}
    with pytest.raises(OSError):
        with staged_files([_url(base, "sub/new.txt")]) as (new,):
            with new.open() as sink:
                sink.write(b"half")
                raise OSError("connection lost")
    assert _tree(base) == {"a.txt": b"old a", "b.txt": b"old b"}


def test_files_are_published_together_in_a_new_folder(base: str) -> None:
    write_files({_url(base, "sub/x.csv"): b"1,2\n", _url(base, "sub/x.json"): b"{}\n"})
    assert _tree(base) == {"sub/x.csv": b"1,2\n", "sub/x.json": b"{}\n"}


def test_staged_names_sit_beside_the_final_name(tmp_path: Path) -> None:
    plain = StagedFile(str(tmp_path / "a.txt"), token="t0")
    hidden = StagedFile(str(tmp_path / "a.txt"), hidden=True, token="t0")
    assert plain.stage_path == f"{tmp_path}/a.txt{PARTIAL_TAG}t0"
    assert hidden.stage_path == f"{tmp_path}/.a.txt{PARTIAL_TAG}t0"
    hidden.write(b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".a.txt{PARTIAL_TAG}t0"]
    hidden.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_publishing_nothing_is_refused_on_object_stores() -> None:
    stage = StagedFile(f"memory://publish-{uuid.uuid4().hex}/a.txt")
    with pytest.raises(FileNotFoundError, match="nothing staged"):
        stage.publish()


def _put(folder: StagedFolder, name: str, data: bytes) -> None:
    """Write one file into the staged folder (as a Zarr writer would)."""
    path = posixpath.join(folder.stage_path, name)
    folder.fs.makedirs(posixpath.dirname(path), exist_ok=True)
    folder.fs.pipe_file(path, data)


def _stage_folder(base: str, files: dict[str, bytes]) -> StagedFolder:
    folder = StagedFolder(_url(base, "product"), marker=MARKER)
    folder.make_parent()
    for name, data in files.items():
        _put(folder, name, data)
    return folder


def test_folder_publish_replaces_the_previous_folder(base: str) -> None:
    _stage_folder(base, {"a": b"1", "gone": b"2"}).publish()
    folder = _stage_folder(base, {"a": b"3", "sub/b": b"4"})
    assert _tree(base)["product/a"] == b"1"  # not visible before publish
    folder.publish()
    expected = {"product/a": b"3", "product/sub/b": b"4", f"product/{MARKER}": MARKER_TEXT}
    assert _tree(base) == expected


def test_folder_discard_leaves_the_previous_folder(base: str) -> None:
    _stage_folder(base, {"a": b"1"}).publish()
    before = _tree(base)
    _stage_folder(base, {"a": b"3"}).discard()
    assert _tree(base) == before


def test_failure_before_folder_publish_leaves_the_previous_folder(base: str) -> None:
    _stage_folder(base, {"a": b"1"}).publish()
    before = _tree(base)
    folder = StagedFolder(_url(base, "product"), marker=MARKER)
    try:
        _put(folder, "a", b"half")
        raise OSError("killed")
    except OSError:
        folder.discard()
    assert _tree(base) == before
    assert not any(PARTIAL_TAG in name for name in _tree(base))


def test_interrupted_object_store_publish_leaves_no_marker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = f"memory://publish-{uuid.uuid4().hex}"
    _stage_folder(base, {"a": b"1"}).publish()
    folder = _stage_folder(base, {"a": b"2"})

    def lost(*args: Any, **kwargs: Any) -> None:
        raise OSError("connection lost")

    monkeypatch.setattr(folder.fs, "copy", lost)
    with pytest.raises(OSError, match="connection lost"):
        folder.publish()
    assert f"product/{MARKER}" not in _tree(base)
    fsspec.filesystem("memory").rm(filesystem(base)[1], recursive=True)
