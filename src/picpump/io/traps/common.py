"""Helpers shared by the trap readers: opening files, missing codes, flux units, dates."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import Any

import fsspec
import numpy as np
import pandas as pd

from picpump.errors import InputError, explain
from picpump.science.trap_qc import validate_traps
from picpump.science.traps import as_trap_table


def read_bytes(urlpath: str | os.PathLike[str], storage_options: Mapping[str, Any] | None) -> bytes:
    """Read a whole file (local path or fsspec URL).

    Raises
    ------
    InputError
        When the file does not exist.
    """
    url = os.fspath(urlpath)
    try:
        with fsspec.open(url, "rb", **dict(storage_options or {})) as f:
            data: bytes = f.read()
    except FileNotFoundError as err:
        raise InputError(
            explain(
                "a trap file must exist",
                f"no file at {url}",
                "check the path, or download the source first (see catalogs/traps.yaml)",
            )
        ) from err
    return data


def read_text(urlpath: str | os.PathLike[str], storage_options: Mapping[str, Any] | None) -> str:
    """Read a text file as UTF-8 (Latin-1 when it is not valid UTF-8); drop a BOM."""
    raw = read_bytes(urlpath, storage_options)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.removeprefix("\ufeff")


def read_excel(
    urlpath: str | os.PathLike[str], sheet: str, storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read one sheet of an xlsx file with no header handling (every cell as found)."""
    raw = read_bytes(urlpath, storage_options)
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, engine="openpyxl")
    except (ValueError, KeyError, OSError) as err:
        raise InputError(
            explain("a station workbook must be a readable xlsx file", str(err), "check it")
        ) from err
    if sheet not in sheets:
        raise InputError(
            explain(
                f"the workbook must have a sheet named '{sheet}'",
                f"sheets {list(sheets)} in {os.fspath(urlpath)}",
                "pass the right sheet name in the catalog entry (args: {sheet: ...})",
            )
        )
    return sheets[sheet]


def file_name(urlpath: str | os.PathLike[str]) -> str:
    """Return the last part of a path or URL, without a query string."""
    return os.fspath(urlpath).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def numbers(
    values: pd.Series | Iterable[Any],
    where: str,
    *,
    codes: Iterable[str] = (),
    sentinels: Iterable[float] = (),
) -> pd.Series:
    """Convert cells to float, turning missing codes into NaN and refusing anything else.

    Parameters
    ----------
    values : Series or iterable
        Cells as read (numbers, strings, blanks).
    where : str
        File and column, for the error message.
    codes : iterable of str, optional
        Text codes meaning "missing" (``NA``, ``NT``, ``CC`` ...), compared case-insensitively.
    sentinels : iterable of float, optional
        Numeric codes meaning "missing" (e.g. ``-9``).

    Returns
    -------
    Series of float64

    Raises
    ------
    InputError
        When a cell is neither a number, a blank nor a declared missing code.
    """
    series = pd.Series(values).reset_index(drop=True)
    text = series.astype(str).str.strip()
    blank = series.isna().to_numpy() | text.isin(["", "nan", "NaN", "None"]).to_numpy()
    known = {c.strip().lower() for c in codes}
    coded = text.str.lower().isin(known).to_numpy()
    out = pd.to_numeric(text.where(~(blank | coded)), errors="coerce")
    bad = out.isna().to_numpy() & ~blank & ~coded
    if bad.any():
        examples = sorted(set(text[bad]))[:5]
        raise InputError(
            explain(
                "trap values must be numbers, blanks or the file's missing codes "
                f"{sorted(known) or '(none)'}",
                f"{examples} in {where}",
                "fix the file, or add the code to the reader's missing codes",
            )
        )
    for value in sentinels:
        out = out.mask(out == value)
    return out.astype("float64")


def complete_dates(
    start: pd.Series, end: pd.Series, duration_d: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Fill whichever of start, end and duration is missing from the other two.

    Returns
    -------
    tuple of Series
        ``start``, ``end`` (datetime64[ns]) and ``duration_d`` (float, days).
    """
    start = pd.to_datetime(pd.Series(start).reset_index(drop=True)).astype("datetime64[ns]")
    end = pd.to_datetime(pd.Series(end).reset_index(drop=True)).astype("datetime64[ns]")
    duration = pd.Series(duration_d, dtype="float64").reset_index(drop=True)
    span = pd.to_timedelta(duration, unit="D")
    end = end.fillna(start + span)
    start = start.fillna(end - span)
    measured = (end - start).dt.total_seconds() / 86400.0
    return start, end, duration.fillna(measured)


def position_label(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Name a station by its position: ``"47.00N 160.00E"``."""
    lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return pd.Series(
        [
            f"{abs(a):.2f}{'N' if a >= 0 else 'S'} {abs(o):.2f}{'E' if o >= 0 else 'W'}"
            for a, o in zip(lat_a, lon_a, strict=True)
        ],
        dtype=object,
    )


def trap_ids(station: pd.Series, depth: pd.Series) -> pd.Series:
    """Trap identifiers ``"<station> <depth> m"``."""
    depth_a = np.asarray(depth, dtype=float)
    names = np.asarray(station, dtype=object)
    return pd.Series(
        [f"{s} {d:g} m" for s, d in zip(names, depth_a, strict=True)],
        dtype=object,
    )


def finish(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the tidy table from reader columns and run the row checks (QC flags)."""
    return validate_traps(as_trap_table(pd.DataFrame(dict(columns))))


__all__ = [
    "complete_dates",
    "file_name",
    "finish",
    "numbers",
    "position_label",
    "read_bytes",
    "read_excel",
    "read_text",
    "trap_ids",
]
