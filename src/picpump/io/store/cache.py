"""A verified download cache for ancillary files (masks, bathymetry, climatologies), on pooch.

The catalog (``catalogs/ancillary.yaml``, Intake-v1 shape, driver ``picpump.ancillary``) pins
each file: its public URL at a fixed commit, its file name, SHA-256 and size. :func:`fetch`
hands the entry to ``pooch.retrieve``: the cached copy is returned when its SHA-256 matches,
without any network; otherwise the file is downloaded through fsspec (any protocol, with
storage options) to a temporary name beside the final one, its size and SHA-256 verified, and
only then renamed: a killed or failed download never leaves a file that looks complete.
:func:`seed_cache` puts a local copy into the cache after the same verification (offline use).

Cache folder: the ``cache_dir`` argument, else ``$PICPUMP_CACHE``, else ``~/.cache/picpump``;
files live in ``<cache>/ancillary/<first 16 hex of sha256>/<filename>``. Catalog: the
``catalog`` argument, else ``$PICPUMP_ANCILLARY_CATALOG``, else the ``catalogs/ancillary.yaml``
shipped with picpump. Catalog templates reach an entry by name with
``{{ ancillary(NAME) }}`` (:mod:`picpump.io.catalog.templates`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import fsspec
import yaml

from picpump.errors import CatalogError, InputError, explain
from picpump.resources import ROOT as RESOURCES

DRIVER = "picpump.ancillary"
CACHE_ENV = "PICPUMP_CACHE"
CATALOG_ENV = "PICPUMP_ANCILLARY_CATALOG"
DEFAULT_CATALOG = RESOURCES / "catalogs" / "ancillary.yaml"
"""The ancillary catalog shipped with picpump (package data, same as the checkout's)."""
_SHA256 = re.compile(r"[0-9a-f]{64}")
_BLOCK = 1 << 20


@dataclass(frozen=True)
class AncillaryFile:
    """One catalog entry.

    Attributes
    ----------
    name : str
        Entry name (``reccap2_masks``).
    filename : str
        File name in the cache.
    urlpath, sha256, size : str, str, int or None
        Where to download it, its SHA-256 (hex) and its size [bytes]; None when not pinned.
    description : str
        What the file is.
    metadata : mapping
        ``pinned``, ``reader``, ``citation``, ``licence``, ``landing_page`` ...
    """

    name: str
    filename: str
    urlpath: str | None
    sha256: str | None
    size: int | None
    description: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pinned(self) -> bool:
        """Whether the entry names one exact file (URL, SHA-256 and size)."""
        return bool(self.metadata.get("pinned", True)) and self.sha256 is not None


def _bad(rule: str, received: str, fix: str = "fix the ancillary catalog") -> CatalogError:
    return CatalogError(explain(rule, received, fix))


def _entry(name: str, raw: Any, where: str) -> AncillaryFile:
    """Validate one catalog entry."""
    if not isinstance(raw, Mapping) or raw.get("driver") != DRIVER:
        raise _bad(f"every entry has driver {DRIVER!r}", f"{where}: {raw!r}"[:300])
    args: Mapping[str, Any] = raw["args"] if isinstance(raw.get("args"), Mapping) else {}
    meta: Mapping[str, Any] = raw["metadata"] if isinstance(raw.get("metadata"), Mapping) else {}
    filename = args.get("filename")
    if not isinstance(filename, str) or not filename or "/" in filename or filename[0] == ".":
        raise _bad("args.filename must be a plain file name", f"{where}: {filename!r}")
    pinned = bool(meta.get("pinned", True))
    url, sha, size = args.get("urlpath"), args.get("sha256"), args.get("size")
    ok = isinstance(url, str) and isinstance(sha, str) and bool(_SHA256.fullmatch(sha))
    if pinned and not (ok and isinstance(size, int) and size > 0):
        raise _bad(
            "a pinned entry needs args.urlpath, args.sha256 (64 lowercase hex) and args.size > 0",
            f"{where}: urlpath {url!r}, sha256 {sha!r}, size {size!r}",
            "give all three, or mark the entry metadata.pinned: false",
        )
    return AncillaryFile(
        name=name,
        filename=filename,
        urlpath=str(url) if pinned else None,
        sha256=str(sha) if pinned else None,
        size=int(size) if pinned and size is not None else None,
        description=str(raw.get("description", "")),
        metadata=dict(meta),
    )


def default_catalog() -> str:
    """Return the ancillary catalog to use when none is passed.

    Returns
    -------
    str
        ``$PICPUMP_ANCILLARY_CATALOG`` when set (a path or fsspec URL), else the
        ``catalogs/ancillary.yaml`` shipped with picpump (:mod:`picpump.resources`).

    Raises
    ------
    CatalogError
        When the variable is unset and the shipped catalog is absent.
    """
    env = os.environ.get(CATALOG_ENV)
    if env:
        return env
    if DEFAULT_CATALOG.is_file():
        return os.fspath(DEFAULT_CATALOG)
    raise _bad(
        "without a catalog argument, the ancillary catalog is the project's "
        "catalogs/ancillary.yaml",
        f"no file at {DEFAULT_CATALOG}, and {CATALOG_ENV} unset",
        f"pass catalog= the path of an ancillary catalog, or export {CATALOG_ENV}=<path or URL "
        "of ancillary.yaml> (copy catalogs/ancillary.yaml from the project's source)",
    )


def load_ancillary_catalog(
    path: str | os.PathLike[str] | None = None,
) -> dict[str, AncillaryFile]:
    """Read and validate an ancillary catalog.

    Parameters
    ----------
    path : str or path-like, optional
        Local path or fsspec URL of the YAML file; default :func:`default_catalog`
        (``$PICPUMP_ANCILLARY_CATALOG``, else the project's ``catalogs/ancillary.yaml``).

    Returns
    -------
    dict of str to AncillaryFile
        The entries, in file order.

    Raises
    ------
    CatalogError
        Missing file, invalid YAML, an entry without driver, file name or pins.
    """
    url = default_catalog() if path is None else os.fspath(path)
    try:
        with fsspec.open(url, "rt", encoding="utf-8") as f:
            raw = yaml.safe_load(f.read())
    except FileNotFoundError as err:
        fix = (
            "pass catalog= the path of an ancillary catalog (catalogs/ancillary.yaml), "
            f"or set {CATALOG_ENV}"
        )
        raise _bad("the ancillary catalog must exist", f"no file at {url}", fix) from err
    except yaml.YAMLError as err:
        raise _bad("the ancillary catalog must be valid YAML", f"{url}: {err}") from err
    sources = raw.get("sources") if isinstance(raw, Mapping) else None
    if not isinstance(sources, Mapping):
        raise _bad("an ancillary catalog has a 'sources:' mapping", f"{url}: {raw!r}"[:300])
    return {str(k): _entry(str(k), v, f"{url}: sources.{k}") for k, v in sources.items()}


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


def _lookup(name: str, catalog: Any) -> AncillaryFile:
    """Return the pinned entry ``name`` of a catalog (path, URL, mapping or None)."""
    entries = catalog if isinstance(catalog, Mapping) else load_ancillary_catalog(catalog)
    if name not in entries:
        raise _bad(
            f"an ancillary file must be one of {sorted(entries)}",
            repr(name),
            "use one of those names, or add an entry to the ancillary catalog",
        )
    entry: AncillaryFile = entries[name]
    if not entry.pinned:
        raise _bad(
            f"'{name}' is not yet pinned (no URL and SHA-256 in the catalog)",
            f"{entry.description} — see {entry.metadata.get('landing_page', 'its citation')}",
            "download it yourself and pass its path to the reader, or pin urlpath, sha256 "
            "and size in the ancillary catalog",
        )
    return entry


def pinned_entry(
    name: str, catalog: str | os.PathLike[str] | Mapping[str, AncillaryFile] | None = None
) -> AncillaryFile:
    """Return the pinned entry ``name`` (no network, no cache).

    Parameters
    ----------
    name : str
        Catalog entry.
    catalog : str, path-like or mapping, optional
        As for :func:`fetch`.

    Returns
    -------
    AncillaryFile
        The entry, with its URL, SHA-256 and size.

    Raises
    ------
    CatalogError
        Unknown or not yet pinned entry.
    """
    return _lookup(name, catalog)


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
    entry = _lookup(name, catalog)
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
    entry = _lookup(name, catalog)
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
