"""Units of table columns: in the CSV sidecar, the Parquet schema and each Parquet field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from picpump.io.store.table_files import read_table, read_units, write_table
from tests.io.store.test_table_files import make_table

UNITS = {"layer": "", "n": "1", "r": "1", "ratio32": "1", "month": "1", "start": ""}


@pytest.mark.parametrize("ext", ["parquet", "csv", "json"])
def test_units_are_read_back_from_every_file(tmp_path: Path, ext: str) -> None:
    urls = write_table(make_table(), str(tmp_path / "t"), attrs={}, units=UNITS)
    assert read_units(urls[ext]) == UNITS


def test_each_parquet_field_carries_its_unit(tmp_path: Path) -> None:
    urls = write_table(make_table(), str(tmp_path / "t"), attrs={}, units=UNITS)
    schema = pq.read_schema(urls["parquet"])
    assert schema.field("n").metadata == {b"units": b"1"}
    assert schema.field("qc").metadata is None  # no unit given, none written


def test_units_leave_the_table_unchanged(tmp_path: Path) -> None:
    df = make_table()
    urls = write_table(df, str(tmp_path / "t"), attrs={"a": 1}, units=UNITS)
    for ext in ("parquet", "csv"):
        back, attrs = read_table(urls[ext])
        pd.testing.assert_frame_equal(back, df, check_dtype=True)
        assert attrs == {"a": 1}


def test_a_table_written_without_units_has_none(tmp_path: Path) -> None:
    urls = write_table(make_table(), str(tmp_path / "t"), attrs={})
    assert read_units(urls["parquet"]) == {} and read_units(urls["json"]) == {}
