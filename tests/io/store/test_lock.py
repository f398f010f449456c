"""The run lock of an output folder: exclusive, named holder, stale rules, local and memory://."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import fsspec
import pytest

from picpump.errors import PicpumpError
from picpump.io.store import lock as lock_module
from picpump.io.store.lock import LOCK_NAME, STALE_SECONDS, RunLock, RunLockedError, run_lock


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _record(**fields: object) -> bytes:
    base = {"token": "other", "owner": "someone", "host": socket.gethostname(), "pid": 1}
    return json.dumps(base | {"heartbeat": time.time(), "started": "then"} | fields).encode()


@pytest.fixture(params=["local", "memory"])
def out(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "out")
    memory = fsspec.filesystem("memory")
    if memory.exists("/locktest"):
        memory.rm("/locktest", recursive=True)
    return "memory://locktest/out"


def _write(out: str, data: bytes) -> None:
    fs, path = fsspec.core.url_to_fs(f"{out}/{LOCK_NAME}")
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    fs.pipe_file(path, data)


def test_a_second_run_on_the_same_folder_is_refused_with_the_holder(out: str) -> None:
    with run_lock(out, command="picpump run first") as held:
        assert held.read()["token"] == held.record["token"]
        with pytest.raises(RunLockedError) as refused:
            run_lock(out).__enter__()
    message = str(refused.value)
    assert isinstance(refused.value, PicpumpError)
    assert "one run at a time" in message and f"pid {held.record['pid']}" in message
    assert "another --out" in message
    assert RunLock(out).read() is None  # released


def test_a_lock_of_a_dead_process_on_this_host_is_broken(out: str) -> None:
    _write(out, _record(pid=_dead_pid()))
    with run_lock(out) as held:
        assert held.read()["token"] == held.record["token"]


def test_a_lock_of_a_live_process_elsewhere_is_kept_until_its_heartbeat_is_old(out: str) -> None:
    _write(out, _record(host="another-node", pid=_dead_pid()))
    with pytest.raises(RunLockedError, match="another-node"):
        RunLock(out).acquire()
    _write(out, _record(host="another-node", heartbeat=time.time() - STALE_SECONDS - 1))
    with run_lock(out) as held:
        assert held.read()["token"] == held.record["token"]


def test_an_unreadable_lock_is_stale(out: str) -> None:
    _write(out, b'{"token": "half')
    with run_lock(out) as held:
        assert held.read()["token"] == held.record["token"]


def test_release_leaves_a_lock_that_is_not_ours(out: str) -> None:
    mine = RunLock(out)
    mine.acquire()
    _write(out, _record(pid=1, token="thief"))
    mine.release()
    assert RunLock(out).read()["token"] == "thief"


def test_the_holder_refreshes_its_heartbeat(out: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_module, "HEARTBEAT_SECONDS", 0.05)
    with run_lock(out) as held:
        first = held.read()["heartbeat"]
        deadline = time.monotonic() + 5
        while held.read()["heartbeat"] == first and time.monotonic() < deadline:
            time.sleep(0.02)
        assert held.read()["heartbeat"] > first
        assert held.read()["token"] == held.record["token"]


def test_only_the_lock_is_left_while_held(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with run_lock(str(out)):
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
    assert list(out.iterdir()) == []
