"""A ``slurm`` profile's options, checked and quoted, and the worker job script they make.

The options are checked and quoted here (:mod:`picpump.cluster.quoting`), then given to
``dask_jobqueue.SLURMCluster`` under the config name ``picpump-slurm``, whose defaults are
dask-jobqueue's own packaged ones: the user's ``jobqueue.slurm`` section reaches the script
only through the options (:data:`DASK_CONFIG_KEYS`, checked and quoted like the profile's).
``dask_jobqueue`` is imported only inside the functions that need it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dask.utils

from picpump import malloc
from picpump.cluster import quoting, values
from picpump.errors import ClusterError, explain

CONFIG_NAME = "picpump-slurm"
SLURM_KEYS = {
    "queue": "partition (#SBATCH -p); null: the cluster's default partition",
    "account": "account charged for the jobs (#SBATCH -A); null: your default",
    "cores": "cores per job (#SBATCH --cpus-per-task) [1]",
    "processes": "dask worker processes per job, sharing its cores [1]",
    "memory": "memory per job, e.g. 8GiB (#SBATCH --mem) [2GiB]",
    "walltime": "time limit per job, [D-]HH:MM:SS (#SBATCH -t) [01:00:00]",
    "job_name": "job name shown by squeue (#SBATCH -J) [picpump-worker]",
    "job_extra_directives": "more sbatch options, one per entry: --name=value (value literal)",
    "job_directives_skip": "generated #SBATCH lines to drop, matched as text, e.g. --mem",
    "interface": "network interface of the scheduler and workers, e.g. ib0",
    "local_directory": "worker scratch directory on the node; $NAME expands, e.g. $TMPDIR",
    "log_directory": "folder for the jobs' stdout/stderr (on a shared file system)",
    "job_script_prologue": "shell lines run before the worker (module load ...), verbatim",
    "environment": "variables exported in the job, {NAME: value}; values quoted, $NAME expands",
    "worker_extra_args": "more `dask worker` arguments, one per entry; quoted, $NAME expands",
    "death_timeout": "seconds a worker waits for a lost scheduler before exiting [60]",
    "python": "Python on the nodes (the same environment as here) [this Python]",
    "scheduler_options": "dask scheduler keywords: host, port, dashboard_address, interface",
    "submit_timeout": "seconds to wait for sbatch / squeue / scancel to answer [30]",
}
SCHEDULER_KEYS = {
    "host": "address the scheduler listens at, reachable from the nodes",
    "port": "scheduler port (0: any free port)",
    "dashboard_address": "dashboard address, e.g. ':8787'; null: no dashboard",
    "interface": "network interface the scheduler listens on",
}
DEFAULTS: dict[str, Any] = {
    "cores": 1,
    "processes": 1,
    "memory": "2GiB",
    "walltime": "01:00:00",
    "job_name": "picpump-worker",
    "death_timeout": 60,
    "submit_timeout": 30,
}
DASK_CONFIG_KEYS = {
    key: f"jobqueue.slurm.{key}"
    for key in SLURM_KEYS
    if key not in ("environment", "submit_timeout")
}
_WALLTIME = re.compile(r"(\d+-)?\d+(:\d{1,2}){0,2}")
_INTERFACE = re.compile(r"[A-Za-z0-9_.:-]+")


def check_slurm(where: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Check the options of a ``slurm`` profile; fill in the defaults.

    Parameters
    ----------
    where : str
        The profile, for messages.
    options : mapping
        The ``options:`` section.

    Returns
    -------
    dict
        The options, every key of :data:`SLURM_KEYS` present (``None`` when unset).
    """
    given = values.mapping(f"{where}: options", options)
    values.known_keys(f"{where}: options", given, SLURM_KEYS)
    opts = (
        {key: None for key in SLURM_KEYS}
        | DEFAULTS
        | {k: v for k, v in given.items() if v is not None}
    )
    at = f"{where}: options."
    for key in ("queue", "account", "job_name"):
        if opts[key] is not None:
            values.text(at + key, opts[key], values.IDENTIFIER)
    cores = values.integer(at + "cores", opts["cores"], 1)
    processes = values.integer(at + "processes", opts["processes"], 1)
    if processes > cores:
        raise values.refuse(at + "processes", f"at most cores ({cores})", processes, "lower it")
    _memory(at + "memory", opts["memory"])
    opts["walltime"] = values.text(at + "walltime", str(opts["walltime"]), _WALLTIME)
    if opts["interface"] is not None:
        values.text(at + "interface", opts["interface"], _INTERFACE)
    if opts["log_directory"] is not None:
        values.text(at + "log_directory", opts["log_directory"], values.PLAIN_PATH)
    for key in ("job_extra_directives", "job_directives_skip", "job_script_prologue"):
        opts[key] = [
            quoting.single_line(at + key, v) for v in values.text_list(at + key, opts[key])
        ]
    opts["worker_extra_args"] = values.text_list(
        at + "worker_extra_args", opts["worker_extra_args"]
    )
    opts["environment"] = _environment(at + "environment", opts["environment"])
    scheduler = values.mapping(at + "scheduler_options", opts["scheduler_options"])
    values.known_keys(at + "scheduler_options", scheduler, SCHEDULER_KEYS)
    opts["scheduler_options"] = scheduler
    values.number(at + "death_timeout", opts["death_timeout"])
    values.number(at + "submit_timeout", opts["submit_timeout"])
    for key in ("local_directory", "python"):
        if opts[key] is not None:
            values.text(at + key, opts[key])
    cluster_kwargs(opts, where)  # renders (and so checks) every value that goes into the script
    return opts


def _memory(where: str, value: Any) -> None:
    from dask.utils import parse_bytes

    try:
        parse_bytes(value)
    except (TypeError, ValueError) as err:
        raise values.refuse(where, "a memory size", value, "write e.g. 8GiB or 2000MB") from err


def _environment(where: str, raw: Any) -> dict[str, str]:
    env = values.mapping(where, raw)
    out = {}
    for name, value in env.items():
        values.text(f"{where} name", name, values.ENV_NAME)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise values.refuse(f"{where}.{name}", "a string or a number", value, "quote it")
        out[name] = str(value)
    return out


def cluster_kwargs(options: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """``SLURMCluster`` keywords from checked options, with every user value quoted.

    Parameters
    ----------
    options : mapping
        From :func:`check_slurm`.
    where : str, optional
        The profile, for messages.

    Returns
    -------
    dict
        Keywords for ``dask_jobqueue.SLURMCluster``.
    """
    at = f"{where}: options." if where else "options."
    # the workers keep the memory they free (picpump.malloc), at most an eighth of each one's
    # share of the job's memory; the profile's environment wins
    per_worker = int(dask.utils.parse_bytes(options["memory"])) // int(options["processes"])
    environment = {**malloc.process_environment(per_worker), **options["environment"]}
    prologue = list(options["job_script_prologue"]) + [
        f"export {name}={quoting.shell_word(value, at + 'environment.' + name)}"
        for name, value in environment.items()
    ]
    extra_args = [
        quoting.shell_word(a, at + "worker_extra_args") for a in options["worker_extra_args"]
    ]
    local_directory = options["local_directory"]
    kwargs: dict[str, Any] = {
        "config_name": CONFIG_NAME,
        "queue": options["queue"],
        "account": options["account"],
        "cores": options["cores"],
        "processes": options["processes"],
        "memory": options["memory"],
        "walltime": options["walltime"],
        "job_name": options["job_name"],
        "job_extra_directives": [
            quoting.sbatch_directive(d, at + "job_extra_directives")
            for d in options["job_extra_directives"]
        ],
        "job_directives_skip": list(options["job_directives_skip"]),
        "interface": options["interface"],
        "local_directory": None
        if local_directory is None
        else quoting.shell_word(local_directory, at + "local_directory"),
        "log_directory": options["log_directory"],
        "job_script_prologue": prologue,
        "worker_extra_args": extra_args,
        "death_timeout": options["death_timeout"],
        "python": quoting.shell_word(options["python"] or sys.executable, at + "python"),
        "scheduler_options": dict(options["scheduler_options"]),
    }
    return kwargs


def _register_config() -> None:
    """Register dask-jobqueue's packaged SLURM defaults under :data:`CONFIG_NAME`."""
    import dask
    import dask_jobqueue
    import yaml

    packaged = Path(dask_jobqueue.__file__).with_name("jobqueue.yaml")
    slurm = yaml.safe_load(packaged.read_text())["jobqueue"]["slurm"]
    dask.config.update_defaults({"jobqueue": {CONFIG_NAME: slurm}})


def job_script(options: Mapping[str, Any]) -> str:
    """Render the job script each worker is submitted with (``SLURMCluster.job_script()``).

    The cluster is built without being started (no scheduler, no job), so this works on a
    machine without SLURM. The scheduler address in the command is a placeholder.

    Parameters
    ----------
    options : mapping
        From :func:`check_slurm`.

    Returns
    -------
    str
        The script text.
    """
    values.require("dask_jobqueue", "dask-jobqueue", "slurm")
    kwargs = cluster_kwargs(options)

    async def render() -> str:
        from dask_jobqueue import SLURMCluster

        cluster = SLURMCluster(asynchronous=True, **kwargs)
        try:
            return str(cluster.job_script())
        finally:
            await cluster.close()  # type: ignore[misc]

    _register_config()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        try:
            return pool.submit(asyncio.run, render()).result()
        except (TypeError, ValueError) as err:
            raise ClusterError(
                explain("SLURM options must be dask-jobqueue keywords", str(err), "fix them")
            ) from err


__all__ = [
    "CONFIG_NAME",
    "DASK_CONFIG_KEYS",
    "DEFAULTS",
    "SCHEDULER_KEYS",
    "SLURM_KEYS",
    "check_slurm",
    "cluster_kwargs",
    "job_script",
]
