"""Readers of the xlsx station layouts: CARIACO (five traps per row) and PAP (3000 m trap)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from picpump.errors import InputError, UnitsError, explain
from picpump.io.traps.common import complete_dates, numbers, read_excel
from picpump.io.traps.station_table import StationFacts, find_column, station_table
from picpump.units import flux_factor

CARIACO_CODES = ("NA", "NT", "CC")
"""CARIACO cell codes: not available, no trap, clogged cup (all missing)."""

_CARIACO_DEPTH = re.compile(r"^\s*([A-Z])\s*=\s*\w+\s+trap\s*\(\s*([\d.]+)\s*meters\)", re.I)


def _cells(sheet: pd.DataFrame) -> list[list[str]]:
    """Sheet cells as stripped strings (blank for empty cells)."""
    return [["" if pd.isna(v) else str(v).strip() for v in row] for row in sheet.to_numpy()]


def _legend_units(legend: list[list[str]], label: str, where: str) -> str:
    """Units written in the sheet's key, e.g. ``CaCO3 Flux (g/m2/day)`` → ``g/m2/day``."""
    pattern = re.compile(rf"{label}\s*\(([^)]*)\)", re.I)
    for row in legend:
        for cell in row:
            match = pattern.search(cell)
            if match:
                return match.group(1)
    raise UnitsError(
        explain(
            f"the CARIACO sheet key must state the units of '{label}'",
            f"no '{label} (units)' cell above the header in {where}",
            "use the original CARIACO workbook",
        )
    )


def _check_depths(legend: list[list[str]], facts: StationFacts, where: str) -> None:
    """Refuse a workbook whose trap-depth key contradicts the configured depths."""
    for row in legend:
        for cell in row:
            match = _CARIACO_DEPTH.match(cell)
            if not match:
                continue
            letter, depth = match.group(1).upper(), float(match.group(2))
            known = facts.trap_depths_m.get(letter)
            if known is not None and known != depth:
                raise InputError(
                    explain(
                        f"CARIACO trap {letter} depth must match the configured {known:g} m",
                        f"'{cell}' in {where}",
                        "fix trap_depths_m in the catalog entry",
                    )
                )


def read_cariaco(
    urlpath: str | os.PathLike[str], facts: StationFacts, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read CARIACO: one row per cup with ``<trap>-caco3`` / ``<trap>-orgc`` per trap letter.

    The header row starts with ``Date Cup Opens`` (cups open at 00:00); the key above it
    gives the units (g m-2 d-1) and trap depths. A trap's cell ``NT`` (no trap) or blank
    means no sample: no row. ``NA`` and ``CC`` (clogged) keep the row with a NaN flux.
    """
    where = os.fspath(urlpath)
    cells = _cells(read_excel(urlpath, facts.sheet, storage_options))
    top = next((i for i, r in enumerate(cells) if r and r[0] == "Date Cup Opens"), None)
    if top is None:
        raise InputError(
            explain(
                "a CARIACO sheet has a header row 'Date Cup Opens'", f"none in {where}", "check it"
            )
        )
    legend, header = cells[:top], cells[top]
    _check_depths(legend, facts, where)
    factors = {
        "caco3": flux_factor(_legend_units(legend, "CaCO3 Flux", where), "caco3", where),
        "orgc": flux_factor(_legend_units(legend, "Organic Carbon Flux", where), "carbon", where),
    }
    sheet = pd.DataFrame(cells[top + 1 :])
    start = pd.to_datetime(sheet[0].replace("", None), errors="coerce")
    dated = start.notna().to_numpy()
    sheet, start = sheet.loc[dated].reset_index(drop=True), start[dated].reset_index(drop=True)
    duration = numbers(sheet[find_column(header, r"^duration$", where)], where)
    start, end, duration = complete_dates(start, pd.Series(pd.NaT, index=start.index), duration)
    tables = []
    for letter, depth in facts.trap_depths_m.items():
        caco3 = sheet[find_column(header, rf"^{letter}-caco3$", where)].reset_index(drop=True)
        orgc = sheet[find_column(header, rf"^{letter}-orgc$", where)].reset_index(drop=True)
        sampled = ~(caco3.isin(["", "NT"]) & orgc.isin(["", "NT"])).to_numpy()
        pic = numbers(caco3, where, codes=CARIACO_CODES) * factors["caco3"]
        poc = numbers(orgc, where, codes=CARIACO_CODES) * factors["orgc"]
        table = station_table(
            facts,
            where,
            depth,
            start[sampled],
            end[sampled],
            duration[sampled],
            pic[sampled],
            poc[sampled],
        )
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def read_pap(
    urlpath: str | os.PathLike[str], facts: StationFacts, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read the PAP 3000 m trap: names on the first row, units on the second.

    Start = ``Open Date`` (+ 12 h when the units row says ``at 1200h``), end = start +
    ``Interval`` days; PIC and C ORG with the units of the units row.
    """
    where = os.fspath(urlpath)
    cells = _cells(read_excel(urlpath, facts.sheet, storage_options))
    if len(cells) < 3:
        raise InputError(
            explain("a PAP sheet has two header rows", f"{len(cells)} rows in {where}", "check it")
        )
    names, units = cells[0], cells[1]
    opened = find_column(names, r"^open date$", where)
    interval = find_column(names, r"^interval$", where)
    pic_col, poc_col = find_column(names, r"^pic$", where), find_column(names, r"^c org$", where)
    sheet = pd.DataFrame(cells[2:])
    sheet = sheet.loc[sheet[opened] != ""].reset_index(drop=True)
    start = pd.to_datetime(sheet[opened], errors="coerce")
    if "1200" in units[opened]:
        start = start + pd.Timedelta(hours=12)
    start, end, duration = complete_dates(
        start, pd.Series(pd.NaT, index=start.index), numbers(sheet[interval], where)
    )
    pic = numbers(sheet[pic_col], where) * flux_factor(units[pic_col], "carbon", where)
    poc = numbers(sheet[poc_col], where) * flux_factor(units[poc_col], "carbon", where)
    return station_table(facts, where, facts.single_depth(), start, end, duration, pic, poc)


__all__ = ["CARIACO_CODES", "read_cariaco", "read_pap"]
