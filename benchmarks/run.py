"""Benchmarks, side by side with the peers in one run: `make bench`.

1. `picpump run` of the demo pipeline (cluster start included): wall time and peak RSS of the
   whole process tree, with a fresh ingest and with the ingest reused.
2. Calendar-month climatology (mean, std, count) of the demo's monthly production stack
   (302 x 180 x 360): picpump's one-pass kernel vs `cdo ymonmean` + `cdo ymonstd` vs plain
   xarray `groupby("time.month")`.
3. The production kernel's throughput vs a plain numpy ufunc chain.

Results: benchmarks/results/latest.json and a table on stdout (copied into the README).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
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


def bench_pipeline() -> dict[str, Any]:
    subprocess.run([PICPUMP, "demo", "build", "--out", "data/demo"], cwd=ROOT, check=True)
    out = str(WORK / "demo-run")
    base = [PICPUMP, "run", "pipelines/toullec2026.yaml", "--catalog", "catalogs/demo.yaml"]
    base += ["--cluster", "local", "--out", out, "--no-progress"]
    return {
        "fresh_ingest": timed_command([*base, "--no-reuse"]),
        "ingest_reused": timed_command(base),
        "products": str(Path(out).relative_to(ROOT)),
    }


def _best(fn: Any, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_climatology(monthly_store: str) -> dict[str, Any]:
    from picpump.science.climatology import monthly_climatology

    field = xr.open_zarr(monthly_store)["ez_pic_production"].load()
    lazy = field.chunk({"time": -1, "lat": 90, "lon": 90})
    results: dict[str, Any] = {"shape": list(field.shape)}
    results["picpump_s"] = _best(lambda: monthly_climatology(lazy).compute())

    def plain_xarray() -> None:
        grouped = field.groupby("time.month")
        xr.Dataset({"m": grouped.mean(), "s": grouped.std(), "n": grouped.count()}).load()

    results["xarray_groupby_s"] = _best(plain_xarray)
    if shutil.which("cdo"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "stack.nc"
            field.rename("p").to_netcdf(src, encoding={"p": {"_FillValue": -1e20}})

            def cdo() -> None:
                for op in ("ymonmean", "ymonstd"):
                    subprocess.run(["cdo", "-s", "-O", op, src, Path(tmp) / f"{op}.nc"], check=True)

            results["cdo_mean_std_s"] = _best(cdo)
        results["speedup_vs_cdo"] = round(results["cdo_mean_std_s"] / results["picpump_s"], 2)
    results["speedup_vs_xarray"] = round(results["xarray_groupby_s"] / results["picpump_s"], 2)
    return results


def bench_kernel(n: int = 20_000_000) -> dict[str, float]:
    from picpump.science.calcification import np_ez_pic_production
    from picpump.science.registry import ModelVariants

    rng = np.random.default_rng(0)
    pic = rng.uniform(1e-5, 1e-3, n).astype("float32")
    sst = rng.uniform(-2, 30, n).astype("float32")
    par = rng.uniform(1, 60, n).astype("float32")
    kd = rng.uniform(0.02, 0.3, n).astype("float32")
    variants = ModelVariants.from_mapping({})
    kernel_s = _best(lambda: np_ez_pic_production(pic, sst, par, kd, variants))

    def plain() -> np.ndarray:
        mu = 0.1419 * np.power(np.maximum(sst, 0), 0.8151)
        zeu = np.minimum(np.log(100) / kd, 200)
        return pic * mu * (par / (par + 4.1)) * (0.215 * zeu) * 12011.0

    plain_s = _best(plain)
    return {
        "pixels": n,
        "kernel_mpix_per_s_per_core": round(n / kernel_s / 1e6, 1),
        "plain_numpy_mpix_per_s": round(n / plain_s / 1e6, 1),
    }


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
    }
    results["demo_pipeline"] = pipeline = bench_pipeline()
    monthly = ROOT / pipeline["products"] / "monthly.zarr"
    results["climatology_1deg"] = bench_climatology(str(monthly))
    results["production_kernel"] = bench_kernel()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
