"""The documentation builds with warnings as errors (mkdocs --strict)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_the_docs_build_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocstrings_handlers.python")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr
    assert (tmp_path / "concepts" / "index.html").is_file()
    assert "run_prepared" in (tmp_path / "reference" / "api" / "index.html").read_text()
