"""A catalog entry resolved once: the value that fingerprints, plans and runs share.

:func:`resolve_entry` renders an entry's templates, lists its folders (each once) and applies
the gap and duplicates rules; the :class:`ResolvedEntry` it returns carries everything a
reader needs (URLs, rendered args, storage options) and everything a fingerprint needs (the
stamps the listing gave). Nothing later lists a folder or renders a template again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from picpump.io.catalog.duplicates import FileChoice
from picpump.io.catalog.model import ARCO, MONTHLY, Catalog, CatalogEntry
from picpump.io.catalog.months import HeaderReader, resolve_months
from picpump.io.catalog.resolve import entry_args, entry_context, entry_options, single_file
from picpump.io.catalog.templates import ancillary_names
from picpump.io.store.cache import pinned_entry
from picpump.io.store.fs import file_stamps
from picpump.period import Period


@dataclass(frozen=True)
class ResolvedEntry:
    """One catalog entry, resolved.

    Attributes
    ----------
    name : str
        The entry's name in its catalog.
    catalog : Catalog
        The catalog it was resolved from.
    entry : CatalogEntry
        The entry as written.
    context : mapping of str to str
        The template context (``CATALOG_DIR`` and the user parameters).
    args : mapping
        The rendered args, without ``urlpath``, ``time`` and ``storage_options``.
    options : mapping
        fsspec options of the entry's files.
    files : tuple of (pandas.Timestamp, str or None)
        Monthly entries: every month with its file (None for a gap); empty otherwise.
    url : str or None
        Single-file entries (static files, stores, tables, trap files): the file; None for
        monthly and ARCO entries.
    choices : tuple of FileChoice
        Months where the duplicates rule picked one of several files.
    stamps : mapping of str to str or None
        ``size|mtime-or-ETag`` of each file, from the listing that found it.
    ancillary : tuple of str
        Pinned ancillary files the URL names (``{{ ancillary(NAME) }}``), fetched and
        verified when the entry is opened.
    period : Period or None
        The months asked for (None: the whole archive).
    params : mapping
        The user parameters given.
    """

    name: str
    catalog: Catalog
    entry: CatalogEntry
    context: Mapping[str, str]
    args: Mapping[str, Any]
    options: Mapping[str, Any]
    files: tuple[tuple[pd.Timestamp, str | None], ...] = ()
    url: str | None = None
    choices: tuple[FileChoice, ...] = ()
    stamps: Mapping[str, str | None] = field(default_factory=dict)
    ancillary: tuple[str, ...] = ()
    period: Period | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def driver(self) -> str:
        """The entry's driver."""
        return self.entry.driver

    @property
    def present(self) -> list[tuple[pd.Timestamp, str]]:
        """Months that have a file."""
        return [(m, u) for m, u in self.files if u is not None]

    @property
    def gaps(self) -> list[pd.Timestamp]:
        """Months without a file."""
        return [m for m, u in self.files if u is None]

    @property
    def urls(self) -> list[str]:
        """Every file of the entry, in time order."""
        return [u for _, u in self.present] if self.files else [u for u in (self.url,) if u]

    def fingerprint(self) -> str:
        """Hash the entry's files (URL, size, mtime or ETag) and rendered args; read nothing.

        Stamps come from the listing made at resolution; files on filesystems that are not
        listed (HTTPS) are asked for theirs here, once. Pinned ancillary files are stamped
        by their SHA-256 pin.

        Returns
        -------
        str
            A hex digest that changes when a file is added, removed, resized or rewritten,
            or an argument changes.
        """
        digest = hashlib.sha256()
        digest.update(json.dumps([self.name, self.driver, dict(self.args)], default=str).encode())
        urls = self.urls
        unknown = [u for u in urls if self.stamps.get(u) is None]
        asked = dict(zip(unknown, file_stamps(unknown, self.options), strict=True))
        for url in urls:
            digest.update(f"{url}\t{self.stamps.get(url) or asked[url]}\n".encode())
        return digest.hexdigest()


def _single_url(
    catalog: Catalog, spec: CatalogEntry, context: Mapping[str, str]
) -> tuple[str, Any]:
    """Resolve a single-file entry; a pinned ancillary file is stamped by its SHA-256 pin."""
    url, stamp = single_file(catalog, spec, context)
    pins = ancillary_names(str(spec.args["urlpath"]))
    return url, f"sha256:{pinned_entry(pins[0]).sha256}" if pins else stamp


def resolve_entry(
    catalog: Catalog,
    name: str,
    period: Period | tuple[str, str] | None = None,
    *,
    header: HeaderReader | None = None,
    **params: Any,
) -> ResolvedEntry:
    """Resolve a catalog entry once: URLs, rendered args, storage options, stamps.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        The entry.
    period : Period or tuple of str, optional
        Months to resolve (monthly entries); default the whole archive.
    header : callable, optional
        Reads a file's global attributes, for a ``duplicates`` rule that compares
        ``date_created``.
    **params
        User parameters of the entry (override their defaults).

    Returns
    -------
    ResolvedEntry
        The entry, resolved.

    Raises
    ------
    CatalogError
        Unknown entry or parameter, bad template.
    InputError
        A month without a file (unless ``allow_gaps``), several files the duplicates rule
        cannot decide between, or a glob that does not match exactly one file.
    """
    spec = catalog.source(name)
    context = entry_context(catalog, spec, params)
    args = entry_args(catalog, spec, params, context)
    wanted = None if period is None else Period.of(period)
    pins = ancillary_names(str(spec.args.get("urlpath", "")))
    base = ResolvedEntry(
        name, catalog, spec, context, args, {}, ancillary=pins, period=wanted, params=params
    )
    if spec.driver == ARCO:
        return replace(
            base, options=entry_options(catalog, spec, context, str(spec.args["urlpath"]))
        )
    if spec.driver == MONTHLY:
        months = resolve_months(catalog, name, wanted, header=header, **params)
        return replace(
            base,
            options=months.options,
            files=tuple(months.files),
            choices=tuple(months.choices),
            stamps=months.stamps,
        )
    url, stamp = _single_url(catalog, spec, context)
    options = entry_options(catalog, spec, context, url)
    return replace(base, options=options, url=url, stamps={url: stamp})


__all__ = ["ResolvedEntry", "resolve_entry"]
