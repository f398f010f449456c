"""Sediment-trap time-series stations: their facts and one reader entry point.

The six series compiled by Cael et al. (2021, GRL, doi:10.1029/2021GL092895) come in six
layouts; :func:`read_station` dispatches to the reader of a station's layout
(:mod:`~picpump.io.traps.station_csv`, :mod:`~picpump.io.traps.station_xlsx`). Positions and
depths are not (all) in the files: :data:`STATIONS` holds them (from the station
programmes' documentation); ``catalogs/traps.yaml`` repeats them as entry metadata and
may override them per entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from picpump.errors import InputError, explain
from picpump.io.traps.station_csv import read_aloha, read_k2, read_m, read_ofp
from picpump.io.traps.station_table import StationFacts
from picpump.io.traps.station_xlsx import read_cariaco, read_pap

STATIONS: dict[str, StationFacts] = {
    "aloha": StationFacts("ALOHA", "HOT", "aloha", 22.75, -158.0, 4750.0),
    "cariaco": StationFacts(
        "CARIACO",
        "CARIACO Ocean Time Series",
        "cariaco",
        10.5,
        -64.67,
        1400.0,
        {"Z": 152.0, "A": 225.0, "B": 410.0, "C": 810.0, "D": 1210.0},
        sheet="UpdatedFluxData",
    ),
    "k2": StationFacts("K2", "JAMSTEC", "k2", 47.0, 160.0, 5200.0, {"": 4810.0}),
    "m": StationFacts("Station M", "MBARI", "m", 34.8, -123.0, 4000.0),
    "ofp": StationFacts(
        "OFP", "BIOS Oceanic Flux Program", "ofp", 31.8, -64.2, 4500.0, {"": 3200.0}
    ),
    "pap": StationFacts(
        "PAP", "NOC PAP-SO", "pap", 49.0, -16.5, 4800.0, {"": 3000.0}, sheet="3000m trap"
    ),
}
"""Facts of the six Cael et al. (2021) station series, by station key."""

Reader = Callable[[str | os.PathLike[str], StationFacts, Mapping[str, Any] | None], pd.DataFrame]
"""A layout reader: path or URL, the station's facts, fsspec options."""

READERS: dict[str, Reader] = {
    "aloha": read_aloha,
    "cariaco": read_cariaco,
    "k2": read_k2,
    "m": read_m,
    "ofp": read_ofp,
    "pap": read_pap,
}
"""Readers by layout key (:attr:`StationFacts.layout`)."""


def station_facts(
    station: str,
    *,
    name: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    water_depth_m: float | None = None,
    trap_depth_m: float | None = None,
    trap_depths_m: Mapping[str, float] | None = None,
    sheet: str | None = None,
) -> StationFacts:
    """Return the facts of a station key, with any given value replacing the default.

    Raises
    ------
    InputError
        For an unknown station key.
    """
    key = station.strip().lower()
    if key not in STATIONS:
        raise InputError(
            explain(
                f"a station must be one of {sorted(STATIONS)}",
                repr(station),
                "fix the 'station' argument of the catalog entry",
            )
        )
    facts = STATIONS[key]
    depths = dict(trap_depths_m) if trap_depths_m is not None else dict(facts.trap_depths_m)
    if trap_depth_m is not None:
        depths[""] = float(trap_depth_m)
    return replace(
        facts,
        name=facts.name if name is None else str(name),
        lat=facts.lat if lat is None else float(lat),
        lon=facts.lon if lon is None else float(lon),
        water_depth_m=facts.water_depth_m if water_depth_m is None else float(water_depth_m),
        trap_depths_m=depths,
        sheet=facts.sheet if sheet is None else sheet,
    )


def read_station(
    urlpath: str | os.PathLike[str],
    *,
    station: str,
    storage_options: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> pd.DataFrame:
    """Read one station series file into the tidy trap table.

    Parameters
    ----------
    urlpath : str or path-like
        Local path or fsspec URL of the station file.
    station : str
        Station key of :data:`STATIONS` (``aloha``, ``cariaco``, ``k2``, ``m``, ``ofp``,
        ``pap``); selects the layout.
    storage_options : mapping, optional
        fsspec options.
    **overrides
        ``name``, ``lat``, ``lon``, ``water_depth_m``, ``trap_depth_m``, ``trap_depths_m``,
        ``sheet`` replacing the station's defaults (:func:`station_facts`).

    Returns
    -------
    DataFrame
        One row per cup (and trap), :data:`~picpump.science.traps.TRAP_COLUMNS`, fluxes in
        mg C m-2 d-1, missing codes as NaN, QC flags set.
    """
    facts = station_facts(station, **overrides)
    return READERS[facts.layout](urlpath, facts, storage_options)


__all__ = ["READERS", "STATIONS", "Reader", "read_station", "station_facts"]
