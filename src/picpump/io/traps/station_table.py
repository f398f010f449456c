"""What the station readers share: a station's facts, its table and header lookup.

The readers of the station layouts (:mod:`~picpump.io.traps.station_csv`,
:mod:`~picpump.io.traps.station_xlsx`) build their tables here;
:mod:`~picpump.io.traps.stations` holds the facts of each station and dispatches to the
readers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
        Reader layout key (:data:`~picpump.io.traps.stations.READERS`).
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


def find_column(row: Sequence[str], pattern: str, where: str) -> int:
    """Index of the first cell of a header row matching ``pattern`` (case-insensitive).

    Raises
    ------
    InputError
        When no cell matches: the file is not in the expected layout.
    """
    regex = re.compile(pattern, re.IGNORECASE)
    for i, cell in enumerate(row):
        if regex.search(cell):
            return i
    raise InputError(
        explain(
            f"the station file must have a header cell matching '{pattern}'",
            f"header row {list(row)} in {where}",
            "check that the file is in this station's layout (see catalogs/traps.yaml)",
        )
    )


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


__all__ = ["StationFacts", "find_column", "station_table"]
