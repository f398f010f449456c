"""File conventions: how each archive names its axes and says which month a file covers.

Conventions (the catalog's ``args.convention``):

``globcolour``
    ACRI-ST GlobColour L3m: ``L3m_<YYYYMMDD>-<YYYYMMDD>__GLOB_...nc``, 2-D (lat, lon); the
    month comes from the ``period_start_day``/``period_end_day`` attributes and the file name.
``nasa_l3m``
    NASA OB.DAAC Level-3 mapped: dates in the name (``YYYYMMDD_YYYYMMDD`` or the old
    ``SYYYYDDDYYYYDDD``) and the ``time_coverage_start/end`` attributes.
``copernicus``
    Copernicus Marine: (time=1, lat, lon); the month comes from the time coordinate (else
    the ``time_coverage_start/end`` attributes).
``canonical``
    picpump's own form; the time coordinate is checked when present.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from numpy.typing import NDArray

from picpump.errors import GridError, InputError, explain
from picpump.io.ingest.names import axis_role

Claim = tuple[str, pd.Timestamp, pd.Timestamp, pd.Timedelta]
"""Evidence of a file's month: (where, start, end, slack)."""


@dataclass
class FileInfo:
    """What a file says about one variable, without its data.

    Attributes
    ----------
    url : str
        The file's URL (its name carries dates in some conventions).
    variable : str
        The variable's name.
    dims : tuple of str
        The variable's dimensions.
    shape : tuple of int
        The variable's shape.
    attrs : dict
        The variable's attributes.
    global_attrs : dict
        The file's global attributes.
    coords : dict of str to numpy.ndarray
        The 1-D coordinate variable of each dimension that has one.
    times : list of pandas.Timestamp
        The decoded values of the time coordinate, if any.
    """

    url: str
    variable: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    global_attrs: dict[str, Any] = field(default_factory=dict)
    coords: dict[str, NDArray[Any]] = field(default_factory=dict)
    times: list[pd.Timestamp] = field(default_factory=list)


@dataclass(frozen=True)
class Axes:
    """Positions of the latitude, longitude and (length-1) time axes of a variable."""

    lat: int
    lon: int
    time: int | None


def find_axes(info: FileInfo) -> Axes:
    """Find the axes of a variable by their dimension names.

    Rule: the variable is 2-D (lat, lon) in either order, or 3-D with a time dimension of
    length 1 (Copernicus), which is squeezed. Axes are recognised by name
    (:func:`picpump.io.ingest.names.axis_role`: ``lat``, ``latitude``, ``LATITUDE``, ``y``,
    ...). Anything else is refused.

    Parameters
    ----------
    info : FileInfo
        The file's description of the variable.

    Returns
    -------
    Axes
        The axis positions.

    Raises
    ------
    GridError
        For any other set of dimensions.
    """
    roles = {axis_role(d): i for i, d in enumerate(info.dims)}
    ok = {"lat", "lon"} <= set(roles) and len(roles) == len(info.dims)
    ok = ok and (len(info.dims) == 2 or ("time" in roles and info.shape[roles["time"]] == 1))
    if not ok or len(info.dims) not in (2, 3):
        raise GridError(
            explain(
                "a monthly field must be 2-D (lat, lon) or 3-D with a time dimension of length 1",
                f"'{info.variable}' with dims {info.dims} and shape {info.shape} in {info.url}",
                "select one month and one level per file, or name the axes lat/lon/time",
            )
        )
    return Axes(roles["lat"], roles["lon"], roles.get("time"))


def _day(text: str, fmt: str) -> pd.Timestamp | None:
    """Parse a date, returning None when it is not one."""
    try:
        return pd.Timestamp(datetime.strptime(text, fmt))
    except (ValueError, TypeError):
        return None


def _name_claims(info: FileInfo, pattern: str, fmt: str, names: list[str]) -> list[Claim]:
    """Dates written in file names: (start, end) pairs matched by ``pattern``."""
    claims: list[Claim] = []
    for name in names:
        match = re.search(pattern, name)
        start = _day(match.group(1), fmt) if match else None
        end = _day(match.group(2), fmt) if match else None
        if start is not None and end is not None:
            claims.append((f"file name {name}", start, end, pd.Timedelta(0)))
    return claims


def _globcolour_name(info: FileInfo) -> list[Claim]:
    """GlobColour: ``L3m_<YYYYMMDD>-<YYYYMMDD>__...`` in the file name."""
    return _name_claims(info, r"L3m_(\d{8})-(\d{8})", "%Y%m%d", [posixpath.basename(info.url)])


def _nasa_name(info: FileInfo) -> list[Claim]:
    """NASA: ``YYYYMMDD_YYYYMMDD`` or old ``SYYYYDDDYYYYDDD`` in the name or ``product_name``."""
    names = [posixpath.basename(info.url)]
    names += [str(info.global_attrs["product_name"])] if "product_name" in info.global_attrs else []
    new = _name_claims(info, r"(?<!\d)(\d{8})_(\d{8})(?!\d)", "%Y%m%d", names)
    return new or _name_claims(info, r"(?<![\dA-Za-z])[A-Z](\d{7})(\d{7})(?!\d)", "%Y%j", names)


def _period_attrs(info: FileInfo) -> list[Claim]:
    """GlobColour: ``period_start_day`` (and ``period_end_day``) attributes, YYYYMMDD."""
    attrs = info.global_attrs
    start = _day(str(attrs.get("period_start_day", "")).strip()[:8], "%Y%m%d")
    end = _day(str(attrs.get("period_end_day", "")).strip()[:8], "%Y%m%d")
    if start is None:
        return []
    return [("attribute period_start_day", start, end or start, pd.Timedelta(0))]


def _stamp(value: Any) -> pd.Timestamp | None:
    """Parse an ISO time stamp to a naive UTC timestamp."""
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return None
    if pd.isna(stamp):
        return None
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _coverage_attrs(info: FileInfo) -> list[Claim]:
    """ACDD ``time_coverage_start/end``; one day of slack (orbits cross midnight UTC)."""
    start = _stamp(info.global_attrs.get("time_coverage_start", ""))
    end = _stamp(info.global_attrs.get("time_coverage_end", ""))
    if start is None:
        return []
    return [("attributes time_coverage_start/end", start, end or start, pd.Timedelta(days=1))]


def _time_coordinate(info: FileInfo) -> list[Claim]:
    """Return the values of the time coordinate."""
    return [("time coordinate", t, t, pd.Timedelta(0)) for t in info.times]


def _copernicus(info: FileInfo) -> list[Claim]:
    """Copernicus: the time coordinate, else the coverage attributes."""
    return _time_coordinate(info) or _coverage_attrs(info)


CONVENTIONS: Mapping[str, tuple[Callable[[FileInfo], list[Claim]], ...]] = {
    "globcolour": (_period_attrs, _globcolour_name),
    "nasa_l3m": (_nasa_name, _coverage_attrs),
    "copernicus": (_copernicus,),
    "canonical": (_time_coordinate,),
}
"""Convention name → the sources of evidence of a file's month."""

DATED_IN_FILE = frozenset({"globcolour", "nasa_l3m", "copernicus"})
"""Conventions whose files must say which month they cover."""


def _covers(claim: Claim, month: pd.Timestamp) -> bool:
    """Whether the middle of a claimed period falls in ``month`` (± the claim's slack)."""
    _, start, end, slack = claim
    middle = start + (end - start) / 2
    return month - slack <= middle < month + pd.offsets.MonthBegin(1) + slack


def _covers_calendar_month(claim: Claim, month: pd.Timestamp) -> bool:
    """Whether a climatology's period starts and ends in the calendar month (± slack)."""
    _, start, end, slack = claim
    return (start + slack).month == month.month and (end - slack).month == month.month


def check_month(
    info: FileInfo, convention: str, month: pd.Timestamp, *, climatology: bool = False
) -> None:
    """Check that a file covers the expected month.

    Rule: every piece of evidence the convention defines (see :data:`CONVENTIONS`) must put
    the middle of the file's period in ``month``; files of a dated convention must carry at
    least one. For a climatology (``climatology=True``, e.g. NASA ``L3m.MC``
    ``20020701_20220731``) the period must instead start and end in the calendar month of
    ``month`` (its year is ignored).

    Parameters
    ----------
    info : FileInfo
        The file's description.
    convention : str
        One of :data:`CONVENTIONS`.
    month : pandas.Timestamp
        First day of the expected month.

    Raises
    ------
    InputError
        When the file says it covers another month, or says nothing in a dated convention.
    """
    claims = [c for rule in CONVENTIONS[convention] for c in rule(info)]
    expected = month.strftime("calendar month %m" if climatology else "%Y-%m")
    covers = _covers_calendar_month if climatology else _covers
    for claim in claims:
        if not covers(claim, month):
            raise InputError(
                explain(
                    f"the file for {expected} must cover {expected}",
                    f"{claim[0]} of {info.url} says {claim[1]:%Y-%m-%d}…{claim[2]:%Y-%m-%d}",
                    "fix the catalog urlpath (month fields) or replace the file",
                )
            )
    if not claims and convention in DATED_IN_FILE:
        raise InputError(
            explain(
                f"a {convention} file must say which month it covers",
                f"no dates in the name, attributes or time coordinate of {info.url}",
                "use the archive's original file names, or declare convention: canonical",
            )
        )


__all__ = [
    "CONVENTIONS",
    "DATED_IN_FILE",
    "Axes",
    "FileInfo",
    "check_month",
    "find_axes",
]
