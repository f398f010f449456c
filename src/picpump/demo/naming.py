"""Months, sensor eras and file names of the demo archive (the real archives' conventions)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from picpump.errors import InputError, explain

EPOCH = (1997, 9)
"""First month of the ocean-colour record (SeaWiFS); month indices count from here."""

GLOBCOLOUR_PARAMS = ("PIC", "PAR", "KD490", "POC")
"""GlobColour parameter codes written by the demo archive."""

# GlobColour merges whatever sensors fly in a month, so the <merge>-<sensors> part of the
# file name changes over the record. One row per era: (first month, merge code, sensors).
# Sensor codes are concatenated in alphabetical order, as in the GlobColour archive; the
# dates follow the missions (SeaWiFS to 2010-12, MERIS 2002-04 to 2012-04, MODIS-Aqua from
# 2002-07, VIIRS-SNPP from 2012-01, OLCI-A from 2016-05, OLCI-B from 2018-06, VIIRS-JPSS1
# from 2019-12). A single-sensor month uses the plain average (AV), merged months the
# weighted average (AVW).
GLOBCOLOUR_ERAS: tuple[tuple[str, str, str], ...] = (
    ("1997-09", "AV", "SWF"),
    ("2002-05", "AVW", "MERSWF"),
    ("2002-07", "AVW", "MERMODSWF"),
    ("2011-01", "AVW", "MERMOD"),
    ("2012-01", "AVW", "MERMODVIR"),
    ("2012-05", "AVW", "MODVIR"),
    ("2016-05", "AVW", "MODOLAVIR"),
    ("2018-06", "AVW", "MODOLAOLBVIR"),
    ("2019-12", "AVW", "MODOLAOLBVIRVJ1"),
)

SENSOR_NAMES = {
    "SWF": "SeaWiFS",
    "MER": "MERIS",
    "MOD": "MODIS",
    "VIR": "VIIRSN",
    "OLA": "OLCIA",
    "OLB": "OLCIB",
    "VJ1": "VIIRSJ1",
}
"""GlobColour sensor codes and the names used in titles."""

# NASA OB.DAAC distributes no SST before MODIS (Terra from 2000-02, Aqua from 2002-07) and
# no SeaWiFS SST at all, so the demo names every SST month after MODIS-Aqua, including the
# months before its launch. Readers match the prefix with a glob.
NASA_SST_SENSOR = "AQUA_MODIS"

COPERNICUS_DATASET = "cmems_obs-oc_glo_bgc-pp_my_l4-multi-1deg_P1M"
"""The Copernicus Marine PP dataset id, at the demo's 1° (the real product is 4 km)."""

BATHYMETRY_FILE = "bathymetry/demo_bathymetry_1deg.nc"
"""Path of the demo bathymetry inside the archive."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month.

    Parameters
    ----------
    year : int
        Year.
    month : int
        Month, 1 to 12.
    """

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM`` (or ``YYYYMM``).

        Parameters
        ----------
        text : str
            The month.

        Returns
        -------
        Month
            The month.

        Raises
        ------
        InputError
            When the text is not a month.
        """
        match = re.fullmatch(r"(\d{4})-?(\d{2})", str(text).strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise InputError(
                explain(
                    "a month is written YYYY-MM",
                    repr(text),
                    "give e.g. --start 1997-09",
                )
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def shifted(self, months: int) -> Month:
        """Return the month ``months`` later (earlier when negative)."""
        total = self.year * 12 + self.month - 1 + months
        return Month(total // 12, total % 12 + 1)

    @property
    def days(self) -> int:
        """Number of days in the month."""
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def first(self) -> date:
        """First day."""
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        """Last day."""
        return date(self.year, self.month, self.days)

    @property
    def mid_day_of_year(self) -> float:
        """Day of the year of the middle of the month (1 = 1 January, 00:00)."""
        return self.first.timetuple().tm_yday + self.days / 2.0

    @property
    def index(self) -> int:
        """Months since the start of the record (1997-09 is 0)."""
        return (self.year - EPOCH[0]) * 12 + self.month - EPOCH[1]

    @property
    def decimal_year(self) -> float:
        """Middle of the month as a decimal year."""
        return self.year + (self.month - 0.5) / 12.0

    def label(self) -> str:
        """Return ``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"


def month_range(start: str, periods: int) -> list[Month]:
    """Return ``periods`` consecutive months from ``start``.

    Parameters
    ----------
    start : str
        First month, ``YYYY-MM``.
    periods : int
        Number of months (at least 1).

    Returns
    -------
    list of Month
        The months.

    Raises
    ------
    InputError
        For a malformed start or fewer than one month.
    """
    if int(periods) < 1:
        raise InputError(
            explain("the demo archive needs at least one month", f"periods={periods}", "give 1…")
        )
    first = Month.parse(start)
    return [first.shifted(i) for i in range(int(periods))]


def globcolour_era(month: Month) -> tuple[str, str]:
    """Return the ``(merge, sensors)`` codes of a month (see :data:`GLOBCOLOUR_ERAS`).

    Parameters
    ----------
    month : Month
        The month.

    Returns
    -------
    tuple of str
        Merge code (``AV`` or ``AVW``) and concatenated sensor codes.
    """
    merge, sensors = GLOBCOLOUR_ERAS[0][1:]
    for first, era_merge, era_sensors in GLOBCOLOUR_ERAS:
        if month >= Month.parse(first):
            merge, sensors = era_merge, era_sensors
    return merge, sensors


def sensor_codes(sensors: str) -> list[str]:
    """Split concatenated GlobColour sensor codes (``MODVIR`` → ``["MOD", "VIR"]``)."""
    return [sensors[i : i + 3] for i in range(0, len(sensors), 3)]


def globcolour_name(param: str, month: Month) -> str:
    """Return the GlobColour L3m monthly 1° file name of a parameter.

    Parameters
    ----------
    param : str
        Parameter code (``PIC``, ``PAR``, ``KD490``, ``POC``).
    month : Month
        The month.

    Returns
    -------
    str
        E.g. ``L3m_20100101-20100131__GLOB_100_AVW-MODVIR_PAR_MO_00.nc``.
    """
    merge, sensors = globcolour_era(month)
    span = f"{month.first:%Y%m%d}-{month.last:%Y%m%d}"
    return f"L3m_{span}__GLOB_100_{merge}-{sensors}_{param}_MO_00.nc"


def nasa_sst_name(month: Month) -> str:
    """Return the NASA OB.DAAC L3m monthly SST file name at 1°.

    Parameters
    ----------
    month : Month
        The month.

    Returns
    -------
    str
        E.g. ``AQUA_MODIS.20100101_20100131.L3m.MO.SST.sst.1deg.nc``.
    """
    span = f"{month.first:%Y%m%d}_{month.last:%Y%m%d}"
    return f"{NASA_SST_SENSOR}.{span}.L3m.MO.SST.sst.1deg.nc"


def copernicus_pp_name(month: Month) -> str:
    """Return the Copernicus Marine monthly PP file name.

    Parameters
    ----------
    month : Month
        The month.

    Returns
    -------
    str
        E.g. ``20100101_cmems_obs-oc_glo_bgc-pp_my_l4-multi-1deg_P1M.nc``.
    """
    return f"{month.first:%Y%m%d}_{COPERNICUS_DATASET}.nc"


def month_files(month: Month) -> dict[str, str]:
    """Return every file of a month: key (``PIC``…, ``SST``, ``PP``) → path in the archive.

    Parameters
    ----------
    month : Month
        The month.

    Returns
    -------
    dict of str to str
        Relative POSIX paths under the archive root.
    """
    files = {p: f"globcolour/{globcolour_name(p, month)}" for p in GLOBCOLOUR_PARAMS}
    files["SST"] = f"nasa/{nasa_sst_name(month)}"
    files["PP"] = f"copernicus/{copernicus_pp_name(month)}"
    return files


ANCILLARY_FOLDER = "ancillary"
"""Folder of the demo region mask, traps, calcifier biomass and export pathways."""

ARCHIVE_FOLDERS = ("globcolour", "nasa", "copernicus", "bathymetry", ANCILLARY_FOLDER)
"""Folders of the archive, one per file convention."""


__all__ = [
    "ANCILLARY_FOLDER",
    "ARCHIVE_FOLDERS",
    "BATHYMETRY_FILE",
    "COPERNICUS_DATASET",
    "EPOCH",
    "GLOBCOLOUR_ERAS",
    "GLOBCOLOUR_PARAMS",
    "NASA_SST_SENSOR",
    "SENSOR_NAMES",
    "Month",
    "copernicus_pp_name",
    "globcolour_era",
    "globcolour_name",
    "month_files",
    "month_range",
    "nasa_sst_name",
    "sensor_codes",
]
