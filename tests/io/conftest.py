"""The io tests compute with dask's synchronous scheduler.

A compute that fails part-way under the threaded scheduler leaves its other read tasks running
in the pool; the next test's fixture writers would then call HDF5 beside them, and HDF5 is not
thread-safe. Running these tests synchronously leaves no task behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import dask
import pytest


@pytest.fixture(autouse=True)
def _synchronous_dask() -> Iterator[None]:
    with dask.config.set(scheduler="synchronous"):
        yield
