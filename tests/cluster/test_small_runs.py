"""A `local` profile computes a small run on threads, unless told otherwise."""

from __future__ import annotations

import dask

from picpump.cluster import load_profile
from picpump.cluster.local import THREADS_BELOW, for_run

SMALL, LARGE = 0.5e9, 8e9


def test_small_run_of_the_local_profile_runs_on_threads() -> None:
    profile = load_profile("local")
    assert for_run(profile, SMALL).kind == "threads"
    assert for_run(profile, SMALL).name == profile.name


def test_large_run_starts_the_local_cluster() -> None:
    profile = load_profile("local")
    assert for_run(profile, LARGE) is profile
    assert for_run(profile, THREADS_BELOW) is profile


def test_options_on_the_command_line_start_the_local_cluster() -> None:
    profile = load_profile("local", {"n_workers": 2})
    assert for_run(profile, SMALL) is profile


def test_the_threshold_is_a_dask_config_key() -> None:
    profile = load_profile("local")
    with dask.config.set({"picpump.local.threads-below": 0}):
        assert for_run(profile, SMALL) is profile
    with dask.config.set({"picpump.local.threads-below": "16GB"}):
        assert for_run(profile, LARGE).kind == "threads"


def test_other_kinds_are_left_alone() -> None:
    profile = load_profile("threads")
    assert for_run(profile, SMALL) is profile
