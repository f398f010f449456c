"""Two files for one month: a documented, configurable rule picks one and says which.

Archives overlap: GlobColour writes a month twice when the sensor set of a merge changes
(``..._AV-MODVIR_...`` and ``..._AVW-MODVIR_...``), a mirror may keep an old processing
beside a new one. A catalog entry declares the rule::

    duplicates:
      prefer: ["*_AVW-*", "*_GSM-*", "*_AV-*"]   # file-name patterns, best first
      then: date_created                          # tie-break: error | date_created | last

Rule, in order:

1. ``prefer``: each candidate takes the rank of the first pattern its file name matches
   (:func:`fnmatch.fnmatchcase`; no match ranks last). The best rank wins when it is alone.
2. ``then`` breaks a remaining tie: ``date_created`` takes the file with the most recent
   ``date_created`` global attribute (the most recent processing; reads each tied file's
   header), ``last`` takes the last file name in sort order (e.g. ``_01`` after ``_00``),
   ``error`` (the default) refuses.

Without a ``duplicates`` block, or when the rule cannot decide (same rank, same or missing
``date_created``), two files for one month stay an error. Every decision is returned as a
:class:`FileChoice`, logged, and kept in the provenance of the opened field.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import pandas as pd

from picpump.errors import InputError, explain

TIE_BREAKS = ("error", "date_created", "last")
"""Allowed values of ``duplicates.then``."""

LOG = logging.getLogger("picpump.io")


@dataclass(frozen=True)
class DuplicateRule:
    """A catalog's rule for months with several files.

    Attributes
    ----------
    prefer : tuple of str
        File-name patterns, best first.
    then : str
        Tie-break, one of :data:`TIE_BREAKS`.
    """

    prefer: tuple[str, ...] = ()
    then: str = "error"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> DuplicateRule | None:
        """Read ``args.duplicates`` of an entry (validated by the catalog loader)."""
        raw = args.get("duplicates")
        if not isinstance(raw, Mapping):
            return None
        return cls(tuple(str(p) for p in raw.get("prefer", [])), str(raw.get("then", "error")))

    def describe(self) -> str:
        """Return the rule in words."""
        return f"prefer {list(self.prefer)}, then {self.then}"


@dataclass(frozen=True)
class FileChoice:
    """The file picked for a month that had several.

    Attributes
    ----------
    month : pandas.Timestamp
        First day of the month.
    chosen : str
        The URL read.
    rejected : tuple of str
        The other candidates.
    reason : str
        Which step of the rule decided.
    """

    month: pd.Timestamp
    chosen: str
    rejected: tuple[str, ...]
    reason: str

    def describe(self) -> str:
        """One line: month, chosen file, rejected files and the reason."""
        others = ", ".join(posixpath.basename(r) for r in self.rejected)
        chosen = posixpath.basename(self.chosen)
        return f"{self.month:%Y-%m}: {chosen} over {others} ({self.reason})"


def _rank(url: str, prefer: Sequence[str]) -> int:
    """Index of the first pattern the file name matches (``len(prefer)`` for none)."""
    name = posixpath.basename(url)
    return next((i for i, p in enumerate(prefer) if fnmatchcase(name, p)), len(prefer))


def _created(url: str, header: Callable[[str], Mapping[str, Any]]) -> pd.Timestamp | None:
    """Return the ``date_created`` attribute of a file, or None."""
    value = header(url).get("date_created")
    try:
        stamp = pd.Timestamp(str(value)) if value is not None else None
    except ValueError:
        return None
    if stamp is None or pd.isna(stamp):
        return None
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _tie_break(
    tied: list[str], rule: DuplicateRule, header: Callable[[str], Mapping[str, Any]]
) -> tuple[str | None, str]:
    """Apply ``rule.then`` to the tied files; return (winner or None, reason)."""
    if rule.then == "last":
        return sorted(tied)[-1], "last file name in sort order"
    if rule.then == "date_created":
        stamps = {url: _created(url, header) for url in tied}
        known = sorted((s, u) for u, s in stamps.items() if s is not None)
        if len(known) == len(tied) and known[-1][0] > known[-2][0]:
            return known[-1][1], f"most recent date_created {known[-1][0]:%Y-%m-%dT%H:%M:%S}"
        return None, f"date_created does not decide ({stamps})"
    return None, "the rule has no tie-break (then: error)"


def _why_tied(tied: Sequence[str], best: int, prefer: Sequence[str]) -> str:
    """Say why the prefer patterns left several files (none matched, or one matched many)."""
    names = [posixpath.basename(u) for u in tied]
    if best < len(prefer):
        return f"{len(tied)} files match the same prefer pattern '{prefer[best]}': {names}"
    if prefer:
        return f"no file name matches any prefer pattern {list(prefer)}: {names}"
    return "the rule has no prefer patterns"


def choose_file(
    candidates: Sequence[str],
    month: pd.Timestamp,
    rule: DuplicateRule | None,
    *,
    source: str,
    pattern: str,
    header: Callable[[str], Mapping[str, Any]],
) -> FileChoice:
    """Pick one of several files for a month (see the module docstring for the rule).

    Parameters
    ----------
    candidates : sequence of str
        The files that matched the month's pattern (at least two).
    month : pandas.Timestamp
        First day of the month.
    rule : DuplicateRule or None
        The catalog's rule; None refuses.
    source : str
        The catalog entry, for messages.
    pattern : str
        The month's rendered pattern, for messages.
    header : callable
        ``url -> global attributes`` (only called for ``then: date_created``).

    Returns
    -------
    FileChoice
        The decision (also logged at INFO level).

    Raises
    ------
    InputError
        When there is no rule, or the rule cannot decide.
    """
    files = sorted(candidates)
    winner, reason = None, "the catalog declares no duplicates rule"
    if rule is not None:
        ranks = {url: _rank(url, rule.prefer) for url in files}
        best = min(ranks.values())
        tied = [u for u in files if ranks[u] == best]
        if len(tied) == 1:
            winner = tied[0]
            why = f"pattern '{rule.prefer[best]}'" if best < len(rule.prefer) else "no pattern"
            reason = f"{why}, rank {best + 1} of {rule.describe()}"
        else:
            winner, reason = _tie_break(tied, rule, header)
            reason = f"{_why_tied(tied, best, rule.prefer)}; {reason}"
    if winner is None:
        raise InputError(
            explain(
                f"each month of '{source}' must match exactly one file, or the catalog's "
                "duplicates rule must pick one (duplicated month)",
                f"{len(files)} files for {month:%Y-%m} (pattern {pattern}): {files}; {reason}",
                "remove the extra files, make args.urlpath more specific than '*', or add "
                "args.duplicates: {prefer: [...], then: date_created} to the catalog entry",
            )
        )
    choice = FileChoice(month, winner, tuple(u for u in files if u != winner), reason)
    LOG.info("%s: duplicated month, chose %s", source, choice.describe())
    return choice


__all__ = ["TIE_BREAKS", "DuplicateRule", "FileChoice", "choose_file"]
