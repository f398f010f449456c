"""Benchmarks side by side in one run: ``make bench`` (``python benchmarks/run.py``).

1. ``climatology``: calendar-month mean/std(/count) of a 302-month 0.25° stack (720 × 1440,
   float32, ~40 % missing) read from files: picpump vs ``cdo ymonmean`` + ``cdo ymonstd`` vs
   plain xarray ``groupby("time.month")``, and the agreement with CDO.
2. ``kernel``: production kernel throughput on one core, through the pipeline's wrapper, vs
   a plain numpy ufunc chain.
3. ``workers``: the job (production + climatology, files to files) on 1 then 2 workers.
4. ``memory``: peak RSS per worker of the job for 24, 96 and 302 months.
5. ``fine_grid``: 4 km slices, extrapolated to 302 months of the whole grid on 2 cores.
6. ``matchup``: ``benchmarks/matchup.py`` when present; ``demo``: ``picpump run`` of the demo.
7. ``ensemble``: a 16-member ensemble in one pass vs one run: the pipeline on a demo archive
   at 1° and the production job on the main stack (target ≤ 2× the wall time).
8. ``references``: virtual Zarr references vs the ingest path on a demo archive at 1°
   (``benchmarks/references.py``): preparation, bytes written, time to first result, run time.

The stacks are synthesised deterministically once into ``benchmarks/work`` (about 9 GB and a
few minutes at full size; later runs reuse them; ``make clean`` removes them). A full run
then takes about 5 minutes on 2 cores and writes ``results/latest.json`` and ``latest.md``.
``--quick`` runs everything small (1° grid, few months; ~1.5 minutes with the demo) and
writes ``results/quick.*``; ``--months``/``--resolution`` resize the main stack (also
written to ``results/quick.*``).
``--only climatology,kernel`` runs some sections and updates the other results in place.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks.*`` importable
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from benchmarks import climatology, kernel, scaling  # noqa: E402
from benchmarks.report import markdown, summary  # noqa: E402
from benchmarks.stack import ensure_stores  # noqa: E402
from picpump.grid import Grid  # noqa: E402

WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results"
SECTIONS = (
    "climatology",
    "kernel",
    "workers",
    "memory",
    "fine_grid",
    "matchup",
    "demo",
    "ensemble",
    "references",
)
PACKAGES = ("picpump", "numpy", "numba", "xarray", "dask", "distributed", "zarr", "numcodecs")


@dataclass(frozen=True)
class Sizes:
    """How big each section runs."""

    resolution: float = 0.25
    months: int = 302
    memory_months: tuple[int, ...] = (24, 96, 302)
    kernel_months: int = 24
    fine_months: tuple[int, int] = (24, 48)
    fine_rows: int = 1080
    repeats: int = 5


QUICK = Sizes(1.0, 36, (12, 24, 36), 12, (3, 6), 48, 2)


def machine(load_at_start: float) -> dict[str, Any]:
    cdo = subprocess.run(["cdo", "-V"], capture_output=True, text=True) if _has_cdo() else None
    return {
        "cpus": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "load_average_1min_at_start": round(load_at_start, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cdo": (cdo.stderr or cdo.stdout).splitlines()[0] if cdo else None,
        "packages": {p: _version(p) for p in PACKAGES},
    }


def _has_cdo() -> bool:
    from shutil import which

    return which("cdo") is not None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except Exception:
        return None


def section_climatology(sizes: Sizes) -> dict[str, Any]:
    paths = ensure_stores(WORK, sizes.months, Grid(sizes.resolution), netcdf=True)
    out = WORK / "climatology-out"
    return climatology.bench(paths["production"], paths["production_nc"], out, sizes.repeats)


def section_kernel(sizes: Sizes) -> dict[str, Any]:
    paths = ensure_stores(WORK, sizes.kernel_months, Grid(sizes.resolution), production=False)
    tile = scaling.fine_tile(sizes.kernel_months, sizes.months)
    return kernel.bench(paths["inputs"], sizes.kernel_months, tile, sizes.repeats)


def section_workers(sizes: Sizes) -> dict[str, Any]:
    paths = ensure_stores(WORK, sizes.months, Grid(sizes.resolution), production=False)
    return scaling.bench_workers(paths["inputs"], WORK, sizes.repeats)


def section_memory(sizes: Sizes, done: dict[str, Any]) -> dict[str, Any]:
    known = {}
    if "two_workers" in done.get("workers", {}):
        known[sizes.months] = done["workers"]["two_workers"]
    return scaling.bench_memory(sizes.memory_months, Grid(sizes.resolution), WORK, known)


def section_fine_grid(sizes: Sizes) -> dict[str, Any]:
    tile = scaling.fine_tile(max(sizes.fine_months))
    return scaling.bench_fine_grid(sizes.fine_months, sizes.fine_rows, WORK, tile, sizes.repeats)


def section_matchup(_: Sizes) -> dict[str, Any]:
    script = ROOT / "benchmarks" / "matchup.py"
    if not script.exists():
        return {"skipped": "benchmarks/matchup.py is absent"}
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def section_demo(_: Sizes) -> dict[str, Any]:
    from benchmarks.demo import bench_pipeline

    return bench_pipeline(WORK)  # medians of 5 runs (build and run), with their spread


def section_ensemble(sizes: Sizes) -> dict[str, Any]:
    from benchmarks.ensemble import bench, bench_pipeline

    repeats = max(sizes.repeats, 5)
    out: dict[str, Any] = {"pipeline_1deg": bench_pipeline(WORK, sizes.months, repeats=repeats)}
    grid = Grid(sizes.resolution)
    paths = ensure_stores(WORK, sizes.kernel_months, grid, production=False)
    out[f"stack_{sizes.resolution:g}deg"] = bench(paths["inputs"], WORK, grid, repeats=repeats)
    return out


def section_references(sizes: Sizes) -> dict[str, Any]:
    from benchmarks.references import bench

    return bench(WORK, sizes.months if sizes.resolution == 1.0 else 120)


def run_sections(names: list[str], sizes: Sizes, results: dict[str, Any]) -> None:
    """Run the sections in order; a failing section records its error and the run goes on."""
    sections: dict[str, Callable[[], dict[str, Any]]] = {
        "climatology": lambda: section_climatology(sizes),
        "kernel": lambda: section_kernel(sizes),
        "workers": lambda: section_workers(sizes),
        "memory": lambda: section_memory(sizes, results),
        "fine_grid": lambda: section_fine_grid(sizes),
        "matchup": lambda: section_matchup(sizes),
        "demo": lambda: section_demo(sizes),
        "ensemble": lambda: section_ensemble(sizes),
        "references": lambda: section_references(sizes),
    }
    for name in names:
        call = sections[name]
        print(f"[{time.strftime('%H:%M:%S')}] {name} …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            results[name] = call()
        except Exception as err:  # a benchmark must not hide the other figures
            results[name] = {"error": f"{type(err).__name__}: {err}"}
        results[name]["section_wall_s"] = round(time.perf_counter() - start, 1)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="picpump benchmarks, side by side")
    parser.add_argument("--quick", action="store_true", help="small smoke run (1° grid)")
    parser.add_argument("--only", default="", help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--months", type=int, help="length of the main stack [302]")
    parser.add_argument("--resolution", type=float, help="grid of the main stack, degrees [0.25]")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    if args.months or args.resolution:
        months = args.months or sizes.months
        sizes = replace(
            sizes,
            months=months,
            resolution=args.resolution or sizes.resolution,
            memory_months=tuple(sorted({min(m, months) for m in sizes.memory_months})),
            kernel_months=min(sizes.kernel_months, months),
        )
    names = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {SECTIONS}")
    custom = args.quick or args.months or args.resolution
    stem = RESULTS / ("quick" if custom else "latest")
    saved = stem.with_suffix(".json")
    previous = json.loads(saved.read_text()) if args.only and saved.exists() else {}
    results: dict[str, Any] = previous.get("sections", {})
    load_at_start = os.getloadavg()[0]
    run_sections([n for n in SECTIONS if n in names], sizes, results)
    report = {
        **summary(results),
        "quick": bool(custom),
        "sizes": asdict(sizes),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(load_at_start),
        "sections": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    stem.with_suffix(".md").write_text(table)
    print(table)
    return report


if __name__ == "__main__":
    main()
