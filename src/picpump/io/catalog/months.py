"""The files of a monthly entry: one per month, the gap and duplicates rules, the stamps.

Plan-time work only: each folder is listed once (the listing's stamps are kept for the
fingerprint) and no header is read but those the ``duplicates`` rule asks for, through the
``header`` function the caller passes (this layer reads no file format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from picpump.errors import CatalogError, InputError, explain
from picpump.io.catalog.duplicates import DuplicateRule, FileChoice, choose_file
from picpump.io.catalog.model import MONTHLY, Catalog, CatalogEntry, is_climatology, months_of
from picpump.io.catalog.resolve import entry_context, entry_options
from picpump.io.catalog.templates import month_fields, render
from picpump.io.store.fs import expand_stamped, normalise
from picpump.period import Period

HeaderReader = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]
"""Reads a file's global attributes: ``(url, storage_options) -> attrs`` (duplicates rule)."""


def monthly_source(catalog: Catalog, name: str) -> CatalogEntry:
    """Return a monthly entry, refusing a static one."""
    spec = catalog.source(name)
    if spec.driver != MONTHLY:
        rule = f"'{name}' must be a {MONTHLY} source to be read month by month"
        raise CatalogError(
            explain(rule, f"driver {spec.driver} ({catalog.urlpath})", "use open_static for it")
        )
    return spec


@dataclass(frozen=True)
class MonthFiles:
    """The files of a monthly entry over a period.

    Attributes
    ----------
    files : list of (pandas.Timestamp, str or None)
        Every month with its URL, None for a month without a file (only when the entry
        says ``allow_gaps: true``).
    choices : list of FileChoice
        The months that had several files, and which one the duplicates rule picked.
    stamps : dict of str to str or None
        ``size|mtime-or-ETag`` of each file from the folder listing (None where the
        filesystem is not listed, e.g. HTTPS).
    options : dict
        fsspec options of the files (:func:`~picpump.io.catalog.resolve.entry_options`).
    """

    files: list[tuple[pd.Timestamp, str | None]]
    choices: list[FileChoice]
    stamps: dict[str, str | None] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def present(self) -> list[tuple[pd.Timestamp, str]]:
        """Months that have a file."""
        return [(m, u) for m, u in self.files if u is not None]

    @property
    def gaps(self) -> list[pd.Timestamp]:
        """Months without a file."""
        return [m for m, u in self.files if u is None]


def _refuse_gaps(spec: CatalogEntry, missing: list[tuple[pd.Timestamp, str]], total: int) -> None:
    """Refuse months with no file, naming the first month and its pattern."""
    label = "%m" if is_climatology(spec) else "%Y-%m"
    listed = ", ".join(f"{m:{label}}" for m, _ in missing[:12])
    more = f"; {len(missing)} of {total} months missing: {listed}"
    raise InputError(
        explain(
            f"each month of '{spec.name}' must match exactly one file",
            f"no file for {missing[0][0]:{label}} (pattern {missing[0][1]}){more}",
            "add the missing files, shorten the period, fix args.urlpath in the catalog, or "
            "set args.allow_gaps: true to read gaps in the sensor record as missing months",
        )
    )


def _header(header: HeaderReader | None, url: str, options: Mapping[str, Any]) -> Mapping[str, Any]:
    """Read a header for the duplicates rule, refusing when the caller gave no reader."""
    if header is None:
        raise CatalogError(
            explain(
                "a duplicates rule that compares date_created needs the files' headers",
                f"no header reader given to resolve {url}",
                "resolve the entry through picpump.io.api.resolve (it reads headers)",
            )
        )
    return header(url, options)


def resolve_months(
    catalog: Catalog,
    name: str,
    period: Period | tuple[str, str] | None = None,
    *,
    header: HeaderReader | None = None,
    **params: Any,
) -> MonthFiles:
    """Return the file of each month, applying the gap and duplicates rules (plan time).

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A monthly source (or climatology: its 12 calendar months).
    period : Period or tuple of str, optional
        Months to resolve; default the whole archive.
    header : callable, optional
        Reads a file's global attributes, for a ``duplicates`` rule that breaks ties by
        ``date_created``; without it such a tie is refused.
    **params
        User parameters of the entry (override their defaults).

    Returns
    -------
    MonthFiles
        Files, gaps, duplicate choices and the listing's stamps.

    Raises
    ------
    InputError
        A month with no file (unless ``allow_gaps``), or with several files the entry's
        ``duplicates`` rule cannot decide between.
    """
    spec = monthly_source(catalog, name)
    months = months_of(spec, period)
    context = entry_context(catalog, spec, params)
    where = f"{catalog.urlpath}: sources.{name}.args.urlpath"
    template = str(spec.args["urlpath"])
    time = spec.args.get("time")
    patterns = [normalise(render(template, context | month_fields(m, time), where)) for m in months]
    if len(set(patterns)) < len(patterns):
        rule = "a monthly urlpath must contain a month field ({{ yyyymm }}, {{ first }}, ...)"
        fix = "add the month to the file name pattern"
        raise CatalogError(explain(rule, f"{template} ({where})", fix))
    options = entry_options(catalog, spec, context, patterns[0])
    stamped = expand_stamped(patterns, options)
    stamps = {url: s for matches in stamped for url, s in matches}
    found = [[url for url, _ in matches] for matches in stamped]
    missing = [(m, p) for m, p, f in zip(months, patterns, found, strict=True) if not f]
    if missing and not spec.args.get("allow_gaps", False):
        _refuse_gaps(spec, missing, len(months))
    duplicates = DuplicateRule.from_args(spec.args)
    files: list[tuple[pd.Timestamp, str | None]] = []
    choices = []
    for month, pattern, urls in zip(months, patterns, found, strict=True):
        if len(urls) > 1:
            choices.append(
                choose_file(
                    urls,
                    month,
                    duplicates,
                    source=name,
                    pattern=pattern,
                    header=lambda url: _header(header, url, options),
                )
            )
            urls = [choices[-1].chosen]
        files.append((month, urls[0] if urls else None))
    kept = {url for _, url in files if url is not None}
    return MonthFiles(files, choices, {u: s for u, s in stamps.items() if u in kept}, options)


def resolve_month_urls(
    catalog: Catalog, name: str, period: Period | tuple[str, str] | None = None, **params: Any
) -> list[tuple[pd.Timestamp, str]]:
    """Return the file of each month (plan time: folders are listed, no data is read).

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A monthly source.
    period : Period or tuple of str, optional
        Months to resolve; default the whole archive.
    **params
        User parameters of the entry (override their defaults).

    Returns
    -------
    list of (pandas.Timestamp, str)
        Month (first day) and URL, in time order; months without a file are left out
        (possible only with ``allow_gaps: true``; see :func:`resolve_months`). Months with
        several files carry the file the entry's ``duplicates`` rule picked.

    Raises
    ------
    InputError
        A month with no file, or with several files and no rule that decides.
    """
    return resolve_months(catalog, name, period, **params).present


__all__ = [
    "HeaderReader",
    "MonthFiles",
    "monthly_source",
    "resolve_month_urls",
    "resolve_months",
]
