"""SLURM through dask-jobqueue: every worker is an ``sbatch`` job.

The options and the job script are :mod:`picpump.cluster.slurm_script`'s; here SLURM is asked
whether it would accept the script (``sbatch --test-only``), the cluster is started, its jobs
are followed in ``squeue`` and every one is cancelled on exit. ``dask_jobqueue`` is imported
only inside :meth:`SlurmLauncher.start`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from picpump.cluster import scaling
from picpump.cluster.launcher import ScalableLauncher
from picpump.cluster.slurm_script import (
    DASK_CONFIG_KEYS,
    DEFAULTS,
    check_slurm,
    cluster_kwargs,
    job_script,
)
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain


def _command(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ClusterError(
            explain(
                f"the slurm profile needs the SLURM command `{name}` on PATH",
                f"{name} not found",
                "run on a login node of the SLURM cluster (or start cluster/slurm/dev-cluster.sh)",
            )
        )
    return path


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        raise ClusterError(
            explain(
                f"SLURM must answer `{' '.join(args[:2])} ...` within {timeout:g} s",
                "no answer (slurmctld down or overloaded?)",
                "check `sinfo`; raise options.submit_timeout on a busy cluster",
            )
        ) from err


def preflight(script: str, timeout: float) -> None:
    """Ask SLURM whether it would accept the job script (``sbatch --test-only``).

    Catches a partition or account that does not exist, limits that cannot be met and bad
    directives, in a second, before anything is submitted.

    Parameters
    ----------
    script : str
        The worker job script.
    timeout : float
        Seconds to wait for ``sbatch``.
    """
    sbatch = _command("sbatch")
    with tempfile.NamedTemporaryFile("w", prefix="picpump-", suffix=".sh") as f:
        f.write(script)
        f.flush()
        done = _run([sbatch, "--test-only", f.name], timeout)
    if done.returncode != 0:
        raise ClusterError(
            explain(
                "SLURM must accept the worker job script (sbatch --test-only)",
                " ".join(done.stderr.split()) or f"exit status {done.returncode}",
                "fix queue / account / cores / memory / walltime / job_extra_directives in the "
                "profile; `picpump cluster describe PROFILE` prints the script",
            )
        )


def _job_ids(cluster: Any, seen: set[str]) -> list[str]:
    if cluster is not None:
        for job in list(getattr(cluster, "workers", {}).values()):
            if getattr(job, "job_id", None):
                seen.add(str(job.job_id))
    return sorted(seen, key=lambda job: (len(job), job))


def queue_state(job_ids: list[str], timeout: float = 10) -> dict[str, str]:
    """Job id → SLURM state (``PENDING``, ``RUNNING`` …) of those still in ``squeue``."""
    if not job_ids:
        return {}
    done = _run([_command("squeue"), "-h", "-j", ",".join(job_ids), "-o", "%i %T %r"], timeout)
    states = {}
    for line in done.stdout.splitlines():
        if len(line.split()) < 2:
            continue
        job, state, *reason = line.split()
        states[job] = state + (f" ({' '.join(reason)})" if reason and reason != ["None"] else "")
    return states


def _describe_queue(cluster: Any, seen: set[str]) -> str:
    ids = _job_ids(cluster, seen)
    if not ids:
        return "no job submitted (see the scheduler log)"
    states = queue_state(ids)
    return "jobs " + ", ".join(f"{j}: {states.get(j, 'gone from squeue')}" for j in ids)


def _all_ended(cluster: Any, seen: set[str], timeout: float) -> bool:
    ids = _job_ids(cluster, seen)
    return bool(ids) and not queue_state(ids, timeout)


def _teardown(cluster: Any, client: Any, seen: set[str], timeout: float) -> None:
    ids = _job_ids(cluster, seen)
    if client is not None:
        with suppress(Exception):
            client.close()
    if cluster is not None:
        with suppress(Exception):
            cluster.close(timeout=timeout)
    with suppress(ClusterError):
        left = [j for j, s in queue_state(ids).items() if not s.startswith("COMPLETING")]
        if left:
            _run([_command("scancel"), *left], timeout)


class SlurmLauncher(ScalableLauncher):
    """``slurm``: a ``dask_jobqueue.SLURMCluster``, one ``sbatch`` job per worker."""

    kind = "slurm"
    worker_defaults = {"scale": 2, "timeout": 300}
    dask_config = DASK_CONFIG_KEYS
    defaults = DEFAULTS

    def defaults_under(self, upper: Mapping[str, Any]) -> Mapping[str, Any]:
        """Put the scheduler on the loopback address only when no layer names a network.

        Fits the one-node cluster of ``cluster/slurm/dev-cluster.sh``; on a real cluster the
        site's ``interface`` (or ``scheduler_options.host``) replaces it.
        """
        scheduler = upper.get("scheduler_options") or {}
        if upper.get("interface") or scheduler.get("host") or scheduler.get("interface"):
            return self.defaults
        return {**self.defaults, "scheduler_options": {"host": "127.0.0.1"}}

    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Check the options; see :func:`~picpump.cluster.slurm_script.check_slurm`."""
        return check_slurm(where, options)

    @contextmanager
    def start(self, profile: Profile) -> Iterator[Any]:
        """Start a ``SLURMCluster``, scale it and yield a client; cancel every job on exit.

        Parameters
        ----------
        profile : Profile
            A checked ``slurm`` profile.

        Yields
        ------
        distributed.Client
            Connected to the scheduler, with ``profile.workers.wait`` workers joined.
        """
        kwargs = cluster_kwargs(profile.options)
        timeout = float(profile.options["submit_timeout"])
        preflight(job_script(profile.options), timeout)
        from dask_jobqueue import SLURMCluster
        from distributed import Client

        cluster: Any = None
        client: Any = None
        seen: set[str] = set()
        try:
            try:
                cluster = SLURMCluster(**kwargs)
            except (TypeError, ValueError, OSError) as err:
                raise ClusterError(
                    explain(
                        "a SLURMCluster must start from the profile", str(err), "fix the profile"
                    )
                ) from err
            client = Client(cluster)
            scaling.apply(cluster, profile.workers)
            scaling.wait(
                client,
                profile.workers,
                state=lambda: _describe_queue(cluster, seen),
                ended=lambda: _all_ended(cluster, seen, timeout),
            )
            _job_ids(cluster, seen)
            yield client
        finally:
            _teardown(cluster, client, seen, timeout)

    def describe(self, profile: Profile) -> str:
        """Render the worker job script, with a placeholder scheduler address."""
        return job_script(profile.options)


def job_ids(client: Any) -> list[str]:
    """SLURM job ids of the workers of the cluster behind ``client`` (for tests and checks)."""
    return _job_ids(getattr(client, "cluster", None), set())


__all__ = ["SlurmLauncher", "job_ids", "preflight", "queue_state"]
