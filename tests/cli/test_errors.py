"""Every refused command line exits 2 with rule / received / fix and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from picpump.cli import main
from tests.conftest import REPO

SPEC = str(REPO / "pipelines" / "toullec2026.yaml")
CATALOG = str(REPO / "catalogs" / "demo.yaml")
README = str(REPO / "README.md")
RUN = ["run", SPEC, "--catalog", CATALOG]

BAD = {
    "run: unknown option": [*RUN, "--bogus"],
    "run: missing spec": ["run", "nope.yaml", "--catalog", CATALOG, "--cluster", "threads"],
    "run: spec not YAML": ["run", README, "--catalog", CATALOG, "--cluster", "threads"],
    "run: missing catalog": ["run", SPEC, "--catalog", "nope.yaml", "--cluster", "threads"],
    "run: catalog not YAML": ["run", SPEC, "--catalog", README, "--cluster", "threads"],
    "run: unknown profile": [*RUN, "--cluster", "nope"],
    "run: profile not YAML": [*RUN, "--cluster", README],
    "run: bad period": [*RUN, "--cluster", "threads", "--period", "garbage"],
    "run: bad month": [*RUN, "--cluster", "threads", "--period", "2001-13:2002-01"],
    "run: option typo": [*RUN, "--cluster", "local", "--cluster-opt", "n_workerz=3"],
    "run: option value": [*RUN, "--cluster", "local", "--cluster-opt", "n_workers=abc"],
    "run: option shape": [*RUN, "--cluster-opt", "noequals"],
    "run: unknown param": [*RUN, "--cluster", "threads", "--param", "x=1", "--dry-run"],
    "demo build: unwritable": ["demo", "build", "--out", "/proc/picpump/x", "--periods", "1"],
    "demo build: bad start": ["demo", "build", "--start", "garbage", "--periods", "1"],
    "demo build: bad periods": ["demo", "build", "--periods", "-3"],
    "demo build: not a number": ["demo", "build", "--periods", "abc"],
    "cluster: unknown subcommand": ["cluster", "bogus"],
    "cluster describe: unknown profile": ["cluster", "describe", "nope"],
    "cluster describe: bad value": ["cluster", "describe", "local", "--cluster-opt", "n_workers=-"],
    "cluster describe: bad key": ["cluster", "describe", "local", "--cluster-opt", ".=1"],
    "cluster describe: slurm value": [
        "cluster",
        "describe",
        str(REPO / "cluster" / "slurm.yaml"),
        "--cluster-opt",
        "cores=0",
    ],
    "cluster check: option typo": ["cluster", "check", "local", "--cluster-opt", "n_workerz=3"],
    "cluster check: bad storage": ["cluster", "check", "threads", "--storage", "nope://x"],
    "ingest: missing catalog": ["ingest", "nope.yaml", "pic", "--out", "x.zarr"],
    "ingest: unknown entry": ["ingest", CATALOG, "nosuch", "--out", "x.zarr"],
    "ingest: bad grid": ["ingest", CATALOG, "pic", "--out", "x.zarr", "--grid", "bad"],
    "ingest: bad period": ["ingest", CATALOG, "pic", "--out", "x.zarr", "--period", "bad"],
    "ingest: bad chunking": ["ingest", CATALOG, "pic", "--out", "x.zarr", "--tile", "-1"],
    "ingest: missing --out": ["ingest", CATALOG, "pic"],
    "compare: missing folders": ["compare", "nope1", "nope2"],
    "compare: a file": ["compare", README, README],
}


def _exit_status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.mark.parametrize("argv", list(BAD.values()), ids=list(BAD))
def test_a_refused_command_exits_2_with_rule_received_fix(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _exit_status(argv) == 2
    err = capsys.readouterr().err
    assert "picpump: error:" in err
    assert "\n  received: " in err and "\n  fix: " in err
    assert "Traceback" not in err
