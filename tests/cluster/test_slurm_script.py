"""SLURM job scripts as text, and what bash makes of them: no SLURM needed."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from picpump.cluster import check_profile, describe
from picpump.errors import ClusterError

PYTHON = shlex.quote(sys.executable)
WORKER = (
    "-m distributed.cli.dask_worker tcp://<insert-scheduler-address-here>:8786 --name dummy-name"
)
MALLOC = "export MALLOC_TRIM_THRESHOLD_=536870912\nexport MALLOC_MMAP_THRESHOLD_=67108864\n"
"""The workers keep the memory they free (picpump.malloc's defaults)."""
MALLOC_2GIB = "export MALLOC_TRIM_THRESHOLD_=268435456\nexport MALLOC_MMAP_THRESHOLD_=67108864\n"
"""The same, capped at an eighth of a 2 GiB worker (the default job)."""


def slurm(**options: object) -> str:
    return describe(check_profile({"kind": "slurm", "options": options}))


def test_slurm_script_with_the_defaults() -> None:
    assert slurm() == (
        "#!/usr/bin/env bash\n"
        "\n"
        "#SBATCH -J picpump-worker\n"
        "#SBATCH -n 1\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --mem=2G\n"
        "#SBATCH -t 01:00:00\n"
        f"{MALLOC_2GIB}"
        f"{PYTHON} {WORKER} --nthreads 1 --memory-limit 2.00GiB --nanny --death-timeout 60\n"
    )


def test_slurm_script_with_every_option() -> None:
    text = slurm(
        queue="compute",
        account="ocean-42",
        cores=4,
        processes=2,
        memory="16GiB",
        walltime="2-00:00:00",
        job_name="pic-run",
        job_extra_directives=["--constraint=haswell", "--qos short", "-C knl", "--exclusive"],
        interface="ib0",
        local_directory="$TMPDIR",
        log_directory="logs/slurm",
        job_script_prologue=["module load netcdf", "source ~/envs/pp/bin/activate"],
        environment={"OMP_NUM_THREADS": 1, "PICPUMP_CACHE": "${SCRATCH}/cache"},
        worker_extra_args=["--lifetime", "55m"],
        death_timeout=120,
        python="/opt/envs/pp/bin/python",
    )
    assert text == (
        "#!/usr/bin/env bash\n"
        "\n"
        "#SBATCH -J pic-run\n"
        "#SBATCH -e logs/slurm/pic-run-%J.err\n"
        "#SBATCH -o logs/slurm/pic-run-%J.out\n"
        "#SBATCH -p compute\n"
        "#SBATCH -A ocean-42\n"
        "#SBATCH -n 1\n"
        "#SBATCH --cpus-per-task=4\n"
        "#SBATCH --mem=16G\n"
        "#SBATCH -t 2-00:00:00\n"
        "#SBATCH --constraint=haswell\n"
        "#SBATCH --qos=short\n"
        "#SBATCH -C knl\n"
        "#SBATCH --exclusive\n"
        "module load netcdf\n"
        "source ~/envs/pp/bin/activate\n"
        f"{MALLOC}"
        "export OMP_NUM_THREADS=1\n"
        'export PICPUMP_CACHE="${SCRATCH}"/cache\n'
        f"/opt/envs/pp/bin/python {WORKER} --nthreads 2 --memory-limit 8.00GiB --nworkers 2"
        ' --nanny --death-timeout 120 --local-directory "${TMPDIR}" --lifetime 55m'
        " --interface ib0\n"
    )


def test_slurm_directives_can_be_skipped() -> None:
    text = slurm(job_directives_skip=["--mem"])
    directives = [line for line in text.splitlines() if line.startswith("#SBATCH")]
    assert directives and not any("--mem" in line for line in directives)


def test_the_workers_keep_freed_memory_unless_the_profile_says_otherwise() -> None:
    assert MALLOC_2GIB in slurm()
    assert MALLOC in slurm(memory="16GiB", cores=2, processes=2)  # 8 GiB each: not capped
    text = slurm(environment={"MALLOC_TRIM_THRESHOLD_": 65536})
    assert "export MALLOC_TRIM_THRESHOLD_=65536\n" in text
    assert "MALLOC_TRIM_THRESHOLD_=268435456" not in text
    assert "export MALLOC_MMAP_THRESHOLD_=67108864\n" in text


def test_slurm_hostile_values_are_quoted_in_the_script() -> None:
    text = slurm(
        job_extra_directives=['--comment=it\'s "odd" $(touch x) `id`; #no \\ comment'],
        environment={"NOTE": "a b; $(touch x)"},
        worker_extra_args=["--resources", "GPU=1 $(touch x)"],
        local_directory="/scratch/my dir/$(id)",
    )
    assert '#SBATCH --comment="it\'s \\"odd\\" $(touch x) `id`; #no \\\\ comment"\n' in text
    assert "export NOTE='a b; $(touch x)'\n" in text
    assert "--resources 'GPU=1 $(touch x)'" in text
    assert "--local-directory '/scratch/my dir/$(id)'" in text


@pytest.mark.parametrize(
    "options",
    [
        {"job_extra_directives": ["--comment=a\nsrun rm -rf ~"]},
        {"environment": {"X": "a\nb"}},
        {"worker_extra_args": ["--x\rb"]},
        {"job_extra_directives": ["touch x"]},
        {"local_directory": "a\x00b"},
    ],
)
def test_slurm_values_that_would_add_script_lines_are_refused(options: dict) -> None:
    with pytest.raises(ClusterError, match="received:"):
        slurm(**options)


def test_slurm_script_runs_the_worker_with_exactly_the_given_arguments(tmp_path: Path) -> None:
    """Run the rendered script with bash, a recorder standing in for Python."""
    recorder = tmp_path / "recorder"
    record = tmp_path / "record.json"
    seen = "{'argv': sys.argv[1:], 'env': dict(os.environ)}"
    recorder.write_text(
        f"#!{sys.executable}\nimport json, os, sys\njson.dump({seen}, open({str(record)!r}, 'w'))\n"
    )
    recorder.chmod(0o755)
    hostile = "GPU=1 $(touch pwned) `touch pwned`; touch pwned & 'q' \"q\" \\ #"
    text = slurm(
        python=str(recorder),
        environment={"NOTE": hostile, "WHERE": "$HOME/x y"},
        worker_extra_args=["--resources", hostile],
        local_directory="$TMPDIR/dask space",
    )
    script = tmp_path / "job.sh"
    # The description has a placeholder where the running cluster puts its scheduler address.
    script.write_text(text.replace("<insert-scheduler-address-here>", "127.0.0.1"))
    env = {**os.environ, "TMPDIR": "/tmp/node tmp", "HOME": "/home/u"}
    subprocess.run(["bash", str(script)], cwd=tmp_path, env=env, check=True, timeout=30)
    seen = json.loads(record.read_text())
    argv = seen["argv"]
    assert argv[argv.index("--resources") + 1] == hostile
    assert argv[argv.index("--local-directory") + 1] == "/tmp/node tmp/dask space"
    assert seen["env"]["NOTE"] == hostile
    assert seen["env"]["WHERE"] == "/home/u/x y"
    assert not (tmp_path / "pwned").exists()
