"""Throttling (503 SlowDown) and 5xx answers of an S3 server are retried: same products."""

from __future__ import annotations

import dask
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.io.store.zarr_store import is_complete, open_product, stage_zarr
from tests.cluster.fault_proxy import FaultProxy
from tests.services import S3Server

pytestmark = pytest.mark.s3


def _product() -> xr.Dataset:
    rng = np.random.default_rng(11)
    data = rng.random((6, 18, 36), dtype=np.float32)
    data[:, :2, :] = np.nan
    coords = {
        "time": pd.date_range("2001-01-01", periods=6, freq="MS"),
        "lat": np.arange(-85.0, 90.0, 10.0),
        "lon": np.arange(-175.0, 180.0, 10.0),
    }
    pic = xr.DataArray(data, coords, ("time", "lat", "lon"), attrs={"units": "mol m-3"})
    return xr.Dataset({"pic": pic}).chunk({"time": 2, "lat": 9, "lon": 18})


def _publish(ds: xr.Dataset, url: str, options: dict) -> None:
    pending = stage_zarr(ds, url, options)
    dask.compute(pending.task, scheduler="threads")
    pending.publish()


def _through(options: dict, endpoint: str) -> dict:
    return {**options, "client_kwargs": {**options["client_kwargs"], "endpoint_url": endpoint}}


def test_faults_are_retried_and_the_product_is_identical(s3_server: S3Server) -> None:
    direct = s3_server.storage_options()
    proxy = FaultProxy(s3_server.endpoint, period=4).start()
    try:
        faulty = _through(direct, proxy.endpoint)
        _publish(_product(), f"s3://{s3_server.bucket}/faults/direct.zarr", direct)
        _publish(_product(), f"s3://{s3_server.bucket}/faults/proxied.zarr", faulty)
        assert is_complete(f"s3://{s3_server.bucket}/faults/proxied.zarr", faulty)
        via_faults = open_product(f"s3://{s3_server.bucket}/faults/proxied.zarr", faulty)
        xr.testing.assert_identical(via_faults.load(), _product().load())
    finally:
        proxy.stop()
    assert proxy.injected[503] > 0 and proxy.injected[500] > 0
    import s3fs

    fs = s3fs.S3FileSystem(skip_instance_cache=True, **direct)
    root = f"{s3_server.bucket}/faults"
    names = sorted(p.removeprefix(f"{root}/direct.zarr") for p in fs.find(f"{root}/direct.zarr"))
    proxied = sorted(
        p.removeprefix(f"{root}/proxied.zarr") for p in fs.find(f"{root}/proxied.zarr")
    )
    assert names == proxied
    for name in names:
        if name.endswith("zarr.json"):
            continue  # metadata holds no chunk bytes; compared through the opened product
        assert fs.cat(f"{root}/direct.zarr{name}") == fs.cat(f"{root}/proxied.zarr{name}")
