"""Validation rules of the trap table: dates, durations, positions, depths, fluxes, duplicates.

:func:`validate_traps` checks each row of a trap table (:mod:`picpump.science.traps`) and
appends the name of every problem to its ``qc`` column (the flags of
:data:`~picpump.science.traps.VALIDATION_FLAGS`); rows are never dropped. The paper's own
selection is :func:`picpump.science.trap_filter.paper_filter`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from picpump.science.traps import (
    FLAG_BAD_DURATION,
    FLAG_BAD_POSITION,
    FLAG_BAD_TRAP_DEPTH,
    FLAG_DUPLICATE,
    FLAG_DURATION_MISMATCH,
    FLAG_END_BEFORE_START,
    FLAG_MISSING_PIC,
    FLAG_NONPOSITIVE_PIC,
    FLAG_UNDATED,
    VALIDATION_FLAGS,
    add_flag,
    as_trap_table,
)

MAX_DURATION_D = 365.0
"""Longest plausible single-cup deployment [d]; longer ones are flagged ``bad_duration``."""
DURATION_TOLERANCE_D = 1.0
"""Allowed difference between ``duration_d`` and ``end - start`` [d]."""


def _date_flags(df: pd.DataFrame, tolerance_d: float) -> dict[str, NDArray[np.bool_]]:
    """Compute the flags about dates and durations."""
    undated = (df["start"].isna() | df["end"].isna()).to_numpy()
    span = ((df["end"] - df["start"]).dt.total_seconds() / 86400.0).to_numpy()
    duration = df["duration_d"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~((duration > 0) & (duration <= MAX_DURATION_D))
        bad &= ~(undated & np.isnan(duration))
        mismatch = ~undated & np.isfinite(duration) & (np.abs(span - duration) > tolerance_d)
    return {
        FLAG_END_BEFORE_START: np.asarray(span < 0),
        FLAG_BAD_DURATION: bad,
        FLAG_DURATION_MISMATCH: mismatch,
        FLAG_UNDATED: undated,
    }


def _value_flags(df: pd.DataFrame) -> dict[str, NDArray[np.bool_]]:
    """Compute the flags about positions, depths and fluxes."""
    lat, lon = df["lat"].to_numpy(float), df["lon"].to_numpy(float)
    depth, pic = df["trap_depth_m"].to_numpy(float), df["pic_flux"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        position_ok = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)
        return {
            FLAG_BAD_POSITION: ~position_ok,
            FLAG_BAD_TRAP_DEPTH: ~(depth >= 0.0),
            FLAG_MISSING_PIC: np.isnan(pic),
            FLAG_NONPOSITIVE_PIC: pic <= 0.0,
        }


def _duplicates(df: pd.DataFrame, bad_dates: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Rows of a dated (trap, start, depth) but the kept one.

    The kept row is the first with valid dates (a row whose end precedes its start never
    displaces a valid one), then the first with a PIC flux.
    """
    key = df[["trap_id", "start", "trap_depth_m"]].assign(
        _bad_dates=bad_dates, _no_pic=df["pic_flux"].isna()
    )
    order = key.sort_values(["_bad_dates", "_no_pic"], kind="stable").index
    dup = key.loc[order].duplicated(subset=["trap_id", "start", "trap_depth_m"], keep="first")
    dated = df["start"].notna().to_numpy()
    return np.asarray(dup.reindex(df.index).to_numpy(dtype=bool) & dated)


def validate_traps(
    df: pd.DataFrame, *, duration_tolerance_d: float = DURATION_TOLERANCE_D
) -> pd.DataFrame:
    """Check a trap table and flag each row's problems in ``qc``.

    Flags (:data:`~picpump.science.traps.VALIDATION_FLAGS`): ``end_before_start``;
    ``bad_duration`` (≤ 0 d, > 365 d, or missing on a dated row); ``duration_mismatch``
    (``duration_d`` and ``end - start`` differ by more than ``duration_tolerance_d``);
    ``bad_position`` (lat/lon missing or out of range); ``bad_trap_depth`` (missing or
    negative); ``duplicate`` (same trap, start and depth as the kept row: the first one
    with valid dates and a PIC flux, else the first); ``missing_pic``; ``nonpositive_pic``;
    ``undated`` (no start or end date). Existing flags are kept; running it twice changes nothing.

    Parameters
    ----------
    df : DataFrame
        A trap table (:data:`~picpump.science.traps.REQUIRED_COLUMNS` at least).
    duration_tolerance_d : float, optional
        Tolerance of the duration check [d].

    Returns
    -------
    DataFrame
        A new table with :data:`~picpump.science.traps.TRAP_COLUMNS` and the updated ``qc``.

    Raises
    ------
    InputError
        When a required column is missing.
    """
    out = as_trap_table(df)
    flags = {**_date_flags(out, duration_tolerance_d), **_value_flags(out)}
    flags[FLAG_DUPLICATE] = _duplicates(out, flags[FLAG_END_BEFORE_START])
    qc = out["qc"]
    for name in VALIDATION_FLAGS:
        qc = add_flag(qc, flags[name], name)
    out["qc"] = qc
    return out


__all__ = ["DURATION_TOLERANCE_D", "MAX_DURATION_D", "validate_traps"]
