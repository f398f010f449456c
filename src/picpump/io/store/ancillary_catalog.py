"""The ancillary catalog: which files the verified cache may hold, pinned by URL and SHA-256.

The catalog (``catalogs/ancillary.yaml``, Intake-v1 shape, driver ``picpump.ancillary``) pins
each file: its public URL at a fixed commit, its file name, SHA-256 and size. The catalog is
the ``catalog`` argument, else ``$PICPUMP_ANCILLARY_CATALOG``, else the ``ancillary.yaml``
shipped with picpump. :mod:`picpump.io.store.cache` fetches and verifies the files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import fsspec
import yaml

from picpump.errors import CatalogError, explain
from picpump.resources import ROOT as RESOURCES

DRIVER = "picpump.ancillary"
CATALOG_ENV = "PICPUMP_ANCILLARY_CATALOG"
DEFAULT_CATALOG = RESOURCES / "catalogs" / "ancillary.yaml"
"""The ancillary catalog shipped with picpump (package data, same as the checkout's)."""
_SHA256 = re.compile(r"[0-9a-f]{64}")


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


def lookup(name: str, catalog: Any) -> AncillaryFile:
    """Return the pinned entry ``name`` of a catalog (path, URL, mapping or None).

    Raises
    ------
    CatalogError
        Unknown or not yet pinned entry.
    """
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
    return lookup(name, catalog)


__all__ = [
    "CATALOG_ENV",
    "DEFAULT_CATALOG",
    "DRIVER",
    "AncillaryFile",
    "default_catalog",
    "load_ancillary_catalog",
    "lookup",
    "pinned_entry",
]
