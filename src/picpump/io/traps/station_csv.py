"""Readers of the csv station layouts: ALOHA (HOT), K2 (JAMSTEC), Station M (MBARI), OFP.

Each reader checks the header rows it relies on (a file in another layout is refused, not
misread), finds its columns by their header text, converts the fluxes with the units
written in the file where it has them, and turns missing codes into NaN.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from picpump.errors import InputError, explain
from picpump.io.traps.common import (
    complete_dates,
    numbers,
    read_text,
)
from picpump.io.traps.station_table import StationFacts, find_column, station_table
from picpump.units import flux_factor

ALOHA_MISSING = -9.0
"""ALOHA's numeric missing code (also used for unknown hours)."""


def csv_rows(
    urlpath: str | os.PathLike[str], storage_options: Mapping[str, Any] | None
) -> list[list[str]]:
    """All rows of a csv file as lists of stripped strings."""
    text = read_text(urlpath, storage_options)
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _body(rows: list[list[str]], first: int, key: int) -> list[list[str]]:
    """Return the rows from ``first`` on with a non-blank cell ``key``, padded to one length."""
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows[first:] if len(r) > key and r[key]]


def _column(body: list[list[str]], index: int) -> pd.Series:
    return pd.Series([r[index] for r in body], dtype=object)


def _stamp(parts: Mapping[str, pd.Series]) -> pd.Series:
    """Datetimes from year, month, day (and hour) number columns; NaT where incomplete."""
    frame = pd.DataFrame({k: parts[k] for k in ("year", "month", "day")})
    when = pd.to_datetime(frame, errors="coerce")
    hour = parts.get("hour")
    if hour is not None:
        when = when + pd.to_timedelta(hour.fillna(0.0), unit="h")
    return when.astype("datetime64[ns]")


def read_aloha(
    urlpath: str | os.PathLike[str], facts: StationFacts, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read ALOHA deep moored traps (HOT): 3 header rows, then one row per cup, −9 = missing.

    Start and end come from month/day/year/hour columns (hour −9 → 00:00, hour 24 → next
    day); ``pc`` (particulate carbon of the acid-fumed sample) is taken as POC.
    """
    where = os.fspath(urlpath)
    rows = csv_rows(urlpath, storage_options)
    if len(rows) < 4 or rows[0][:3] != ["exp", "trap", "cup"]:
        raise InputError(
            explain(
                "an ALOHA file starts with 'exp,trap,cup'", f"{rows[:1]} in {where}", "check it"
            )
        )
    names = [f"{a} {b}".strip().lower() for a, b in zip(rows[0], rows[1], strict=False)]
    units = rows[2]
    body = _body(rows, 3, 0)

    def value(pattern: str) -> pd.Series:
        return numbers(
            _column(body, find_column(names, pattern, where)), where, sentinels=[ALOHA_MISSING]
        )

    def flux(pattern: str) -> pd.Series:
        i = find_column(names, pattern, where)
        factor = flux_factor(units[i], "carbon", f"{where}, column '{names[i]}'")
        return numbers(_column(body, i), where, sentinels=[ALOHA_MISSING]) * factor

    stamps = {
        side: _stamp({p: value(rf"^{side} {p}$") for p in ("year", "month", "day", "hour")})
        for side in ("start", "end")
    }
    depth = value(r"^depth$")
    start, end, duration = complete_dates(stamps["start"], stamps["end"], value(r"^time$"))
    return station_table(
        facts, where, depth, start, end, duration, flux(r"^pic$"), flux(r"^pc mean$")
    )


def read_k2(
    urlpath: str | os.PathLike[str], facts: StationFacts, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read K2 (JAMSTEC): a codes row (TMF, OCF, OPF, CAF, LMF), names and units rows.

    Blank rows between deployments; open day ``20-Mar-05``; CaCO3 (CAF) → PIC × 0.1200,
    OCF → POC; units from the units row.
    """
    where = os.fspath(urlpath)
    rows = csv_rows(urlpath, storage_options)
    if not rows or not rows[0][0].lower().startswith("station k2"):
        raise InputError(
            explain("a K2 file starts with 'Station K2'", f"{rows[:1]} in {where}", "check it")
        )
    codes = next((r for r in rows[:7] if "CAF" in r), [])
    names = next((r for r in rows[:7] if any("open day" in c.lower() for c in r)), [])
    units = next((r for r in rows[:7] if any("day-1" in c for c in r)), [])
    caf, ocf = find_column(codes, r"^CAF$", where), find_column(codes, r"^OCF$", where)
    opened, interval = (
        find_column(names, r"open day", where),
        find_column(names, r"interval", where),
    )
    body = _body(rows, 7, 0)
    start = pd.to_datetime(_column(body, opened), format="%d-%b-%y", errors="coerce")
    duration = numbers(_column(body, interval), where)
    start, end, duration = complete_dates(start, pd.Series(pd.NaT, index=start.index), duration)
    pic = numbers(_column(body, caf), where) * flux_factor(units[caf], "caco3", where)
    poc = numbers(_column(body, ocf), where) * flux_factor(units[ocf], "carbon", where)
    return station_table(facts, where, facts.single_depth(), start, end, duration, pic, poc)


def read_m(
    urlpath: str | os.PathLike[str], facts: StationFacts, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read Station M (MBARI): daily-expanded rows collapsed to one row per deployment.

    Trap depth = water depth − metres above bottom (``Depth..MAB.``). Fluxes are
    mg C m-2 d-1 (the PIC header reads ``mg C m^2/d``); ``NA`` and ``#VALUE!`` are missing.
    """
    where = os.fspath(urlpath)
    rows = csv_rows(urlpath, storage_options)
    header = rows[0] if rows else []
    cols = {
        key: find_column(header, pattern, where)
        for key, pattern in (
            ("mab", r"^depth.*mab"),
            ("open", r"^date_open$"),
            ("closed", r"^date_closed$"),
            ("duration", r"^duration"),
            ("poc", r"^org c flux"),
            ("pic", r"^pic flux"),
        )
    }
    body = _body(rows, 1, cols["open"])
    body = [r for r in body if r[cols["open"]].upper() != "NA"]
    frame = pd.DataFrame({k: _column(body, i) for k, i in cols.items()}).drop_duplicates()
    codes = ["NA", "#VALUE!"]
    mab = numbers(frame["mab"], where, codes=codes)
    start = pd.to_datetime(frame["open"], format="%m/%d/%Y", errors="coerce")
    end = pd.to_datetime(frame["closed"], format="%m/%d/%Y", errors="coerce")
    start, end, duration = complete_dates(
        start, end, numbers(frame["duration"], where, codes=codes)
    )
    return station_table(
        facts,
        where,
        facts.water_depth_m - mab,
        start,
        end,
        duration,
        numbers(frame["pic"], where, codes=codes),
        numbers(frame["poc"], where, codes=codes),
    )


def read_ofp(
    urlpath: str | os.PathLike[str], facts: StationFacts, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read OFP Bermuda 3200 m: 5 header rows, then one row per cup.

    Start from Year/Mo./Day, duration ``Days open``; CaCO3 → PIC × 0.1200, Corg → POC.
    Lines with no year (notes, lost cups) are not samples.
    """
    where = os.fspath(urlpath)
    rows = csv_rows(urlpath, storage_options)
    if len(rows) < 6 or not rows[0][0].upper().startswith("OFP"):
        raise InputError(
            explain("an OFP file starts with 'OFP'", f"{rows[:1]} in {where}", "check it")
        )
    names, units = rows[3], rows[4]
    year = find_column(units, r"^year$", where)
    month = find_column(units, r"^mo\.?$", where)
    day = month + 1 + find_column(units[month + 1 :], r"^day$", where)
    opened = find_column(units, r"^open$", where)
    caco3, corg = find_column(names, r"caco3", where), find_column(names, r"corg", where)
    body = _body(rows, 5, year)
    parts = {
        k: numbers(_column(body, i), where)
        for k, i in (("year", year), ("month", month), ("day", day))
    }
    start = _stamp(parts)
    start, end, duration = complete_dates(
        start, pd.Series(pd.NaT, index=start.index), numbers(_column(body, opened), where)
    )
    pic = numbers(_column(body, caco3), where) * flux_factor(units[caco3], "caco3", where)
    poc = numbers(_column(body, corg), where) * flux_factor(units[corg], "carbon", where)
    return station_table(facts, where, facts.single_depth(), start, end, duration, pic, poc)


__all__ = [
    "ALOHA_MISSING",
    "csv_rows",
    "read_aloha",
    "read_k2",
    "read_m",
    "read_ofp",
]
