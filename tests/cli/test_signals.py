"""SIGTERM and SIGINT end a command within 10 s with 143 / 130, even when it is stalled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

DEADLINE_S = 10.0
MAIN = "import sys; from picpump.cli import main; sys.exit(main())"


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A TCP server that accepts connections and never answers: every request stalls."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], held
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def _start(args: list[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    return subprocess.Popen(
        [sys.executable, "-c", MAIN, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _stop_within_deadline(process: subprocess.Popen[str], signum: int) -> tuple[int, float, str]:
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=DEADLINE_S + 20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"the command ignored {signal.Signals(signum).name}")
    return process.returncode, time.monotonic() - sent, err


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_ends_a_stalled_command(
    silent_server: tuple[int, list[socket.socket]], tmp_path: Path, signum: int, status: int
) -> None:
    port, connections = silent_server
    spec = REPO / "pipelines" / "toullec2026.yaml"
    catalog = f"http://127.0.0.1:{port}/catalog.yaml"
    process = _start(["run", str(spec), "--catalog", catalog, "--out", str(tmp_path / "o")])
    started = time.monotonic()
    while not connections and time.monotonic() - started < 120 and process.poll() is None:
        time.sleep(0.2)  # start-up, until the catalog request stalls
    time.sleep(1)
    assert process.poll() is None, process.communicate()
    returncode, took, err = _stop_within_deadline(process, signum)
    assert returncode == status, err
    assert took < DEADLINE_S, f"took {took:.1f} s"
    assert "Traceback" not in err
