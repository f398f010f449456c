"""Throttling (503 SlowDown) and 5xx answers of an S3 server are retried: same products."""

from __future__ import annotations

from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest
import s3fs
import xarray as xr

from picpump.io.store.zarr_store import is_complete, open_product, stage_zarr
from tests.cluster.fault_proxy import FaultProxy
from tests.pipeline.conftest import demo_catalog, demo_root, spec_path  # noqa: F401 (fixtures)
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


def _cli_run(spec: str, catalog: str, out: str) -> dict[str, str]:
    from picpump.cli import main
    from picpump.io.products import read_run_summary

    args = ["run", spec, "--catalog", catalog, "--out", out, "--no-progress"]
    assert main([*args, "--cluster", "threads"]) == 0
    products: dict[str, str] = read_run_summary(out)["products"]
    return products


@pytest.mark.integration
def test_a_run_through_faults_writes_the_same_products(
    s3_server: S3Server,
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from picpump.io.store.table_files import read_table

    local = _cli_run(spec_path, demo_catalog, str(tmp_path / "local"))
    proxy = FaultProxy(s3_server.endpoint, period=5).start()
    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        # an S3 filesystem cached by an earlier test would bypass the proxy's endpoint
        s3fs.S3FileSystem.clear_instance_cache()
        remote = _cli_run(spec_path, demo_catalog, f"s3://{s3_server.bucket}/faults/run")
    finally:
        proxy.stop()
    assert proxy.injected[503] > 0 and proxy.injected[500] > 0
    options = s3_server.storage_options()
    assert set(remote) == set(local)
    for name, url in local.items():
        if url.endswith(".parquet"):
            pd.testing.assert_frame_equal(read_table(remote[name], options)[0], read_table(url)[0])
            continue
        want = open_product(url).load()
        got = open_product(remote[name], options).load()
        for var in want.variables:
            np.testing.assert_array_equal(got[var].values, want[var].values, err_msg=name)
