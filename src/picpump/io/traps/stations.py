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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from picpump.errors import InputError, explain
from picpump.io.traps.common import finish, trap_ids


@dataclass(frozen=True)
class StationFacts:
    """What a station file does not say about itself.

    Attributes
    ----------
    name : str
        Station name used in ``station`` and ``trap_id`` (``"ALOHA"``).
    programme : str
        Programme or operator (``"HOT"``), written in ``source``.
    layout : str
        Reader layout key (:data:`READERS`).
    lat, lon : float
        Position [degrees north, degrees east, −180…180].
    water_depth_m : float
        Water depth at the mooring [m].
    trap_depths_m : mapping of str to float
        Trap depths [m] the file does not give: ``{"": depth}`` for a one-trap file,
        ``{letter: depth}`` for CARIACO; empty when the file gives them (ALOHA) or they
        follow from the water depth (Station M: metres above bottom).
    sheet : str
        Worksheet of an xlsx layout (``""`` for csv).
    """

    name: str
    programme: str
    layout: str
    lat: float
    lon: float
    water_depth_m: float
    trap_depths_m: Mapping[str, float] = field(default_factory=dict)
    sheet: str = ""

    def source(self, urlpath: str | os.PathLike[str]) -> str:
        """Return the ``source`` text of a file: ``"ALOHA (HOT) aloha.csv"``."""
        base = os.fspath(urlpath).split("?", 1)[0].rsplit("/", 1)[-1]
        return f"{self.name} ({self.programme}) {base}"

    def single_depth(self) -> float:
        """Return the trap depth of a one-trap station.

        Raises
        ------
        InputError
            When the station has no single configured trap depth.
        """
        if "" not in self.trap_depths_m:
            raise InputError(
                explain(
                    f"station {self.name} needs its trap depth",
                    f"trap_depths_m {dict(self.trap_depths_m)}",
                    "give trap_depth_m in the catalog entry",
                )
            )
        return float(self.trap_depths_m[""])


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


def station_table(
    facts: StationFacts,
    where: str,
    depth: pd.Series | float,
    start: pd.Series,
    end: pd.Series,
    duration: pd.Series,
    pic: pd.Series,
    poc: pd.Series,
) -> pd.DataFrame:
    """Assemble a station table (one position, given depths) and run the row checks.

    Parameters
    ----------
    facts : StationFacts
        The station.
    where : str
        Path or URL of the file (its name goes into ``source``).
    depth : Series or float
        Trap depth of each row [m], or one depth for all.
    start, end, duration : Series
        Deployment dates and duration [d].
    pic, poc : Series
        Fluxes [mg C m-2 d-1].

    Returns
    -------
    DataFrame
        The tidy trap table with QC flags.
    """
    n = len(pic)
    depth_s = pd.Series(np.broadcast_to(np.asarray(depth, dtype=float), (n,)))
    station = pd.Series([facts.name] * n, dtype=object)
    return finish(
        {
            "station": station,
            "trap_id": trap_ids(station, depth_s),
            "lat": np.full(n, facts.lat),
            "lon": np.full(n, facts.lon),
            "trap_depth_m": depth_s,
            "water_depth_m": np.full(n, facts.water_depth_m),
            "start": start.reset_index(drop=True),
            "end": end.reset_index(drop=True),
            "duration_d": duration.reset_index(drop=True),
            "pic_flux": pic.reset_index(drop=True),
            "poc_flux": poc.reset_index(drop=True),
            "source": [facts.source(where)] * n,
        }
    )


def _readers() -> dict[str, Reader]:
    """Readers by layout key (imported here: the reader modules import this one)."""
    from picpump.io.traps.station_csv import read_aloha, read_k2, read_m, read_ofp
    from picpump.io.traps.station_xlsx import read_cariaco, read_pap

    return {
        "aloha": read_aloha,
        "cariaco": read_cariaco,
        "k2": read_k2,
        "m": read_m,
        "ofp": read_ofp,
        "pap": read_pap,
    }


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
    return _readers()[facts.layout](urlpath, facts, storage_options)


__all__ = ["STATIONS", "StationFacts", "read_station", "station_facts", "station_table"]
