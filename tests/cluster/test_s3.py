"""Products on a real S3 API (moto on loopback, credentials checked) through s3fs."""

from __future__ import annotations

import time

import dask
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.cluster import Profile, check, load_profile
from picpump.errors import ClusterError, PicpumpError
from picpump.io.store.zarr_store import is_complete, open_product, stage_zarr
from tests.services import S3Server

pytestmark = pytest.mark.s3


def _product(scale: float = 1.0) -> xr.Dataset:
    rng = np.random.default_rng(7)
    data = rng.random((4, 18, 36), dtype=np.float32) * scale
    data[:, :3, :] = np.nan
    coords = {
        "time": pd.date_range("2001-01-01", periods=4, freq="MS"),
        "lat": np.arange(-85.0, 90.0, 10.0),
        "lon": np.arange(-175.0, 180.0, 10.0),
    }
    pic = xr.DataArray(data, coords, ("time", "lat", "lon"), attrs={"units": "mol m-3"})
    return xr.Dataset({"pic": pic}).chunk({"time": 2, "lat": 9, "lon": 18})


def _publish(ds: xr.Dataset, url: str, storage_options: dict) -> None:
    pending = stage_zarr(ds, url, storage_options)
    dask.compute(pending.task)
    pending.publish()


def test_s3_zarr_product_published_and_read_back(s3_server: S3Server) -> None:
    url = f"s3://{s3_server.bucket}/runs/a/monthly.zarr"
    options = s3_server.storage_options()
    first = _product()
    _publish(first, url, options)
    assert is_complete(url, options)
    back = open_product(url, options)
    xr.testing.assert_identical(back.pic.load(), first.pic.load())
    assert back.pic.encoding["chunks"] == (2, 9, 18)

    _publish(_product(scale=2.0), url, options)  # a re-run replaces the product
    again = open_product(url, options).pic.load()
    np.testing.assert_allclose(again.values, 2.0 * first.pic.values, rtol=1e-6)
    import s3fs

    fs = s3fs.S3FileSystem(**options)
    assert fs.ls(f"{s3_server.bucket}/runs/a") == [f"{s3_server.bucket}/runs/a/monthly.zarr"]


def test_s3_wrong_credentials_are_a_clear_error_fast(s3_server: S3Server) -> None:
    bad = s3_server.storage_options(key="AKIAWRONGWRONGWRONG", secret="not-the-secret")
    url = f"s3://{s3_server.bucket}/runs/bad"
    started = time.monotonic()
    with pytest.raises(ClusterError, match="(?s)allowed to write.*credentials"):
        check(load_profile("threads"), storage=url, storage_options=bad)
    with pytest.raises((PermissionError, PicpumpError)):
        open_product(f"{url}/monthly.zarr", bad)
    assert time.monotonic() - started < 60


def test_s3_missing_bucket_is_a_clear_error(s3_server: S3Server) -> None:
    with pytest.raises(ClusterError, match="must exist"):
        check(
            load_profile("threads"),
            storage="s3://no-such-bucket/runs",
            storage_options=s3_server.storage_options(),
        )


def test_s3_storage_check_runs_on_slurm_workers(
    s3_server: S3Server, slurm_profile: Profile
) -> None:
    url = f"s3://{s3_server.bucket}/runs/from-slurm"
    report = check(slurm_profile, storage=url, storage_options=s3_server.storage_options())
    assert "wrote, read back and deleted" in report and url in report
