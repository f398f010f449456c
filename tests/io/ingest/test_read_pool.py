"""Blocks of months read in worker processes: same values, records and errors as in threads."""

from __future__ import annotations

import os
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest

from picpump.errors import InputError
from picpump.io.api import load_catalog, open_monthly
from picpump.io.catalog.months import resolve_month_urls
from picpump.io.ingest import read_pool
from picpump.io.ingest.read_pool import reading_processes, run_read
from tests.io.fixtures import GRID, field, globcolour_archive

MONTHS = pd.date_range("2001-01", periods=6, freq="MS")


def _pid() -> int:
    return os.getpid()


def test_a_read_runs_in_a_worker_process_only_inside_the_block() -> None:
    here = os.getpid()
    assert run_read(_pid) == here
    with reading_processes(2) as workers:
        assert workers == 2
        assert run_read(_pid) != here
    assert run_read(_pid) == here and not read_pool._POOL


def test_below_two_processes_there_is_no_pool() -> None:
    with reading_processes(1) as workers:
        assert workers == 0
        assert run_read(_pid) == os.getpid()


def test_the_config_key_sets_the_processes() -> None:
    with dask.config.set({"picpump.read-processes": 3}):
        assert read_pool.default_processes() == 3


def test_same_values_and_records_from_worker_processes(tmp_path: Path) -> None:
    cat = load_catalog(globcolour_archive(tmp_path, MONTHS))
    pic = open_monthly(cat, "pic", GRID, months_per_chunk=2)
    in_threads = pic.compute(scheduler="threads")
    with reading_processes(2):
        in_processes = pic.compute(scheduler="threads")
    np.testing.assert_array_equal(in_processes.values, in_threads.values)
    np.testing.assert_array_equal(in_processes.values[0], field(MONTHS[0]))
    for name in in_threads.coords:
        np.testing.assert_array_equal(in_processes[name].values, in_threads[name].values)


def test_a_bad_file_read_in_a_worker_is_the_same_clear_error(tmp_path: Path) -> None:
    cat = load_catalog(globcolour_archive(tmp_path, MONTHS))
    last = resolve_month_urls(cat, "pic")[-1][1]
    Path(last).write_bytes(Path(last).read_bytes()[:500])
    pic = open_monthly(cat, "pic", GRID, months_per_chunk=2)
    with reading_processes(2), pytest.raises(InputError, match=r"(?s)L3m_20010601.*re-download"):
        pic.compute(scheduler="threads")
    assert not read_pool._POOL
