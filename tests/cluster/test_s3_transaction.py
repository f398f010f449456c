"""The run lock and run generations on a real S3 API (moto on loopback, through s3fs)."""

from __future__ import annotations

import fsspec
import pytest

from picpump.io.store.generation import current_folder, current_generation, generation_url
from picpump.io.store.lock import LOCK_NAME, RunLock, RunLockedError, run_lock
from picpump.io.store.transaction import run_transaction
from tests.services import S3Server

pytestmark = pytest.mark.s3


def test_s3_lock_is_exclusive_and_released(s3_server: S3Server) -> None:
    options = s3_server.storage_options()
    out = f"s3://{s3_server.bucket}/txn/lock"
    with run_lock(out, options) as held:
        assert held.read()["token"] == held.record["token"]
        with pytest.raises(RunLockedError, match="one run at a time"):
            RunLock(out, options).acquire()
    fs = fsspec.filesystem("s3", **options)
    assert not fs.exists(f"{s3_server.bucket}/txn/lock/{LOCK_NAME}")


def test_s3_generations_switch_with_one_pointer(s3_server: S3Server) -> None:
    options = s3_server.storage_options()
    out = f"s3://{s3_server.bucket}/txn/run"
    fs = fsspec.filesystem("s3", **options)
    seen = []
    for text in ("one", "two"):
        with run_transaction(out, options) as txn:
            fs.pipe_file(f"{txn.url}/summary.json", text.encode())
            fs.pipe_file(f"{txn.url}/a.zarr/zarr.json", text.encode())
            assert current_generation(out, options) != txn.generation
        seen.append(txn.generation)
        assert current_folder(out, options) == generation_url(out, txn.generation)
        assert fs.cat_file(f"{current_folder(out, options)}/summary.json") == text.encode()
    fs.invalidate_cache()
    assert fs.ls(f"{s3_server.bucket}/txn/run/generations", detail=False) == [
        f"{s3_server.bucket}/txn/run/generations/{seen[-1]}"
    ]
