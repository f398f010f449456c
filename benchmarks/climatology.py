"""Calendar-month climatology on files: picpump vs ``cdo ymonmean`` + ``ymonstd`` vs xarray.

Each contender runs in its own process, reads the stack from disk and writes its result, as
a user would: picpump its Zarr product store (mean, std, count), CDO and xarray NetCDF files
(mean and std). ``python -m benchmarks.climatology CONTENDER --stack PATH --out DIR`` prints
one JSON line (wall seconds without interpreter start-up, peak RSS).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import xarray as xr

from benchmarks.job import climatology_product, write
from benchmarks.proc import median_of, run_json
from picpump.io.store.zarr_store import open_product

CONTENDERS = ("picpump", "cdo", "xarray")
VARIABLE = "ez_pic_production"
XARRAY_RSS_FACTOR = 3.0
"""Memory guard for plain xarray (free memory needed, × the stack's size): it reads group by
group from NetCDF, 0.6 GB peak measured on the 1.25 GB 0.25° stack."""


def picpump(stack: Path, out: Path) -> None:
    field = open_product(str(stack))[VARIABLE]
    write(climatology_product(field, VARIABLE), out / "climatology.zarr")


def cdo(stack: Path, out: Path) -> None:
    for op in ("ymonmean", "ymonstd"):
        subprocess.run(["cdo", "-s", "-O", op, str(stack), str(out / f"{op}.nc")], check=True)


def plain_xarray(stack: Path, out: Path) -> None:
    field = xr.open_dataset(stack)[VARIABLE]
    grouped = field.groupby("time.month")
    xr.Dataset({"mean": grouped.mean(), "std": grouped.std()}).to_netcdf(out / "xarray.nc")


def _max_rss_gb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss * 1024 / 1e9


def measure(contender: str, stack: Path, out: Path) -> dict[str, Any]:
    """Time one contender in this process; peak RSS of this process or of CDO."""
    run = {"picpump": picpump, "cdo": cdo, "xarray": plain_xarray}[contender]
    out.mkdir(parents=True, exist_ok=True)
    if contender == "picpump":
        shutil.rmtree(out / "climatology.zarr", ignore_errors=True)
    start = time.perf_counter()
    run(stack, out)
    seconds = time.perf_counter() - start
    who = resource.RUSAGE_CHILDREN if contender == "cdo" else resource.RUSAGE_SELF
    return {"seconds": round(seconds, 3), "peak_rss_gb": round(_max_rss_gb(who), 3)}


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


def bench(zarr_stack: Path, nc_stack: Path, out: Path, repeats: int = 3) -> dict[str, Any]:
    """All contenders, ``repeats`` times each (plain xarray once); medians and speedups."""
    results: dict[str, Any] = {}
    runs: dict[str, list[dict[str, Any]]] = {}
    with xr.open_dataset(nc_stack) as ds:
        field = ds[VARIABLE]
        results["shape"] = list(field.shape)
        results["nan_fraction"] = round(
            float(field[:: max(1, field.shape[0] // 12)].isnull().mean()), 3
        )
        stack_bytes = field.size * 4
    todo = {"picpump": (zarr_stack, repeats), "cdo": (nc_stack, repeats), "xarray": (nc_stack, 1)}
    if shutil.which("cdo") is None:
        results["cdo"] = "skipped: cdo is not installed"
        del todo["cdo"]
    if not _enough_memory(stack_bytes):
        results["xarray"] = "skipped: not enough free memory for plain xarray on this stack"
        del todo["xarray"]
    for name, (stack, n) in todo.items():
        try:
            runs[name] = [
                run_json("climatology", name, "--stack", stack, "--out", out) for _ in range(n)
            ]
        except RuntimeError as err:  # e.g. killed for memory: keep the other contenders
            results[name] = f"failed: {err}"[:500]
            continue
        results[f"{name}_s"] = median_of(runs[name], "seconds")
        results[f"{name}_peak_rss_gb"] = max(r["peak_rss_gb"] for r in runs[name])
        results[f"{name}_runs_s"] = [r["seconds"] for r in runs[name]]
    if "cdo" in runs and "picpump" in runs:
        results["agreement_with_cdo"] = agreement_with_cdo(out)
    for name in ("cdo", "xarray"):
        if name in runs and "picpump" in runs:
            results[f"speedup_vs_{name}"] = round(results[f"{name}_s"] / results["picpump_s"], 2)
    shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", choices=CONTENDERS)
    parser.add_argument("--stack", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(measure(args.contender, args.stack, args.out)))


if __name__ == "__main__":
    main()
