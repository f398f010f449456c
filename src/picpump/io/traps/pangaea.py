"""PANGAEA tab-delimited exports (``?format=textfile``) of sediment-trap fluxes.

Layout: an optional header block from a line ``/* DATA DESCRIPTION:`` to a line ``*/``,
then a tab-separated table with one header row. A column header is
``Name [unit] (comment)``; units use ``**`` for powers and may contain ``µ``. Columns are
found by name and unit, never by position; the layout of Mouw et al. (2016, ``GO_flux.tab``,
doi:10.1594/PANGAEA.855594) is the reference.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from picpump.errors import InputError, explain
from picpump.io.traps.common import (
    complete_dates,
    file_name,
    finish,
    numbers,
    position_label,
    read_text,
    trap_ids,
)
from picpump.units import Substance, flux_factor

_HEADER_RE = re.compile(r"^(?P<name>[^\[(]*?)\s*(\[(?P<unit>[^\]]*)\])?\s*(\((?P<comment>.*)\))?$")

PIC_NAMES = ("pic flux", "pic", "particulate inorganic carbon, flux", "c inorg flux")
CACO3_NAMES = ("caco3 flux", "caco3", "calcium carbonate, flux", "calcium carbonate flux")
POC_NAMES = ("poc flux", "particulate organic carbon, flux", "c org flux", "corg flux")
"""Accepted column names (lower case, before the unit) of each flux."""


@dataclass(frozen=True)
class PangaeaColumn:
    """One column header split into its parts.

    Attributes
    ----------
    header : str
        The header as written.
    name : str
        Lower-case name before the unit (``"pic flux"``).
    unit : str
        Text inside the brackets (``"mg/m**2/day"``), ``""`` when absent.
    comment : str
        Lower-case text inside the parentheses (``"sediment trap deployment depth"``).
    """

    header: str
    name: str
    unit: str
    comment: str


def parse_header(header: str) -> PangaeaColumn:
    """Split ``"Name [unit] (comment)"`` into a :class:`PangaeaColumn`."""
    match = _HEADER_RE.match(header.strip())
    if match is None:  # pragma: no cover - the pattern matches any string
        return PangaeaColumn(header, header.strip().lower(), "", "")
    return PangaeaColumn(
        header,
        match["name"].strip().lower(),
        (match["unit"] or "").strip(),
        (match["comment"] or "").strip().lower(),
    )


def split_description(text: str) -> tuple[str, str]:
    """Split a PANGAEA export into its description block and its table text."""
    lines = text.splitlines()
    if lines and lines[0].startswith("/* DATA DESCRIPTION"):
        for i, line in enumerate(lines):
            if line.strip() == "*/":
                return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
        raise InputError(
            explain(
                "a PANGAEA description block must end with a line '*/'",
                "a block opened by '/* DATA DESCRIPTION:' and never closed",
                "download the file again (format=textfile)",
            )
        )
    return "", text


def _pick(
    columns: Sequence[PangaeaColumn],
    names: Sequence[str],
    *,
    units: Sequence[str] | None = None,
    prefer: str = "",
) -> PangaeaColumn | None:
    """Find the column with one of ``names`` (and ``units``), preferring a comment match."""
    found = [c for c in columns if c.name in names and (units is None or c.unit in units)]
    preferred = [c for c in found if prefer and prefer in c.comment]
    candidates = preferred or found
    return candidates[0] if candidates else None


def _flux_columns(
    columns: Sequence[PangaeaColumn], names: Sequence[str], where: str
) -> list[PangaeaColumn]:
    found = [c for c in columns if c.name in names]
    if len(found) > 1:
        raise InputError(
            explain(
                "a PANGAEA trap file must have at most one column per flux",
                f"{[c.header for c in found]} in {where}",
                "keep one of them (e.g. with pandas) and read the edited file",
            )
        )
    return found


def _flux(
    table: pd.DataFrame, columns: list[PangaeaColumn], substance: Substance, where: str
) -> pd.Series:
    if not columns:
        return pd.Series(np.nan, index=range(len(table)))
    column = columns[0]
    here = f"{where}, column '{column.header}'"
    factor = flux_factor(column.unit, substance, here)
    return numbers(table[column.header], here) * factor


def _pic_flux(table: pd.DataFrame, columns: Sequence[PangaeaColumn], where: str) -> pd.Series:
    """PIC flux [mg C m-2 d-1]: the PIC column, else (row by row) CaCO3 × 0.12."""
    pic = _flux_columns(columns, PIC_NAMES, where)
    caco3 = _flux_columns(columns, CACO3_NAMES, where)
    if not pic and not caco3:
        raise InputError(
            explain(
                "a trap file must have a PIC or CaCO3 flux column "
                f"(names {list(PIC_NAMES + CACO3_NAMES)})",
                f"columns {[c.header for c in columns]} in {where}",
                "export the dataset with its PIC or CaCO3 flux parameter",
            )
        )
    from_pic = _flux(table, pic, "carbon", where)
    return from_pic.fillna(_flux(table, caco3, "caco3", where))


def _required(column: PangaeaColumn | None, what: str, where: str) -> PangaeaColumn:
    if column is None:
        raise InputError(
            explain(
                f"a PANGAEA trap file must have a {what} column",
                f"none in {where}",
                "export the dataset with its positions, depths and dates",
            )
        )
    return column


def _water_depth(table: pd.DataFrame, columns: Sequence[PangaeaColumn], where: str) -> pd.Series:
    """Water depth [m]: ``Bathy depth [m]``, else ``-Elevation [m a.s.l.]``."""
    out = pd.Series(np.nan, index=range(len(table)))
    bathy = _pick(columns, ("bathy depth", "depth, bathymetric", "bathy depth, interpolated"))
    if bathy is not None:
        out = numbers(table[bathy.header], where).abs()
    elevation = _pick(columns, ("elevation",), units=("m", "m a.s.l."))
    if elevation is not None:
        out = out.fillna(-numbers(table[elevation.header], where))
    return out


def _dates(table: pd.DataFrame, column: PangaeaColumn | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.NaT, index=range(len(table)), dtype="datetime64[ns]")
    raw = table[column.header].astype(str).str.strip()
    return pd.to_datetime(raw, format="ISO8601", errors="coerce")


def _identity(table: pd.DataFrame, columns: Sequence[PangaeaColumn], label: str) -> pd.Series:
    """Per-row source text: label, reference id and data type when present."""
    source = pd.Series(label, index=range(len(table)), dtype=object)
    ref = _pick(columns, ("id",), prefer="reference")
    if ref is not None and "reference" in ref.comment:
        source = source + " ref " + table[ref.header].astype(str)
    kind = _pick(columns, ("type",), prefer="data type")
    if kind is not None and "data type" in kind.comment:
        source = source + " (" + table[kind.header].astype(str) + ")"
    return source


def _station(
    table: pd.DataFrame, columns: Sequence[PangaeaColumn], lat: pd.Series, lon: pd.Series
) -> pd.Series:
    """Station names: the Event or location-id column, else the position."""
    column = _pick(columns, ("event", "station"))
    location = _pick(columns, ("id",), prefer="location")
    if column is None and location is not None and "location" in location.comment:
        column = location
    if column is None:
        return position_label(lat, lon)
    return table[column.header].astype(str).str.strip()


def read_pangaea_table(text: str, *, label: str, where: str) -> pd.DataFrame:
    """Build the tidy trap table from the text of a PANGAEA export.

    Parameters
    ----------
    text : str
        File contents.
    label : str
        Source label written in the ``source`` column.
    where : str
        File name, for error messages.

    Returns
    -------
    DataFrame
        The tidy trap table (:data:`~picpump.science.traps.TRAP_COLUMNS`), QC flags set.
    """
    _, body = split_description(text)
    table = pd.read_csv(io.StringIO(body), sep="\t", dtype=str, keep_default_na=False)
    columns = [parse_header(h) for h in table.columns]
    lat_col = _required(_pick(columns, ("latitude",)), "Latitude", where)
    lon_col = _required(_pick(columns, ("longitude",)), "Longitude", where)
    depth_col = _required(
        _pick(columns, ("depth water", "depth", "depth, water"), units=("m",), prefer="trap"),
        "trap depth ('Depth water [m]')",
        where,
    )
    pic = _pic_flux(table, columns, where)
    lat = numbers(table[lat_col.header], where)
    lon = numbers(table[lon_col.header], where)
    depth = numbers(table[depth_col.header], where)
    duration_col = _pick(columns, ("duration",), units=("days", "day", "d"))
    duration = (
        numbers(table[duration_col.header], where)
        if duration_col is not None
        else pd.Series(np.nan, index=range(len(table)))
    )
    start, end, duration = complete_dates(
        _dates(table, _pick(columns, ("date/time", "date/time start"))),
        _dates(table, _pick(columns, ("date/time end",))),
        duration,
    )
    station = _station(table, columns, lat, lon)
    return finish(
        {
            "station": station,
            "trap_id": trap_ids(station, depth),
            "lat": lat,
            "lon": lon,
            "trap_depth_m": depth,
            "water_depth_m": _water_depth(table, columns, where),
            "start": start,
            "end": end,
            "duration_d": duration,
            "pic_flux": pic,
            "poc_flux": _flux(table, _flux_columns(columns, POC_NAMES, where), "carbon", where),
            "source": _identity(table, columns, label),
        }
    )


def read_pangaea_tab(
    urlpath: str | os.PathLike[str],
    *,
    label: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Read a PANGAEA trap export into the tidy trap table.

    Parameters
    ----------
    urlpath : str or path-like
        Local path or fsspec URL of the ``.tab`` file.
    label : str, optional
        Source label (default: the file name).
    storage_options : mapping, optional
        fsspec options.

    Returns
    -------
    DataFrame
        One row per sample, :data:`~picpump.science.traps.TRAP_COLUMNS`; fluxes in
        mg C m-2 d-1 (PIC from the PIC column, else CaCO3 × 0.1200); QC flags set.

    Raises
    ------
    InputError
        No PIC/CaCO3 column, no position/depth column, unreadable numbers.
    UnitsError
        Flux units that are not a mass or amount per m² per day.
    """
    name = file_name(urlpath)
    return read_pangaea_table(
        read_text(urlpath, storage_options), label=label or name, where=os.fspath(urlpath)
    )


__all__ = [
    "CACO3_NAMES",
    "PIC_NAMES",
    "POC_NAMES",
    "PangaeaColumn",
    "parse_header",
    "read_pangaea_tab",
    "read_pangaea_table",
    "split_description",
]
