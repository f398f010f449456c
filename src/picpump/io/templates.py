"""Catalog templates: ``{{ name }}``, ``{{ env(VAR) }}``, user parameters and month fields.

A template is a string with ``{{ ... }}`` fields (spaces inside the braces are optional).
A field is either ``env(VAR)`` (an environment variable) or a name looked up in a context:
``CATALOG_DIR``, the entry's user parameters, and, for monthly entries, the month fields
built by :func:`month_fields`. An unknown name is refused, never left in place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from picpump.errors import CatalogError, explain

_FIELD = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_ENV = re.compile(r"env\(\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?\s*\)")

MONTH_FIELDS = ("yyyymm", "yyyy", "mm", "first", "last", "jfirst", "jlast")
"""Per-month template fields (see :func:`month_fields`)."""


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
    if time and time.get("param"):
        fields[str(time["param"])] = month.strftime(str(time.get("fmt", "%Y%m")))
    return fields


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


def render(template: str, context: Mapping[str, str], where: str) -> str:
    """Fill the ``{{ ... }}`` fields of a template.

    Parameters
    ----------
    template : str
        The template.
    context : mapping of str to str
        Known names and their values.
    where : str
        Where the template comes from (catalog entry and key), for error messages.

    Returns
    -------
    str
        The rendered string.

    Raises
    ------
    CatalogError
        For an unknown name (the message lists the known ones) or an unset ``env(VAR)``.
    """

    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        env = _ENV.fullmatch(expr)
        if env:
            return _env(env.group(1), where)
        if expr in context:
            return str(context[expr])
        known = sorted(context) + ["env(VAR)"]
        raise CatalogError(
            explain(
                f"a template field must be one of {known}",
                f"{{{{ {expr} }}}} in {where}",
                "fix the name, or declare it under the entry's 'parameters'",
            )
        )

    return _FIELD.sub(one, template)


def render_tree(value: Any, context: Mapping[str, str], where: str) -> Any:
    """Render every string inside nested mappings and lists.

    Parameters
    ----------
    value : Any
        A value from a catalog entry (str, mapping, list, scalar).
    context : mapping of str to str
        Known names and their values.
    where : str
        Where the value comes from, for error messages.

    Returns
    -------
    Any
        The same structure with every string rendered.
    """
    if isinstance(value, str):
        return render(value, context, where)
    if isinstance(value, Mapping):
        return {k: render_tree(v, context, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_tree(v, context, where) for v in value]
    return value


__all__ = ["MONTH_FIELDS", "month_fields", "render", "render_tree"]
