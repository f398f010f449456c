"""A real dask-gateway server on loopback: clusters are asked for, used and shut down."""

from __future__ import annotations

import time

import dask.array as da
import numpy as np
import pytest

from picpump.cluster import Profile, check, check_profile, client_for, describe
from picpump.cluster.gateway import connected
from picpump.errors import ClusterError
from tests.cluster.conftest import repo_profile
from tests.services import GatewayServer, free_port

pytestmark = pytest.mark.gateway


def _clusters(server: GatewayServer) -> list:
    options = {
        "address": server.address,
        "auth": {"type": "basic", "username": "picpump", "password_env": "TEST_GATEWAY_PASSWORD"},
    }
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TEST_GATEWAY_PASSWORD", server.password)
        profile = check_profile({"kind": "gateway", "options": options})
        with connected(profile.options) as gateway:
            return [c for c in gateway.list_clusters() if c.status.name in ("PENDING", "RUNNING")]


def _wait_no_clusters(server: GatewayServer, timeout: float = 20) -> list:
    deadline = time.monotonic() + timeout
    left = _clusters(server)
    while left and time.monotonic() < deadline:
        time.sleep(0.25)
        left = _clusters(server)
    return left


def test_gateway_cluster_computes_and_is_shut_down(
    gateway_profile: Profile, gateway_server: GatewayServer
) -> None:
    with client_for(gateway_profile) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        assert client.scheduler.address.startswith(gateway_server.proxy_address)
        assert len(_clusters(gateway_server)) == 1
        x = da.arange(1_000_000, chunks=100_000, dtype="f8")
        assert float((x**2).sum().compute()) == pytest.approx(np.sum(np.arange(1e6) ** 2))
    assert _wait_no_clusters(gateway_server) == []


def test_gateway_adaptive_profile_as_shipped(
    gateway_server: GatewayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICPUMP_GATEWAY_PASSWORD", gateway_server.password)
    profile = repo_profile(
        "gateway", address=gateway_server.address, proxy_address=gateway_server.proxy_address
    )
    assert profile.workers.adapt == (2, 4)
    with client_for(profile) as client:
        assert client.submit(sum, [1, 2, 3]).result() == 6
    assert _wait_no_clusters(gateway_server) == []


def test_gateway_cluster_is_shut_down_on_keyboard_interrupt(
    gateway_profile: Profile, gateway_server: GatewayServer
) -> None:
    with pytest.raises(KeyboardInterrupt):
        with client_for(gateway_profile):
            assert len(_clusters(gateway_server)) == 1
            raise KeyboardInterrupt
    assert _wait_no_clusters(gateway_server) == []


def test_gateway_wrong_password_is_a_clear_error(
    gateway_profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICPUMP_GATEWAY_PASSWORD", "not-the-password")
    with pytest.raises(ClusterError, match="accept the profile's credentials"):
        with client_for(gateway_profile):
            pass


def test_gateway_missing_password_variable_is_a_clear_error(
    gateway_profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PICPUMP_GATEWAY_PASSWORD")
    with pytest.raises(ClusterError, match="PICPUMP_GATEWAY_PASSWORD is not set"):
        with client_for(gateway_profile):
            pass


def test_gateway_unreachable_is_a_clear_error_fast(gateway_profile: Profile) -> None:
    nowhere = repo_profile("gateway", address=f"http://127.0.0.1:{free_port()}", timeout=5)
    started = time.monotonic()
    with pytest.raises(ClusterError, match="the gateway must answer at"):
        with client_for(nowhere):
            pass
    assert time.monotonic() - started < 60


def test_gateway_unknown_cluster_option_is_refused(
    gateway_profile: Profile, gateway_server: GatewayServer
) -> None:
    wrong = repo_profile(
        "gateway",
        address=gateway_server.address,
        proxy_address=gateway_server.proxy_address,
        **{"cluster_options.worker_gpus": 1},
    )
    with pytest.raises(ClusterError, match=r"(?s)options this gateway offers.*'worker_gpus'"):
        with client_for(wrong):
            pass
    assert _clusters(gateway_server) == []


def test_gateway_check_and_describe(
    gateway_profile: Profile, gateway_server: GatewayServer
) -> None:
    assert f"address: {gateway_server.address}" in describe(gateway_profile)
    report = check(gateway_profile)
    assert "first worker ready after" in report and "summed correctly" in report
    assert _wait_no_clusters(gateway_server) == []
