"""Time the trap matchup on 10^5 synthetic observations; print the timings as JSON.

Run: ``python benchmarks/matchup.py [n_rows]``. The target is well under 5 s for 10^5 rows
(dated and undated rows mixed, a 1° climatology and annual means, a region mask).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pandas as pd
import xarray as xr

from picpump.grid import Grid
from picpump.science.matchup import match_traps


def synthetic_inputs(
    n_rows: int, seed: int = 0
) -> tuple[pd.DataFrame, xr.Dataset, xr.Dataset, xr.DataArray]:
    """Trap table, climatology, annual means and regions of the benchmark."""
    rng = np.random.default_rng(seed)
    grid = Grid(1.0)
    start = pd.Timestamp("1983-01-01") + pd.to_timedelta(rng.integers(0, 11000, n_rows), "D")
    days = rng.integers(1, 32, n_rows)
    traps = pd.DataFrame(
        {
            "station": rng.integers(0, 500, n_rows).astype(str),
            "trap_id": np.arange(n_rows).astype(str),
            "lat": rng.uniform(-80, 80, n_rows),
            "lon": rng.uniform(-180, 180, n_rows),
            "trap_depth_m": rng.uniform(50, 5000, n_rows),
            "water_depth_m": 5500.0,
            "start": start,
            "end": start + pd.to_timedelta(days, "D"),
            "duration_d": days.astype(float),
            "pic_flux": rng.lognormal(0, 1, n_rows),
            "poc_flux": rng.lognormal(2, 1, n_rows),
            "source": "synthetic",
            "qc": np.where(rng.random(n_rows) < 0.05, "long_deployment", ""),
        }
    )
    undated = rng.random(n_rows) < 0.1
    traps.loc[undated, ["start", "end"]] = pd.NaT
    coords = {"month": np.arange(1, 13), "lat": grid.lat, "lon": grid.lon}
    shape = (12, *grid.shape)
    field = rng.lognormal(1, 1, shape).astype(np.float32)
    climatology = xr.Dataset(
        {
            "ez_pic_production_mean": (("month", "lat", "lon"), field),
            "npp_mean": (("month", "lat", "lon"), 30 * field),
        },
        coords=coords,
    )
    annual = climatology.mean("month").rename(
        {"ez_pic_production_mean": "ez_pic_production", "npp_mean": "npp"}
    )
    ids = rng.integers(0, 14, grid.shape).astype(np.int16)
    regions = xr.DataArray(
        ids,
        dims=("lat", "lon"),
        coords={"lat": grid.lat, "lon": grid.lon},
        attrs={
            "flag_values": list(range(1, 14)),
            "flag_meanings": " ".join(f"R{i}" for i in range(1, 14)),
        },
    )
    return traps, climatology, annual, regions


def main(n_rows: int = 100_000, repeats: int = 5) -> dict[str, float | int]:
    """Time :func:`match_traps`; return (and print) the best and median seconds."""
    traps, climatology, annual, regions = synthetic_inputs(n_rows)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = match_traps(traps, climatology, annual=annual, regions=regions)
        timings.append(time.perf_counter() - start)
    result = {
        "benchmark": "match_traps",
        "rows": n_rows,
        "best_s": round(min(timings), 4),
        "median_s": round(float(np.median(timings)), 4),
        "rows_per_s": round(n_rows / min(timings)),
        "matched": int((out["matched_on"] != "none").sum()),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
