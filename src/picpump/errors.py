"""One exception family for everything picpump refuses.

Every message says three things: the rule, what was received, and the fix.
Build messages with :func:`explain` so that they keep that shape.
"""

from __future__ import annotations


def explain(rule: str, received: str, fix: str) -> str:
    """Format an error message as rule, received value and fix.

    Parameters
    ----------
    rule : str
        The rule that was broken, stated positively.
    received : str
        What was actually received (file, value, name).
    fix : str
        What the user can do about it.

    Returns
    -------
    str
        A three-line message.
    """
    return f"{rule}\n  received: {received}\n  fix: {fix}"


class PicpumpError(Exception):
    """Base class of every error picpump raises on purpose."""


class CatalogError(PicpumpError, ValueError):
    """A catalog cannot be read, or an entry is missing or malformed."""


class InputError(PicpumpError, ValueError):
    """An input file is missing, duplicated, unreadable or malformed."""


class UnitsError(PicpumpError, ValueError):
    """A variable carries units that picpump cannot convert unambiguously."""


class GridError(PicpumpError, ValueError):
    """A field is not on the grid the pipeline expects."""


class SpecError(PicpumpError, ValueError):
    """A pipeline spec or model variant is invalid."""


class PeriodError(PicpumpError, ValueError):
    """A month or a period that cannot be read, or that ends before it starts."""


class ClusterError(PicpumpError, RuntimeError):
    """A compute cluster cannot be started or reached."""


__all__ = [
    "CatalogError",
    "ClusterError",
    "GridError",
    "InputError",
    "PicpumpError",
    "SpecError",
    "UnitsError",
    "explain",
]
