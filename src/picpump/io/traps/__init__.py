"""Sediment-trap readers: every source into the tidy trap table of :mod:`picpump.science.traps`.

Drivers (the ``driver`` of a ``catalogs/traps.yaml`` entry) and their readers:

- ``picpump.traps.pangaea``: :func:`~picpump.io.traps.pangaea.read_pangaea_tab`
  (PANGAEA tab exports, e.g. Mouw et al. 2016 ``GO_flux.tab``);
- ``picpump.traps.station``: :func:`~picpump.io.traps.stations.read_station` (the six
  station series of Cael et al. 2021: ALOHA, CARIACO, K2, Station M, OFP, PAP);
- ``picpump.traps.opal``: :func:`~picpump.io.traps.opal.read_opal_compilation` (the undated
  global compilation).

Readers take a local path or an fsspec URL; they never download on their own. A catalog
names a pinned public file with ``urlpath: "{{ ancillary(NAME) }}"``:
:func:`read_trap_catalog` renders it to the verified cached copy (downloaded on first use,
see :mod:`picpump.io.store.cache`), :func:`load_trap_catalog` to its pinned URL (no download).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import fsspec
import pandas as pd
import yaml
from fsspec.core import split_protocol

from picpump.errors import CatalogError, explain
from picpump.io.catalog.templates import (
    AncillaryResolver,
    ancillary_path,
    ancillary_url,
    render_tree,
)
from picpump.io.traps.opal import read_opal_compilation
from picpump.io.traps.pangaea import read_pangaea_tab
from picpump.io.traps.stations import STATIONS, StationFacts, read_station, station_facts
from picpump.science.trap_qc import validate_traps
from picpump.science.traps import as_trap_table

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


def _raw_trap_catalog(
    url: str, storage_options: Mapping[str, Any] | None
) -> tuple[dict[str, Mapping[str, Any]], str]:
    """Return the trap entries of a catalog (not rendered) and the catalog's folder."""
    try:
        with fsspec.open(url, "rt", encoding="utf-8", **dict(storage_options or {})) as f:
            raw = yaml.safe_load(f.read())
    except (FileNotFoundError, yaml.YAMLError) as err:
        raise CatalogError(
            explain("a trap catalog must be a readable YAML file", f"{url}: {err}", "fix it")
        ) from err
    if not isinstance(raw, Mapping) or not isinstance(raw.get("sources"), Mapping):
        raise CatalogError(explain("a catalog needs a 'sources' mapping", url, "add one"))
    if split_protocol(url)[0] is None:
        catalog_dir = os.path.dirname(os.path.abspath(url))
    else:
        catalog_dir = url.rsplit("/", 1)[0]
    entries = {
        str(name): entry
        for name, entry in raw["sources"].items()
        if isinstance(entry, Mapping) and entry.get("driver") in TRAP_DRIVERS
    }
    return entries, catalog_dir


def _render_entries(
    url: str,
    storage_options: Mapping[str, Any] | None,
    names: Iterable[str] | None,
    ancillary: AncillaryResolver,
) -> dict[str, dict[str, Any]]:
    """Render the wanted trap entries of a catalog (all when ``names`` is None)."""
    raw, catalog_dir = _raw_trap_catalog(url, storage_options)
    wanted = list(raw) if names is None else list(names)
    unknown = [n for n in wanted if n not in raw]
    if unknown:
        raise CatalogError(
            explain(
                f"trap entries must be among {sorted(raw)}", f"{unknown} ({url})", "fix the names"
            )
        )
    context = {"CATALOG_DIR": catalog_dir}
    return {n: dict(render_tree(dict(raw[n]), context, f"{url}: {n}", ancillary)) for n in wanted}


def load_trap_catalog(
    urlpath: str | os.PathLike[str],
    storage_options: Mapping[str, Any] | None = None,
    *,
    fetch_ancillary: bool = False,
) -> dict[str, dict[str, Any]]:
    """Read a trap catalog: ``{name: {driver, description, args, metadata}}``, rendered.

    ``{{ CATALOG_DIR }}`` and ``{{ env(VAR) }}`` in the entries are filled in;
    ``{{ ancillary(NAME) }}`` becomes the pinned public URL of the ancillary entry (a listing
    downloads nothing), or with ``fetch_ancillary`` the local path of its verified cached copy.

    Parameters
    ----------
    urlpath : str or path-like
        Catalog YAML.
    storage_options : mapping, optional
        fsspec options to read the catalog.
    fetch_ancillary : bool, default False
        Render ``{{ ancillary(NAME) }}`` to the cached copies (downloading missing ones).

    Returns
    -------
    dict of str to dict
        The trap entries (other drivers left out), in file order.

    Raises
    ------
    CatalogError
        Missing file, invalid YAML, no ``sources``, an unknown or unpinned ancillary entry.
    InputError
        With ``fetch_ancillary``: an ancillary file that cannot be downloaded or verified.
    """
    resolver = ancillary_path if fetch_ancillary else ancillary_url
    return _render_entries(os.fspath(urlpath), storage_options, None, resolver)


def read_trap_catalog(
    urlpath: str | os.PathLike[str],
    names: Iterable[str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Read trap entries of a catalog and stack them into one validated table.

    Parameters
    ----------
    urlpath : str or path-like
        Catalog YAML.
    names : iterable of str, optional
        Entries to read (default: every trap entry).
    storage_options : mapping, optional
        fsspec options to read the catalog.

    Returns
    -------
    DataFrame
        The tidy trap table of all entries, validated again as a whole (so duplicates
        across sources are flagged).

    Raises
    ------
    CatalogError
        Unknown entry names, or a catalog :func:`load_trap_catalog` refuses.
    InputError
        An ``{{ ancillary(NAME) }}`` file that cannot be downloaded or verified (only the
        requested entries are fetched), or a file its reader refuses.
    """
    url = os.fspath(urlpath)
    entries = _render_entries(url, storage_options, names, ancillary_path)
    tables = [read_trap_entry(e["driver"], e.get("args", {}), n) for n, e in entries.items()]
    return validate_traps(as_trap_table(pd.concat(tables, ignore_index=True)))


__all__ = [
    "OPAL",
    "PANGAEA",
    "STATION",
    "STATIONS",
    "TRAP_DRIVERS",
    "StationFacts",
    "load_trap_catalog",
    "read_opal_compilation",
    "read_pangaea_tab",
    "read_station",
    "read_trap_catalog",
    "read_trap_entry",
    "station_facts",
]
