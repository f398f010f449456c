"""Catalog files in the Intake-v1 YAML shape: loading, validation and the time block.

A catalog maps source names to entries ``{driver, description, parameters, args,
metadata}``. Monthly entries carry ``args.time: {start, freq: MS, periods | end}``; a
monthly climatology (one file per calendar month, e.g. NASA ``L3m.MC``) says
``args.time: {climatology: true, start, end}`` (the record the climatology spans). Optional
monthly args: ``duplicates: {prefer: [...], then: ...}`` (see
:mod:`picpump.io.catalog.duplicates`) and
``allow_gaps: true`` (a month without a file becomes an all-missing map instead of an
error). ``metadata.canonical: null`` reads a non-canonical variable (e.g. NASA ``chlor_a``)
as stored. The loader checks every entry when the catalog is read, so a bad catalog fails
at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import fsspec
import pandas as pd
import yaml
from fsspec.core import split_protocol

from picpump.errors import CatalogError, explain
from picpump.io.catalog.duplicates import TIE_BREAKS
from picpump.io.catalog.include import resolve_includes
from picpump.io.catalog.keys import TOP_KEYS, check_entry_keys, refuse_unknown
from picpump.io.catalog.templates import MONTH_FIELDS
from picpump.period import Period, month_start
from picpump.units import CANONICAL

MONTHLY = "picpump.monthly_netcdf"
STATIC = "picpump.netcdf"
ZARR = "picpump.zarr"
ARCO = "picpump.arco_zarr"
DRIVERS = {
    MONTHLY: "one NetCDF file per month",
    STATIC: "one static NetCDF file",
    ZARR: "one Zarr store (picpump products, see picpump.io.products)",
    ARCO: "an ARCO Zarr time series (Copernicus Marine, see picpump.io.ingest.arco)",
    "picpump.traps.pangaea": "a PANGAEA tab export of trap fluxes (picpump.io.traps)",
    "picpump.traps.station": "a trap station time series (picpump.io.traps)",
    "picpump.traps.opal": "the global trap compilation without dates (picpump.io.traps)",
    "picpump.regions": "a region-mask file in the RECCAP2 layout (picpump.io.ancillary.regions)",
    "picpump.taxa": "a calcifier biomass climatology, Knecht layout (picpump.io.ancillary.taxa)",
    "picpump.pathways": "an export-pathway grid, Nowicki layout (picpump.io.ancillary.pathways)",
    "picpump.table": "a table product, Parquet (picpump.io.store.table_files)",
    "picpump.ingested": "a store written by `picpump ingest` (picpump.io.ingest.ingested)",
    "picpump.references": "virtual Zarr references to NetCDF4/HDF5 files (picpump.io.references)",
    "zarr": "one Zarr store, intake's standard driver (run catalogs; read as picpump.zarr)",
    "parquet": "one Parquet table, intake's standard driver (run catalogs; read as picpump.table)",
}
"""Known drivers and what they read (:data:`picpump.io.api.OPENERS` opens each)."""
CONVENTIONS = ("globcolour", "nasa_l3m", "copernicus", "canonical")
"""File conventions a monthly entry may declare (:mod:`picpump.io.ingest.conventions` reads
each: how a file says which month it covers)."""
URL_ONLY = {ZARR, "zarr", "parquet"} | {
    d
    for d in DRIVERS
    if d.startswith("picpump.")
    and d.split(".")[1] in ("traps", "regions", "taxa", "pathways", "table", "ingested")
}
"""Drivers whose entries need only ``args.urlpath`` (their readers take the other args)."""


@dataclass(frozen=True)
class CatalogEntry:
    """One catalog entry, as written (templates not rendered).

    Attributes
    ----------
    name, driver, description : str
        Entry name, driver (:data:`DRIVERS`) and description.
    args : mapping
        ``urlpath``, ``variable``, ``convention``, ``units``, ``xarray_kwargs``,
        ``storage_options``, ``time``.
    parameters : mapping
        User parameters ``{name: {description, type, default, allowed}}``.
    metadata : mapping
        Free metadata; ``canonical`` names the canonical variable.
    catalog_dir : str, optional
        ``CATALOG_DIR`` of an entry included from another catalog (its own folder).
    """

    name: str
    driver: str
    description: str
    args: Mapping[str, Any]
    parameters: Mapping[str, Any]
    metadata: Mapping[str, Any]
    catalog_dir: str | None = None


@dataclass(frozen=True)
class Catalog:
    """A loaded catalog.

    Attributes
    ----------
    urlpath : str
        Where the catalog was read from.
    metadata : mapping
        Catalog metadata (``title``, ``synthetic``, ...).
    sources : mapping of str to CatalogEntry
        The entries.
    storage_options : mapping
        fsspec options used to read the catalog; also used for entries on the same
        filesystem that declare none.
    """

    urlpath: str
    metadata: Mapping[str, Any]
    sources: Mapping[str, CatalogEntry]
    storage_options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def catalog_dir(self) -> str:
        """``CATALOG_DIR``: the catalog's folder (absolute path, or URL with its protocol)."""
        if split_protocol(self.urlpath)[0] is None:
            return os.path.dirname(os.path.abspath(self.urlpath))
        return self.urlpath.rsplit("/", 1)[0]

    def source(self, name: str) -> CatalogEntry:
        """Return one entry; an unknown name raises CatalogError listing the entries."""
        if name not in self.sources:
            raise CatalogError(
                explain(
                    f"a source must be one of {sorted(self.sources)}",
                    f"'{name}' (catalog {self.urlpath})",
                    "fix the name in the pipeline spec, or add the entry to the catalog",
                )
            )
        return self.sources[name]


def _bad(rule: str, received: str, where: str, fix: str) -> CatalogError:
    return CatalogError(explain(rule, f"{received} ({where})", fix))


def _mapping(raw: Any, key: str, where: str, required: bool = False) -> Mapping[str, Any]:
    """Return ``raw[key]`` as a mapping (empty when absent and optional)."""
    value = raw.get(key) if isinstance(raw, Mapping) else None
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        fix = f"write '{key}:' as a YAML mapping"
        raise _bad(f"'{key}' must be a mapping", repr(value), where, fix)
    return value


def _check_source(spec: CatalogEntry, where: str) -> None:
    """Validate one entry: driver, required args, time block, canonical, convention."""
    if spec.driver not in DRIVERS:
        raise _bad(f"driver must be one of {sorted(DRIVERS)}", repr(spec.driver), where, "fix it")
    for key in ("urlpath",) if spec.driver in URL_ONLY else ("urlpath", "variable"):
        if not isinstance(spec.args.get(key), str):
            fix = f"add args.{key} (a string)"
            raise _bad(f"args.{key} is required", repr(spec.args.get(key)), where, fix)
    for pname in spec.parameters:
        if pname in MONTH_FIELDS or pname == "CATALOG_DIR":
            raise _bad("parameter names must not shadow built-in fields", pname, where, "rename")
    if spec.driver not in (MONTHLY, ARCO):
        return
    canonical = spec.metadata.get("canonical")
    as_stored = spec.driver == MONTHLY and "canonical" in spec.metadata and canonical is None
    if canonical not in CANONICAL and not as_stored:
        fix = "set metadata.canonical"
        raise _bad(
            f"metadata.canonical must be one of {sorted(CANONICAL)}", repr(canonical), where, fix
        )
    _check_options(spec, where)
    if spec.driver == ARCO:
        months_of(spec)
        return
    convention = spec.args.get("convention")
    if convention not in CONVENTIONS:
        fix = "set args.convention"
        raise _bad(
            f"args.convention must be one of {sorted(CONVENTIONS)}", repr(convention), where, fix
        )
    months_of(spec)


def _check_options(spec: CatalogEntry, where: str) -> None:
    """Validate the optional ``allow_gaps`` and ``duplicates`` args."""
    if not isinstance(spec.args.get("allow_gaps", False), bool):
        fix = "write allow_gaps: true or false"
        raise _bad("args.allow_gaps must be a boolean", repr(spec.args["allow_gaps"]), where, fix)
    rule = spec.args.get("duplicates")
    if rule is None:
        return
    fix = "write duplicates: {prefer: ['*_AVW-*', '*_AV-*'], then: error | date_created | last}"
    prefer = rule.get("prefer", []) if isinstance(rule, Mapping) else None
    ok = isinstance(prefer, list) and all(isinstance(p, str) for p in prefer)
    if not ok or rule.get("then", "error") not in TIE_BREAKS:
        raise _bad(
            "args.duplicates must be {prefer: [patterns], then: ...}", repr(rule), where, fix
        )


def _parse(text: str, urlpath: str) -> Mapping[str, Any]:
    """Parse the YAML text of a catalog."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise _bad("a catalog must be valid YAML", str(err), urlpath, "fix the syntax") from err
    if not (isinstance(raw, Mapping) and raw.get("includes")):
        _mapping(raw, "sources", urlpath, required=True)
    refuse_unknown(raw, TOP_KEYS, "a catalog's top-level", urlpath)
    return raw


def load_catalog(
    urlpath: str | os.PathLike[str],
    storage_options: Mapping[str, Any] | None = None,
    _depth: int = 0,
) -> Catalog:
    """Read and validate a catalog, with the entries it includes from other catalogs.

    Parameters
    ----------
    urlpath : str or path-like
        Local path or fsspec URL (``s3://``, ``memory://``, ``https://`` ...) of the YAML file.
    storage_options : mapping, optional
        fsspec options to read it.

    Returns
    -------
    Catalog
        The validated catalog.

    Raises
    ------
    CatalogError
        Missing file, YAML error, missing key, unknown driver, bad time block, a bad
        include (see :mod:`picpump.io.catalog.include`).
    """
    url = os.fspath(urlpath)
    options = dict(storage_options or {})
    try:
        with fsspec.open(url, "rt", encoding="utf-8", **options) as f:
            text = f.read()
    except FileNotFoundError as err:
        fix = "check the path, or the storage_options for a remote catalog"
        raise CatalogError(explain("the catalog must exist", f"no file at {url}", fix)) from err
    raw = _parse(text, url)
    sources = resolve_includes(raw, url, load_catalog, options, _depth)
    for name in raw.get("sources") or {}:
        where = f"{url}: sources.{name}"
        entry = _mapping(raw["sources"], name, where, required=True)
        check_entry_keys(entry, str(entry.get("driver", "")), where)
        spec = CatalogEntry(
            name=str(name),
            driver=str(entry.get("driver", "")),
            description=str(entry.get("description", "")),
            args=_mapping(entry, "args", where, required=True),
            parameters=_mapping(entry, "parameters", where),
            metadata=_mapping(entry, "metadata", where),
        )
        _check_source(spec, where)
        if spec.name in sources:
            raise _bad("a source name must be defined once", spec.name, where, "rename one")
        sources[spec.name] = spec
    return Catalog(url, _mapping(raw, "metadata", url), sources, options)


CLIMATOLOGY_YEAR = 2000
"""Nominal (leap) year of the month stamps of a climatology entry: only the month counts."""


def is_climatology(spec: CatalogEntry) -> bool:
    """Whether an entry is a monthly climatology (``args.time.climatology: true``)."""
    time = spec.args.get("time")
    return isinstance(time, Mapping) and bool(time.get("climatology", False))


def _climatology_block(spec: CatalogEntry, time: Mapping[str, Any]) -> pd.DatetimeIndex:
    """Check ``{climatology: true, start, end}``; return the 12 nominal month stamps."""
    fix = "write args.time: {climatology: true, start: 2002-07, end: 2023-06} (the record)"
    try:
        start, end = month_start(time["start"]), month_start(time["end"])
    except (KeyError, TypeError, ValueError) as err:
        rule = "a climatology needs args.time.start and .end (valid months)"
        raise _bad(rule, repr(dict(time)), f"source {spec.name}", fix) from err
    if end - start < pd.Timedelta(days=330):
        rule = "a climatology's record must cover at least twelve months"
        raise _bad(rule, repr(dict(time)), f"source {spec.name}", fix)
    return pd.date_range(f"{CLIMATOLOGY_YEAR}-01", periods=12, freq="MS").as_unit("ns")


def _time_block(spec: CatalogEntry) -> pd.DatetimeIndex:
    """Expand ``args.time`` ``{start, freq: MS, periods | end}`` to month starts."""
    time = spec.args.get("time")
    where = f"source {spec.name}"
    if is_climatology(spec) and isinstance(time, Mapping):
        return _climatology_block(spec, time)
    fix = "write args.time: {start: 1997-09, freq: MS, periods: 302} (or end: 2022-10)"
    if not isinstance(time, Mapping) or "start" not in time:
        raise _bad("a monthly source needs args.time with a start", repr(time), where, fix)
    if time.get("freq", "MS") != "MS" or ("periods" in time) == ("end" in time):
        raise _bad("args.time needs freq MS and one of periods/end", repr(dict(time)), where, fix)
    try:
        start = month_start(time["start"])
        if "periods" in time:
            return pd.date_range(start, periods=int(time["periods"]), freq="MS").as_unit("ns")
        return pd.date_range(start, month_start(time["end"]), freq="MS").as_unit("ns")
    except (TypeError, ValueError) as err:
        raise _bad("args.time must hold valid months", repr(dict(time)), where, fix) from err


def months_of(
    source: CatalogEntry, period: Period | tuple[str, str] | None = None
) -> pd.DatetimeIndex:
    """Return the months of an archive, restricted to a period.

    Parameters
    ----------
    source : CatalogEntry
        A monthly entry (with an ``args.time`` block).
    period : Period or tuple of str, optional
        The months wanted, e.g. ``Period.parse("1997-09:2022-10")``.

    Returns
    -------
    pandas.DatetimeIndex
        First day of each month, datetime64[ns].

    Raises
    ------
    CatalogError
        For a bad time block, or a period not inside the archive.
    """
    months = _time_block(source)
    if period is None:
        return months
    if is_climatology(source):
        rule = "a climatology has twelve calendar months, not a period"
        fix = "open it with open_climatology, without a period"
        raise _bad(rule, f"period {period}", f"source {source.name}", fix)
    wanted = Period.of(period)
    if wanted.first < months[0] or wanted.last > months[-1]:
        raise _bad(
            f"the period must lie inside the archive ({months[0]:%Y-%m} … {months[-1]:%Y-%m})",
            f"period {wanted.first:%Y-%m} … {wanted.last:%Y-%m}",
            f"source {source.name}",
            "shorten the pipeline's period, or extend args.time of the catalog entry",
        )
    return months[(months >= wanted.first) & (months <= wanted.last)]


__all__ = [
    "ARCO",
    "CLIMATOLOGY_YEAR",
    "CONVENTIONS",
    "DRIVERS",
    "MONTHLY",
    "STATIC",
    "ZARR",
    "Catalog",
    "CatalogEntry",
    "is_climatology",
    "load_catalog",
    "months_of",
]
