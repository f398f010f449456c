"""Small tasks :func:`picpump.cluster.check` runs on a worker."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from picpump.errors import ClusterError, explain


def worker_facts() -> dict[str, Any]:
    """Host, process and versions of the worker that runs this task.

    Importing this function on a worker also proves that picpump is installed there.
    """
    import dask

    import picpump

    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "python": sys.version.split()[0],
        "dask": dask.__version__,
        "picpump": picpump.__version__,
    }


def storage_roundtrip(url: str, storage_options: Mapping[str, Any] | None = None) -> int:
    """Write, read back and delete a small object under ``url``; return its size.

    Parameters
    ----------
    url : str
        A folder URL (``s3://bucket/prefix``, a path …) where products will be written.
    storage_options : mapping, optional
        fsspec options (endpoint, credentials).

    Returns
    -------
    int
        Bytes written and read back.
    """
    import fsspec

    from picpump.io.store.zarr_store import join

    probe = join(url, f".picpump-probe-{uuid.uuid4().hex[:8]}")
    payload = f"picpump storage probe from {socket.gethostname()}\n"
    fs, path = fsspec.core.url_to_fs(probe, **dict(storage_options or {}))
    if "file" in fs.protocol or "local" in fs.protocol:
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)  # object stores: no folders, no buckets
    fs.pipe_file(path, payload.encode())
    try:
        back = fs.cat_file(path).decode()
    finally:
        fs.rm(path)
    if back != payload:
        raise OSError(f"read back {back!r}, wrote {payload!r}")
    return len(payload)


def storage_error(url: str, err: BaseException) -> ClusterError:
    """Turn a storage failure on a worker into a :class:`ClusterError` with the fix."""
    if isinstance(err, PermissionError):
        rule = f"the workers must be allowed to write to {url}"
        fix = (
            "check the credentials the workers see (storage_options key/secret, "
            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile's environment)"
        )
    elif isinstance(err, FileNotFoundError):
        rule = f"the bucket or folder of {url} must exist"
        fix = "create it, or fix the URL"
    elif isinstance(err, TimeoutError):
        rule = f"the storage of {url} must answer the workers"
        fix = "check the endpoint_url and that the nodes can reach it"
    else:
        rule = f"the workers must be able to write to {url}"
        fix = "check the URL, the endpoint and the credentials"
    return ClusterError(explain(rule, f"{type(err).__name__}: {err}", fix))


__all__ = ["storage_error", "storage_roundtrip", "worker_facts"]
