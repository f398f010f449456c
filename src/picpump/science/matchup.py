r"""Matchup of sediment-trap PIC fluxes with the satellite production climatology.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §2.2.4): each trap observation goes to its
1° × 1° cell and is matched with the monthly climatology of euphotic-zone PIC production and of
NPP there. Rules of this module (SCIENCE.md §1 and §6):

- the calendar month is the month of the deployment mid-point, ``start + (end − start) / 2``
  [D]; with one date missing, the mid-point comes from the other date and ``duration_d``;
- an undated row is matched with the annual means (``annual``) instead;
- a position goes to the cell whose lower edges it lies on or above (lower edge inclusive; the
  poles and 180° fold into the last row and the first column);
- only good rows are matched (``qc == ""``, or flags all in ``allow_flags``: by default
  ``undated``, the flag the trap validation gives rows without dates); the others keep
  missing values and ``matched_on == "none"``;
- a match with production < ``min_production`` (0.1 mg C m-2 d-1, paper §2.2.4) or without a
  satellite value is flagged in ``qc``, never dropped silently.

The lookups are numpy fancy indexing on the 1° fields (at most 12 × 180 × 360 values, read
into memory once): no per-row Python loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import GridError, InputError, explain
from picpump.science._checks import check_units
from picpump.science.layers import depth_layer
from picpump.science.traps import usable_rows

FLAG_LOW_PRODUCTION = "low_production"
FLAG_NO_SATELLITE = "no_satellite_value"
FLAG_UNDATED_NO_ANNUAL = "undated_no_annual"
FLAG_BAD_POSITION = "bad_position"
FLAG_END_BEFORE_START = "end_before_start"
FLAG_UNDATED = "undated"
FLAG_NO_REGION = "no_region"
REQUIRED_COLUMNS = ("lat", "lon", "trap_depth_m", "start", "end", "pic_flux", "qc")
_RESOLUTION = 1.0
_UNITS = "mg m-2 d-1"


@dataclass(frozen=True)
class _Axis:
    """A regular cell-centred global axis: ``n`` cells from ``origin``, ascending or not."""

    origin: float
    span: float
    n: int
    descending: bool

    def index(self, values: NDArray[np.float64]) -> NDArray[np.intp]:
        """Cell index of each value (values inside the axis range; NaN gives 0)."""
        step = self.span / self.n
        shifted = np.nan_to_num(values - self.origin)
        if self.span == 360.0:
            shifted = np.mod(shifted, 360.0)
        i = np.clip(np.floor(shifted / step).astype(np.intp), 0, self.n - 1)
        return self.n - 1 - i if self.descending else i


_CANONICAL_LAT = _Axis(-90.0, 180.0, 180, descending=False)
_CANONICAL_LON = _Axis(-180.0, 360.0, 360, descending=False)


def _grid_error(name: str, received: str) -> GridError:
    return GridError(
        explain(
            f"the matchup needs a regular, cell-centred, global 1° grid ('{name}' centres at "
            "±0.5°, lat −89.5…89.5, lon −179.5…179.5 or 0.5…359.5)",
            received,
            "coarsen finer grids to 1° first (picpump.science.regrid), or standardise the "
            "product (picpump.io.ingest.reader)",
        )
    )


def _axis(coord: Any, name: str, spans: dict[float, float]) -> _Axis:
    """Check a coordinate is a regular cell-centred 1° axis; return how to index it."""
    values = np.asarray(coord, dtype=np.float64)
    if values.ndim != 1 or values.size < 2:
        raise _grid_error(name, f"'{name}' of shape {values.shape}")
    step = np.diff(values)
    descending = bool(step[0] < 0)
    resolution = abs(float(step[0]))
    if not np.allclose(np.abs(step), resolution, rtol=0, atol=1e-6) or np.any(
        (step < 0) != descending
    ):
        raise _grid_error(name, f"irregular '{name}' spacing {np.unique(step.round(6))[:5]}")
    if abs(resolution - _RESOLUTION) > 1e-6:
        finer = "finer" if resolution < _RESOLUTION else "coarser"
        raise _grid_error(name, f"'{name}' step {resolution:g}° ({finer} than 1°)")
    low = float(values.min()) - resolution / 2
    origin = next((o for o in spans if abs(low - o) < 1e-6), None)
    if origin is None or values.size * resolution != spans[origin]:
        raise _grid_error(
            name, f"'{name}' from {values.min():g} to {values.max():g} ({values.size} cells)"
        )
    return _Axis(origin, spans[origin], values.size, descending)


def _grid_axes(obj: xr.DataArray | xr.Dataset) -> tuple[_Axis, _Axis]:
    for dim in ("lat", "lon"):
        if dim not in obj.coords:
            raise _grid_error(dim, f"no '{dim}' coordinate (dims {tuple(obj.dims)})")
    lat = _axis(obj["lat"], "lat", {-90.0: 180.0})
    lon = _axis(obj["lon"], "lon", {-180.0: 360.0, 0.0: 360.0})
    return lat, lon


def _field(ds: xr.Dataset, name: str, dims: tuple[str, ...], what: str) -> NDArray[np.float64]:
    """Read one variable into memory in the order ``dims`` (units checked)."""
    if name not in ds.data_vars:
        raise InputError(
            explain(
                f"the {what} must hold the variable '{name}'",
                f"variables {sorted(map(str, ds.data_vars))}",
                "pass the product written by the climatology stage, or name the variable",
            )
        )
    da = ds[name]
    check_units(da, name, expected=_UNITS)
    if set(da.dims) != set(dims):
        raise _grid_error("lat", f"'{name}' has dims {da.dims}, expected {dims}")
    return np.asarray(da.transpose(*dims).values, dtype=np.float64)


def _month_positions(climatology: xr.Dataset) -> NDArray[np.intp]:
    """Array mapping a calendar month (1..12) to its position along ``month``."""
    months = np.asarray(climatology["month"].values) if "month" in climatology.coords else None
    if months is None or sorted(months.tolist()) != list(range(1, 13)):
        raise InputError(
            explain(
                "a monthly climatology has a 'month' coordinate holding 1..12 once each",
                f"month = {None if months is None else months.tolist()}",
                "pass the calendar-month climatology product (dims month, lat, lon)",
            )
        )
    positions = np.full(13, -1, dtype=np.intp)
    positions[months.astype(np.intp)] = np.arange(12)
    return positions


def _check_columns(traps: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in traps.columns]
    if missing:
        raise InputError(
            explain(
                f"a trap table has the columns {list(REQUIRED_COLUMNS)}",
                f"missing {missing}",
                "read the traps with picpump.io.traps, which builds the canonical table",
            )
        )


def _add_flag(qc: NDArray[Any], where: NDArray[np.bool_], flag: str) -> None:
    """Append ``flag`` to the ``;``-joined flags of the rows ``where`` (in place)."""
    old = qc[where]
    qc[where] = np.where(old == "", flag, old + ";" + flag)


def _mid_month(traps: pd.DataFrame) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Calendar month of the deployment mid-point (0 when undated) and a bad-dates mask."""
    start = pd.to_datetime(traps["start"])
    end = pd.to_datetime(traps["end"])
    days = traps["duration_d"] if "duration_d" in traps.columns else pd.Series(np.nan, traps.index)
    duration = pd.to_timedelta(pd.to_numeric(days, errors="coerce"), unit="D")
    half = (end - start) / 2
    mid = (start + half).fillna(start + duration / 2).fillna(end - duration / 2)
    bad = (end < start).to_numpy()
    month: NDArray[np.intp] = np.asarray(mid.dt.month.fillna(0), dtype=np.intp)
    month[bad] = 0
    return month, np.asarray(bad, dtype=bool)


def _regions_lookup(
    regions: xr.DataArray, lat: NDArray[np.float64], lon: NDArray[np.float64]
) -> NDArray[Any]:
    """Region name of each position (``""`` outside every region)."""
    rows, cols = _cell_index(regions, lat, lon)
    ids = np.asarray(regions.transpose("lat", "lon").values)
    values = np.atleast_1d(regions.attrs.get("flag_values", []))
    meanings = regions.attrs.get("flag_meanings", "")
    names = meanings.split() if isinstance(meanings, str) else list(meanings)
    if len(names) != len(values):
        raise InputError(
            explain(
                "a region mask carries as many flag_meanings as flag_values",
                f"{len(values)} values, {len(names)} meanings",
                "build the mask with picpump.io.ancillary.regions",
            )
        )
    table = np.full(int(max(values.max(initial=0), ids.max(initial=0))) + 1, "", dtype=object)
    table[values.astype(np.intp)] = names
    return np.asarray(table[np.clip(ids, 0, None).astype(np.intp)][rows, cols])


def match_traps(
    traps: pd.DataFrame,
    climatology: xr.Dataset,
    *,
    annual: xr.Dataset | None = None,
    regions: xr.DataArray | None = None,
    min_production: float = 0.1,
    production: str = "ez_pic_production_mean",
    npp: str = "npp_mean",
    annual_production: str = "ez_pic_production",
    annual_npp: str = "npp",
    allow_flags: Iterable[str] = (FLAG_UNDATED,),
) -> pd.DataFrame:
    """Match trap observations with the production and NPP climatology of their 1° cell.

    Parameters
    ----------
    traps : pandas.DataFrame
        Trap table (one row per deployment): ``lat``, ``lon`` [degrees], ``trap_depth_m``,
        ``start``, ``end`` (datetime, NaT if undated), ``duration_d``, ``pic_flux``, ``qc``
        (``""`` = good). Not modified.
    climatology : xarray.Dataset
        Calendar-month climatology, dims ``(month, lat, lon)`` on a regular, cell-centred,
        global 1° grid, variables ``production`` and ``npp`` in mg m-2 d-1.
    annual : xarray.Dataset, optional
        Annual means ``(lat, lon)`` for the undated rows; without it they are flagged
        ``undated_no_annual``.
    regions : xarray.DataArray, optional
        Region ids ``(lat, lon)`` (0 = none) with ``flag_values`` / ``flag_meanings``; adds a
        ``region`` column and flags rows outside every region ``no_region`` (the paper drops
        them, §2.2.3).
    min_production : float, default 0.1
        Production below this [mg C m-2 d-1] is flagged ``low_production``.
    production, npp : str
        Variable names in ``climatology``.
    annual_production, annual_npp : str
        Variable names in ``annual``.
    allow_flags : iterable of str, default ("undated",)
        Flags that do not stop a row from being matched.

    Returns
    -------
    pandas.DataFrame
        The trap table plus ``layer`` (when absent), ``cell_lat``, ``cell_lon`` (cell centre,
        lon −180…180), ``month`` (Int8, 1..12, of the mid-point; missing when undated),
        ``matched_on`` (``"month"``, ``"annual"`` or ``"none"``), ``production`` and ``npp``
        [mg C m-2 d-1], and ``region`` (with ``regions``); new flags are appended to ``qc``.

    Raises
    ------
    GridError
        When the climatology is not on a regular, cell-centred, global 1° grid.
    InputError
        When a column, a variable or the month coordinate is missing.
    """
    _check_columns(traps)
    month_pos = _month_positions(climatology)
    names = {"production": production, "npp": npp}
    monthly = _read_fields(climatology, names, ("month", "lat", "lon"), "climatology")
    yearly = None
    if annual is not None:
        names = {"production": annual_production, "npp": annual_npp}
        yearly = _read_fields(annual, names, ("lat", "lon"), "annual product")
    out = traps.copy()
    if "layer" not in out.columns:
        out["layer"] = depth_layer(out["trap_depth_m"])
    allowed = frozenset(allow_flags)
    qc, lat, lon, month = _prepare(out, allowed)
    located = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0)
    good = usable_rows(qc, allowed) & located
    dated = good & (month > 0)
    undated = good & (month == 0)
    values = {key: np.full(len(out), np.nan) for key in monthly}
    rows, cols = _cell_index(climatology, lat[dated], lon[dated])
    for key, field in monthly.items():
        values[key][dated] = field[month_pos[month[dated]], rows, cols]
    if annual is not None and yearly is not None:
        rows, cols = _cell_index(annual, lat[undated], lon[undated])
        for key, field in yearly.items():
            values[key][undated] = field[rows, cols]
    else:
        _add_flag(qc, undated, FLAG_UNDATED_NO_ANNUAL)
        undated[:] = False
    _add_flag(qc, (dated | undated) & np.isnan(values["production"]), FLAG_NO_SATELLITE)
    low = (dated | undated) & (values["production"] < min_production)
    _add_flag(qc, low, FLAG_LOW_PRODUCTION)
    out["cell_lat"] = np.where(located, -90.0 + (_CANONICAL_LAT.index(lat) + 0.5), np.nan)
    out["cell_lon"] = np.where(located, -180.0 + (_CANONICAL_LON.index(lon) + 0.5), np.nan)
    out["month"] = pd.Series(month, index=out.index, dtype="Int8").where(month > 0)
    out["matched_on"] = np.where(dated, "month", np.where(undated, "annual", "none"))
    out["production"] = values["production"]
    out["npp"] = values["npp"]
    if regions is not None:
        region = np.where(located, _regions_lookup(regions, lat, lon), "")
        out["region"] = region.astype(str)
        _add_flag(qc, usable_rows(qc, allowed) & (region == ""), FLAG_NO_REGION)
    out["qc"] = qc.astype(str)
    return out


def _prepare(
    out: pd.DataFrame, allow: frozenset[str]
) -> tuple[NDArray[Any], NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """Return qc (object array, bad positions and dates flagged), lat, lon and month."""
    qc = out["qc"].fillna("").astype(str).to_numpy(dtype=object)
    lat = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype=np.float64)
    bad_position = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0))
    month, bad_dates = _mid_month(out)
    _add_flag(qc, usable_rows(qc, allow) & bad_position, FLAG_BAD_POSITION)
    _add_flag(qc, usable_rows(qc, allow) & bad_dates, FLAG_END_BEFORE_START)
    return qc, lat, lon, month


def _read_fields(
    ds: xr.Dataset, names: dict[str, str], dims: tuple[str, ...], what: str
) -> dict[str, NDArray[np.float64]]:
    """Check the grid of ``ds`` and read the named variables into memory."""
    _grid_axes(ds)
    return {key: _field(ds, name, dims, what) for key, name in names.items()}


def _cell_index(
    obj: xr.DataArray | xr.Dataset, lat: NDArray[np.float64], lon: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and column of each position on the grid of ``obj``."""
    lat_axis, lon_axis = _grid_axes(obj)
    return lat_axis.index(lat), lon_axis.index(lon)


__all__ = [
    "FLAG_END_BEFORE_START",
    "FLAG_UNDATED",
    "FLAG_BAD_POSITION",
    "FLAG_LOW_PRODUCTION",
    "FLAG_NO_REGION",
    "FLAG_NO_SATELLITE",
    "FLAG_UNDATED_NO_ANNUAL",
    "match_traps",
]
