"""``picpump init``: a project folder of editable copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from picpump.cli import main
from picpump.resources import ROOT


def test_init_copies_every_shipped_file_and_keeps_edits(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    project = tmp_path / "project"
    assert main(["init", str(project)]) == 0
    for shipped in ROOT.glob("*/*.yaml"):
        copy = project / shipped.parent.name / shipped.name
        assert copy.read_bytes() == shipped.read_bytes()
    edited = project / "cluster" / "local.yaml"
    edited.write_text("kind: threads\n")
    assert main(["init", str(project)]) == 0
    assert edited.read_text() == "kind: threads\n"
    assert "0 file(s) written" in capsys.readouterr().out
    assert main(["init", str(project), "--force"]) == 0
    assert edited.read_bytes() == (ROOT / "cluster" / "local.yaml").read_bytes()


def test_init_refuses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "file").write_text("")
    assert main(["init", str(tmp_path / "file")]) == 2
    assert "fix: give a folder" in capsys.readouterr().err
