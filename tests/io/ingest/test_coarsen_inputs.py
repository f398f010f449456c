"""Archives on a finer grid, averaged onto the pipeline grid at read (``coarsen``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.errors import GridError
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.science.regrid import coarsen_conservative
from tests.conftest import REPO, raise_if_dask_computes
from tests.io.real_layouts import smooth, write_globcolour

COARSE, FINE = Grid(1.0), Grid(0.25)
MONTHS = ("2002-05", "2002-06")


def _fine_archive(root: Path) -> list[np.ndarray]:
    fields = []
    for month in MONTHS:
        values = smooth(FINE, month, 1e-4)
        values[:160, :] = np.nan  # a polar-night band, south of 50°S
        values[400, 600] = -999.0  # a fill value inside the ocean
        write_globcolour(root, month, "PIC", values, FINE, res="25")
        fields.append(values)
    return fields


def _open(root: Path, coarsen: bool) -> xr.DataArray:
    catalog = load_catalog(REPO / "catalogs" / "globcolour.yaml")
    return open_monthly(
        catalog, "pic", COARSE, MONTHS, base_url=str(root), res="25", coarsen=coarsen
    )


def test_finer_files_are_averaged_conservatively(tmp_path: Path) -> None:
    fields = _fine_archive(tmp_path)
    with raise_if_dask_computes():
        pic = _open(tmp_path, coarsen=True)
    assert pic.shape == (2, *COARSE.shape) and "regridding" in pic.attrs
    fine = xr.DataArray(
        np.where(np.asarray(fields) > 0, np.asarray(fields), np.nan),
        dims=("time", "lat", "lon"),
        coords={"time": pd.to_datetime(MONTHS), "lat": FINE.lat, "lon": FINE.lon},
    )
    expected = coarsen_conservative(fine, target=COARSE)
    np.testing.assert_allclose(pic.values, expected.values, rtol=1e-6, equal_nan=True)
    assert np.isnan(pic.values[0, :40]).all()  # the polar-night band stays missing
    assert not np.isnan(pic.values[0, 60]).any()


def test_finer_files_without_coarsen_are_refused_with_the_fix(tmp_path: Path) -> None:
    _fine_archive(tmp_path)
    with pytest.raises(GridError, match="coarsen_inputs: true"):
        _open(tmp_path, coarsen=False).compute()
