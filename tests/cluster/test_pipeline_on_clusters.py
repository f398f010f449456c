"""The paper's pipeline on a short demo archive, on SLURM and on dask-gateway, vs. a local run."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from picpump.cli import main
from picpump.io.products import read_run_summary
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import open_product
from tests.conftest import REPO
from tests.pipeline.conftest import demo_catalog, demo_root, spec_path  # noqa: F401 (fixtures)
from tests.services import GatewayServer, S3Server, Slurm, squeue, wait_queue_empty

pytestmark = pytest.mark.integration


def _run(spec: str, catalog: str, out: Path | str, profile: str, *options: str) -> dict[str, str]:
    args = ["run", spec, "--catalog", catalog, "--out", str(out), "--no-progress"]
    args += ["--cluster", str(REPO / "cluster" / f"{profile}.yaml")]
    for option in options:
        args += ["--cluster-opt", option]
    assert main(args) == 0
    summary = read_run_summary(str(out))
    assert summary["run"]["cluster"] == str(REPO / "cluster" / f"{profile}.yaml")
    products: dict[str, str] = summary["products"]
    return products


def _s3_credentials_in_environment(monkeypatch: pytest.MonkeyPatch, server: S3Server) -> None:
    """Give the S3 server's credentials the way users do: through the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret)
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def _assert_same_products(
    got: dict[str, str], want: dict[str, str], storage_options: dict | None = None
) -> None:
    assert set(got) == set(want)
    for name, url in want.items():
        if url.endswith(".parquet"):  # table products
            table, _ = read_table(got[name], storage_options)
            pd.testing.assert_frame_equal(table, read_table(url)[0], rtol=1e-6)
            continue
        expected = open_product(url).load()
        actual = open_product(got[name], storage_options).load()
        assert set(actual.data_vars) == set(expected.data_vars), name
        for var in expected.data_vars:
            a, e = actual[var], expected[var]
            assert a.dims == e.dims and a.shape == e.shape, f"{name}.{var}"
            for dim in e.dims:
                np.testing.assert_array_equal(a[dim].values, e[dim].values)
            if np.issubdtype(e.dtype, np.number):
                assert np.isfinite(e.values).any(), f"{name}.{var} is empty"
                np.testing.assert_allclose(a.values, e.values, rtol=1e-6, atol=0, equal_nan=True)
            else:
                np.testing.assert_array_equal(a.values, e.values)


@pytest.fixture(scope="module")
def local_run(
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    out = tmp_path_factory.mktemp("local") / "out"
    return _run(spec_path, demo_catalog, out, "local", "n_workers=2")


@pytest.mark.slurm
def test_slurm_pipeline_run_matches_a_local_run(
    slurm: Slurm,
    local_run: dict[str, str],
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    products = _run(spec_path, demo_catalog, tmp_path / "out", "slurm", "workers.scale=2")
    _assert_same_products(products, local_run)
    assert wait_queue_empty() == {}


@pytest.mark.gateway
def test_gateway_pipeline_run_matches_a_local_run(
    gateway_server: GatewayServer,
    local_run: dict[str, str],
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PICPUMP_GATEWAY_PASSWORD", gateway_server.password)
    products = _run(
        spec_path,
        demo_catalog,
        tmp_path / "out",
        "gateway",
        f"address={gateway_server.address}",
        f"proxy_address={gateway_server.proxy_address}",
        "workers.scale=2",
        "cluster_options.worker_memory=1.5",
    )
    _assert_same_products(products, local_run)


@pytest.mark.slurm
@pytest.mark.s3
def test_slurm_pipeline_run_writes_its_products_to_s3(
    slurm: Slurm,
    s3_server: S3Server,
    local_run: dict[str, str],
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers are SLURM jobs; they get the S3 credentials from the environment, as users do."""
    _s3_credentials_in_environment(monkeypatch, s3_server)
    out = f"s3://{s3_server.bucket}/pipeline/slurm"
    products = _run(spec_path, demo_catalog, out, "slurm", "workers.scale=2")
    assert all(url.startswith(out) for url in products.values())
    _assert_same_products(products, local_run, s3_server.storage_options())
    assert wait_queue_empty() == {}


@pytest.mark.s3
def test_s3_inputs_and_products_match_a_local_run(
    s3_server: S3Server,
    local_run: dict[str, str],
    spec_path: str,  # noqa: F811
    demo_root: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The archive and its catalog in a bucket, the products into the bucket: same numbers."""
    import fsspec

    _s3_credentials_in_environment(monkeypatch, s3_server)
    fs = fsspec.filesystem("s3", **s3_server.storage_options())
    root = f"{s3_server.bucket}/archive"
    fs.put(str(demo_root / "catalogs"), f"{root}/catalogs", recursive=True)
    fs.put(str(demo_root / "data"), f"{root}/data", recursive=True)
    out = f"s3://{s3_server.bucket}/pipeline/from-s3"
    products = _run(spec_path, f"s3://{root}/catalogs/demo.yaml", out, "local", "n_workers=2")
    assert all(url.startswith(out) for url in products.values())
    _assert_same_products(products, local_run, s3_server.storage_options())


@pytest.mark.slurm
def test_slurm_pipeline_survives_a_killed_worker_job(
    slurm: Slurm,
    local_run: dict[str, str],
    spec_path: str,  # noqa: F811
    demo_catalog: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """scancel one worker job while a product is being written: same products as locally."""
    import threading

    import dask_jobqueue  # noqa: F401  (sets a signal handler on import: main thread only)

    out = tmp_path / "out"
    result: dict[str, dict[str, str]] = {}
    runner = threading.Thread(
        target=lambda: result.update(
            products=_run(spec_path, demo_catalog, out, "slurm", "workers.scale=2")
        )
    )
    runner.start()
    deadline = time.monotonic() + 120
    running: list[str] = []
    while time.monotonic() < deadline and runner.is_alive():
        # a product being written, and both worker jobs running (the second may start later)
        if out.is_dir() and any(out.glob("generations/*/*.partial-*")):
            running = [job for job, state in squeue().items() if state == "RUNNING"]
            if len(running) == 2:
                break
        time.sleep(0.02)
    assert runner.is_alive() and len(running) == 2, "the run must still be going"
    subprocess.run(["scancel", running[0]], check=True)
    runner.join(timeout=300)
    assert not runner.is_alive()
    _assert_same_products(result["products"], local_run)
    assert wait_queue_empty() == {}
