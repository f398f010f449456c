"""A cluster run ends: starved workers give a message naming the memory limit within 3 min;
SIGTERM during a run ends it within 10 s with 143, its worker processes gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO
from tests.pipeline.conftest import demo_catalog, demo_root, spec_path  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration

MAIN = "import sys; from picpump.cli import main; sys.exit(main())"


def _start(spec: str, catalog: str, out: Path, *options: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    args = ["run", spec, "--catalog", catalog, "--out", str(out), "--no-progress"]
    args += ["--cluster", "local", *[a for o in options for a in ("--cluster-opt", o)]]
    return subprocess.Popen(
        [sys.executable, "-c", MAIN, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _finish(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"the run did not end within {timeout:.0f} s")


def test_starved_workers_end_the_run_with_a_message(
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    process = _start(spec_path, demo_catalog, tmp_path / "out", "memory_limit=300MiB")
    out, err = _finish(process, timeout=180)
    assert time.monotonic() - started < 180
    if process.returncode == 0:  # the run fitted after all: a complete run
        assert (tmp_path / "out" / "summary.json").exists()
        return
    assert process.returncode == 2, err[-3000:]
    assert "memory_limit 300 MiB" in err and "memory_limit=" in err and "tile" in err
    assert "Traceback" not in err


def test_sigterm_ends_a_cluster_run_and_its_workers(
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    process = _start(spec_path, demo_catalog, tmp_path / "out", "n_workers=2")
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(2)]  # the dashboard link, then
    assert "computing" in lines[-1], (lines, _finish(process, 60))  # the first product
    time.sleep(2)
    workers = psutil.Process(process.pid).children(recursive=True)
    assert workers
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, err = _finish(process, timeout=30)
    assert time.monotonic() - sent < 10, err
    assert process.returncode == 143, err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive
