"""Profiles: finding, overriding and refusing them, with no service running."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import yaml

from picpump.cluster import BUILTIN, Profile, check_profile, client_for, describe, load_profile
from picpump.errors import ClusterError
from picpump.resources import ROOT as RESOURCES
from tests.cluster.conftest import repo_profile
from tests.conftest import REPO
from tests.services import free_port


@pytest.mark.parametrize("name", ["local", "slurm", "gateway", "existing"])
def test_every_shipped_profile_loads(name: str) -> None:
    profile = repo_profile(name)
    assert profile.kind == name
    assert profile.source.endswith(f"{name}.yaml")


def test_shipped_profiles_document_every_key() -> None:
    for path in sorted((REPO / "cluster").glob("*.yaml")):
        for line in path.read_text().splitlines():
            nested = line.startswith(" ") and not line.lstrip().startswith("#")
            if nested and ":" in line:
                key, _, value = line.partition(":")
                if value.strip() and not value.strip().startswith("#"):
                    assert "#" in value, f"{path.name}: undocumented key {key.strip()!r}"


def test_builtin_names_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_profile("threads").kind == "threads"
    assert load_profile("threads").source == "built-in"
    assert check_profile(BUILTIN["local"]).options == BUILTIN["local"]["options"]


def test_shipped_profiles_are_found_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("local", "slurm", "gateway", "existing"):
        assert load_profile(name).source == str(RESOURCES / "cluster" / f"{name}.yaml")


def test_a_profile_is_found_in_picpump_cluster_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.yaml").write_text("kind: existing\noptions: {address: tcp://h:1}\n")
    monkeypatch.setenv("PICPUMP_CLUSTER_DIR", str(tmp_path))
    assert load_profile("mine").options["address"] == "tcp://h:1"


def test_a_wrong_profile_name_is_a_clear_error() -> None:
    with pytest.raises(ClusterError, match="no such file, no cluster/nope.yaml") as err:
        load_profile("nope")
    assert "fix:" in str(err.value)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"kind": "kubernetes"}, "'kind' must be one of"),
        ({"kind": "local", "colour": 1}, r"unknown key\(s\) \['colour'\]"),
        ({"kind": "slurm", "options": {"queues": "x"}}, r"unknown key\(s\) \['queues'\]"),
        ({"kind": "slurm", "options": {"cores": 0}}, "an integer >= 1"),
        ({"kind": "slurm", "options": {"cores": 2, "processes": 3}}, "at most cores"),
        ({"kind": "slurm", "options": {"memory": "lots"}}, "a memory size"),
        ({"kind": "slurm", "options": {"walltime": "1 hour"}}, "walltime must be made of"),
        ({"kind": "slurm", "options": {"queue": "debug; rm"}}, "queue must be made of"),
        ({"kind": "slurm", "options": {"log_directory": "/a b"}}, "log_directory must be made"),
        ({"kind": "slurm", "options": {"environment": {"1X": "a"}}}, "environment name"),
        ({"kind": "slurm", "options": {"job_script_prologue": ["a\nb"]}}, "single line"),
        ({"kind": "slurm", "options": {"job_extra_directives": ["x=1"]}}, None),
        ({"kind": "slurm", "workers": {"scale": 2, "adapt": {"maximum": 3}}}, "either 'scale'"),
        ({"kind": "slurm", "workers": {"scale": 1, "wait": 2}}, "cannot exceed"),
        ({"kind": "slurm", "workers": {"size": 1}}, r"unknown key\(s\) \['size'\]"),
        ({"kind": "local", "workers": {"scale": 1}}, "kind local"),
        ({"kind": "existing", "options": {"address": "nowhere"}}, "host:port"),
        ({"kind": "threads", "options": {"n_workers": 2}}, "kind threads"),
        ({"kind": "gateway", "options": {"address": "h:8000"}}, "http"),
        (
            {"kind": "gateway", "options": {"address": "http://h", "auth": {"password": "x"}}},
            "never holds a secret",
        ),
        (
            {"kind": "gateway", "options": {"address": "http://h", "auth": {"type": "ldap"}}},
            "one of",
        ),
    ],
)
def test_bad_profiles_are_refused_with_rule_received_and_fix(raw: dict, match: str | None) -> None:
    with pytest.raises(ClusterError, match=match) as err:
        check_profile(raw, name="test")
    assert "received:" in str(err.value) and "fix:" in str(err.value)


def test_overrides_reach_options_and_workers() -> None:
    profile = repo_profile(
        "slurm",
        queue="compute",
        **{"scheduler_options.host": "10.0.0.1", "workers.adapt.maximum": 8},
    )
    assert profile.options["queue"] == "compute"
    assert profile.options["scheduler_options"] == {"host": "10.0.0.1", "dashboard_address": None}
    assert profile.workers.scale is None and profile.workers.adapt == (0, 8)
    assert profile.workers.wait == 0
    back = repo_profile("gateway", **{"workers.scale": 3})
    assert back.workers.scale == 3 and back.workers.adapt is None


def test_a_raw_mapping_is_checked_by_client_for() -> None:
    with pytest.raises(ClusterError, match="kind"):
        with client_for({"kind": "nope"}):
            pass
    with client_for({"kind": "threads"}) as client:
        assert client is None


def test_profiles_read_like_mappings() -> None:
    profile = load_profile("threads")
    assert isinstance(profile, Profile)
    assert profile["kind"] == "threads" and profile["options"] == {}


def test_an_unreachable_existing_scheduler_is_a_clear_error_fast() -> None:
    profile = check_profile(
        {"kind": "existing", "options": {"address": f"tcp://127.0.0.1:{free_port()}", "timeout": 3}}
    )
    started = time.monotonic()
    with pytest.raises(ClusterError, match="the scheduler must answer"):
        with client_for(profile):
            pass
    assert time.monotonic() - started < 60


def test_an_existing_scheduler_is_used_and_left_running() -> None:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        profile = check_profile(
            {"kind": "existing", "options": {"address": cluster.scheduler_address}}
        )
        with client_for(profile) as client:
            assert client.submit(sum, [1, 2, 3]).result() == 6
        with Client(cluster) as again:
            assert len(again.scheduler_info()["workers"]) == 1


def test_describe_local_and_existing_lists_the_options() -> None:
    assert "n_workers: 2" in describe(load_profile("local"))
    assert "address: 'tcp://127.0.0.1:8786'" in describe(repo_profile("existing"))


def test_the_gateway_description_shows_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICPUMP_GATEWAY_PASSWORD", "hunter2")
    text = describe(repo_profile("gateway"))
    assert "password_env=PICPUMP_GATEWAY_PASSWORD" in text
    assert "hunter2" not in text


def test_profiles_are_plain_yaml(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"kind": "local", "options": {"n_workers": 1}}))
    assert load_profile(str(path)).options == {"n_workers": 1}


def test_the_cluster_package_imports_no_launcher_library() -> None:
    import subprocess

    code = (
        "import sys, picpump.cluster as c; c.load_profile('threads'); "
        "print([m for m in ('dask_jobqueue', 'dask_gateway') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_launcher_library_is_a_clear_error() -> None:
    from picpump.cluster.values import require

    with pytest.raises(ClusterError, match="pip install no-such-launcher"):
        require("no_such_launcher_module", "no-such-launcher", "gateway")
