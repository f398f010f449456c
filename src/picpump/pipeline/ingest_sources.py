"""Per-month source records of an ingest store: URL, SHA-256 of the bytes, fsspec stamp.

Which checksum, and why both: the record keeps the SHA-256 of the source file's bytes (the
identity of the content: a re-downloaded or moved identical file is accepted, a file
rewritten in place with the same size and a coarse mtime is not) and the fsspec stamp
``size|mtime-or-ETag`` (cheap: one listing per folder, no byte read). A later run compares
the stamps of the months already present and hashes a file again only when its URL or stamp
changed, so checking 302 months costs a few folder listings, not a re-read of the archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import fsspec

from picpump.errors import InputError, explain
from picpump.io.store.fs import file_stamps

_BLOCK = 1 << 22


def file_sha256(url: str, storage_options: Mapping[str, Any] | None = None) -> str:
    """Return the SHA-256 hex digest of a file's bytes (read in 4 MiB blocks)."""
    digest = hashlib.sha256()
    with fsspec.open(url, "rb", **dict(storage_options or {})) as f:
        while block := f.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SourceCheck:
    """Outcome of checking the sources of the months already present.

    Attributes
    ----------
    changed : list of str
        Months whose source content changed (``YYYY-MM``), in time order.
    records : dict of str to dict
        The (possibly re-stamped) source record of every month checked.
    """

    changed: list[str]
    records: dict[str, dict[str, str | None]]


def check_sources(
    recorded: Mapping[str, Mapping[str, str | None]],
    files: Mapping[str, str | None],
    storage_options: Mapping[str, Any] | None,
) -> SourceCheck:
    """Compare the current source files of present months with their records.

    A month is unchanged when its URL and stamp are the recorded ones, or else when its
    bytes still hash to the recorded SHA-256 (the record then takes the new URL and stamp).

    Parameters
    ----------
    recorded : mapping of str to mapping
        ``{month: {"url", "sha256", "stamp"}}`` from the store (all None for a gap month).
    files : mapping of str to str or None
        ``{month: url}`` resolved now from the catalog (present months only; None for a
        month without a file, under the entry's ``allow_gaps``).
    storage_options : mapping or None
        fsspec options of the source files.

    Returns
    -------
    SourceCheck
        The changed months and the updated records.
    """
    months = sorted(files)
    with_file = [m for m in months if files[m] is not None]
    urls = [str(files[m]) for m in with_file]
    stamps = dict(zip(with_file, file_stamps(urls, storage_options), strict=True))
    changed, records = [], {}
    for month in months:
        old, url, stamp = recorded[month], files[month], stamps.get(month)
        record = {"url": url, "sha256": old["sha256"], "stamp": stamp}
        if (url, stamp) != (old["url"], old["stamp"]):
            sha = None if url is None else file_sha256(url, storage_options)
            if sha != old["sha256"]:
                changed.append(month)
            record["sha256"] = sha
        records[month] = record
    return SourceCheck(changed, records)


def _describe(record: Mapping[str, str | None]) -> str:
    if record["url"] is None:
        return "no file (a gap read as a missing month)"
    return f"{record['url']} (sha256 {str(record['sha256'])[:12]}…)"


def changed_source_error(
    month: str, old: Mapping[str, str | None], new: Mapping[str, str | None]
) -> InputError:
    """Return the error for a month already in the store whose source file changed."""
    return InputError(
        explain(
            "the source file of a month already in the store must not change",
            f"{month} is now {_describe(new)}; the store was built from {_describe(old)}",
            "restore the original file, or re-run with --refresh (refresh=True) to re-ingest "
            "from that month on",
        )
    )


__all__ = ["SourceCheck", "changed_source_error", "check_sources", "file_sha256", "file_stamps"]
