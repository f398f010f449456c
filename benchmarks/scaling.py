"""The job (production + climatology) at several sizes, each in its own processes.

* memory: peak RSS per worker for stacks of 24, 96 and 302 months (must stay flat);
* workers: the same job on a LocalCluster of 1 then 2 single-threaded worker processes;
* fine grid: 4 km slices (two month counts × a latitude band) on 2 workers, extrapolated to
  the 302 months of the whole 4320 × 8640 grid.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.proc import run_json
from benchmarks.stack import ensure_stores
from picpump.grid import Grid

FULL_MONTHS = 302
FINE = Grid.from_spec("4km")
FLAT_TOLERANCE = 0.20


def run_job(inputs: Path, work: Path, workers: int) -> dict[str, Any]:
    """The job in a fresh process (see ``benchmarks.job``)."""
    return run_json("job", "--inputs", inputs, "--out", work / "job-out", "--workers", str(workers))


def _median_job(jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median total time, with the spread of all runs."""
    ordered = sorted(jobs, key=lambda job: job["total_s"])
    middle = dict(ordered[len(ordered) // 2])
    middle["runs_total_s"] = [job["total_s"] for job in jobs]
    middle["range_total_s"] = [ordered[0]["total_s"], ordered[-1]["total_s"]]
    return middle


def bench_workers(inputs: Path, work: Path, repeats: int = 5) -> dict[str, Any]:
    """1 vs 2 worker processes on the same job, in turn; medians of ``repeats`` runs each.

    The end-to-end rate is the 2-worker job's pixels per second per worker process (from
    compressed inputs to compressed products; the cluster's start is reported apart).
    """
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(repeats):
        for n in runs:
            runs[n].append(run_job(inputs, work, n))
    one, two = _median_job(runs[1]), _median_job(runs[2])
    return {
        "repeats": repeats,
        "one_worker": one,
        "two_workers": two,
        "speedup_2_workers": round(one["total_s"] / two["total_s"], 2),
        "e2e_mpix_per_s_per_worker": round(two["pixels"] / two["total_s"] / 2 / 1e6, 1),
        "job_mpix_per_s_one_worker": round(one["pixels"] / one["total_s"] / 1e6, 1),
    }


def bench_memory(
    months: tuple[int, ...], grid: Grid, work: Path, known: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """Peak RSS per worker (2 workers) for stacks of each length in ``months``.

    ``known`` holds jobs already run (e.g. the 2-worker run of the full stack) by length.
    """
    rss: dict[str, float] = {}
    for n in months:
        job = known.get(n)
        if job is None:
            job = run_job(ensure_stores(work, n, grid, production=False)["inputs"], work, 2)
        rss[str(n)] = job["peak_rss_gb_per_worker"]
    low, high = min(rss.values()), max(rss.values())
    return {
        "peak_rss_gb_by_months": rss,
        "rss_spread": round(high / low - 1, 3),
        "flat_within_20pct": bool(high <= low * (1 + FLAT_TOLERANCE)),
    }


def _fit(months: list[int], seconds: list[float]) -> tuple[float, float]:
    """Intercept and slope (per month) of a line through two (months, seconds) points.

    A negative slope (timing noise on a stage whose per-month cost is small) is clamped to
    0 with the larger time as intercept: the extrapolation never shrinks with the months.
    """
    (m0, m1), (s0, s1) = months, seconds
    slope = (s1 - s0) / (m1 - m0)
    if slope < 0:
        return max(s0, s1), 0.0
    return s0 - slope * m0, slope


def bench_fine_grid(
    months: tuple[int, int], rows: int, work: Path, tile: int, repeats: int = 5
) -> dict[str, Any]:
    """The job on two month counts × ``rows`` latitude rows of the 4 km grid, 2 workers.

    Each length runs ``repeats`` times, in turn with the other; the fit uses the medians.

    The job's time is fitted as a + b × months (the climatology has a cost per cell that does
    not grow with the months: finalising and writing the 12 calendar months), taken to 302
    months, then scaled by the number of rows of the whole grid. The band is centred on
    the equator; the tile is kept for both month counts (pass ≈ the chunk size of a 302-month
    product, ~10 MB).
    """
    start = (FINE.nlat - rows) // 2
    band = slice(start, start + rows)
    stores = [
        ensure_stores(work, n, FINE, tile=tile, rows=band, production=False)["inputs"]
        for n in months
    ]
    runs: list[list[dict[str, Any]]] = [[] for _ in months]
    for _ in range(repeats):
        for store, done in zip(stores, runs, strict=True):
            done.append(run_job(store, work, 2))
    jobs = [_median_job(done) for done in runs]
    row_scale = FINE.nlat / rows
    a, b = _fit(list(months), [job["total_s"] for job in jobs])
    full_s = max(a + b * FULL_MONTHS, 0.0) * row_scale
    last = jobs[-1]
    pixel_scale = FULL_MONTHS * FINE.nlat * FINE.nlon / last["pixels"]
    return {
        "slice": {
            "months": list(months),
            "rows": [band.start, band.stop],
            "grid": list(FINE.shape),
        },
        "tile": tile,
        "repeats": repeats,
        "jobs": jobs,
        "fit_seconds_intercept_per_month": [round(a, 3), round(b, 4)],
        "extrapolated_4km_302_months_minutes": round(full_s / 60, 1),
        "linear_in_pixels_minutes": round(last["total_s"] * pixel_scale / 60, 1),
    }


def fine_tile(months: int, reference_months: int = FULL_MONTHS, reference_tile: int = 90) -> int:
    """A tile giving the chunks of a ``reference_months`` store the same number of bytes."""
    return int(round(reference_tile * math.sqrt(reference_months / months) / 10) * 10)
