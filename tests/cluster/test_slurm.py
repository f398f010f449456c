"""A real SLURM cluster (one node, on this machine): workers are sbatch jobs."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import dask.array as da
import numpy as np
import pytest

from picpump.cluster import Profile, check, client_for, describe
from picpump.cluster.slurm import job_ids
from picpump.errors import ClusterError
from tests.cluster.conftest import repo_profile
from tests.services import Slurm, squeue, wait_queue_empty

pytestmark = pytest.mark.slurm


def _slow_identity(block: np.ndarray) -> np.ndarray:
    time.sleep(0.3)
    return block


def test_slurm_workers_are_sbatch_jobs_and_compute(slurm_profile: Profile) -> None:
    with client_for(slurm_profile) as client:
        ids = job_ids(client)
        assert len(ids) == 2
        queued = squeue(ids)
        assert set(queued.values()) == {"RUNNING"}, queued
        names = subprocess.run(
            ["squeue", "-h", "-j", ",".join(ids), "-o", "%j"], capture_output=True, text=True
        ).stdout.split()
        assert names == ["picpump-worker", "picpump-worker"]
        x = da.arange(1_000_000, chunks=100_000, dtype="f8")
        assert float((x**2).sum().compute()) == pytest.approx(np.sum(np.arange(1e6) ** 2))
        hosts = client.run(lambda: os.environ.get("SLURM_JOB_ID"))
        assert sorted(hosts.values()) == sorted(ids)
    assert wait_queue_empty(ids) == {}


def test_slurm_a_killed_worker_job_does_not_lose_the_computation(slurm_profile: Profile) -> None:
    with client_for(slurm_profile) as client:
        ids = job_ids(client)
        x = da.arange(12, chunks=1).map_blocks(_slow_identity, dtype=int)
        future = client.compute(x.sum())
        time.sleep(1.0)
        assert not future.done()
        subprocess.run(["scancel", ids[0]], check=True)
        assert future.result(timeout=120) == sum(range(12))
        assert squeue([ids[0]]).get(ids[0]) != "RUNNING"
        deadline = time.monotonic() + 20
        while len(client.scheduler_info()["workers"]) > 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(client.scheduler_info()["workers"]) == 1  # the scheduler saw the loss
    assert wait_queue_empty(ids) == {}


def test_slurm_jobs_are_cancelled_on_keyboard_interrupt(slurm_profile: Profile) -> None:
    ids: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        with client_for(slurm_profile) as client:
            ids = job_ids(client)
            assert len(squeue(ids)) == 2
            raise KeyboardInterrupt
    assert wait_queue_empty(ids) == {}


def test_slurm_jobs_are_cancelled_when_the_run_fails(slurm_profile: Profile) -> None:
    ids: list[str] = []
    with pytest.raises(ZeroDivisionError):
        with client_for(slurm_profile) as client:
            ids = job_ids(client)
            client.submit(lambda: 1 / 0).result()
    assert ids and wait_queue_empty(ids) == {}


def test_slurm_a_partition_that_does_not_exist_is_a_clear_error_fast(slurm: Slurm) -> None:
    before = squeue()
    started = time.monotonic()
    with pytest.raises(ClusterError, match="(?s)sbatch --test-only.*invalid partition"):
        with client_for(repo_profile("slurm", queue="no-such-partition")):
            pass
    assert time.monotonic() - started < 60
    assert squeue() == before


def test_slurm_workers_that_cannot_start_time_out_clearly(slurm: Slurm, tmp_path: Path) -> None:
    profile = repo_profile(
        "slurm",
        python=str(tmp_path / "no-python-here"),
        log_directory=str(tmp_path),
        **{"workers.scale": 1, "workers.timeout": 120},
    )
    started = time.monotonic()
    with pytest.raises(ClusterError, match=r"(?s)job ended before its worker joined.*jobs \d+"):
        with client_for(profile):
            pass
    assert time.monotonic() - started < 30
    assert wait_queue_empty() == {}


def test_slurm_workers_that_do_not_join_in_time_are_a_clear_error(slurm: Slurm) -> None:
    profile = repo_profile(
        "slurm", cores=2, **{"workers.scale": 2, "workers.wait": 2, "workers.timeout": 3}
    )  # one job fits the 2-CPU node, the other pends
    with pytest.raises(ClusterError, match=r"(?s)must join the scheduler within 3 s.*PENDING"):
        with client_for(profile):
            pass
    assert wait_queue_empty() == {}


def test_slurm_values_reach_sbatch_and_the_job_intact(slurm: Slurm, tmp_path: Path) -> None:
    hostile = 'it\'s "odd" $(touch pwned) `touch pwned`; #not a comment \\ end'
    profile = repo_profile(
        "slurm",
        job_extra_directives=[f"--comment={hostile}"],
        environment={"PICPUMP_NOTE": hostile},
        local_directory=str(tmp_path / "scratch dir"),
        **{"workers.scale": 1},
    )
    with client_for(profile) as client:
        (job,) = job_ids(client)
        shown = subprocess.run(
            ["scontrol", "show", "job", job], capture_output=True, text=True
        ).stdout
        assert re.search(r"Comment=(.*)", shown).group(1).strip() == hostile  # type: ignore[union-attr]
        (note,) = client.run(lambda: os.environ["PICPUMP_NOTE"]).values()
        assert note == hostile
        (local,) = client.run(lambda dask_worker: dask_worker.local_directory).values()
        assert local.startswith(str(tmp_path / "scratch dir"))
    assert not any(Path(p).exists() for p in ("pwned", tmp_path / "pwned"))
    assert wait_queue_empty([job]) == {}


def test_slurm_describe_is_the_script_that_is_submitted(slurm_profile: Profile) -> None:
    described = describe(slurm_profile)
    with client_for(slurm_profile) as client:
        submitted = client.cluster.job_script()
        address = client.scheduler.address
    assert submitted == described.replace("tcp://<insert-scheduler-address-here>:8786", address)


def test_slurm_check_starts_one_worker_and_stops(slurm_profile: Profile) -> None:
    report = check(slurm_profile)
    assert "first worker ready after" in report
    assert "picpump 0.1.0" in report and "summed correctly" in report
    assert wait_queue_empty() == {}


def test_slurm_dev_cluster_script_never_replaces_a_foreign_config(
    slurm: Slurm, tmp_path: Path
) -> None:
    foreign = tmp_path / "slurm.conf"
    foreign.write_text("ClusterName=production\n")
    done = subprocess.run(
        ["bash", str(slurm.script), "start"],
        env={**os.environ, "SLURM_CONF": str(foreign)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "refusing to replace it" in done.stderr
    assert foreign.read_text() == "ClusterName=production\n"
