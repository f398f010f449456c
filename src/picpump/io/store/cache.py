"""A verified download cache for ancillary files (masks, bathymetry, climatologies), on pooch.

The ancillary catalog (:mod:`picpump.io.store.ancillary_catalog`, whose names are re-exported
here) pins each file: its URL, file name, SHA-256 and size. :func:`fetch`
hands the entry to ``pooch.retrieve``: the cached copy is returned when its SHA-256 matches,
without any network; otherwise the file is downloaded through fsspec (any protocol, with
storage options) to a temporary name beside the final one, its size and SHA-256 verified, and
only then renamed: a killed or failed download never leaves a file that looks complete.
:func:`seed_cache` puts a local copy into the cache after the same verification (offline use).

Cache folder: the ``cache_dir`` argument, else ``$PICPUMP_CACHE``, else ``~/.cache/picpump``;
files live in ``<cache>/ancillary/<first 16 hex of sha256>/<filename>``. Catalog templates
reach an entry by name with ``{{ ancillary(NAME) }}`` (:mod:`picpump.io.catalog.templates`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import fsspec

from picpump.errors import InputError, explain
from picpump.io.store.ancillary_catalog import (
    CATALOG_ENV,
    DEFAULT_CATALOG,
    DRIVER,
    AncillaryFile,
    default_catalog,
    load_ancillary_catalog,
    lookup,
    pinned_entry,
)

CACHE_ENV = "PICPUMP_CACHE"
_BLOCK = 1 << 20


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache folder: ``cache_dir``, else ``$PICPUMP_CACHE``, else ~/.cache/picpump."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "picpump"


def cached_path(entry: AncillaryFile, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return where ``entry`` lives in the cache (whether or not it is there)."""
    return cache_root(cache_dir) / "ancillary" / str(entry.sha256)[:16] / entry.filename


def file_sha256(stream: IO[bytes], sink: IO[bytes] | None = None) -> tuple[str, int]:
    """Return the SHA-256 (hex) and size of a byte stream, copying it to ``sink`` if given."""
    digest, size = hashlib.sha256(), 0
    while block := stream.read(_BLOCK):
        digest.update(block)
        size += len(block)
        if sink is not None:
            sink.write(block)
    return digest.hexdigest(), size


def _mismatch(entry: AncillaryFile, source: str, sha: str, size: int) -> InputError:
    return InputError(
        explain(
            f"'{entry.name}' must have the SHA-256 and size pinned in the catalog "
            f"({entry.sha256}, {entry.size} B)",
            f"{source}: SHA-256 {sha}, {size} B",
            "check the source: if the new content is intended, update sha256 and size in the "
            "catalog; otherwise seed the cache with a verified copy (seed_cache)",
        )
    )


def _copier(entry: AncillaryFile, source: str, opener: Callable[[], Any]) -> Callable[..., None]:
    """Return a pooch downloader copying ``opener()``'s bytes to pooch's file, verified.

    pooch writes to a temporary name in the cache folder, checks the SHA-256 and renames only
    then (a killed download leaves nothing that looks complete); the size and the message
    with what was received are checked here, on the way.
    """

    def download(url: str, output_file: Any, pooch: Any) -> None:
        with opener() as stream, open(output_file, "wb") as sink:
            sha, size = file_sha256(stream, sink)
        if sha != entry.sha256 or size != entry.size:
            raise _mismatch(entry, source, sha, size)

    return download


@contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Keep pooch from announcing a "download" that is a local copy."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _retrieve(entry: AncillaryFile, target: Path, source: str, opener: Callable[[], Any]) -> Path:
    """Return the verified cached copy; have pooch fetch it through ``opener`` when needed."""
    import pooch

    path = pooch.retrieve(
        url=source,
        known_hash=f"sha256:{entry.sha256}",
        fname=target.name,
        path=target.parent,
        downloader=_copier(entry, source, opener),
    )
    return Path(path)


def fetch(
    name: str,
    catalog: str | os.PathLike[str] | Mapping[str, AncillaryFile] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Path:
    """Return the local path of a verified ancillary file, downloading it when needed.

    Parameters
    ----------
    name : str
        Catalog entry (``reccap2_masks``, ``etopo1_30min``, ``cobe_sst_climatology``).
    catalog : str, path-like or mapping, optional
        The catalog (path or URL, or entries from :func:`load_ancillary_catalog`); default
        :func:`default_catalog`.
    cache_dir : str or path-like, optional
        Cache folder; default ``$PICPUMP_CACHE``, else ``~/.cache/picpump``.
    storage_options : mapping, optional
        fsspec options of the download URL.

    Returns
    -------
    pathlib.Path
        The cached file; its SHA-256 matches the catalog.

    Raises
    ------
    CatalogError
        Unknown or not yet pinned entry.
    InputError
        Download failed (unreachable URL), or the file's SHA-256 or size differ from the pins.
    """
    entry = lookup(name, catalog)
    url = str(entry.urlpath)
    options = dict(storage_options or {})
    try:
        return _retrieve(
            entry, cached_path(entry, cache_dir), url, lambda: fsspec.open(url, "rb", **options)
        )
    except InputError:
        raise
    except Exception as err:  # network, HTTP, filesystem: all mean "could not download"
        raise InputError(
            explain(
                f"the ancillary file '{name}' must be downloadable from its catalog URL",
                f"{url}: {type(err).__name__}: {err}",
                "check the network (or proxy/storage_options), or download the file elsewhere "
                f"and call seed_cache({name!r}, path)",
            )
        ) from err


def seed_cache(
    name: str,
    local_file: str | os.PathLike[str],
    catalog: str | os.PathLike[str] | Mapping[str, AncillaryFile] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Copy a local file into the cache after checking its SHA-256 and size (no network).

    Parameters
    ----------
    name : str
        Catalog entry.
    local_file : str or path-like
        A copy of the file obtained elsewhere.
    catalog, cache_dir
        As for :func:`fetch`.

    Returns
    -------
    pathlib.Path
        The cached file.

    Raises
    ------
    InputError
        Missing file, or a SHA-256 or size that differ from the pins.
    """
    entry = lookup(name, catalog)
    source = Path(local_file)
    if not source.is_file():
        raise InputError(
            explain("seed_cache needs an existing file", f"no file at {source}", "check the path")
        )
    with source.open("rb") as stream:
        sha, size = file_sha256(stream)
    if sha != entry.sha256 or size != entry.size:
        raise _mismatch(entry, str(source), sha, size)
    target = cached_path(entry, cache_dir)
    with _quiet_pooch():
        return _retrieve(entry, target, str(source), lambda: source.open("rb"))


__all__ = [
    "CACHE_ENV",
    "CATALOG_ENV",
    "DEFAULT_CATALOG",
    "DRIVER",
    "AncillaryFile",
    "cache_root",
    "cached_path",
    "default_catalog",
    "fetch",
    "file_sha256",
    "load_ancillary_catalog",
    "pinned_entry",
    "seed_cache",
]
