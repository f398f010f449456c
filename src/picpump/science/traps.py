"""The tidy sediment-trap table: schema, the QC flag vocabulary and row selection.

One row per trap deployment (cup). Every reader in :mod:`picpump.io.traps` returns this
table; everything downstream (Table 1, matchups, efficiencies) reads it. Rows are never
dropped silently: a problem becomes a flag name in the ``qc`` column (``""`` = good,
otherwise flag names joined by ``";"``), and :func:`good_rows` selects the clean ones.

The rules live next door: :func:`picpump.science.trap_qc.validate_traps` sets the
:data:`VALIDATION_FLAGS`; Toullec 2026 (doi:10.5194/bg-23-4361-2026, §2.2) keeps deployments
of 31 days or less in open ocean (water depth ≥ 200 m), and
:func:`picpump.science.trap_filter.paper_filter` flags the others (:data:`FILTER_FLAGS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from picpump.errors import InputError, explain
from picpump.units import CACO3_TO_PIC, MOLAR_MASS_CACO3

TRAP_COLUMNS: tuple[str, ...] = (
    "station",
    "trap_id",
    "lat",
    "lon",
    "trap_depth_m",
    "water_depth_m",
    "start",
    "end",
    "duration_d",
    "pic_flux",
    "poc_flux",
    "source",
    "qc",
)
"""Columns of the tidy trap table, in order. Fluxes in mg C m-2 d-1."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "station",
    "trap_id",
    "lat",
    "lon",
    "trap_depth_m",
    "start",
    "end",
    "duration_d",
    "pic_flux",
)
"""Columns a table must have; the others get defaults (NaN, ``""``)."""

_DEFAULTS: dict[str, Any] = {"water_depth_m": np.nan, "poc_flux": np.nan, "source": "", "qc": ""}
_FLOATS = ("lat", "lon", "trap_depth_m", "water_depth_m", "duration_d", "pic_flux", "poc_flux")
_STRINGS = ("station", "trap_id", "source", "qc")

FLAG_END_BEFORE_START = "end_before_start"
FLAG_BAD_DURATION = "bad_duration"
"""Duration missing on a dated row, ≤ 0 d or > :data:`~picpump.science.trap_qc.MAX_DURATION_D`."""
FLAG_DURATION_MISMATCH = "duration_mismatch"
"""``duration_d`` differs from ``end - start`` by more than the tolerance."""
FLAG_BAD_POSITION = "bad_position"
FLAG_BAD_TRAP_DEPTH = "bad_trap_depth"
FLAG_DUPLICATE = "duplicate"
"""Same trap, start and depth as another row; the first row with a PIC flux is kept."""
FLAG_MISSING_PIC = "missing_pic"
FLAG_NONPOSITIVE_PIC = "nonpositive_pic"
FLAG_UNDATED = "undated"
FLAG_LONG_DEPLOYMENT = "long_deployment"
FLAG_SHALLOW_WATER = "shallow_water"
FLAG_UNKNOWN_WATER_DEPTH = "unknown_water_depth"

VALIDATION_FLAGS: tuple[str, ...] = (
    FLAG_END_BEFORE_START,
    FLAG_BAD_DURATION,
    FLAG_DURATION_MISMATCH,
    FLAG_BAD_POSITION,
    FLAG_BAD_TRAP_DEPTH,
    FLAG_DUPLICATE,
    FLAG_MISSING_PIC,
    FLAG_NONPOSITIVE_PIC,
    FLAG_UNDATED,
)
"""Flags set by :func:`picpump.science.trap_qc.validate_traps`."""

FILTER_FLAGS: tuple[str, ...] = (
    FLAG_LONG_DEPLOYMENT,
    FLAG_SHALLOW_WATER,
    FLAG_UNKNOWN_WATER_DEPTH,
)
"""Flags set by :func:`picpump.science.trap_filter.paper_filter`."""


def empty_trap_table() -> pd.DataFrame:
    """Return a trap table with no rows and the dtypes of :data:`TRAP_COLUMNS`."""
    return as_trap_table(pd.DataFrame({c: [] for c in REQUIRED_COLUMNS}))


def as_trap_table(frame: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """Coerce a frame to the tidy trap table: column order, dtypes, defaults.

    Parameters
    ----------
    frame : DataFrame or mapping of column name to values
        Must hold :data:`REQUIRED_COLUMNS`; ``water_depth_m`` and ``poc_flux`` default to
        NaN, ``source`` and ``qc`` to ``""``. Extra columns are kept after the others.

    Returns
    -------
    DataFrame
        A new frame with a fresh RangeIndex.

    Raises
    ------
    InputError
        When a required column is missing or a value cannot be converted.
    """
    df = pd.DataFrame(frame).reset_index(drop=True)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            explain(
                f"a trap table must have the columns {list(REQUIRED_COLUMNS)}",
                f"columns {list(df.columns)} (missing {missing})",
                "read the file with a picpump.io.traps reader, or add the missing columns",
            )
        )
    for column, default in _DEFAULTS.items():
        if column not in df.columns:
            df[column] = default
    try:
        for column in _FLOATS:
            df[column] = pd.to_numeric(df[column]).astype("float64")
        for column in ("start", "end"):
            df[column] = pd.to_datetime(df[column]).astype("datetime64[ns]")
    except (TypeError, ValueError) as err:
        raise InputError(
            explain(
                "trap positions, depths, durations and fluxes must be numbers, dates dates",
                str(err),
                "convert missing codes to NaN / NaT before building the table",
            )
        ) from err
    for column in _STRINGS:
        df[column] = df[column].fillna("").astype(str)
    extra = [c for c in df.columns if c not in TRAP_COLUMNS]
    return df[[*TRAP_COLUMNS, *extra]]


def add_flag(qc: pd.Series, where: ArrayLike, flag: str) -> pd.Series:
    """Append ``flag`` to the ``qc`` strings of the rows in ``where`` (once per row).

    Parameters
    ----------
    qc : Series of str
        Current flags (``""`` or names joined by ``";"``).
    where : array_like of bool
        Rows to flag.
    flag : str
        Flag name.

    Returns
    -------
    Series of str
        The updated flags (a new Series).
    """
    mask = np.asarray(where, dtype=bool)
    out = qc.astype(str).copy()
    has = out.str.split(";").map(lambda names: flag in names).to_numpy(dtype=bool)
    todo = mask & ~has
    values = out.to_numpy(dtype=object)
    values[todo] = [f"{old};{flag}" if old else flag for old in values[todo]]
    return pd.Series(values, index=qc.index, dtype=object).astype(str)


def flags_of(qc: pd.Series) -> pd.Series:
    """Split ``qc`` strings into sets of flag names."""
    return qc.astype(str).map(lambda s: frozenset(n for n in s.split(";") if n))


def usable_rows(qc: Any, allow_flags: Iterable[str] = ()) -> NDArray[np.bool_]:
    """Rows whose ``;``-joined flags are all in ``allow_flags`` (``""`` is always usable).

    Parameters
    ----------
    qc : array_like of str
        The ``qc`` column.
    allow_flags : iterable of str
        Tolerated flags.

    Returns
    -------
    ndarray of bool
        True for usable rows.
    """
    allowed = frozenset(allow_flags)
    codes, uniques = pd.factorize(pd.Series(qc, dtype=object).fillna("").astype(str))
    ok = np.array([set(u.split(";")) - {""} <= allowed for u in uniques], dtype=bool)
    return ok[codes] if ok.size else np.zeros(len(codes), dtype=bool)


def good_rows(df: pd.DataFrame, allow: Iterable[str] = ()) -> pd.DataFrame:
    """Rows whose flags are all in ``allow`` (by default: rows with no flag).

    Parameters
    ----------
    df : DataFrame
        A trap table.
    allow : iterable of str, optional
        Flags to tolerate, e.g. ``("undated",)`` for layer statistics of undated
        compilations.

    Returns
    -------
    DataFrame
        The selected rows (index kept).
    """
    return df.loc[usable_rows(df["qc"], allow)]


__all__ = [
    "CACO3_TO_PIC",
    "FILTER_FLAGS",
    "FLAG_BAD_DURATION",
    "FLAG_BAD_POSITION",
    "FLAG_BAD_TRAP_DEPTH",
    "FLAG_DUPLICATE",
    "FLAG_DURATION_MISMATCH",
    "FLAG_END_BEFORE_START",
    "FLAG_LONG_DEPLOYMENT",
    "FLAG_MISSING_PIC",
    "FLAG_NONPOSITIVE_PIC",
    "FLAG_SHALLOW_WATER",
    "FLAG_UNDATED",
    "FLAG_UNKNOWN_WATER_DEPTH",
    "MOLAR_MASS_CACO3",
    "REQUIRED_COLUMNS",
    "TRAP_COLUMNS",
    "VALIDATION_FLAGS",
    "add_flag",
    "as_trap_table",
    "empty_trap_table",
    "flags_of",
    "good_rows",
    "usable_rows",
]
