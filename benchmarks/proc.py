"""Helpers: run a benchmark step in its own Python process and read its JSON answer."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_json(module: str, *args: str | Path, timeout: float = 1800) -> dict[str, Any]:
    """Run ``python -m benchmarks.<module> *args``; return the JSON of its last output line."""
    cmd = [sys.executable, "-m", f"benchmarks.{module}", *map(str, args)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed:\n{done.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    """Median of ``key`` over repeated runs (runs on a shared machine vary 5–30 %)."""
    return round(statistics.median(r[key] for r in runs), 3)
