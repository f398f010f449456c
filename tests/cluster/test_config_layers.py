"""Cluster options in layers: command line > profile > dask config > picpump defaults."""

from __future__ import annotations

from pathlib import Path

import dask.config
import pytest

from picpump.cluster import check_profile, describe, load_profile, origin_report
from tests.cluster.conftest import repo_profile
from tests.conftest import REPO

JOBQUEUE = """
jobqueue:
  slurm:
    queue: compute
    account: ocean-42
    cores: 8
    processes: 2
    memory: 32GiB
    interface: lo
    job-extra-directives: ["--qos=short", "--constraint=haswell"]
"""


@pytest.fixture
def site_jobqueue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "jobqueue.yaml").write_text(JOBQUEUE)
    monkeypatch.setenv("DASK_CONFIG", str(tmp_path))
    return tmp_path


def test_a_site_jobqueue_yaml_changes_the_slurm_script(site_jobqueue: Path) -> None:
    script = describe(repo_profile("slurm"))
    for line in (
        "#SBATCH -p compute",
        "#SBATCH -A ocean-42",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=32G",
        "#SBATCH --qos=short",
        "#SBATCH --constraint=haswell",
        "--interface lo",
        "--nworkers 2",
    ):
        assert line in script, line
    assert "-p debug" not in script


def test_without_site_config_the_slurm_script_keeps_the_picpump_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASK_CONFIG", str(tmp_path))
    script = describe(repo_profile("slurm"))
    assert "#SBATCH --cpus-per-task=1\n" in script
    assert "#SBATCH -p" not in script and "--interface" not in script


def test_command_line_and_profile_win_over_dask_config(
    site_jobqueue: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("profiles")
    (folder / "mine.yaml").write_text("kind: slurm\noptions: {queue: long, cores: 4}\n")
    profile = load_profile(str(folder / "mine.yaml"), {"cores": 2})
    script = describe(profile)
    assert "#SBATCH -p long" in script and "#SBATCH --cpus-per-task=2" in script
    assert "#SBATCH -A ocean-42" in script  # not set above: dask config
    assert profile.origins["cores"] == "command line"
    assert profile.origins["queue"] == f"profile {folder / 'mine.yaml'}"
    assert profile.origins["account"] == "dask config"
    assert profile.origins["walltime"] == "picpump default"


def test_dask_config_set_in_the_process_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DASK_CONFIG", str(tmp_path))
    with dask.config.set({"jobqueue.slurm.walltime": "02:30:00"}):
        assert "#SBATCH -t 02:30:00" in describe(check_profile({"kind": "slurm"}))


def test_dask_gateway_address_variable_sets_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASK_GATEWAY__ADDRESS", "https://hub.example.org/services/dask-gateway")
    monkeypatch.setenv("DASK_GATEWAY__AUTH__TYPE", "jupyterhub")
    profile = repo_profile("gateway")
    assert profile.options["address"] == "https://hub.example.org/services/dask-gateway"
    assert profile.options["proxy_address"] is None  # derived from the hub's address
    assert profile.options["auth"] == {"type": "jupyterhub"}
    assert profile.origins["address"] == "dask config"
    overridden = repo_profile("gateway", address="http://10.0.0.1:8000")
    assert overridden.options["address"] == "http://10.0.0.1:8000"
    assert overridden.origins["address"] == "command line"


def test_the_gateway_defaults_fit_the_dev_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASK_CONFIG", str(tmp_path))
    monkeypatch.delenv("DASK_GATEWAY__ADDRESS", raising=False)
    options = repo_profile("gateway").options
    assert options["address"] == "http://127.0.0.1:8000"
    assert options["proxy_address"] == "gateway://127.0.0.1:8001"
    assert options["auth"]["password_env"] == "PICPUMP_GATEWAY_PASSWORD"


def test_the_existing_scheduler_address_comes_from_dask_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://10.1.2.3:8786")
    assert repo_profile("existing").options["address"] == "tcp://10.1.2.3:8786"


def test_describe_reports_each_value_and_its_origin(site_jobqueue: Path) -> None:
    report = origin_report(repo_profile("slurm", queue="gpu"))
    lines = {line.split()[1]: line for line in report.splitlines()[1:]}
    assert lines["queue"].endswith("[command line]")
    assert lines["account"].endswith("[dask config]")
    assert lines["environment.OMP_NUM_THREADS"].endswith(
        f"[profile {REPO / 'cluster' / 'slurm.yaml'}]"
    )
    assert lines["walltime"].endswith("[picpump default]")
    assert lines["workers.scale"].endswith("[profile " + str(REPO / "cluster" / "slurm.yaml") + "]")
