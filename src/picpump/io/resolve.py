"""From a catalog entry to file URLs: user parameters, storage options, month files.

Plan-time work only: templates are rendered, folders listed, nothing is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from fsspec.core import split_protocol

from picpump.errors import CatalogError, InputError, explain
from picpump.io.catalog_yaml import MONTHLY, Catalog, SourceSpec, months_of
from picpump.io.files import expand, has_glob, normalise
from picpump.io.templates import month_fields, render, render_tree

_TYPES: dict[str, type] = {"str": str, "int": int, "float": float}


def _bad(rule: str, received: str, where: str, fix: str) -> CatalogError:
    return CatalogError(explain(rule, f"{received} ({where})", fix))


def _parameter(spec: SourceSpec, name: str, value: Any) -> str:
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


def entry_context(catalog: Catalog, spec: SourceSpec, params: Mapping[str, Any]) -> dict[str, str]:
    """Return the static template context: CATALOG_DIR and the user parameters."""
    unknown = sorted(set(params) - set(spec.parameters))
    if unknown:
        rule = f"parameters of '{spec.name}' must be among {sorted(spec.parameters)}"
        raise _bad(rule, str(unknown), catalog.urlpath, "fix the name or declare it")
    context = {"CATALOG_DIR": catalog.catalog_dir}
    for name, decl in spec.parameters.items():
        value = params.get(name, decl.get("default") if isinstance(decl, Mapping) else None)
        if value is None:
            raise _bad(f"parameter '{name}' needs a value", "no default", spec.name, "pass it")
        context[name] = _parameter(spec, name, value)
    return context


def entry_options(
    catalog: Catalog, spec: SourceSpec, context: Mapping[str, str], url: str
) -> dict[str, Any]:
    """Storage options of an entry (the catalog's, on the same filesystem as ``url``, as base)."""
    own = render_tree(spec.args.get("storage_options") or {}, context, f"{spec.name}.args")
    same = split_protocol(catalog.urlpath)[0] == split_protocol(url)[0]
    base = dict(catalog.storage_options) if same else {}
    return base | dict(own)


def monthly_source(catalog: Catalog, name: str) -> SourceSpec:
    """Return a monthly entry, refusing a static one."""
    spec = catalog.source(name)
    if spec.driver != MONTHLY:
        rule = f"'{name}' must be a {MONTHLY} source to be read month by month"
        raise _bad(rule, f"driver {spec.driver}", catalog.urlpath, "use open_static for it")
    return spec


def _month_errors(name: str, patterns: list[str], found: list[list[str]], months: Any) -> None:
    """Refuse months with no file or with several files."""
    missing = [(m, p) for m, p, f in zip(months, patterns, found, strict=True) if not f]
    extra = [(m, p, f) for m, p, f in zip(months, patterns, found, strict=True) if len(f) > 1]
    if missing:
        listed = ", ".join(f"{m:%Y-%m}" for m, _ in missing[:12])
        more = f"; {len(missing)} months missing in all: {listed}"
        raise InputError(
            explain(
                f"each month of '{name}' must match exactly one file",
                f"no file for {missing[0][0]:%Y-%m} (pattern {missing[0][1]}){more}",
                "add the missing files, shorten the period, or fix args.urlpath in the catalog",
            )
        )
    if extra:
        month, pattern, files = extra[0]
        raise InputError(
            explain(
                f"each month of '{name}' must match exactly one file (duplicated month)",
                f"{len(files)} files for {month:%Y-%m} (pattern {pattern}): {files}",
                "remove the extra files, or make args.urlpath more specific than '*'",
            )
        )


def resolve_month_urls(
    catalog: Catalog, name: str, period: tuple[str, str] | None = None, **params: Any
) -> list[tuple[pd.Timestamp, str]]:
    """Return the file of each month (plan time: folders are listed, no data is read).

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A monthly source.
    period : tuple of str, optional
        ``(first, last)`` months, inclusive; default the whole archive.
    **params
        User parameters of the entry (override their defaults).

    Returns
    -------
    list of (pandas.Timestamp, str)
        Month (first day) and URL, in time order.

    Raises
    ------
    InputError
        A month with no file, or with several files.
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
    found = expand(patterns, entry_options(catalog, spec, context, patterns[0]))
    _month_errors(name, patterns, found, months)
    return [(m, f[0]) for m, f in zip(months, found, strict=True)]


def entry_args(catalog: Catalog, spec: SourceSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """Render the entry's args except ``urlpath`` and ``time`` (static fields only)."""
    context = entry_context(catalog, spec, params)
    rest = {k: v for k, v in spec.args.items() if k not in ("urlpath", "time")}
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
    context = entry_context(catalog, spec, params)
    where = f"{catalog.urlpath}: sources.{name}.args.urlpath"
    url = normalise(render(str(spec.args["urlpath"]), context, where))
    if not has_glob(url):
        return url
    found = expand([url], entry_options(catalog, spec, context, url))[0]
    if len(found) != 1:
        raise InputError(
            explain(
                f"the pattern of '{name}' must match exactly one file",
                f"{len(found)} files for {url}: {found}",
                "fix args.urlpath in the catalog, or remove the extra files",
            )
        )
    return found[0]


__all__ = [
    "entry_args",
    "entry_context",
    "entry_options",
    "monthly_source",
    "render_template",
    "resolve_month_urls",
    "resolve_url",
]
