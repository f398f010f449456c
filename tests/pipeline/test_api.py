"""`picpump.run` writes what `picpump run` writes; the run's output and log go where they should."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr
from dask.callbacks import Callback

import picpump
from picpump.cli import main
from picpump.errors import InputError
from picpump.io.store.generation import current_folder

TEXT_FILES = {".json", ".md", ".yaml", ".log", ".csv", ".parquet"}
"""Files that hold the command line, times or paths, which differ between two runs."""


class LibraryNoise(Callback):  # type: ignore[misc]
    """What distributed and other libraries print during a run: a log warning, a warning."""

    def _start(self, dsk: Any) -> None:
        logging.getLogger("distributed.shuffle._scheduler_plugin").warning(
            "Shuffle noise restarted"
        )
        warnings.warn("noise from a library", UserWarning, stacklevel=1)


@pytest.fixture(scope="module")
def runs(
    demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("api")
    cli_out, api_out, stdout = root / "cli", root / "api", root / "stdout.txt"
    args = ["run", spec_path, "--catalog", demo_catalog, "--out", str(cli_out)]
    with stdout.open("w") as handle, contextlib.redirect_stdout(handle), LibraryNoise():
        assert main([*args, "--cluster", "threads"]) == 0
    result = picpump.run(spec_path, demo_catalog, str(api_out), progress=False)
    cli_run, api_run = (Path(current_folder(str(out))) for out in (cli_out, api_out))
    return {"cli": cli_run, "api": api_run, "stdout": stdout.read_text(), "result": result}


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_api_writes_the_same_files_as_the_command_line(runs: dict[str, Any]) -> None:
    cli, api = runs["cli"], runs["api"]
    assert _files(cli) == _files(api)
    assert {"run.log", "summary.json", "summary.md", "catalog.yaml"} <= set(_files(api))
    for name in _files(cli):
        if Path(name).suffix not in TEXT_FILES:
            assert (cli / name).read_bytes() == (api / name).read_bytes(), name


def test_the_api_products_equal_the_command_line_products(runs: dict[str, Any]) -> None:
    result = runs["result"]
    assert set(result.products) == set(result.summary["products"])
    for name, url in result.products.items():
        product = result.open(name)
        cli_url = str(runs["cli"] / Path(url).relative_to(runs["api"]))
        if isinstance(product, pd.DataFrame):
            pd.testing.assert_frame_equal(product, pd.read_parquet(cli_url))
        else:
            assert any(v.chunks for v in product.data_vars.values())  # opened lazily
            xr.testing.assert_equal(product, xr.open_zarr(cli_url))
    with pytest.raises(InputError, match="open a product the run wrote"):
        result.open("no_such_product")


def test_output_to_a_file_has_no_redraws_and_no_library_noise(runs: dict[str, Any]) -> None:
    printed = runs["stdout"]
    assert "\r" not in printed
    assert "inputs.zarr: 100 %" in printed
    assert "noise" not in printed
    assert f"summary: {runs['cli'] / 'summary.json'}" in printed
    log = (runs["cli"] / "run.log").read_text()
    assert "WARNING distributed.shuffle._scheduler_plugin: Shuffle noise restarted" in log
    assert "py.warnings" in log and "noise from a library" in log
    assert "picpump.runner: inputs: computing" in log
    assert "inputs.zarr: 100 %" in log


def test_the_api_logs_without_touching_the_terminal_setting(runs: dict[str, Any]) -> None:
    log = (runs["api"] / "run.log").read_text()
    assert "monthly: computing" in log
    assert "inputs.zarr: 100 %" not in log  # progress=False


def test_importing_picpump_stays_light() -> None:
    code = "import sys, picpump; print([m for m in ('dask', 'xarray', 'zarr') if m in sys.modules])"
    printed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert printed.stdout.strip() == "[]"
    assert callable(picpump.run) and "run" in dir(picpump)
