"""Statistics tables: Parquet + CSV round trips, attrs, atomic writes, memory:// URLs."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import pytest

from picpump.errors import InputError
from picpump.io.store import table_files as tables
from picpump.io.store.table_files import read_table, write_table

ATTRS: dict[str, Any] = {
    "ratio": "of_means",
    "definition": {"e_eff": "mean(F) / mean(P)"},
    "n_boot": np.int64(1000),
    "ci": 0.95,
    "allow_flags": ["undated"],
    "log10": True,
}
EXPECTED_ATTRS = {**ATTRS, "n_boot": 1000}


def make_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "layer": ["0-100", "100-500", ">4000"],
            "region": ["NA", "", "SAZ"],
            "n": np.array([12, 0, 3], dtype=np.int64),
            "r": [0.1234567890123456789, np.nan, -1e-300],
            "ratio32": np.array([0.1, 1.5, np.nan], dtype=np.float32),
            "significant": [True, False, False],
            "month": pd.array([3, None, 12], dtype="Int8"),
            "start": pd.to_datetime(["2001-03-01 06:00", None, "1999-12-31"], format="ISO8601"),
            "qc": ["", "low_production;no_region", "undated"],
        }
    )


@pytest.mark.parametrize("ext", ["parquet", "csv"])
def test_round_trip_local(tmp_path: Path, ext: str) -> None:
    df = make_table()
    urls = write_table(df, str(tmp_path / "sub" / "table_s4"), attrs=ATTRS)
    assert urls == {e: str(tmp_path / "sub" / f"table_s4.{e}") for e in ("parquet", "csv", "json")}
    back, attrs = read_table(urls[ext])
    pd.testing.assert_frame_equal(back, df, check_dtype=True)
    assert attrs == EXPECTED_ATTRS
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == [
        "table_s4.csv",
        "table_s4.json",
        "table_s4.parquet",
    ]


def test_round_trip_memory() -> None:
    base = f"memory://tables-{uuid.uuid4().hex}/out/fig5"
    df = make_table()
    urls = write_table(df, base + ".parquet", attrs=ATTRS)  # extension dropped
    assert urls["csv"] == base + ".csv"
    for url in (base, urls["csv"]):
        back, attrs = read_table(url)
        pd.testing.assert_frame_equal(back, df)
        assert attrs == EXPECTED_ATTRS


def test_parquet_metadata_is_plain_json(tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    urls = write_table(make_table(), str(tmp_path / "t"), attrs=ATTRS)
    metadata = pq.read_schema(urls["parquet"]).metadata
    assert json.loads(metadata[b"picpump.attrs"]) == EXPECTED_ATTRS
    sidecar = json.loads(Path(urls["json"]).read_text())
    assert sidecar["attrs"] == EXPECTED_ATTRS and sidecar["rows"] == 3
    assert Path(urls["csv"]).read_text().splitlines()[0].startswith("layer,region,n,r")


def test_failure_mid_write_leaves_no_complete_looking_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "t"
    write_table(make_table(), str(base), attrs={"version": 1})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    local = fsspec.filesystem("file")
    real_pipe = type(local).pipe_file
    calls = {"n": 0}

    def failing_pipe(self: Any, path: str, value: bytes, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the CSV: the Parquet temporary is already written
            raise OSError("disk full")
        real_pipe(self, path, value, **kwargs)

    monkeypatch.setattr(type(local), "pipe_file", failing_pipe)
    with pytest.raises(OSError, match="disk full"):
        write_table(make_table().iloc[:1], str(base), attrs={"version": 2})
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # the previous table intact, no temporary left
    new = tmp_path / "new"
    monkeypatch.setattr(type(local), "pipe_file", failing_pipe)
    calls["n"] = 0
    with pytest.raises(OSError):
        write_table(make_table(), str(new), attrs={})
    monkeypatch.undo()
    assert not list(tmp_path.glob("new*"))


def test_unserialisable_table_touches_no_file(tmp_path: Path) -> None:
    bad = pd.DataFrame({"x": [object(), object()]})
    with pytest.raises((TypeError, ValueError)):
        write_table(bad, str(tmp_path / "bad"), attrs={})
    assert list(tmp_path.iterdir()) == []


def test_mismatched_csv_and_sidecar_are_refused(tmp_path: Path) -> None:
    urls = write_table(make_table(), str(tmp_path / "t"), attrs={"version": 1})
    old_sidecar = Path(urls["json"]).read_bytes()
    write_table(make_table().iloc[:2], str(tmp_path / "t"), attrs={"version": 2})
    Path(urls["json"]).write_bytes(old_sidecar)  # as if the last rename never happened
    with pytest.raises(InputError, match="interrupted"):
        read_table(urls["csv"])
    back, attrs = read_table(urls["parquet"])
    assert len(back) == 2 and attrs == {"version": 2}


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no file"):
        read_table(str(tmp_path / "absent.parquet"))
    with pytest.raises(InputError, match="no file"):
        read_table(str(tmp_path / "absent.csv"))


def test_stats_frames_round_trip(tmp_path: Path) -> None:
    from picpump.science.efficiency import efficiency_by_latitude

    rng = np.random.default_rng(0)
    m = pd.DataFrame(
        {
            "lat": rng.uniform(-60, 60, 200),
            "trap_depth_m": rng.choice([50.0, 600.0], 200),
            "pic_flux": rng.lognormal(0, 1, 200),
            "production": rng.lognormal(1, 1, 200),
            "qc": "",
        }
    )
    out = efficiency_by_latitude(m, n_boot=50)
    urls = write_table(out, str(tmp_path / "fig7"), attrs=out.attrs)
    back, attrs = read_table(urls["csv"])
    pd.testing.assert_frame_equal(back, out, check_like=False)
    assert attrs["definition"]["e_eff"] == out.attrs["definition"]["e_eff"]
    assert tables.ATTRS_KEY == b"picpump.attrs"
