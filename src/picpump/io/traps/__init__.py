"""Sediment-trap readers: every source into the tidy trap table of :mod:`picpump.science.traps`.

Drivers (the ``driver`` of a ``catalogs/traps.yaml`` entry) and their readers:

- ``picpump.traps.pangaea``: :func:`~picpump.io.traps.pangaea.read_pangaea_tab`
  (PANGAEA tab exports, e.g. Mouw et al. 2016 ``GO_flux.tab``);
- ``picpump.traps.station``: :func:`~picpump.io.traps.stations.read_station` (the six
  station series of Cael et al. 2021: ALOHA, CARIACO, K2, Station M, OFP, PAP);
- ``picpump.traps.opal``: :func:`~picpump.io.traps.opal.read_opal_compilation` (the undated
  global compilation).

Readers take a local path or an fsspec URL; they never download on their own.
:func:`read_trap_entry` reads one catalog entry whose templates are rendered; a run reads its
trap entries with :func:`picpump.pipeline.sources.read_traps`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from picpump.errors import CatalogError, explain
from picpump.io.traps.opal import read_opal_compilation
from picpump.io.traps.pangaea import read_pangaea_tab
from picpump.io.traps.station_table import StationFacts
from picpump.io.traps.stations import STATIONS, read_station, station_facts

PANGAEA = "picpump.traps.pangaea"
STATION = "picpump.traps.station"
OPAL = "picpump.traps.opal"

TRAP_DRIVERS: dict[str, Callable[..., pd.DataFrame]] = {
    PANGAEA: read_pangaea_tab,
    STATION: read_station,
    OPAL: read_opal_compilation,
}
"""Trap drivers and their readers (each takes ``urlpath`` and keyword arguments)."""


def read_trap_entry(driver: str, args: Mapping[str, Any], name: str = "") -> pd.DataFrame:
    """Read one catalog entry (templates already rendered) into the tidy trap table.

    Parameters
    ----------
    driver : str
        One of :data:`TRAP_DRIVERS`.
    args : mapping
        ``urlpath`` plus the reader's keyword arguments (``storage_options``, ``label``,
        ``station``, ``lat`` ...).
    name : str, optional
        Entry name, for error messages.

    Returns
    -------
    DataFrame

    Raises
    ------
    CatalogError
        Unknown driver, missing ``urlpath`` or an argument the reader does not take.
    """
    if driver not in TRAP_DRIVERS:
        raise CatalogError(
            explain(
                f"a trap entry's driver must be one of {sorted(TRAP_DRIVERS)}",
                f"driver {driver!r} (entry {name!r})",
                "fix the driver in the catalog",
            )
        )
    kwargs = dict(args)
    urlpath = kwargs.pop("urlpath", None)
    if not urlpath:
        raise CatalogError(
            explain("a trap entry needs args.urlpath", f"entry {name!r}", "add the path or URL")
        )
    try:
        return TRAP_DRIVERS[driver](urlpath, **kwargs)
    except TypeError as err:
        raise CatalogError(
            explain(
                f"the args of a {driver} entry must be arguments of its reader",
                f"{sorted(kwargs)} (entry {name!r}): {err}",
                "remove or rename the unknown argument",
            )
        ) from err


__all__ = [
    "OPAL",
    "PANGAEA",
    "STATION",
    "STATIONS",
    "TRAP_DRIVERS",
    "StationFacts",
    "read_opal_compilation",
    "read_pangaea_tab",
    "read_station",
    "read_trap_entry",
    "station_facts",
]
