"""The tidy sediment-trap table: schema, QC flags and the paper's filter.

One row per trap deployment (cup). Every reader in :mod:`picpump.io.traps` returns this
table; everything downstream (Table 1, matchups, efficiencies) reads it. Rows are never
dropped silently: a problem becomes a flag name in the ``qc`` column (``""`` = good,
otherwise flag names joined by ``";"``), and :func:`good_rows` selects the clean ones.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §2.2) keeps deployments of 31 days or less in
open ocean (water depth ≥ 200 m); :func:`paper_filter` flags the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from picpump.errors import GridError, InputError, explain
from picpump.units import MOLAR_MASS_C

MOLAR_MASS_CACO3 = 100.087
"""Molar mass of calcium carbonate [g mol-1]."""

CACO3_TO_PIC = MOLAR_MASS_C / MOLAR_MASS_CACO3
"""Carbon mass per CaCO3 mass: 12.011 / 100.087 = 0.1200 (SCIENCE.md §6)."""

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
"""Duration missing on a dated row, ≤ 0 d or > :data:`MAX_DURATION_D`."""
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
"""Flags set by :func:`validate_traps`."""

FILTER_FLAGS: tuple[str, ...] = (
    FLAG_LONG_DEPLOYMENT,
    FLAG_SHALLOW_WATER,
    FLAG_UNKNOWN_WATER_DEPTH,
)
"""Flags set by :func:`paper_filter`."""

MAX_DURATION_D = 365.0
"""Longest plausible single-cup deployment [d]; longer ones are flagged ``bad_duration``."""
DURATION_TOLERANCE_D = 1.0
"""Allowed difference between ``duration_d`` and ``end - start`` [d]."""


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


def _duplicates(df: pd.DataFrame) -> NDArray[np.bool_]:
    """Rows of a dated (trap, start, depth) but the kept one: the first with a PIC flux."""
    key = df[["trap_id", "start", "trap_depth_m"]].assign(_no_pic=df["pic_flux"].isna())
    order = key.sort_values("_no_pic", kind="stable").index
    dup = key.loc[order].duplicated(subset=["trap_id", "start", "trap_depth_m"], keep="first")
    dated = df["start"].notna().to_numpy()
    return np.asarray(dup.reindex(df.index).to_numpy(dtype=bool) & dated)


def validate_traps(
    df: pd.DataFrame, *, duration_tolerance_d: float = DURATION_TOLERANCE_D
) -> pd.DataFrame:
    """Check a trap table and flag each row's problems in ``qc``.

    Flags (:data:`VALIDATION_FLAGS`): ``end_before_start``; ``bad_duration`` (≤ 0 d,
    > 365 d, or missing on a dated row); ``duration_mismatch`` (``duration_d`` and
    ``end - start`` differ by more than ``duration_tolerance_d``); ``bad_position``
    (lat/lon missing or out of range); ``bad_trap_depth`` (missing or negative);
    ``duplicate`` (same trap, start and depth as the kept row: the first one
    with a PIC flux, else the first); ``missing_pic``;
    ``nonpositive_pic``; ``undated`` (no start or end date). Existing flags are kept;
    running it twice changes nothing.

    Parameters
    ----------
    df : DataFrame
        A trap table (:data:`REQUIRED_COLUMNS` at least).
    duration_tolerance_d : float, optional
        Tolerance of the duration check [d].

    Returns
    -------
    DataFrame
        A new table with :data:`TRAP_COLUMNS` and the updated ``qc``.

    Raises
    ------
    InputError
        When a required column is missing.
    """
    out = as_trap_table(df)
    flags = {**_date_flags(out, duration_tolerance_d), **_value_flags(out)}
    flags[FLAG_DUPLICATE] = _duplicates(out)
    qc = out["qc"]
    for name in VALIDATION_FLAGS:
        qc = add_flag(qc, flags[name], name)
    out["qc"] = qc
    return out


def paper_filter(
    df: pd.DataFrame, *, max_duration_d: float = 31.0, min_water_depth_m: float = 200.0
) -> pd.DataFrame:
    """Validate, then flag what the paper leaves out (Toullec 2026, §2.2).

    Adds ``long_deployment`` (duration > ``max_duration_d``), ``shallow_water`` (water
    depth < ``min_water_depth_m``) and ``unknown_water_depth`` (no water depth: fill it
    first with :func:`fill_water_depth`). Rows stay in the table; select the kept ones with
    :func:`good_rows`.

    Parameters
    ----------
    df : DataFrame
        A trap table.
    max_duration_d : float, optional
        Longest deployment kept [d] (paper: 31).
    min_water_depth_m : float, optional
        Shallowest water column kept [m] (paper: 200, open ocean only).

    Returns
    -------
    DataFrame
        The validated table with the filter flags added.
    """
    out = validate_traps(df)
    duration = out["duration_d"].to_numpy(float)
    water = out["water_depth_m"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        qc = add_flag(out["qc"], duration > max_duration_d, FLAG_LONG_DEPLOYMENT)
        qc = add_flag(qc, water < min_water_depth_m, FLAG_SHALLOW_WATER)
    out["qc"] = add_flag(qc, np.isnan(water), FLAG_UNKNOWN_WATER_DEPTH)
    return out


def _coordinate(elevation: xr.DataArray, names: tuple[str, ...]) -> str:
    for name in names:
        if name in elevation.coords:
            return name
    raise GridError(
        explain(
            f"an elevation grid needs a coordinate named one of {list(names)}",
            f"coordinates {list(elevation.coords)}",
            "rename the coordinates to lat / lon",
        )
    )


def water_depth_from_bathymetry(
    lat: ArrayLike, lon: ArrayLike, elevation: xr.DataArray
) -> NDArray[np.float64]:
    """Water depth [m, positive down] at points, from the nearest cell of an elevation grid.

    Parameters
    ----------
    lat, lon : array_like
        Positions [degrees]; lon in −180…180 (a 0…360 grid is handled).
    elevation : DataArray
        2-D elevation [m, positive up], coordinates ``lat``/``lon`` (or
        ``latitude``/``longitude``), any order or sort direction.

    Returns
    -------
    ndarray of float64
        ``-elevation`` of the nearest cell, 0 on land cells, NaN for missing positions.
    """
    lat_name = _coordinate(elevation, ("lat", "latitude"))
    lon_name = _coordinate(elevation, ("lon", "longitude"))
    lat_a = np.asarray(lat, dtype=float).ravel()
    lon_a = np.asarray(lon, dtype=float).ravel()
    grid_lon = np.asarray(elevation[lon_name].values, dtype=float)
    if grid_lon.size and np.nanmax(grid_lon) > 180.0:
        lon_a = np.mod(lon_a, 360.0)
    ok = np.isfinite(lat_a) & np.isfinite(lon_a)
    out = np.full(lat_a.shape, np.nan)
    if ok.any():
        points = elevation.sel(
            {lat_name: xr.DataArray(lat_a[ok]), lon_name: xr.DataArray(lon_a[ok])},
            method="nearest",
        )
        out[ok] = np.maximum(-np.asarray(points.values, dtype=float), 0.0)
    return out


def fill_water_depth(df: pd.DataFrame, elevation: xr.DataArray) -> pd.DataFrame:
    """Fill unknown water depths of a trap table from an elevation grid.

    Parameters
    ----------
    df : DataFrame
        A trap table.
    elevation : DataArray
        Elevation [m, positive up] (see :func:`water_depth_from_bathymetry`).

    Returns
    -------
    DataFrame
        A copy; known water depths are kept as they are.
    """
    out = as_trap_table(df)
    unknown = out["water_depth_m"].isna().to_numpy()
    if unknown.any():
        rows = out.loc[unknown]
        depth = water_depth_from_bathymetry(rows["lat"], rows["lon"], elevation)
        out.loc[unknown, "water_depth_m"] = depth
    return out


__all__ = [
    "CACO3_TO_PIC",
    "DURATION_TOLERANCE_D",
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
    "MAX_DURATION_D",
    "MOLAR_MASS_CACO3",
    "REQUIRED_COLUMNS",
    "TRAP_COLUMNS",
    "VALIDATION_FLAGS",
    "add_flag",
    "as_trap_table",
    "empty_trap_table",
    "fill_water_depth",
    "flags_of",
    "good_rows",
    "paper_filter",
    "validate_traps",
    "water_depth_from_bathymetry",
]
