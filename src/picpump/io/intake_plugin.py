"""Intake drivers for picpump's input catalogs (``intake.open_catalog("catalogs/demo.yaml")``).

picpump's catalog files are Intake catalogs; their drivers (``picpump.monthly_netcdf``,
``picpump.netcdf`` ...) are registered with Intake by the ``intake.drivers`` entry points of
the package, all pointing at :class:`PicpumpSource`. Reading a source resolves the entry with
picpump's own catalog loader (its month templates, gap and duplicates rules) and opens it as
picpump does: a monthly entry gives the same lazy canonical stack as
:func:`picpump.io.api.open_monthly`.

Example
-------
>>> cat = intake.open_catalog("catalogs/demo.yaml")            # doctest: +SKIP
>>> pic = cat.pic(grid=1.0, period=("2001-01", "2001-12")).to_dask()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.source.base import DataSource, Schema

from picpump.grid import Grid
from picpump.io.api import (
    SERIES,
    STATIC,
    Request,
    load_catalog,
    open_climatology,
    open_entry,
    open_monthly,
    open_static,
    resolve,
)
from picpump.io.catalog.model import MONTHLY, Catalog, is_climatology
from picpump.io.store.cache import fetch


def read_picpump_entry(
    catalog: Catalog,
    name: str,
    grid: Grid,
    period: tuple[str, str] | None = None,
    months_per_chunk: int = 12,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """Open one entry of a picpump catalog the way picpump's own readers do.

    Parameters
    ----------
    catalog : Catalog
        The picpump catalog.
    name : str
        The entry.
    grid : Grid
        The grid gridded entries are opened on.
    period : tuple of str, optional
        Months of a monthly series (default the whole archive).
    months_per_chunk : int, default 12
        Months per dask chunk.
    params : mapping, optional
        The entry's user parameters (``sensor``, ``res`` ...).

    Returns
    -------
    object
        A lazy DataArray for monthly series and climatologies, a DataArray for static
        fields, otherwise what the entry's driver opens (Dataset or DataFrame).
    """
    params = dict(params or {})
    spec = catalog.source(name)
    if spec.driver == MONTHLY and is_climatology(spec):
        return open_climatology(catalog, name, grid, months_per_chunk, **params)
    if spec.driver in SERIES:
        return open_monthly(catalog, name, grid, period, months_per_chunk, **params)
    if spec.driver == STATIC:
        return open_static(catalog, name, **params)
    return open_entry(resolve(catalog, name, **params), Request(grid, months_per_chunk))


class PicpumpSource(DataSource):
    """An entry of a picpump catalog, read by picpump (an Intake ``DataSource``).

    Parameters
    ----------
    grid : float, default 1.0
        Resolution in degrees of the grid gridded entries are opened on.
    period : tuple of str, optional
        First and last month of a monthly series.
    months_per_chunk : int, default 12
        Months per dask chunk.
    params : mapping, optional
        The entry's user parameters (picpump resolves the templates itself).
    metadata : dict, optional
        Set by Intake (with ``catalog_dir``).
    **rendered
        The entry's args as Intake rendered them; unused (picpump renders its own).
    """

    container = "xarray"
    name = "picpump"
    version = "1"
    partition_access = False

    def __init__(
        self,
        grid: float = 1.0,
        period: tuple[str, str] | list[str] | None = None,
        months_per_chunk: int = 12,
        params: Mapping[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        **rendered: Any,
    ) -> None:
        super().__init__(metadata=metadata)
        self.grid = Grid(float(grid))
        self.period = None if period is None else (str(period[0]), str(period[1]))
        self.months_per_chunk = int(months_per_chunk)
        self.params = dict(params or {})
        self._opened: Any = None

    def _catalog_path(self) -> str:
        """Return the path of the catalog file this source was listed in."""
        return str(self.cat.path)

    def to_dask(self) -> Any:
        """Return the entry opened lazily (as :func:`read_picpump_entry`)."""
        if self._opened is None:
            catalog = load_catalog(self._catalog_path())
            self._opened = read_picpump_entry(
                catalog, self.name, self.grid, self.period, self.months_per_chunk, self.params
            )
        return self._opened

    def _get_schema(self) -> Schema:
        opened = self.to_dask()
        shape = getattr(opened, "shape", None)
        dims = getattr(opened, "dims", None)
        return Schema(
            datashape=None,
            dtype=str(getattr(opened, "dtype", "")),
            shape=shape,
            npartitions=1,
            extra_metadata={"dims": list(dims) if dims is not None else None},
        )

    def read(self) -> Any:
        """Return the entry loaded in memory."""
        opened = self.to_dask()
        return opened.load() if hasattr(opened, "load") else opened

    def _close(self) -> None:
        self._opened = None


class AncillaryFileSource(DataSource):
    """A pinned file of ``catalogs/ancillary.yaml``: reading it gives the verified local copy.

    The file is downloaded once and its SHA-256 checked (:func:`picpump.io.store.cache.fetch`);
    a verified cached copy is used without network.
    """

    container = "python"
    name = "picpump_ancillary"
    version = "1"
    partition_access = False

    def __init__(self, metadata: dict[str, Any] | None = None, **rendered: Any) -> None:
        super().__init__(metadata=metadata)

    def _get_schema(self) -> Schema:
        return Schema(datashape=None, dtype=None, shape=None, npartitions=1, extra_metadata={})

    def read(self) -> str:
        """Return the local path of the verified file."""
        return str(fetch(self.name, catalog=str(self.cat.path)))


__all__ = ["AncillaryFileSource", "PicpumpSource", "read_picpump_entry"]
