"""Odd time units in a file are a message naming the file and the rule, not a traceback."""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import pytest

from picpump.errors import InputError
from picpump.io.ingest.netcdf import read_file


def _file(path: Path, units: str, value: float, calendar: str = "standard") -> str:
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", 1)
        ds.createDimension("lat", 2)
        time = ds.createVariable("time", "f8", ("time",))
        time.units, time.calendar = units, calendar
        time[:] = [value]
        ds.createVariable("pic", "f4", ("time", "lat"))[:] = np.ones((1, 2), "f4")
    return str(path)


@pytest.mark.parametrize(
    ("units", "value", "calendar"),
    [
        ("months since 2001-01-01", 3.0, "standard"),
        ("fortnights after the flood", 1.0, "standard"),
        ("days since 2001-01-01", 1e12, "standard"),  # beyond any pandas date
        ("days since 2001-01-01", 10.0, "martian"),
    ],
)
def test_odd_time_units_are_refused_with_the_file(
    tmp_path: Path, units: str, value: float, calendar: str
) -> None:
    path = _file(tmp_path / "odd.nc", units, value, calendar)
    with pytest.raises(InputError, match=r"(?s)CF time.*odd\.nc: time units") as caught:
        read_file(path, path, "pic", data=False)
    assert repr(units) in str(caught.value)


def test_plain_time_units_decode(tmp_path: Path) -> None:
    path = _file(tmp_path / "ok.nc", "days since 2001-01-01 00:00:00", 14.5)
    info, _ = read_file(path, path, "pic", data=False)
    assert [str(t) for t in info.times] == ["2001-01-15 12:00:00"]
