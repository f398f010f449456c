"""The benchmark job: monthly production and its climatology, from a Zarr inputs store.

The same science calls and the same writer as the pipeline's ``monthly`` and ``climatology``
products (restricted to the production variable), computed together as the pipeline computes
them (:data:`picpump.pipeline.run.COMPUTED_TOGETHER`): read pic, sst, par, kd490 → production
kernel → atomic Zarr write of the monthly product, and from the same blocks the calendar-month
mean, std, count → atomic Zarr write of the climatology.

Run alone (one subprocess per measurement, so peak RSS is the job's own)::

    python -m benchmarks.job --inputs STORE --out DIR [--workers N]

prints one JSON line: seconds per stage, pixels, peak RSS (of the process with the threaded
scheduler, or the largest worker's with ``--workers N``, a LocalCluster of N single-threaded
processes).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path
from typing import Any

import dask
import numpy as np
import xarray as xr

from picpump import malloc
from picpump.io.store.zarr_store import open_product, stage_zarr
from picpump.pipeline.compute import compute_all, start_warm_up
from picpump.science.calcification import ez_pic_production
from picpump.science.climatology import monthly_climatology
from picpump.science.registry import ModelVariants


def max_rss_gb() -> float:
    """Peak resident memory of this process so far (GB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def write(*products: tuple[xr.Dataset, Path], client: Any = None) -> None:
    """Write products as the pipeline does (temporary names, one compute, publish each)."""
    pending = [stage_zarr(ds, str(path)) for ds, path in products]
    compute_all([p.task for p in pending], client)
    for p in pending:
        p.publish()


def climatology_product(field: xr.DataArray, name: str) -> xr.Dataset:
    """The climatology product of one variable, with the pipeline's dtypes."""
    clim = monthly_climatology(field, dtype=np.float32)
    return xr.Dataset(
        {
            f"{name}_mean": clim["mean"].astype("float32"),
            f"{name}_std": clim["std"].astype("float32"),
            f"{name}_count": clim["count"].astype("int16"),
        }
    )


def run_job(inputs: Path, out: Path, client: Any = None) -> dict[str, Any]:
    """Production and its climatology; wall seconds (on ``client``, else dask's threads)."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    start_warm_up(client)  # as the pipeline's execute does
    ds = open_product(str(inputs))
    production = ez_pic_production(
        ds["pic"], ds["sst"], ds["par"], ds["kd490"], ModelVariants.from_mapping({})
    ).astype("float32")
    write(
        (xr.Dataset({"ez_pic_production": production}), out / "monthly.zarr"),
        (climatology_product(production, "ez_pic_production"), out / "climatology.zarr"),
        client=client,
    )
    end = time.perf_counter()
    return {
        "shape": list(production.shape),
        "pixels": int(production.size),
        "total_s": round(end - start, 3),
    }


TASK_KINDS = (
    ("picpump-write", "encode + write (chunk writer)"),
    ("store", "encode + write (zarr-python)"),
    ("ez_pic_production", "production (read + decode of 4 inputs + kernel)"),
    ("picpump-read", "read + decode"),
    ("climatology", "climatology (one pass per tile)"),
)
"""Task-name fragments → what the task does."""


def _where_time_goes(stream: list[dict[str, Any]], wall_s: float, workers: int) -> dict[str, Any]:
    """Worker seconds per kind of task (read, kernel + write, climatology...), transfers, idle.

    Reads are fused into the tasks that consume them, so a production task's time holds the
    read and decode of its four input tiles and the kernel; its block then goes to the
    monthly product's writer and to the climatology.
    """
    busy: dict[str, float] = {}
    moved = 0.0
    for task in stream:
        key = task["key"][0] if isinstance(task["key"], tuple) else str(task["key"])
        kind = next((name for part, name in TASK_KINDS if part in key), "other")
        for part in task["startstops"]:
            seconds = part["stop"] - part["start"]
            if part["action"] == "compute":
                busy[kind] = busy.get(kind, 0.0) + seconds
            elif part["action"] == "transfer":
                moved += seconds
    computing = sum(busy.values())
    return {
        "compute_s_by_task": {k: round(v, 2) for k, v in sorted(busy.items(), key=lambda x: -x[1])},
        "transfer_s": round(moved, 2),
        "idle_or_scheduling_s": round(max(wall_s * workers - computing - moved, 0.0), 2),
    }


def run_on_cluster(inputs: Path, out: Path, workers: int) -> dict[str, Any]:
    """Run the job on a LocalCluster of ``workers`` single-threaded processes."""
    from distributed import Client, LocalCluster, get_task_stream

    start = time.perf_counter()
    with (
        dask.config.set(malloc.nanny_config()),  # as picpump's local clusters start
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        started = time.perf_counter() - start
        with get_task_stream(client) as stream:
            result = run_job(inputs, out, client)
        rss = client.run(max_rss_gb)
    result["cluster_start_s"] = round(started, 3)
    result["peak_rss_gb_per_worker"] = round(max(rss.values()), 3)
    result["worker_seconds"] = _where_time_goes(stream.data, result["total_s"], workers)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=0, help="0: threaded scheduler")
    args = parser.parse_args()
    try:
        if args.workers > 0:
            result = run_on_cluster(args.inputs, args.out, args.workers)
        else:
            result = run_job(args.inputs, args.out)
            result["peak_rss_gb_per_worker"] = round(max_rss_gb(), 3)
    finally:
        shutil.rmtree(args.out, ignore_errors=True)
    result["workers"] = args.workers
    print(json.dumps(result))


if __name__ == "__main__":
    main()
