"""Calendar-month climatology: kernel, dask path, and agreement with CDO."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.science import climatology
from picpump.science.climatology import (
    finalized_moments,
    monthly_climatology,
    monthly_moments,
    np_finalize_moments,
    np_monthly_moments,
)
from tests.conftest import raise_if_dask_computes


def _stack(months: int = 302, shape: tuple[int, int] = (6, 8), seed: int = 1) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    time = pd.date_range("1997-09-01", periods=months, freq="MS")
    seasonal = 10 + 5 * np.sin(2 * np.pi * time.month.values / 12)[:, None, None]
    values = (seasonal + rng.gamma(2.0, 3.0, (months, *shape))).astype("float32")
    values[rng.random(values.shape) < 0.35] = np.nan
    values[:, 0, 0] = np.nan  # a land cell
    values[time.month == 1, 1, 1] = np.nan  # a polar-night month
    values[:, 2, 2] = np.where(time.month == 3, 7.0, values[:, 2, 2])  # constant: std 0
    return xr.DataArray(
        values,
        dims=("time", "lat", "lon"),
        coords={"time": time, "lat": np.arange(shape[0]) - 2.5, "lon": np.arange(shape[1]) + 0.5},
        attrs={"units": "mg m-2 d-1"},
    )


def test_kernel_on_hand_made_values() -> None:
    values = np.array([1.0, 3.0, np.nan, 5.0, 2.0]).reshape(5, 1)
    month = np.array([1, 1, 1, 2, 3])
    mean, std, count = np_finalize_moments(np_monthly_moments(values, month))
    assert mean[0, 0] == 2.0 and std[0, 0] == 1.0 and count[0, 0] == 2
    assert mean[1, 0] == 5.0 and std[1, 0] == 0.0 and count[1, 0] == 1
    assert np.isnan(mean[4, 0]) and np.isnan(std[4, 0]) and count[4, 0] == 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_one_pass_kernel_equals_numpy_kernel(dtype: str) -> None:
    values = _stack(months=30).values.astype(dtype)
    values[3, 4, 5], values[7, 3, 3] = np.inf, -np.inf  # not finite: missing, as in numpy
    month = _stack(months=30)["time"].dt.month.values
    fast = monthly_moments(values, month)
    reference = np_monthly_moments(values, month)
    assert fast.shape == reference.shape == (3, 12, 6, 8)
    np.testing.assert_allclose(fast, reference, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(fast[2], reference[2])


def test_compiled_finalisation_equals_numpy_finalisation() -> None:
    field = _stack(months=40)
    moments = np_monthly_moments(field.values, field["time"].dt.month.values)
    mean, std, count = np_finalize_moments(moments)
    stacked = finalized_moments(moments)
    np.testing.assert_array_equal(stacked[0], mean)  # same float64 operations: same bits
    np.testing.assert_array_equal(stacked[1], std)
    np.testing.assert_array_equal(stacked[2], count)
    assert np.isnan(stacked[0, :, 0, 0]).all() and (stacked[2, :, 0, 0] == 0).all()


def test_one_pass_kernel_on_non_contiguous_input() -> None:
    values = _stack(months=24).values.transpose(0, 2, 1)  # a strided view
    month = _stack(months=24)["time"].dt.month.values
    np.testing.assert_allclose(
        monthly_moments(values, month), np_monthly_moments(values, month), rtol=1e-12
    )


def test_matches_xarray_groupby_population_std() -> None:
    field = _stack()
    clim = monthly_climatology(field)
    grouped = field.groupby("time.month")
    np.testing.assert_allclose(clim["mean"], grouped.mean(), rtol=1e-6)
    np.testing.assert_allclose(clim["std"], grouped.std(ddof=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(clim["count"], grouped.count())


@pytest.mark.parametrize("chunks", [{"time": 12}, {"time": -1, "lat": 3, "lon": 4}, {"time": 50}])
def test_dask_equals_numpy_and_is_lazy(chunks: dict[str, int]) -> None:
    field = _stack()
    expected = monthly_climatology(field)
    with raise_if_dask_computes():
        lazy = monthly_climatology(field.chunk(chunks))
    xr.testing.assert_allclose(lazy.compute(), expected)


@pytest.mark.parametrize(("cells", "blocks"), [(12, (3, 3)), (30, (2, 2)), (10_000, (1, 1))])
def test_grouped_tiles_equal_numpy_in_the_stored_dtype(
    monkeypatch: pytest.MonkeyPatch, cells: int, blocks: tuple[int, int]
) -> None:
    """Result blocks gather several ragged tiles; float32 is float64 rounded once."""
    monkeypatch.setattr(climatology, "OUTPUT_BLOCK_CELLS", cells)
    field = _stack()
    expected = monthly_climatology(field)
    with raise_if_dask_computes():
        lazy = monthly_climatology(field.chunk({"time": -1, "lat": 2, "lon": 3}), dtype="float32")
    assert lazy["mean"].dtype == np.float32 and lazy["std"].dtype == np.float32
    assert lazy["mean"].data.numblocks[1:] == blocks  # 6 × 8 cells in 2 × 3 tiles
    got = lazy.compute()
    for name in ("mean", "std"):
        np.testing.assert_array_equal(got[name].values, expected[name].values.astype("float32"))
    np.testing.assert_array_equal(got["count"].values, expected["count"].values)


def _cdo(op: str, src: Path, dst: Path) -> xr.DataArray:
    subprocess.run(["cdo", "-s", "-O", op, str(src), str(dst)], check=True)
    with xr.open_dataset(dst) as ds:
        return ds["field"].load()


@pytest.mark.cdo
@pytest.mark.skipif(shutil.which("cdo") is None, reason="cdo is not installed")
def test_agrees_with_cdo_ymonmean_ymonstd(tmp_path: Path) -> None:
    field = _stack().rename("field")
    src = tmp_path / "stack.nc"
    field.to_netcdf(src, encoding={"field": {"_FillValue": -1.0e20, "dtype": "float32"}})
    clim = monthly_climatology(field)
    cdo_mean = _cdo("ymonmean", src, tmp_path / "mean.nc")
    cdo_std = _cdo("ymonstd", src, tmp_path / "std.nc")
    order = cdo_mean["time"].dt.month.values - 1  # CDO keeps the first year's months in order
    np.testing.assert_allclose(clim["mean"].values[order], cdo_mean.values, rtol=1e-5)
    np.testing.assert_allclose(clim["std"].values[order], cdo_std.values, rtol=1e-5, atol=1e-5)
