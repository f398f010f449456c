"""``export_run`` refuses what it cannot export, before writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from picpump.errors import InputError
from picpump.report.export import export_run


def test_a_folder_without_products_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Zarr products of a picpump run folder"):
        export_run(str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_a_product_the_run_lacks_is_refused(tmp_path: Path) -> None:
    (tmp_path / "annual.zarr").mkdir()
    with pytest.raises(InputError, match="'ensemble'"):
        export_run(str(tmp_path), products=["ensemble"])


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="netcdf"):
        export_run(str(tmp_path), fmt="grib")
