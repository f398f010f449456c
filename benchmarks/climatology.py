"""Calendar-month climatology on files: picpump vs ``cdo ymonmean`` + ``ymonstd`` vs xarray.

Each contender runs in its own process, reads the stack from disk and writes its result, as
a user would: picpump its Zarr product store (mean, std, count), CDO and plain xarray
(``groupby("time.month")`` on the NetCDF file) NetCDF files (mean and std), and xarray with
flox and dask's threads on the same Zarr store as picpump (mean and std, written as Zarr).
``python -m benchmarks.climatology CONTENDER --stack PATH --out DIR`` prints one JSON line
(wall seconds without interpreter start-up, peak RSS; picpump also its phases).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
import numpy as np
import psutil
import xarray as xr

from benchmarks.job import climatology_product, write
from benchmarks.proc import median_of, run_json
from picpump.io.store.zarr_store import open_product
from picpump.pipeline.compute import local_scheduler, start_warm_up

THREADS = local_scheduler()
CONTENDERS = ("picpump", "cdo", "xarray", "xarray_flox")
ON_ZARR = ("picpump", "xarray_flox")
PHASES = ("open_s", "graph_s", "compute_write_s")
VARIABLE = "ez_pic_production"
XARRAY_RSS_FACTOR = 3.0
"""Memory guard for plain xarray (free memory needed, × the stack's size): it reads group by
group from NetCDF, 0.6 GB peak measured on the 1.25 GB 0.25° stack."""


def picpump(stack: Path, out: Path) -> dict[str, float]:
    """The product written as the pipeline writes it; seconds of each phase."""
    start = time.perf_counter()
    start_warm_up()  # as the pipeline's execute does, before it opens and plans
    field = open_product(str(stack))[VARIABLE]
    opened = time.perf_counter()
    product = climatology_product(field, VARIABLE)
    planned = time.perf_counter()
    write((product, out / "climatology.zarr"))
    end = time.perf_counter()
    return {"open_s": opened - start, "graph_s": planned - opened, "compute_write_s": end - planned}


def picpump_phases(stack: Path, out: Path) -> dict[str, float]:
    """Where picpump's time goes, each phase alone: read + decode, compute, write."""
    field = open_product(str(stack))[VARIABLE]
    start = time.perf_counter()
    dask.compute(field.data.map_blocks(_nothing, chunks=(1,) * field.ndim), scheduler=THREADS)
    decoded = time.perf_counter()
    product = climatology_product(field, VARIABLE).compute(scheduler=THREADS)
    computed = time.perf_counter()
    write(
        (product.chunk(dict.fromkeys(product.dims, -1) | {"lat": 360, "lon": 720}), out / "c.zarr")
    )
    written = time.perf_counter()
    return {
        "read_decode_s": round(decoded - start, 3),
        "read_decode_compute_s": round(computed - decoded, 3),
        "compute_s": round(computed - decoded - (decoded - start), 3),
        "write_s": round(written - computed, 3),
    }


def _nothing(block: np.ndarray) -> np.ndarray:
    return np.zeros((1,) * block.ndim, block.dtype)


def xarray_flox(stack: Path, out: Path) -> None:
    """xarray + flox + dask's threads on picpump's Zarr store (as xarray opens it)."""
    field = xr.open_zarr(stack)[VARIABLE]
    with xr.set_options(use_flox=True):
        grouped = field.groupby("time.month")
        result = xr.Dataset({"mean": grouped.mean(), "std": grouped.std()})
        result.to_zarr(out / "flox.zarr", mode="w", consolidated=True)


def cdo(stack: Path, out: Path) -> None:
    for op in ("ymonmean", "ymonstd"):
        subprocess.run(["cdo", "-s", "-O", op, str(stack), str(out / f"{op}.nc")], check=True)


def plain_xarray(stack: Path, out: Path) -> None:
    field = xr.open_dataset(stack)[VARIABLE]
    grouped = field.groupby("time.month")
    xr.Dataset({"mean": grouped.mean(), "std": grouped.std()}).to_netcdf(out / "xarray.nc")


OUTPUTS = {"picpump": "climatology.zarr", "picpump_phases": "c.zarr", "xarray_flox": "flox.zarr"}
"""The Zarr store each contender writes in ``--out`` (CDO and plain xarray overwrite files)."""


def _max_rss_gb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss * 1024 / 1e9


def measure(contender: str, stack: Path, out: Path) -> dict[str, Any]:
    """Time one contender in this process; peak RSS of this process or of CDO."""
    run: Callable[[Path, Path], Any] = {
        "picpump": picpump,
        "picpump_phases": picpump_phases,
        "cdo": cdo,
        "xarray": plain_xarray,
        "xarray_flox": xarray_flox,
    }[contender]
    out.mkdir(parents=True, exist_ok=True)
    if contender in OUTPUTS:  # its own output only: the CDO agreement reads picpump's later
        shutil.rmtree(out / OUTPUTS[contender], ignore_errors=True)
    start = time.perf_counter()
    phases = run(stack, out) or {}
    seconds = time.perf_counter() - start
    who = resource.RUSAGE_CHILDREN if contender == "cdo" else resource.RUSAGE_SELF
    result = {"seconds": round(seconds, 3), "peak_rss_gb": round(_max_rss_gb(who), 3)}
    return result | {k: round(v, 3) for k, v in phases.items()}


def _in_calendar_order(da: xr.DataArray) -> np.ndarray:
    order = np.argsort(da["time"].dt.month.values)  # CDO keeps the first year's month order
    return np.asarray(da.values[order], dtype=np.float64)


def agreement_with_cdo(out: Path) -> dict[str, Any]:
    """Largest differences between picpump's and CDO's mean and std."""
    ours = open_product(str(out / "climatology.zarr"))
    result: dict[str, Any] = {}
    for stat, op in (("mean", "ymonmean"), ("std", "ymonstd")):
        with xr.open_dataset(out / f"{op}.nc") as ds:
            theirs = _in_calendar_order(ds[VARIABLE])
        mine = ours[f"{VARIABLE}_{stat}"].values.astype(np.float64)
        same_missing = bool(np.array_equal(np.isnan(mine), np.isnan(theirs)))
        diff = np.nanmax(np.abs(mine - theirs))
        scale = np.nanmax(np.abs(theirs))
        big = np.abs(theirs) > 1e-3 * scale  # elementwise, away from values near zero
        elementwise = np.nanmax(np.abs(mine - theirs)[big] / np.abs(theirs)[big])
        result[stat] = {
            "max_abs_diff": float(diff),
            "max_abs_diff_relative": float(diff / scale),
            "max_rel_diff_elementwise": float(elementwise),
            "same_missing_cells": same_missing,
        }
    worst = max(r["max_abs_diff_relative"] for r in result.values())
    result["within_1e-5"] = bool(
        worst <= 1e-5
        and all(r["same_missing_cells"] for r in result.values() if isinstance(r, dict))
    )
    return result


def _enough_memory(stack_bytes: int) -> bool:
    return psutil.virtual_memory().available > XARRAY_RSS_FACTOR * stack_bytes * 1.2


def _contenders(zarr_stack: Path, nc_stack: Path, results: dict[str, Any]) -> dict[str, Path]:
    """The contenders this machine can run, each with the stack it reads."""
    with xr.open_dataset(nc_stack) as ds:
        field = ds[VARIABLE]
        results["shape"] = list(field.shape)
        results["nan_fraction"] = round(
            float(field[:: max(1, field.shape[0] // 12)].isnull().mean()), 3
        )
        stack_bytes = field.size * 4
    todo = {name: zarr_stack if name in ON_ZARR else nc_stack for name in CONTENDERS}
    if shutil.which("cdo") is None:
        results["cdo"] = "skipped: cdo is not installed"
        del todo["cdo"]
    if not _enough_memory(stack_bytes):
        results["xarray"] = "skipped: not enough free memory for plain xarray on this stack"
        del todo["xarray"]
    return todo


def _record(name: str, runs: list[dict[str, Any]], results: dict[str, Any]) -> None:
    results[f"{name}_s"] = median_of(runs, "seconds")
    results[f"{name}_peak_rss_gb"] = max(r["peak_rss_gb"] for r in runs)
    results[f"{name}_runs_s"] = [r["seconds"] for r in runs]
    results[f"{name}_range_s"] = [min(results[f"{name}_runs_s"]), max(results[f"{name}_runs_s"])]


def bench(zarr_stack: Path, nc_stack: Path, out: Path, repeats: int = 5) -> dict[str, Any]:
    """Every contender ``repeats`` times, in turn (so all see the same load); medians, speedups.

    Also picpump's phases (one run: read + decode, compute, write) and the speedup over the
    faster of the two xarray contenders.
    """
    results: dict[str, Any] = {"repeats": repeats}
    todo = _contenders(zarr_stack, nc_stack, results)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in todo}
    for _ in range(repeats):
        for name, stack in list(todo.items()):
            try:
                runs[name].append(run_json("climatology", name, "--stack", stack, "--out", out))
            except RuntimeError as err:  # e.g. killed for memory: keep the other contenders
                results[name] = f"failed: {err}"[:500]
                del todo[name], runs[name]
    for name, done in runs.items():
        _record(name, done, results)
    if "picpump" in runs:
        phases = [results["picpump_s"]] + [median_of(runs["picpump"], k) for k in PHASES]
        results["picpump_phases_s"] = dict(zip(("total", *PHASES), phases, strict=True))
        results["picpump_phases_alone_s"] = run_json(
            "climatology", "picpump_phases", "--stack", zarr_stack, "--out", out
        )
    if "cdo" in runs and "picpump" in runs:
        results["agreement_with_cdo"] = agreement_with_cdo(out)
    for name in ("cdo", "xarray", "xarray_flox"):
        if name in runs and "picpump" in runs:
            results[f"speedup_vs_{name}"] = round(results[f"{name}_s"] / results["picpump_s"], 2)
    xarrays = [results[f"{n}_s"] for n in ("xarray", "xarray_flox") if n in runs]
    if xarrays and "picpump" in runs:
        results["best_xarray_s"] = min(xarrays)
        results["speedup_vs_best_xarray"] = round(min(xarrays) / results["picpump_s"], 2)
    shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", choices=(*CONTENDERS, "picpump_phases"))
    parser.add_argument("--stack", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(measure(args.contender, args.stack, args.out)))


if __name__ == "__main__":
    main()
