"""From a catalog entry to file URLs: user parameters, storage options, month files.

Plan-time work only: templates are rendered, folders listed (each once), nothing is read but
the headers the ``duplicates`` rule asks for, through the ``header`` function the caller
passes (this layer reads no file format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import fsspec
import pandas as pd
from fsspec.core import split_protocol

from picpump.errors import CatalogError, InputError, explain
from picpump.io.catalog.duplicates import DuplicateRule, FileChoice, choose_file
from picpump.io.catalog.model import MONTHLY, Catalog, CatalogEntry, is_climatology, months_of
from picpump.io.catalog.templates import month_fields, render, render_tree
from picpump.io.store.fs import expand_stamped, has_glob, normalise
from picpump.period import Period

HeaderReader = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]
"""Reads a file's global attributes: ``(url, storage_options) -> attrs`` (duplicates rule)."""

_TYPES: dict[str, type] = {"str": str, "int": int, "float": float}
PROTOCOLS = frozenset(fsspec.available_protocols()) | {"file", "local"}


def _bad(rule: str, received: str, where: str, fix: str) -> CatalogError:
    return CatalogError(explain(rule, f"{received} ({where})", fix))


def _parameter(spec: CatalogEntry, name: str, value: Any) -> str:
    """Check and format one user-parameter value (type, allowed values)."""
    decl = spec.parameters[name] if isinstance(spec.parameters[name], Mapping) else {}
    kind = _TYPES.get(str(decl.get("type", "str")), str)
    where = f"source {spec.name}"
    try:
        typed = kind(value)
    except (TypeError, ValueError) as err:
        rule = f"parameter '{name}' must be of type {kind.__name__}"
        raise _bad(rule, repr(value), where, f"give a value of type {kind.__name__}") from err
    allowed = decl.get("allowed")
    if allowed is not None and typed not in allowed:
        raise _bad(f"parameter '{name}' must be one of {allowed}", repr(value), where, "fix it")
    return str(typed)


def entry_context(
    catalog: Catalog, spec: CatalogEntry, params: Mapping[str, Any]
) -> dict[str, str]:
    """Return the static template context: CATALOG_DIR and the user parameters."""
    unknown = sorted(set(params) - set(spec.parameters))
    if unknown:
        rule = f"parameters of '{spec.name}' must be among {sorted(spec.parameters)}"
        raise _bad(rule, str(unknown), catalog.urlpath, "fix the name or declare it")
    context = {"CATALOG_DIR": spec.catalog_dir or catalog.catalog_dir}
    for name, decl in spec.parameters.items():
        value = params.get(name, decl.get("default") if isinstance(decl, Mapping) else None)
        if value is None:
            raise _bad(f"parameter '{name}' needs a value", "no default", spec.name, "pass it")
        context[name] = _parameter(spec, name, value)
    return context


def _for_protocol(raw: Any, url: str) -> Any:
    """Pick the storage options of ``url``'s protocol when they are keyed by protocol.

    Rule: when every key of ``storage_options`` is a protocol name (``ftp``, ``https``,
    ``s3``, ``file`` ...) with a mapping value, only the entry of the URL's protocol is used
    (a local path is ``file``). So one catalog carries the credentials of the real archive
    and still reads a local mirror (a changed ``base_url``) without them.
    """
    if not isinstance(raw, Mapping) or not raw:
        return raw or {}
    keyed = all(k in PROTOCOLS and isinstance(v, Mapping) for k, v in raw.items())
    if not keyed:
        return raw
    return raw.get(split_protocol(url)[0] or "file", {})


def entry_options(
    catalog: Catalog, spec: CatalogEntry, context: Mapping[str, str], url: str
) -> dict[str, Any]:
    """Storage options of an entry (the catalog's, on the same filesystem as ``url``, as base).

    Options keyed by protocol (``{ftp: {...}, https: {...}}``) apply to URLs of that
    protocol only; templates (``{{ env(VAR) }}``) in the other protocols' options are not
    rendered.
    """
    raw = _for_protocol(spec.args.get("storage_options") or {}, url)
    own = render_tree(raw, context, f"{spec.name}.args.storage_options")
    same = split_protocol(catalog.urlpath)[0] == split_protocol(url)[0]
    base = dict(catalog.storage_options) if same else {}
    return base | dict(own)


def monthly_source(catalog: Catalog, name: str) -> CatalogEntry:
    """Return a monthly entry, refusing a static one."""
    spec = catalog.source(name)
    if spec.driver != MONTHLY:
        rule = f"'{name}' must be a {MONTHLY} source to be read month by month"
        raise _bad(rule, f"driver {spec.driver}", catalog.urlpath, "use open_static for it")
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
    """

    files: list[tuple[pd.Timestamp, str | None]]
    choices: list[FileChoice]
    stamps: dict[str, str | None] = field(default_factory=dict)

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
        raise _bad(rule, template, where, "add the month to the file name pattern")
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
    return MonthFiles(files, choices, {u: s for u, s in stamps.items() if u in kept})


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


def entry_args(catalog: Catalog, spec: CatalogEntry, params: Mapping[str, Any]) -> dict[str, Any]:
    """Render the entry's args except ``urlpath``, ``time`` and ``storage_options``.

    Storage options are rendered per URL by :func:`entry_options`.
    """
    context = entry_context(catalog, spec, params)
    rest = {k: v for k, v in spec.args.items() if k not in ("urlpath", "time", "storage_options")}
    return dict(render_tree(rest, context, f"{catalog.urlpath}: sources.{spec.name}.args"))


def render_template(
    template: str, catalog: Catalog, context: Mapping[str, str] | None = None
) -> str:
    """Render a template with ``CATALOG_DIR``, ``env(VAR)`` and ``context``; normalise it.

    Parameters
    ----------
    template : str
        A templated URL, e.g. ``"{{ CATALOG_DIR }}/inputs.zarr"``.
    catalog : Catalog
        The catalog the template belongs to.
    context : mapping, optional
        More fields.

    Returns
    -------
    str
        The rendered URL.
    """
    fields = {"CATALOG_DIR": catalog.catalog_dir} | dict(context or {})
    return normalise(render(template, fields, catalog.urlpath))


def resolve_url(catalog: Catalog, name: str, **params: Any) -> str:
    """Return the file of a static source (its ``urlpath`` rendered, a glob resolved).

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A static (``picpump.netcdf``) source.
    **params
        User parameters of the entry.

    Returns
    -------
    str
        The URL.

    Raises
    ------
    InputError
        When the file is missing, or a glob matches several files.
    """
    spec = catalog.source(name)
    return single_file(catalog, spec, entry_context(catalog, spec, params))[0]


def single_file(
    catalog: Catalog, spec: CatalogEntry, context: Mapping[str, str]
) -> tuple[str, str | None]:
    """Render a single-file entry's URL; resolve a glob (exactly one match).

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    spec : CatalogEntry
        The entry.
    context : mapping of str to str
        Its template context (:func:`entry_context`).

    Returns
    -------
    tuple of (str, str or None)
        The URL, and its stamp when a listing found it (None otherwise).

    Raises
    ------
    InputError
        When a glob does not match exactly one file.
    """
    where = f"{catalog.urlpath}: sources.{spec.name}.args.urlpath"
    url = normalise(render(str(spec.args["urlpath"]), context, where))
    if not has_glob(url):
        return url, None
    found = expand_stamped([url], entry_options(catalog, spec, context, url))[0]
    if len(found) != 1:
        raise InputError(
            explain(
                f"the pattern of '{spec.name}' must match exactly one file",
                f"{len(found)} files for {url}: {[u for u, _ in found]}",
                "fix args.urlpath in the catalog, or remove the extra files",
            )
        )
    return found[0]


__all__ = [
    "MonthFiles",
    "entry_args",
    "entry_context",
    "entry_options",
    "monthly_source",
    "render_template",
    "resolve_month_urls",
    "resolve_months",
    "resolve_url",
    "single_file",
]
