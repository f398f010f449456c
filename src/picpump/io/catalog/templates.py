"""Catalog templates: ``{{ name }}``, ``{{ env(VAR) }}``, ``{{ ancillary(NAME) }}``, month fields.

A template is a string with ``{{ ... }}`` fields (spaces inside the braces are optional).
A field is ``env(VAR)`` (an environment variable), ``ancillary(NAME)`` (the local path of
the verified cached copy of the ancillary-catalog entry NAME: see :func:`ancillary_path`;
rendering never downloads), or a name looked up in a context: ``CATALOG_DIR``, the entry's user
parameters, and, for monthly entries, the month fields built by :func:`month_fields`. An
unknown name is refused, never left in place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from picpump.errors import CatalogError, explain
from picpump.io.store.cache import cached_path, pinned_entry

_FIELD = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_ENV = re.compile(r"env\(\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?\s*\)")
_ANCILLARY = re.compile(r"ancillary\(\s*['\"]?([A-Za-z0-9_.-]+)['\"]?\s*\)")

AncillaryResolver = Callable[[str], str]
"""How ``{{ ancillary(NAME) }}`` renders: a function of the entry name."""

MONTH_FIELDS = ("yyyymm", "yyyy", "mm", "first", "last", "jfirst", "jlast", "cfirst", "clast")
"""Per-month template fields (see :func:`month_fields` and :func:`climatology_fields`)."""


def month_fields(month: pd.Timestamp, time: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Return the template fields of one month.

    Parameters
    ----------
    month : pandas.Timestamp
        First day of the month.
    time : mapping, optional
        The entry's ``time`` block; its optional ``param``/``fmt`` pair adds one more field
        (``param`` named, formatted with ``strftime(fmt)``).

    Returns
    -------
    dict of str to str
        ``yyyymm`` (199709), ``yyyy``, ``mm``, ``first`` and ``last`` (YYYYMMDD of the first
        and last day), ``jfirst`` and ``jlast`` (YYYYDDD, day of year, as in old NASA names).
    """
    last = month + pd.offsets.MonthEnd(0)
    fields = {
        "yyyymm": month.strftime("%Y%m"),
        "yyyy": month.strftime("%Y"),
        "mm": month.strftime("%m"),
        "first": month.strftime("%Y%m%d"),
        "last": last.strftime("%Y%m%d"),
        "jfirst": month.strftime("%Y%j"),
        "jlast": last.strftime("%Y%j"),
    }
    if time and time.get("climatology"):
        return climatology_fields(month, time)
    if time and time.get("param"):
        fields[str(time["param"])] = month.strftime(str(time.get("fmt", "%Y%m")))
    return fields


def climatology_fields(month: pd.Timestamp, time: Mapping[str, Any]) -> dict[str, str]:
    """Return the template fields of one calendar month of a climatology.

    A climatology entry (``time: {climatology: true, start: 2002-07, end: 2023-06}``) has one
    file per calendar month that spans the record; NASA names it after the first day of the
    first occurrence of that month and the last day of its last occurrence
    (``AQUA_MODIS.20020701_20220731.L3m.MC...`` for July).

    Parameters
    ----------
    month : pandas.Timestamp
        Any day of the calendar month (only the month is used).
    time : mapping
        The entry's ``time`` block with ``start`` and ``end`` (the record).

    Returns
    -------
    dict of str to str
        ``mm`` (07), ``cfirst`` (YYYYMMDD, first day of the first occurrence in the record)
        and ``clast`` (YYYYMMDD, last day of the last occurrence).
    """
    start, end = pd.Timestamp(str(time["start"])), pd.Timestamp(str(time["end"]))
    first_year = start.year if month.month >= start.month else start.year + 1
    last_year = end.year if month.month <= end.month else end.year - 1
    first = pd.Timestamp(first_year, month.month, 1)
    last = pd.Timestamp(last_year, month.month, 1) + pd.offsets.MonthEnd(0)
    return {"mm": f"{month.month:02d}", "cfirst": f"{first:%Y%m%d}", "clast": f"{last:%Y%m%d}"}


def _env(name: str, where: str) -> str:
    """Return an environment variable, refusing a missing one."""
    value = os.environ.get(name)
    if value is None:
        raise CatalogError(
            explain(
                f"the environment variable {name} used by the catalog must be set",
                f"{{{{ env({name}) }}}} in {where}, {name} unset",
                f"export {name}=... before running, or write the value in the catalog",
            )
        )
    return value


def ancillary_path(name: str) -> str:
    """Return the local path where the verified copy of an ancillary entry is cached.

    The value of ``{{ ancillary(NAME) }}``. Rendering is pure: the path is computed from the
    pins of the default ancillary catalog (``$PICPUMP_ANCILLARY_CATALOG``, else the project's
    ``catalogs/ancillary.yaml``) and the cache root (``$PICPUMP_CACHE``, else
    ``~/.cache/picpump``); nothing is downloaded here. The file is fetched and verified when
    the entry is opened (:func:`picpump.io.api.open_entry`), or ahead of time with
    :func:`picpump.io.store.cache.seed_cache` to work offline.

    Parameters
    ----------
    name : str
        Entry of the ancillary catalog (``reccap2_masks``, ``aloha`` ...).

    Returns
    -------
    str
        Local path of the cached file (present or not yet).

    Raises
    ------
    CatalogError
        Unknown or not yet pinned entry, or no ancillary catalog.
    """
    return os.fspath(cached_path(pinned_entry(name)))


def ancillary_names(template: str) -> tuple[str, ...]:
    """Return the ancillary entries a template names with ``{{ ancillary(NAME) }}``.

    Parameters
    ----------
    template : str
        A catalog template.

    Returns
    -------
    tuple of str
        The names, in order of appearance.
    """
    fields = (m.group(1) for m in _FIELD.finditer(template))
    return tuple(m.group(1) for m in map(_ANCILLARY.fullmatch, fields) if m)


def ancillary_url(name: str) -> str:
    """Return the pinned public URL of an ancillary entry (no download, no cache).

    For listings of a catalog that name the public source: the file is named, not read.

    Parameters
    ----------
    name : str
        Entry of the ancillary catalog.

    Returns
    -------
    str
        Its pinned URL.

    Raises
    ------
    CatalogError
        Unknown or not yet pinned entry, or no ancillary catalog.
    """
    return str(pinned_entry(name).urlpath)


def render(
    template: str,
    context: Mapping[str, str],
    where: str,
    ancillary: AncillaryResolver = ancillary_path,
) -> str:
    """Fill the ``{{ ... }}`` fields of a template.

    Parameters
    ----------
    template : str
        The template.
    context : mapping of str to str
        Known names and their values.
    where : str
        Where the template comes from (catalog entry and key), for error messages.
    ancillary : callable, optional
        How ``{{ ancillary(NAME) }}`` renders; default :func:`ancillary_path` (where the
        verified copy is cached); :func:`ancillary_url` names the pinned URL.

    Returns
    -------
    str
        The rendered string.

    Raises
    ------
    CatalogError
        For an unknown name (the message lists the known ones), an unset ``env(VAR)``, an
        unknown or unpinned ancillary entry.
    """

    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        env = _ENV.fullmatch(expr)
        if env:
            return _env(env.group(1), where)
        entry = _ANCILLARY.fullmatch(expr)
        if entry:
            return ancillary(entry.group(1))
        if expr in context:
            return str(context[expr])
        known = sorted(context) + ["env(VAR)", "ancillary(NAME)"]
        raise CatalogError(
            explain(
                f"a template field must be one of {known}",
                f"{{{{ {expr} }}}} in {where}",
                "fix the name, or declare it under the entry's 'parameters'",
            )
        )

    return _FIELD.sub(one, template)


def render_tree(
    value: Any,
    context: Mapping[str, str],
    where: str,
    ancillary: AncillaryResolver = ancillary_path,
) -> Any:
    """Render every string inside nested mappings and lists.

    Parameters
    ----------
    value : Any
        A value from a catalog entry (str, mapping, list, scalar).
    context : mapping of str to str
        Known names and their values.
    where : str
        Where the value comes from, for error messages.
    ancillary : callable, optional
        How ``{{ ancillary(NAME) }}`` renders (see :func:`render`).

    Returns
    -------
    Any
        The same structure with every string rendered.
    """
    if isinstance(value, str):
        return render(value, context, where, ancillary)
    if isinstance(value, Mapping):
        return {k: render_tree(v, context, f"{where}.{k}", ancillary) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_tree(v, context, where, ancillary) for v in value]
    return value


__all__ = [
    "MONTH_FIELDS",
    "AncillaryResolver",
    "ancillary_names",
    "ancillary_path",
    "ancillary_url",
    "climatology_fields",
    "month_fields",
    "render",
    "render_tree",
]
