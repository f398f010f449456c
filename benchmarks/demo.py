"""``picpump run`` of the demo pipeline (cluster start included): wall time and peak RSS."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.proc import ROOT

PICPUMP = str(Path(sys.executable).with_name("picpump"))


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed_command(cmd: list[str]) -> dict[str, float]:
    """Run a command; return wall seconds and the peak RSS of its process tree (GB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(watched))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return {"wall_s": round(wall, 2), "peak_rss_gb": round(peak / 1e9, 3)}


def bench_pipeline(work: Path) -> dict[str, Any]:
    """The demo run with a fresh ingest, then with the ingest reused."""
    build = [PICPUMP, "demo", "build", "--out", "data/demo"]
    subprocess.run(build, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    out = str(work / "demo-run")
    base = [PICPUMP, "run", "pipelines/toullec2026.yaml", "--catalog", "catalogs/demo.yaml"]
    base += ["--cluster", "local", "--out", out, "--no-progress"]
    return {
        "fresh_ingest": timed_command([*base, "--no-reuse"]),
        "ingest_reused": timed_command(base),
    }
