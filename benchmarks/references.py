"""Virtual Zarr references vs the ingest path, on a demo archive at 1°.

Both paths start from the same monthly NetCDF files and end with the pipeline's products:

- ingest: ``picpump ingest`` of the six monthly series into Zarr stores (a copy), then a
  run whose catalog reads them (driver ``picpump.ingested``);
- references: ``picpump references`` of the same series (no copy), then a run whose catalog
  reads through them (driver ``picpump.references``).

Measured for each: preparation time and bytes written, time to first result (preparation,
then the first month of PIC read in the canonical form), run time, and whether the
products are identical.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml

from benchmarks.proc import ROOT
from picpump.demo import build_demo_archive
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly, resolve
from picpump.io.references import REFERENCES, write_references
from picpump.io.store.zarr_store import open_product
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline.ingest import ingest_entry

SERIES = ("pic", "par", "kd490", "poc", "sst", "npp")
START = "2001-01"


def _bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def _project(work: Path, months: int) -> tuple[Path, dict[str, Any], tuple[str, str]]:
    """A demo archive of ``months`` months with its catalog; the catalog and the period."""
    root = work / "references"
    if root.exists():
        shutil.rmtree(root)
    build_demo_archive(root / "data" / "demo", start=START, periods=months)
    (root / "catalogs").mkdir(parents=True)
    shutil.copy(ROOT / "catalogs" / "demo.yaml", root / "catalogs" / "demo.yaml")
    raw = yaml.safe_load((root / "catalogs" / "demo.yaml").read_text())
    months_index = np.datetime_as_string(
        np.arange(np.datetime64(START), np.datetime64(START) + months), unit="M"
    )
    return root, raw, (str(months_index[0]), str(months_index[-1]))


def _prepare(root: Path, raw: dict[str, Any], path: str, period: tuple[str, str]) -> str:
    """Ingest or reference the six series; write the catalog that reads them; return it."""
    demo = str(root / "catalogs" / "demo.yaml")
    sources = dict(raw["sources"])
    for name in SERIES:
        source = sources[name]
        if path == "ingest":
            store = root / "ingest" / f"{name}.zarr"
            ingest_entry(demo, name, str(store), period=period, grid=Grid(1.0))
            sources[name] = {"driver": "picpump.ingested", "args": {"urlpath": str(store)}}
            sources[name]["metadata"] = {"canonical": source["metadata"]["canonical"]}
        else:
            refs = root / "refs" / f"{name}.json"
            refs.parent.mkdir(parents=True, exist_ok=True)
            write_references(resolve(load_catalog(demo), name, period), str(refs))
            args = {"urlpath": str(refs), "variable": source["args"]["variable"]}
            sources[name] = {"driver": REFERENCES, "args": args}
            sources[name]["metadata"] = {"canonical": source["metadata"]["canonical"]}
    catalog = root / "catalogs" / f"{path}.yaml"
    catalog.write_text(yaml.safe_dump(raw | {"sources": sources}, sort_keys=False))
    return str(catalog)


def _one_path(
    root: Path, raw: dict[str, Any], path: str, period: tuple[str, str]
) -> dict[str, Any]:
    start = time.perf_counter()
    catalog = _prepare(root, raw, path, period)
    prepared = time.perf_counter() - start
    first = open_monthly(load_catalog(catalog), "pic", Grid(1.0), (period[0], period[0]))
    float(first.mean())
    first_result = time.perf_counter() - start
    spec = yaml.safe_load((ROOT / "pipelines" / "toullec2026.yaml").read_text())
    spec["period"] = {"start": period[0], "end": period[1]}
    spec_path = root / f"spec-{path}.yaml"
    spec_path.write_text(yaml.safe_dump(spec))
    plan = make_plan(load_spec(str(spec_path)), load_catalog(catalog), str(root / f"out-{path}"))
    run_start = time.perf_counter()
    products = execute(plan, None, progress=False).products
    folder = root / ("ingest" if path == "ingest" else "refs")
    return {
        "prepare_s": round(prepared, 2),
        "bytes_written": _bytes(folder),
        "time_to_first_result_s": round(first_result, 2),
        "run_s": round(time.perf_counter() - run_start, 2),
        "products": products,
    }


RULE_RECORDS = ("_conversions", "_implausible_cells")
"""Suffixes of the per-month records of the canonical rules."""


def _identical(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether the gridded products of two runs hold the same values in the same variables.

    Reading through references, ``inputs`` also records what the canonical rules did per
    month and variable (``*_conversions``, ``*_implausible_cells``), which the ingest path
    keeps in its ingest stores: these records are left out of the comparison.
    """
    gridded = [n for n in a if not a[n].endswith(".parquet")]
    return all(_same_values(open_product(a[n]), open_product(b[n])) for n in gridded)


def _without_records(ds: xr.Dataset) -> xr.Dataset:
    return ds.drop_vars([v for v in ds.variables if str(v).endswith(RULE_RECORDS)])


def _same_values(x: xr.Dataset, y: xr.Dataset) -> bool:
    return bool(_without_records(x).load().equals(_without_records(y).load()))


def bench(work: Path, months: int) -> dict[str, Any]:
    """Both paths on a ``months``-month demo archive at 1°; return their figures."""
    root, raw, period = _project(work, months)
    results = {path: _one_path(root, raw, path, period) for path in ("ingest", "references")}
    identical = _identical(results["ingest"]["products"], results["references"]["products"])
    for figures in results.values():
        figures.pop("products")
    archive = sum(_bytes(root / "data" / "demo" / d) for d in ("globcolour", "nasa", "copernicus"))
    return {"months": months, "archive_bytes": archive, "products_identical": identical, **results}


if __name__ == "__main__":
    print(bench(ROOT / "benchmarks" / "work", 12))
