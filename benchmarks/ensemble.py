"""A 16-member ensemble in one pass vs one run, on the same inputs store.

* ``one_run_s``: the benchmark job (``benchmarks.job``: production of the default variants,
  then its climatology, files to files), the per-pixel work of one run;
* ``ensemble_s``: the ``ensemble`` product of 16 members (Latin hypercube over every
  production variant, K_I and the euphotic-depth cap), written as the pipeline writes it.

Both run ``repeats`` times on the threaded scheduler; the medians, their ranges and the ratio
(target ≤ 2) are reported with the process's peak RSS.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks.job import max_rss_gb, run_job, write
from benchmarks.proc import ROOT
from picpump.grid import Grid
from picpump.io.store.zarr_store import open_product
from picpump.pipeline.ensemble_stage import build_ensemble
from picpump.pipeline.spec import PipelineSpec, parse_spec

ENSEMBLE = {
    "sampling": "lhs",
    "members": 16,
    "seed": 0,
    "variants": {k: "all" for k in ("growth_rate", "euphotic_depth", "depth_factor")},
    "parameters": {"k_i": [2.0, 6.0], "zeu_max": [150.0, 250.0]},
}


def ensemble_spec(grid: Grid, members: int) -> PipelineSpec:
    """The paper's spec on ``grid`` with a Latin-hypercube ensemble of ``members``."""
    raw = yaml.safe_load((ROOT / "pipelines" / "toullec2026.yaml").read_text())
    raw["grid"] = {"resolution": grid.resolution}
    raw["outputs"] = ["inputs"]
    raw["ensemble"] = {**ENSEMBLE, "members": members}
    return parse_spec(raw)


def _timed(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }


def bench(inputs: Path, work: Path, grid: Grid, members: int = 16, repeats: int = 5) -> dict:
    """Median wall time of one run's job and of an ensemble of ``members`` on ``inputs``."""
    spec = ensemble_spec(grid, members)
    ds = open_product(str(inputs))
    ds["open_ocean"] = (("lat", "lon"), np.ones((grid.nlat, grid.nlon), bool))

    def ensemble() -> None:
        write(build_ensemble(ds, spec), work / "ensemble-out" / "ensemble.zarr")

    one = _timed(lambda: run_job(inputs, work / "ensemble-one-run"), repeats)
    many = _timed(ensemble, repeats)
    return {
        "shape": list(ds["pic"].shape),
        "members": members,
        "repeats": repeats,
        "one_run": one,
        "ensemble": many,
        "ensemble_over_one_run": round(many["median_s"] / one["median_s"], 2),
        "peak_rss_gb": round(max_rss_gb(), 3),
    }
