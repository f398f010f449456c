"""picpump compare: identical runs give no difference; a changed value, a missing product do."""

from __future__ import annotations

from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.cli import main
from picpump.errors import InputError
from picpump.io.store.generation import generation_url, switch_to
from picpump.io.store.table_files import write_table
from picpump.io.store.zarr_store import stage_zarr
from picpump.report.compare import compare_datasets, compare_runs, compare_tables, products_in


def _product(values: np.ndarray) -> xr.Dataset:
    return xr.Dataset(
        {"npp": (("lat", "lon"), values.astype("float32"))},
        coords={"lat": [-0.5, 0.5], "lon": [-1.5, -0.5, 0.5]},
    ).chunk()


def _run(folder: Path, values: np.ndarray, table: pd.DataFrame) -> str:
    pending = stage_zarr(_product(values), str(folder / "annual.zarr"))
    dask.compute(pending.task)
    pending.publish()
    write_table(table, str(folder / "tables" / "table1"), attrs={})
    return str(folder)


VALUES = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])
TABLE = pd.DataFrame({"layer": ["0-100", "100-200"], "n": [3, 4], "r": [0.5, np.nan]})


def test_identical_runs_have_no_difference(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", VALUES, TABLE)
    b = _run(tmp_path / "b", VALUES.copy(), TABLE.copy())
    assert products_in(a) == (["annual"], ["table1"])
    assert compare_runs(a, b) == []
    assert main(["compare", a, b]) == 0


def test_a_changed_value_and_a_missing_product_are_reported(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", VALUES, TABLE)
    changed = VALUES.copy()
    changed[1, 1] += 3e-7 * 5
    b = _run(tmp_path / "b", changed, TABLE.assign(n=[3, 5]))
    (tmp_path / "b" / "tables" / "table1.parquet").rename(tmp_path / "b" / "t.parquet")
    found = [d.describe() for d in compare_runs(a, b)]
    assert any(line.startswith("annual.npp: max |a - b| = 1.") for line in found)
    assert "in 1 of 6 values" in found[0]
    assert any("table1" in line and "no table in the second run" in line for line in found)
    assert main(["compare", a, b]) == 1


def test_a_folder_without_products_is_refused(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", VALUES, TABLE)
    with pytest.raises(InputError, match="output folder of a picpump run"):
        compare_runs(a, str(tmp_path / "missing"))
    assert main(["compare", a, str(tmp_path / "missing")]) == 2


def test_nan_is_equal_to_nan_but_not_to_a_number() -> None:
    a = _product(VALUES).load()
    assert compare_datasets("p", a, a.copy()) == []
    b = a.copy(deep=True)
    b["npp"][0, 1] = 0.0
    (diff,) = compare_datasets("p", a, b)
    assert diff.item == "npp" and "1 of 6" in diff.what
    assert compare_tables("t", TABLE, TABLE.copy()) == []
    assert compare_tables("t", TABLE, TABLE.iloc[:1])[0].what == "2 rows vs 1 rows"


def test_compare_reads_the_current_generation_of_each_folder(tmp_path: Path) -> None:
    a = tmp_path / "a"
    _run(Path(generation_url(str(a), "g1")), VALUES, TABLE)
    switch_to(str(a), "g1")
    _run(Path(generation_url(str(a), "g2")), VALUES + 1.0, TABLE)  # written, never switched
    b = _run(tmp_path / "b", VALUES.copy(), TABLE.copy())
    assert products_in(str(a)) == (["annual"], ["table1"])
    assert compare_runs(str(a), b) == []
