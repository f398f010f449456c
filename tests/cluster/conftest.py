"""Session fixtures: a real SLURM cluster, a real dask-gateway, a real S3 API, on loopback.

Each is started by its script in ``cluster/`` and stopped at the end of the session. A test
that needs one is skipped only when the service cannot run on this machine (not root, a
package missing); a service that should start but fails makes the test fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from picpump.cluster import Profile, load_profile
from tests.conftest import REPO
from tests.services import (
    CannotStart,
    GatewayServer,
    S3Server,
    Slurm,
    start_gateway,
    start_s3,
    start_slurm,
)


@pytest.fixture(scope="session")
def slurm() -> Iterator[Slurm]:
    try:
        service = start_slurm()
    except CannotStart as reason:
        pytest.skip(f"SLURM cannot run here: {reason}")
    yield service
    service.stop()


@pytest.fixture(scope="session")
def gateway_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    try:
        service = start_gateway(tmp_path_factory.mktemp("gateway"))
    except CannotStart as reason:
        pytest.skip(f"dask-gateway cannot run here: {reason}")
    yield service
    service.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        service = start_s3(tmp_path_factory.mktemp("s3"))
    except CannotStart as reason:
        pytest.skip(f"the S3 API server cannot run here: {reason}")
    yield service
    service.stop()


def repo_profile(name: str, **overrides: object) -> Profile:
    """A profile of the repository's ``cluster/`` folder, with ``--cluster-opt`` overrides."""
    return load_profile(str(REPO / "cluster" / f"{name}.yaml"), overrides)


@pytest.fixture
def slurm_profile(slurm: Slurm) -> Profile:
    """cluster/slurm.yaml on the dev cluster: 2 workers of 1 core, both awaited."""
    return repo_profile("slurm", queue=slurm.partition, **{"workers.scale": 2, "workers.wait": 2})


@pytest.fixture
def gateway_profile(gateway_server: GatewayServer, monkeypatch: pytest.MonkeyPatch) -> Profile:
    """cluster/gateway.yaml pointed at the dev gateway, the password in the environment."""
    monkeypatch.setenv("PICPUMP_GATEWAY_PASSWORD", gateway_server.password)
    return repo_profile(
        "gateway",
        address=gateway_server.address,
        proxy_address=gateway_server.proxy_address,
        **{"workers.scale": 2, "workers.wait": 2, "cluster_options.worker_memory": 0.5},
    )
