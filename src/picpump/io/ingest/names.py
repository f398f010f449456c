"""Names of the latitude, longitude and time axes, as archives and ancillary files spell them.

One list per axis, in order of preference (the first present wins when several are); names
are compared case-insensitively (``LATITUDE`` and ``Latitude`` are ``latitude``).
"""

from __future__ import annotations

from collections.abc import Iterable

LAT_NAMES = ("lat", "latitude", "y", "nav_lat", "rlat")
"""Names of a latitude axis (lower case, in order of preference)."""

LON_NAMES = ("lon", "longitude", "x", "nav_lon", "rlon")
"""Names of a longitude axis (lower case, in order of preference)."""

TIME_NAMES = ("time", "t", "date")
"""Names of a time axis (lower case, in order of preference)."""

ROLE_NAMES = {"lat": LAT_NAMES, "lon": LON_NAMES, "time": TIME_NAMES}
"""Axis role → the names that play it."""


def axis_role(name: str) -> str | None:
    """Return ``lat``, ``lon``, ``time`` or None for an axis name (case-insensitive).

    Parameters
    ----------
    name : str
        A dimension or column name.

    Returns
    -------
    str or None
        The role of the axis, None for any other name.
    """
    low = name.lower()
    return next((role for role, names in ROLE_NAMES.items() if low in names), None)


def named(names: Iterable[str], role: str) -> list[str]:
    """Return the names among ``names`` that play ``role``, in order of preference.

    Parameters
    ----------
    names : iterable of str
        Names in a file (dims or columns).
    role : {"lat", "lon", "time"}
        The axis wanted.

    Returns
    -------
    list of str
        Matching names as spelled in the file; empty when none matches.
    """
    present = list(names)
    return [n for wanted in ROLE_NAMES[role] for n in present if n.lower() == wanted]


__all__ = ["LAT_NAMES", "LON_NAMES", "ROLE_NAMES", "TIME_NAMES", "axis_role", "named"]
