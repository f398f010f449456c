"""From a catalog entry to file URLs: user parameters, storage options, month files.

Plan-time work only: templates are rendered, folders listed (each once), nothing is read but
the headers the ``duplicates`` rule asks for, through the ``header`` function the caller
passes (this layer reads no file format).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import fsspec
from fsspec.core import split_protocol

from picpump.errors import CatalogError, InputError, explain
from picpump.io.catalog.model import Catalog, CatalogEntry
from picpump.io.catalog.templates import render, render_tree
from picpump.io.store.fs import expand_stamped, has_glob, normalise

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


def entry_args(
    catalog: Catalog,
    spec: CatalogEntry,
    params: Mapping[str, Any],
    context: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Render the entry's args except ``urlpath``, ``time`` and ``storage_options``.

    Storage options are rendered per URL by :func:`entry_options`; ``context`` (from
    :func:`entry_context`) saves rendering it again.
    """
    context = entry_context(catalog, spec, params) if context is None else context
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
    "entry_args",
    "entry_context",
    "entry_options",
    "render_template",
    "resolve_url",
    "single_file",
]
