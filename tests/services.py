"""Real services for the tests, started and stopped by the scripts in ``cluster/``.

- SLURM: ``cluster/slurm/dev-cluster.sh`` (root, ``slurm-wlm`` and ``munge`` installed);
- dask-gateway: ``cluster/gateway/dev-gateway.sh`` on free loopback ports;
- an S3 API: ``cluster/s3/dev-s3.sh`` (moto) on a free loopback port, with real credentials.

A script exits with status 3 when it cannot run on this machine (not root, a package missing):
the helpers raise :class:`CannotStart` and the fixtures skip with the script's reason. Any other
failure is an error: a service that should start but does not must fail the tests.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO

SCRIPTS = REPO / "cluster"


class CannotStart(Exception):
    """The service cannot run on this machine; the message says why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of the call)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_script(script: Path, action: str, env: dict[str, str] | None = None, timeout: float = 90):
    """Run ``script action``; raise :class:`CannotStart` on exit 3, RuntimeError on others."""
    done = subprocess.run(
        ["bash", str(script), action],
        env={**os.environ, "PICPUMP_PYTHON": sys.executable, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode == 3:
        raise CannotStart(done.stderr.strip())
    if done.returncode != 0:
        raise RuntimeError(
            f"{script.name} {action} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


# --- SLURM ------------------------------------------------------------------------------


@dataclass
class Slurm:
    """The one-node dev SLURM cluster; ``stop()`` only if this process started it."""

    partition: str = "debug"
    started_here: bool = True
    script: Path = SCRIPTS / "slurm" / "dev-cluster.sh"

    def stop(self) -> None:
        if self.started_here:
            run_script(self.script, "stop")


def _slurm_up() -> bool:
    try:
        done = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "UP" in done.stdout


def start_slurm() -> Slurm:
    """Start the dev SLURM cluster (or reuse it when it already runs)."""
    if os.geteuid() != 0:
        raise CannotStart("the dev SLURM cluster needs root (it writes /etc/slurm/slurm.conf)")
    already = _slurm_up()
    run_script(SCRIPTS / "slurm" / "dev-cluster.sh", "start")
    return Slurm(started_here=not already)


def squeue(job_ids: list[str] | None = None) -> dict[str, str]:
    """Job id → state of the jobs in the queue (all, or only ``job_ids``)."""
    args = ["squeue", "-h", "-o", "%i %T"]
    if job_ids is not None:
        if not job_ids:
            return {}
        args += ["-j", ",".join(job_ids)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
    return dict(line.split(maxsplit=1) for line in done.stdout.splitlines() if line.strip())


def wait_queue_empty(job_ids: list[str] | None = None, timeout: float = 20) -> dict[str, str]:
    """Poll ``squeue`` until the jobs are gone; return what is left after ``timeout``."""
    deadline = time.monotonic() + timeout
    left = squeue(job_ids)
    while left and time.monotonic() < deadline:
        time.sleep(0.25)
        left = squeue(job_ids)
    return left


# --- dask-gateway -------------------------------------------------------------------------


@dataclass
class GatewayServer:
    """A dev dask-gateway on loopback."""

    address: str
    proxy_address: str
    password: str
    env: dict[str, str] = field(default_factory=dict)
    script: Path = SCRIPTS / "gateway" / "dev-gateway.sh"

    def stop(self) -> None:
        run_script(self.script, "stop", self.env)


def start_gateway(workdir: Path, password: str = "picpump-test-password") -> GatewayServer:
    """Start a dev gateway with its files under ``workdir``."""
    try:
        import dask_gateway  # noqa: F401
        import dask_gateway_server  # noqa: F401
    except ImportError as err:
        raise CannotStart(f"dask-gateway / dask-gateway-server not installed ({err})") from err
    port, proxy = free_port(), free_port()
    env = {
        "PICPUMP_GATEWAY_DIR": str(workdir),
        "PICPUMP_GATEWAY_PORT": str(port),
        "PICPUMP_GATEWAY_PROXY_PORT": str(proxy),
        "PICPUMP_GATEWAY_PASSWORD": password,
    }
    run_script(SCRIPTS / "gateway" / "dev-gateway.sh", "start", env)
    return GatewayServer(
        f"http://127.0.0.1:{port}", f"gateway://127.0.0.1:{proxy}", password, env=env
    )


# --- S3 API (moto) ------------------------------------------------------------------------


@dataclass
class S3Server:
    """A dev S3 API server that checks credentials."""

    endpoint: str
    bucket: str
    key: str
    secret: str
    env: dict[str, str] = field(default_factory=dict)
    script: Path = SCRIPTS / "s3" / "dev-s3.sh"

    def storage_options(self, key: str | None = None, secret: str | None = None) -> dict:
        """s3fs options for this server (its own credentials unless others are given)."""
        return {
            "key": key or self.key,
            "secret": secret or self.secret,
            "client_kwargs": {"endpoint_url": self.endpoint, "region_name": "us-east-1"},
        }

    def stop(self) -> None:
        run_script(self.script, "stop", self.env)


def start_s3(workdir: Path, bucket: str = "picpump-test") -> S3Server:
    """Start a dev S3 API server with its files under ``workdir``."""
    try:
        import moto.server  # noqa: F401
        import s3fs  # noqa: F401
    except ImportError as err:
        raise CannotStart(f"moto[server] / s3fs not installed ({err})") from err
    env = {
        "PICPUMP_S3_DIR": str(workdir),
        "PICPUMP_S3_PORT": str(free_port()),
        "PICPUMP_S3_BUCKET": bucket,
    }
    run_script(SCRIPTS / "s3" / "dev-s3.sh", "start", env)
    exported = {}
    for line in (workdir / "credentials").read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        exported[name] = shlex.split(value)[0]
    return S3Server(
        exported["AWS_ENDPOINT_URL"],
        exported["PICPUMP_S3_BUCKET"],
        exported["AWS_ACCESS_KEY_ID"],
        exported["AWS_SECRET_ACCESS_KEY"],
        env=env,
    )


__all__ = [
    "CannotStart",
    "GatewayServer",
    "S3Server",
    "Slurm",
    "free_port",
    "run_script",
    "squeue",
    "start_gateway",
    "start_s3",
    "start_slurm",
    "wait_queue_empty",
]
