"""``make demo``, step by step: the demo archive build, then ``picpump run`` of the demo pipeline.

Each command runs ``repeats`` times as a subprocess (as ``make demo`` runs it). The run's
steps are read from its ``run.log`` (timestamped records from before the cluster starts) and
``summary.json`` (seconds per product):

- ``startup``: interpreter, imports and the plan (listings and headers), until the first
  record of the run log;
- ``cluster_start``: until the first product starts (none for a run computed on threads);
- ``ingest``: the ``inputs`` product (near 0 when an unchanged ingest is reused);
- ``products``: the other gridded products; ``tables``: the trap and analysis tables;
- ``metadata``: from the last table to the end of the process (product catalog, STAC,
  summary, run log, the generation switch, cluster teardown).

Every step is reported as the median of the repeats, with its minimum and maximum, and the
load average of the machine before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from benchmarks.proc import ROOT
from picpump.pipeline.run import COMPUTED_TOGETHER

PICPUMP = str(Path(sys.executable).with_name("picpump"))
REPEATS = 5
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed_command(cmd: list[str]) -> dict[str, float]:
    """Run a command; return its wall seconds, start and end (epoch) and peak RSS (GB)."""
    began = time.time()
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
    return {
        "wall_s": round(wall, 2),
        "began": began,
        "ended": began + wall,
        "peak_rss_gb": round(peak / 1e9, 3),
    }


def _records(log: Path) -> list[tuple[float, str]]:
    """Return (epoch seconds, message) of every timestamped line of a run log."""
    out = []
    for line in log.read_text().splitlines():
        if match := STAMP.match(line):
            stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            out.append((stamp, line[match.end() :]))
    return out


def _first(records: list[tuple[float, str]], pattern: str) -> float:
    return next(t for t, text in records if re.search(pattern, text))


def run_steps(out: Path, timing: dict[str, float]) -> dict[str, float]:
    """Split one timed ``picpump run`` into its steps (see the module docstring)."""
    summary = json.loads((out / "summary.json").read_text())
    seconds = summary["run"]["product_seconds"]
    records = _records(out / "current" / "run.log") if (out / "current").exists() else []
    if not records:
        records = _records(out / "run.log")
    first_product = _first(records, r"picpump\.runner: inputs: ")
    last_table = max(t for t, text in records if re.search(r"picpump\.runner: \w+: \d+ rows", text))
    return {
        "total": timing["wall_s"],
        "startup": records[0][0] - timing["began"],
        "cluster_start": first_product - records[0][0],
        "ingest": seconds["inputs"],
        "products": _products_seconds(seconds),
        "tables": seconds.get("tables", 0.0),
        "metadata": timing["ended"] - last_table,
    }


def _products_seconds(seconds: dict[str, float]) -> float:
    """Seconds of the gridded products after the ingest, each computation counted once.

    Products computed together (:data:`picpump.pipeline.run.COMPUTED_TOGETHER`) each carry
    the time of their common computation.
    """
    shared = {n for group in COMPUTED_TOGETHER for n in group[1:]}
    return sum(v for k, v in seconds.items() if k not in ("inputs", "tables", *shared))


def _spread(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Median, minimum and maximum of each step over the repeats."""
    return {
        key: {
            "median": round(statistics.median(s[key] for s in samples), 2),
            "min": round(min(s[key] for s in samples), 2),
            "max": round(max(s[key] for s in samples), 2),
        }
        for key in samples[0]
    }


def bench_build(work: Path, repeats: int = REPEATS) -> dict[str, Any]:
    """Time a full demo build (``--force``) and the check that reuses a complete archive."""
    folder = str(work / "demo-build")
    build = [PICPUMP, "demo", "build", "--out", folder]
    full = [{"total": timed_command([*build, "--force"])["wall_s"]} for _ in range(repeats)]
    reuse = [{"total": timed_command(build)["wall_s"]} for _ in range(repeats)]
    shutil.rmtree(folder, ignore_errors=True)
    return {"build": _spread(full), "build_reused": _spread(reuse)}


def bench_run(work: Path, repeats: int = REPEATS, reuse: bool = True) -> dict[str, Any]:
    """Time ``picpump run`` of the demo (``--cluster local``), step by step."""
    out = work / ("demo-run" if reuse else "demo-run-fresh")
    cmd = [PICPUMP, "-v", "run", "pipelines/toullec2026.yaml", "--catalog", "catalogs/demo.yaml"]
    cmd += ["--cluster", "local", "--out", str(out), "--no-progress"]
    if reuse:  # an ingest to reuse, as a second `make demo` finds it
        timed_command(cmd)
    else:
        cmd.append("--no-reuse")
    samples, peaks = [], []
    for _ in range(repeats):
        timing = timed_command(cmd)
        samples.append(run_steps(out, timing))
        peaks.append(timing["peak_rss_gb"])
    return {**_spread(samples), "peak_rss_gb": max(peaks)}


def bench_pipeline(work: Path, repeats: int = REPEATS) -> dict[str, Any]:
    """``make demo`` step by step: the build, a run with a fresh ingest, a run reusing it.

    Returns
    -------
    dict
        ``build``, ``build_reused``, ``run_fresh_ingest``, ``run_ingest_reused`` (per step:
        median, min, max seconds; runs also their ``peak_rss_gb``), ``demo_build_s``,
        ``demo_run_s`` and ``demo_run_reused_ingest_s`` (medians of the full build, of the run
        step of a first ``make demo`` (fresh ingest) and of a second one (ingest reused)),
        ``fresh_ingest`` and ``ingest_reused`` (median ``wall_s`` and ``peak_rss_gb``, as
        earlier reports had them), ``load`` (1-minute load average before
        and after) and ``cpus``.
    """
    work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    subprocess.run([PICPUMP, "demo", "build", "--out", "data/demo"], cwd=ROOT, check=True)
    result: dict[str, Any] = bench_build(work, repeats)
    result["run_fresh_ingest"] = bench_run(work, repeats, reuse=False)
    result["run_ingest_reused"] = bench_run(work, repeats, reuse=True)
    result["demo_build_s"] = result["build"]["total"]["median"]
    # the run step of a first `make demo` (fresh ingest); a second one reuses the ingest
    result["demo_run_s"] = result["run_fresh_ingest"]["total"]["median"]
    result["demo_run_reused_ingest_s"] = result["run_ingest_reused"]["total"]["median"]
    for old, new in (("fresh_ingest", "run_fresh_ingest"), ("ingest_reused", "run_ingest_reused")):
        steps = result[new]  # the keys of earlier reports: median wall and peak RSS
        result[old] = {"wall_s": steps["total"]["median"], "peak_rss_gb": steps["peak_rss_gb"]}
    result["load"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    result["cpus"] = os.cpu_count()
    return result


def _table(name: str, steps: dict[str, Any]) -> str:
    lines = [f"{name}:"]
    for key, s in steps.items():
        if not isinstance(s, dict):
            lines.append(f"  {key:14s} {s}")
            continue
        lines.append(f"  {key:14s} {s['median']:7.2f} s  [{s['min']:.2f} … {s['max']:.2f}]")
    return "\n".join(lines)


def main() -> None:
    """Print the breakdown (``python -m benchmarks.demo [--repeats N] [--work DIR]``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--work", default=str(ROOT / "benchmarks" / "work" / "demo"))
    args = parser.parse_args()
    result = bench_pipeline(Path(args.work), args.repeats)
    for key in ("build", "build_reused", "run_fresh_ingest", "run_ingest_reused"):
        print(_table(key, result[key]))
    print(f"load average (1 min): {result['load']}  cpus: {result['cpus']}")
    keys = ("demo_build_s", "demo_run_s", "demo_run_reused_ingest_s")
    print(json.dumps({k: result[k] for k in keys}))


if __name__ == "__main__":
    main()
