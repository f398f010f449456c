"""The benchmarks' stack synthesiser and the schema of their results (no timing here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr
from benchmarks.report import markdown, summary
from benchmarks.stack import INPUTS, ensure_stores, synth_array, synth_block

from picpump.grid import Grid
from picpump.io.store.zarr_store import open_product

REQUIRED_KEYS = (
    "clim_speedup_vs_cdo_025deg",
    "clim_speedup_vs_xarray_025deg",
    "kernel_mpix_per_s_per_core",
    "peak_rss_gb_by_months",
    "speedup_2_workers",
    "extrapolated_4km_302_months_minutes",
    "clim_speedup_vs_best_xarray_025deg",
    "e2e_mpix_per_s_per_worker_025deg",
    "demo_run_s",
    "demo_build_s",
)


def test_synthetic_values_do_not_depend_on_chunking() -> None:
    grid = Grid(2.0)
    whole = synth_array("sst", 14, grid, (14, 90, 180)).compute()
    pieces = synth_array("sst", 14, grid, (5, 17, 31)).compute()
    np.testing.assert_array_equal(whole, pieces)
    band = synth_block("sst", np.arange(3, 7), np.arange(40, 50), np.arange(180), grid)
    np.testing.assert_array_equal(band, whole[3:7, 40:50])


def test_synthetic_inputs_are_plausible_with_about_40_percent_missing() -> None:
    grid = Grid(1.0)
    t, i, j = np.arange(24), np.arange(180), np.arange(360)
    fields = {n: synth_block(n, t, i, j, grid) for n in (*INPUTS, "ez_pic_production")}
    missing = np.isnan(fields["sst"])
    assert 0.33 < missing.mean() < 0.47
    for name, values in fields.items():
        np.testing.assert_array_equal(np.isnan(values), missing, err_msg=name)
    assert -5 < np.nanmin(fields["sst"]) and np.nanmax(fields["sst"]) < 35
    assert np.nanmin(fields["pic"]) > 0 and np.nanmin(fields["kd490"]) > 0
    assert np.nanmin(fields["par"]) > 0 and np.nanmin(fields["ez_pic_production"]) >= 0
    assert not np.array_equal(fields["pic"][0], synth_block("pic", t, i, j, grid, seed=1)[0])


def test_stores_have_the_product_layout_and_the_same_values(tmp_path: Path) -> None:
    grid = Grid(2.0)
    paths = ensure_stores(tmp_path, 3, grid, netcdf=True)
    inputs = open_product(str(paths["inputs"]))
    assert set(INPUTS) <= set(inputs.data_vars)
    assert inputs["pic"].data.chunksize == (3, 90, 90)
    assert inputs["pic"].attrs["units"] == "mol m-3"
    zarr_values = open_product(str(paths["production"]))["ez_pic_production"].values
    with xr.open_dataset(paths["production_nc"]) as ds:
        np.testing.assert_array_equal(ds["ez_pic_production"].values, zarr_values)
    assert ensure_stores(tmp_path, 3, grid, netcdf=True) == paths  # reused, not rewritten


def test_summary_has_the_issue_keys_and_the_table_renders() -> None:
    sections = {
        "climatology": {
            "shape": [302, 720, 1440],
            "picpump_s": 1.5,
            "cdo_s": 9.0,
            "xarray_s": 24.0,
            "speedup_vs_cdo": 6.0,
            "speedup_vs_xarray": 16.0,
            "xarray_flox_s": 12.0,
            "xarray_flox_range_s": [11.0, 14.0],
            "speedup_vs_best_xarray": 8.0,
            "agreement_with_cdo": {
                "mean": {"max_abs_diff_relative": 0.0},
                "std": {"max_abs_diff_relative": 2e-6},
                "within_1e-5": True,
            },
        },
        "memory": {"peak_rss_gb_by_months": {"24": 0.5, "96": 0.55, "302": 0.6}},
        "kernel": {"error": "RuntimeError: boom"},
        "workers": {"e2e_mpix_per_s_per_worker": 21.5},
        "demo": {"demo_run_s": 18.0, "demo_build_s": 31.0},
    }
    report = summary(sections)
    assert set(REQUIRED_KEYS) <= set(report)
    assert report["clim_speedup_vs_cdo_025deg"] == 6.0
    assert report["kernel_mpix_per_s_per_core"] is None
    assert report["clim_max_rel_diff_vs_cdo"] == 2e-6
    assert report["targets_met"]["clim_speedup_vs_best_xarray_025deg"] is True
    assert report["targets_met"]["e2e_mpix_per_s_per_worker_025deg"] is False
    assert report["targets_met"]["demo_run_s"] is True
    assert report["targets_met"]["demo_build_s"] is False
    machine = {"cpus": 2, "ram_gb": 24.0, "load_average_1min": 0.1}
    table = markdown(
        {**report, "sections": sections, "machine": machine, "date": "d"} | {"quick": False}
    )
    assert "| Climatology 302×720×1440, files → files | 1.5 s, — |" in table
    assert "failed: kernel: RuntimeError: boom" in table
    assert "xarray + flox + dask (same Zarr) 12 s (11–14)" in table
    assert "| 21.5 Mpix/s |" in table and "18 s / 31 s" in table
