"""Files on any fsspec filesystem: glob patterns, local copies, cheap fingerprints.

Patterns are resolved by listing each distinct parent folder once (one request per folder
on object stores) and matching the file names with :func:`fnmatch.fnmatchcase`. Every
filesystem call uses the entry's ``storage_options``.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import tempfile
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from fnmatch import fnmatchcase
from typing import Any

import fsspec
from fsspec.core import split_protocol, url_to_fs

from picpump.errors import InputError, explain

LOCAL_PROTOCOLS = (None, "file", "local")
HTTP_PROTOCOLS = ("http", "https")
_STAMP_KEYS = ("ETag", "etag", "mtime", "LastModified", "last_modified", "created")


def has_glob(path: str) -> bool:
    """Return whether a path holds a glob character (``*`` or ``?``)."""
    return "*" in path or "?" in path


def is_local(url: str) -> bool:
    """Return whether a URL is a local path (plain or ``file://``)."""
    return split_protocol(url)[0] in LOCAL_PROTOCOLS


def normalise(url: str) -> str:
    """Collapse ``..`` and ``.`` in a path or URL, keeping its protocol.

    Parameters
    ----------
    url : str
        A local path or an fsspec URL (``{{ CATALOG_DIR }}/../data`` renders to such paths).

    Returns
    -------
    str
        The same location, normalised.
    """
    protocol, path = split_protocol(url)
    if protocol in HTTP_PROTOCOLS or not ("/." in path or path.startswith(".")):
        return url
    lead = "/" if path.startswith("/") else ""
    clean = lead + posixpath.normpath(path).lstrip("/")
    return clean if protocol is None else f"{protocol}://{clean}"


def filesystem(url: str, storage_options: Mapping[str, Any] | None = None) -> tuple[Any, str]:
    """Return the fsspec filesystem of ``url`` (opened with ``storage_options``) and its path.

    Parameters
    ----------
    url : str
        Local path or fsspec URL.
    storage_options : mapping, optional
        fsspec options of that filesystem (credentials, endpoint).

    Returns
    -------
    tuple of (fsspec.AbstractFileSystem, str)
        The filesystem and ``url`` without its protocol.
    """
    fs, path = url_to_fs(url, **dict(storage_options or {}))
    return fs, str(path)


def is_local_fs(fs: Any) -> bool:
    """Return whether an fsspec filesystem is the local one (renames are atomic there)."""
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return protocol in ("file", "local")


def local_path(url: str) -> str:
    """Return the plain path of a local URL (``file:///a/b`` → ``/a/b``)."""
    return split_protocol(url)[1] if split_protocol(url)[0] == "file" else url


def _listing(fs: Any, parent: str) -> dict[str, tuple[str, str]] | None:
    """Return ``{file name: (path, stamp)}`` of the files under ``parent``; None if unlistable.

    Object stores that refuse LIST (Copernicus Marine buckets) give None: literal names are
    then checked one by one.
    """
    try:
        entries = fs.ls(parent, detail=True)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except PermissionError:
        return None
    files = [e for e in entries if e.get("type") != "directory"]
    named = ((posixpath.basename(e["name"].rstrip("/")), (e["name"], stamp(e))) for e in files)
    return dict(sorted(named))


def _match(
    listing: dict[str, tuple[str, str]], names: list[str], pattern: str
) -> list[tuple[str, str]]:
    """Return the (path, stamp) of the files whose name matches ``pattern`` (names: sorted keys)."""
    literal = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    if literal == pattern:
        return [listing[pattern]] if pattern in listing else []
    tail = re.split(r"[*?\]]", pattern)[-1]  # literal after the last glob: a cheap first test
    found = []
    for name in names[bisect_left(names, literal) :]:
        if not name.startswith(literal):
            break
        if name.endswith(tail) and fnmatchcase(name, pattern):
            found.append(listing[name])
    return found


def _as_url(pattern: str, fs: Any, path: str) -> str:
    """Return ``path`` in the form of ``pattern`` (plain path, or URL with protocol)."""
    protocol = split_protocol(pattern)[0]
    if protocol is None:
        return path
    return str(fs.unstrip_protocol(path))


def expand(patterns: Sequence[str], storage_options: Mapping[str, Any]) -> list[list[str]]:
    """Return the files matching each pattern (see :func:`expand_stamped`).

    Parameters
    ----------
    patterns : sequence of str
        Rendered URL patterns (one per month), all on the same filesystem.
    storage_options : mapping
        fsspec options for that filesystem.

    Returns
    -------
    list of list of str
        For each pattern, the matching URLs, sorted.
    """
    return [[url for url, _ in found] for found in expand_stamped(patterns, storage_options)]


def expand_stamped(
    patterns: Sequence[str], storage_options: Mapping[str, Any]
) -> list[list[tuple[str, str | None]]]:
    """Return the files matching each pattern, with the stamp the listing gave each.

    Rule: ``*`` and ``?`` in the file name are globs (:func:`fnmatch.fnmatchcase`); each
    distinct parent folder is listed once, and that listing is also where the stamps
    (``size|mtime-or-ETag``, see :func:`stamp`) come from, so a fingerprint needs no second
    request. A name without globs matches only an existing file. HTTP(S) URLs are not
    listed: they are taken as they are, without globs, and without a stamp (None).

    Parameters
    ----------
    patterns : sequence of str
        Rendered URL patterns (one per month), all on the same filesystem.
    storage_options : mapping
        fsspec options for that filesystem.

    Returns
    -------
    list of list of (str, str or None)
        For each pattern, the matching URLs with their stamps, sorted by URL.
    """
    if not patterns:
        return []
    if split_protocol(patterns[0])[0] in HTTP_PROTOCOLS:
        return [[(p, None)] for p in patterns]
    fs, _ = url_to_fs(patterns[0], **dict(storage_options))
    listings: dict[str, tuple[dict[str, tuple[str, str]], list[str]] | None] = {}
    out = []
    for pattern in patterns:
        path = fs._strip_protocol(pattern)
        parent, name = posixpath.split(path)
        if has_glob(parent):
            found: list[tuple[str, str]] = [(str(p), stamp(fs.info(p))) for p in fs.glob(path)]
        else:
            if parent not in listings:
                listing = _listing(fs, parent)
                listings[parent] = None if listing is None else (listing, list(listing))
            known = listings[parent]
            found = _unlisted(fs, path, pattern) if known is None else _match(*known, name)
        out.append(sorted((_as_url(pattern, fs, p), s) for p, s in found))
    return out  # type: ignore[return-value]


def _unlisted(fs: Any, path: str, pattern: str) -> list[tuple[str, str]]:
    """Match a literal name in a folder that cannot be listed; refuse a glob there."""
    if has_glob(posixpath.basename(path)):
        raise InputError(
            explain(
                "a glob needs a folder that can be listed",
                f"{pattern}: listing refused by the server",
                "write the exact file name in args.urlpath (a parameter for the varying part)",
            )
        )
    try:
        return [(path, stamp(fs.info(path)))]
    except (FileNotFoundError, OSError):  # what fs.exists() reads as "absent"
        return []


@contextmanager
def local_copy(url: str, storage_options: Mapping[str, Any] | None = None) -> Iterator[str]:
    """Yield a local path for ``url``, copying a remote file to a temporary cache.

    Local paths are used in place. Remote files go through fsspec's ``simplecache`` into a
    temporary folder removed on exit, with ``storage_options`` under the URL's protocol.

    Parameters
    ----------
    url : str
        Local path or fsspec URL of one file.
    storage_options : mapping, optional
        fsspec options of the URL's filesystem.

    Yields
    ------
    str
        A local path to read.
    """
    protocol = split_protocol(url)[0]
    if protocol in LOCAL_PROTOCOLS:
        yield local_path(url)
        return
    with tempfile.TemporaryDirectory(prefix="picpump-") as tmp:
        cache = {"cache_storage": tmp, "skip_instance_cache": True}
        options = {"simplecache": cache, str(protocol): dict(storage_options or {})}
        path = fsspec.open_local("simplecache::" + url, **options)
        yield path if isinstance(path, str) else path[0]


def missing_file(url: str) -> InputError:
    """Return the error for a file that does not exist (any more)."""
    return InputError(
        explain(
            "every input file named by the catalog must exist",
            f"no file at {url}",
            "check the path and the storage_options of the catalog entry, or re-download it",
        )
    )


def stamp(info: Mapping[str, Any]) -> str:
    """Return ``size|mtime-or-ETag`` of an fsspec info record (what a fingerprint hashes)."""
    stamp = next((info[k] for k in _STAMP_KEYS if info.get(k) is not None), "")
    return f"{info.get('size', '')}|{stamp}"


def file_stamps(urls: Sequence[str], storage_options: Mapping[str, Any] | None) -> list[str]:
    """Return ``size|mtime-or-ETag`` of each file, listing each parent folder once.

    Parameters
    ----------
    urls : sequence of str
        Files on one filesystem.
    storage_options : mapping or None
        fsspec options of that filesystem.

    Returns
    -------
    list of str
        One stamp per URL; ``missing|`` for a file that cannot be found.
    """
    if not urls:
        return []
    fs, _ = url_to_fs(urls[0], **dict(storage_options or {}))
    listed: dict[str, dict[str, Any]] = {}
    out = []
    for url in urls:
        path = fs._strip_protocol(url)
        parent = posixpath.dirname(path)
        if parent not in listed and split_protocol(url)[0] not in HTTP_PROTOCOLS:
            try:
                listed[parent] = {e["name"]: e for e in fs.ls(parent, detail=True)}
            except (FileNotFoundError, NotADirectoryError):
                listed[parent] = {}
        info = listed.get(parent, {}).get(path)
        if info is None:
            try:
                info = fs.info(path)
            except (FileNotFoundError, OSError):
                info = {"size": "missing"}
        out.append(stamp(info))
    return out


def source_fingerprint(urls: list[str], storage_options: Mapping[str, Any] | None) -> str:
    """Fingerprint input files cheaply: sha256 over (URL, size, mtime or ETag).

    No data is read: local files are ``stat``-ed and object stores listed (one request per
    folder). A URL that cannot be listed contributes its name and the word ``missing``.

    Parameters
    ----------
    urls : list of str
        The files (local paths or fsspec URLs).
    storage_options : mapping or None
        fsspec options of their filesystem.

    Returns
    -------
    str
        A hex digest; it changes when a file is added, removed, resized or rewritten.
    """
    digest = hashlib.sha256()
    stamps = file_stamps([os.fspath(u) for u in urls], storage_options)
    for url, stamp in zip(urls, stamps, strict=True):
        digest.update(f"{url}\t{stamp}\n".encode())
    return digest.hexdigest()


__all__ = [
    "expand",
    "expand_stamped",
    "file_stamps",
    "filesystem",
    "has_glob",
    "is_local",
    "is_local_fs",
    "local_copy",
    "local_path",
    "missing_file",
    "normalise",
    "source_fingerprint",
    "stamp",
]
