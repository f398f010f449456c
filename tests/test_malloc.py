"""The malloc thresholds: config, environment of new processes, effect on this process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import dask
import pytest

from picpump import malloc
from picpump.cluster import client_for

GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION") is not None


def test_the_default_thresholds_in_bytes() -> None:
    assert malloc.thresholds() == {"trim-threshold": 512 * 2**20, "mmap-threshold": 64 * 2**20}
    assert malloc.process_environment() == {
        "MALLOC_TRIM_THRESHOLD_": str(512 * 2**20),
        "MALLOC_MMAP_THRESHOLD_": str(64 * 2**20),
    }


def test_the_thresholds_come_from_the_dask_config() -> None:
    with dask.config.set({"picpump.malloc": {"trim-threshold": "1GiB"}}):
        assert malloc.thresholds() == {"trim-threshold": 2**30, "mmap-threshold": 64 * 2**20}
    with dask.config.set({"picpump.malloc": {"trim-threshold": "8GiB"}}):
        assert malloc.thresholds()["trim-threshold"] == malloc.C_INT_MAX
    with dask.config.set({"picpump.malloc": None}):
        assert malloc.thresholds() == {}
        assert malloc.process_environment() == {} and malloc.nanny_config() == {}


def test_the_nanny_config_sets_the_two_variables_and_keeps_the_others() -> None:
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {"OMP_NUM_THREADS": 1}}):
        config = malloc.nanny_config()
    assert config == {
        "distributed.nanny.pre-spawn-environ": {
            "OMP_NUM_THREADS": 1,
            "MALLOC_TRIM_THRESHOLD_": str(512 * 2**20),
            "MALLOC_MMAP_THRESHOLD_": str(64 * 2**20),
        }
    }


MMAPPED_AFTER_A_10MB_ARRAY = textwrap.dedent(
    """
    import ctypes, sys

    import numpy as np

    class Info(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    if sys.argv[1] == "keep":
        from picpump.malloc import keep_freed_memory
        assert keep_freed_memory()
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = Info
    block = np.ones(2_500_000, dtype=np.float32)
    print(libc.mallinfo2().hblkhd)
    """
)


@pytest.mark.skipif(not GLIBC, reason="mallopt and mallinfo2 are glibc's")
@pytest.mark.parametrize("mode", ["keep", "default"])
def test_a_tile_sized_array_comes_from_the_heap_once_the_thresholds_are_set(mode: str) -> None:
    """glibc's default maps a 10 MB block on its own (returned to the kernel when freed)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    done = subprocess.run(
        [sys.executable, "-c", MMAPPED_AFTER_A_10MB_ARRAY, mode],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    mapped = int(done.stdout)
    assert (mapped < 10**7) if mode == "keep" else (mapped >= 10**7)


def test_the_workers_of_a_local_cluster_start_with_the_thresholds() -> None:
    profile = {"kind": "local", "options": {"n_workers": 1, "threads_per_worker": 1}}
    with client_for(profile) as client:
        seen = client.run(lambda: {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")})
    (environment,) = seen.values()
    assert environment["MALLOC_MMAP_THRESHOLD_"] == str(64 * 2**20)
    assert environment["MALLOC_TRIM_THRESHOLD_"] == str(512 * 2**20)


def test_a_small_memory_limit_caps_the_thresholds_at_an_eighth_of_it() -> None:
    """Kept freed memory must not hold a 300 MiB worker paused at its limit."""
    assert malloc.thresholds(300 * 2**20) == {
        "trim-threshold": 300 * 2**20 // 8,
        "mmap-threshold": 300 * 2**20 // 8,
    }
    assert malloc.thresholds(16 * 2**30)["trim-threshold"] == 512 * 2**20


def test_a_local_clusters_memory_limit_reaches_the_workers_environment() -> None:
    from picpump.cluster.local import _memory_limit

    config = malloc.nanny_config(_memory_limit({"memory_limit": "400MiB"}))
    (environment,) = config.values()
    assert environment["MALLOC_TRIM_THRESHOLD_"] == str(50 * 2**20)
    assert _memory_limit({"memory_limit": "auto"}) is None
    assert _memory_limit({"memory_limit": 0.5}) is None
