"""A 16-member ensemble in one pass vs one run (target: the ensemble costs ≤ 2× one run).

The ensemble has 16 members, a Latin hypercube over every production variant, K_I and the
euphotic-depth cap. Two measures, each repeated, medians with their ranges:

* :func:`bench_pipeline` (1°, the demo archive): ``execute`` of the gridded products of the
  paper's spec (inputs reused) vs a run writing ``ensemble.zarr`` and its attribution table
  from the same inputs;
* :func:`bench` (any grid, a synthetic stack): the benchmark job (``benchmarks.job``:
  production then its climatology, files to files, a lower bound of one run's work) vs the
  ``ensemble`` product on the same store.
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from benchmarks.job import max_rss_gb, run_job, write
from benchmarks.proc import ROOT
from picpump.demo import build_demo_archive
from picpump.grid import Grid
from picpump.io.api import load_catalog
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, make_plan
from picpump.pipeline.ensemble_stage import build_ensemble
from picpump.pipeline.spec import PipelineSpec, parse_spec

ENSEMBLE = {
    "sampling": "lhs",
    "members": 16,
    "seed": 0,
    "variants": {k: "all" for k in ("growth_rate", "euphotic_depth", "depth_factor")},
    "parameters": {"k_i": [2.0, 6.0], "zeu_max": [150.0, 250.0]},
}


GRIDDED = ["inputs", "monthly", "climatology", "annual", "global_totals"]
START = "1997-09"


def _paper_raw(grid: Grid) -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load((ROOT / "pipelines" / "toullec2026.yaml").read_text())
    raw["grid"] = {"resolution": grid.resolution}
    return raw


def ensemble_spec(grid: Grid, members: int) -> PipelineSpec:
    """The paper's spec on ``grid`` with a Latin-hypercube ensemble of ``members``."""
    raw = _paper_raw(grid)
    raw["outputs"] = ["inputs"]
    raw["ensemble"] = {**ENSEMBLE, "members": members}
    return parse_spec(raw)


def bench_pipeline(work: Path, months: int, members: int = 16, repeats: int = 5) -> dict:
    """One run's gridded products vs a run of the ensemble, on a demo archive at 1°."""
    root = work / f"ensemble-demo-{months}m"
    build_demo_archive(root / "data" / "demo", start=START, periods=months)
    (root / "catalogs").mkdir(exist_ok=True)
    shutil.copy(ROOT / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    catalog = load_catalog(str(root / "catalogs" / "demo.yaml"))
    end = (pd.Timestamp(START) + pd.DateOffset(months=months - 1)).strftime("%Y-%m")
    raw = {**_paper_raw(Grid(1.0)), "period": {"start": START, "end": end}, "outputs": GRIDDED}
    single = parse_spec(raw)
    ensemble = parse_spec({**raw, "outputs": ["inputs"], "ensemble": ENSEMBLE})
    out = str(root / "out")
    execute(make_plan(single, catalog, out), progress=False)  # the ingest, once
    stage: list[float] = []

    def run_ensemble() -> None:
        stage.append(execute(make_plan(ensemble, catalog, out), progress=False).seconds["ensemble"])

    one, many = _paired(
        lambda: execute(make_plan(single, catalog, out), progress=False), run_ensemble, repeats
    )
    return {
        "months": months,
        "members": ensemble.ensemble.size if ensemble.ensemble else 0,
        "one_run_gridded_products": one,
        "ensemble_run": many,
        "ensemble_stage_median_s": round(statistics.median(stage), 3),
        "ensemble_over_one_run": round(many["median_s"] / one["median_s"], 2),
        "run_with_ensemble_over_one_run": round(1 + statistics.median(stage) / one["median_s"], 2),
    }


def _paired(
    one: Callable[[], Any], many: Callable[[], Any], repeats: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Time ``one`` and ``many`` alternately, so that both see the same machine load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, sink in zip((one, many), times, strict=True):
            start = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - start)
    return _stats(times[0]), _stats(times[1])


def _stats(times: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "runs": len(times),
    }


def bench(inputs: Path, work: Path, grid: Grid, members: int = 16, repeats: int = 5) -> dict:
    """Median wall time of one run's job and of an ensemble of ``members`` on ``inputs``."""
    spec = ensemble_spec(grid, members)
    ds = open_product(str(inputs))
    ds["open_ocean"] = (("lat", "lon"), np.ones((grid.nlat, grid.nlon), bool))

    def ensemble() -> None:
        write((build_ensemble(ds, spec), work / "ensemble-out" / "ensemble.zarr"))

    one, many = _paired(lambda: run_job(inputs, work / "ensemble-one-run"), ensemble, repeats)
    return {
        "shape": list(ds["pic"].shape),
        "members": members,
        "repeats": repeats,
        "one_run": one,
        "ensemble": many,
        "ensemble_over_one_run": round(many["median_s"] / one["median_s"], 2),
        "peak_rss_gb": round(max_rss_gb(), 3),
    }
