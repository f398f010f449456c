"""Typed checks of profile values: each returns the value or raises :class:`ClusterError`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from picpump.errors import ClusterError, explain

IDENTIFIER = re.compile(r"[A-Za-z0-9_.,+@-]+")
PLAIN_PATH = re.compile(r"[A-Za-z0-9_.,+@~/:=-]+")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def refuse(where: str, rule: str, received: Any, fix: str) -> ClusterError:
    """Build the error for a profile value that breaks a rule.

    Parameters
    ----------
    where : str
        The profile and key, e.g. ``"slurm.yaml: options.cores"``.
    rule : str
        What the value must be.
    received : object
        The value received.
    fix : str
        What to write instead.

    Returns
    -------
    ClusterError
        The error, to be raised by the caller.
    """
    return ClusterError(explain(f"{where} must be {rule}", repr(received), fix))


def integer(where: str, value: Any, minimum: int = 0) -> int:
    """Check an integer ``>= minimum`` (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise refuse(where, f"an integer >= {minimum}", value, f"write a whole number >= {minimum}")
    return value


def number(where: str, value: Any, minimum: float = 0.0) -> float:
    """Check a real number ``> minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= minimum:
        raise refuse(where, f"a number > {minimum}", value, f"write a number > {minimum}")
    return float(value)


def text(where: str, value: Any, pattern: re.Pattern[str] | None = None) -> str:
    """Check a non-empty string, optionally matching ``pattern`` in full."""
    if not isinstance(value, str) or not value:
        raise refuse(where, "a non-empty string", value, "write a string")
    if pattern is not None and not pattern.fullmatch(value):
        raise refuse(
            where,
            f"made of the characters {pattern.pattern}",
            value,
            "use a plain name (no spaces, quotes or shell characters)",
        )
    return value


def text_list(where: str, value: Any) -> list[str]:
    """Check a list of strings (``None`` is an empty list)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise refuse(where, "a list of strings", value, 'write a YAML list, e.g. ["a", "b"]')
    return list(value)


def mapping(where: str, value: Any) -> dict[str, Any]:
    """Check a mapping with string keys (``None`` is an empty mapping)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise refuse(where, "a mapping", value, "write a YAML mapping, e.g. {key: value}")
    return dict(value)


def require(module: str, package: str, kind: str) -> None:
    """Refuse a profile whose launcher library is not installed.

    Parameters
    ----------
    module : str
        The module to import, e.g. ``dask_gateway``.
    package : str
        Its pip name, for the fix.
    kind : str
        The profile kind that needs it.
    """
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ClusterError(
            explain(
                f"a {kind} profile needs the package {package}",
                f"{module} is not installed",
                f"pip install {package}",
            )
        )


def known_keys(where: str, given: Mapping[str, Any], allowed: Mapping[str, str]) -> None:
    """Refuse keys that are not in ``allowed`` (a key → description table)."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ClusterError(
            explain(
                f"{where} accepts only the keys {sorted(allowed)}",
                f"unknown key(s) {unknown}",
                "remove or rename them (the profiles in cluster/ document every key)",
            )
        )


__all__ = [
    "ENV_NAME",
    "IDENTIFIER",
    "PLAIN_PATH",
    "integer",
    "known_keys",
    "mapping",
    "number",
    "refuse",
    "require",
    "text",
    "text_list",
]
