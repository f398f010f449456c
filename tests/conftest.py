"""Shared fixtures: laziness guard, the real data folder, small demo archives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
import pytest

REPO = Path(__file__).resolve().parents[1]


class CountingScheduler:
    """A dask scheduler that counts computes and fails past a limit (after flox)."""

    def __init__(self, max_computes: int = 0) -> None:
        self.total_computes = 0
        self.max_computes = max_computes

    def __call__(self, dsk, keys, **kwargs):  # type: ignore[no-untyped-def]
        self.total_computes += 1
        if self.total_computes > self.max_computes:
            raise RuntimeError(
                f"Too many dask computations were scheduled: {self.total_computes} "
                f"(allowed: {self.max_computes})"
            )
        return dask.get(dsk, keys, **kwargs)


@contextmanager
def raise_if_dask_computes(max_computes: int = 0) -> Iterator[CountingScheduler]:
    """Fail if the block triggers more than ``max_computes`` dask computes."""
    scheduler = CountingScheduler(max_computes)
    with dask.config.set(scheduler=scheduler):
        yield scheduler


def _shared_data_dir() -> Path | None:
    env = os.environ.get("PICPUMP_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real data files; the test is skipped when it is absent."""
    path = _shared_data_dir()
    if path is None:
        pytest.skip("real data folder ../shared/data not present (set PICPUMP_SHARED_DATA)")
    return path
