"""`picpump ingest` as a user calls it: append, skip, refusals with exit code 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from picpump.cli import main
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly


def test_ingest_appends_then_skips(
    demo_catalog: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "sst.zarr")
    base = ["ingest", demo_catalog, "sst", "--out", out]
    assert main([*base, "--period", "2001-01:2001-06"]) == 0
    assert main([*base, "--period", "2001-01:2002-12"]) == 0
    printed = capsys.readouterr().out
    assert "skipped 2001-01…2001-06 (6 months) already present" in printed
    assert "committed 2001-07…2001-12 (6 months)" in printed
    assert "sst: 6 months skipped, 18 appended" in printed
    ds = xr.open_zarr(out, chunks=None)
    expected = open_monthly(load_catalog(demo_catalog), "sst", Grid(1.0), ("2001-01", "2002-12"))
    np.testing.assert_array_equal(ds.sst.values, expected.values)
    assert ds.sst.attrs["units"] == expected.attrs["units"]
    assert main([*base, "--period", "2001-01:2002-12"]) == 0
    assert "24 months skipped, 0 appended" in capsys.readouterr().out


def test_ingest_refusals_exit_2(
    demo_catalog: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "pic.zarr")
    base = ["ingest", demo_catalog, "pic", "--out", out]
    assert main([*base, "--period", "2001-03:2001-04", "--months-per-write", "6"]) == 0
    assert main([*base, "--period", "2001-07:2001-08"]) == 2
    err = capsys.readouterr().err
    assert "picpump: error: the months of an ingest store are continuous" in err
    assert "--fill-gap" in err
    assert main([*base, "--period", "2001-07:2001-08", "--fill-gap"]) == 0
    assert main([*base, "--period", "2001-01:2001-08"]) == 2
    assert "grows forward in time only" in capsys.readouterr().err
    assert main([*base, "--period", "2001-03:2001-08", "--grid", "0.5"]) == 2
    assert "store's grid" in capsys.readouterr().err
    assert xr.open_zarr(out, chunks=None).sizes["time"] == 6
