"""Monthly NetCDF4/HDF5 archives read as one lazy Zarr store, without a copy.

:func:`write_references` records where each chunk of an entry's variable lies in its monthly
files (VirtualiZarr's HDF5 parser) and stacks the months along ``time`` into one set of
virtual Zarr references (kerchunk JSON, or Parquet for long archives). A catalog entry of
driver ``picpump.references`` names that file; :func:`open_references` opens it with xarray
(the chunks are read from the original files on compute) and applies the canonical rules on
read with the same functions as the ARCO path (:mod:`picpump.io.ingest.lazy`): orientation
and grid check, unit conversion, valid range, positivity.

An entry, next to the monthly one it was built from::

    pic_refs:
      driver: picpump.references
      args:
        urlpath: "{{ CATALOG_DIR }}/../refs/pic.json"
        variable: PIC_mean
      metadata: {canonical: pic}
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import xarray as xr
from obspec_utils.registry import ObjectStoreRegistry
from obstore.store import LocalStore, from_url
from virtualizarr import open_virtual_dataset
from virtualizarr.parsers import HDFParser

from picpump.errors import CatalogError, GridError, InputError, explain
from picpump.grid import Grid
from picpump.io.catalog.entry import ResolvedEntry
from picpump.io.catalog.model import MONTHLY, is_climatology
from picpump.io.formats import REFERENCE_FORMATS, REFERENCES
from picpump.io.ingest import rules
from picpump.io.ingest.lazy import orient_lazy, outside_lazy, plausible_lazy, standardise_lazy
from picpump.io.ingest.monthly import TIME_ATTRS
from picpump.io.ingest.names import axis_role
from picpump.io.ingest.records import conversion_flags, describe_conversions
from picpump.io.store.fs import local_path, normalise
from picpump.units import CANONICAL

FORMATS = REFERENCE_FORMATS
"""Reference formats :func:`write_references` writes (kerchunk's)."""


def _file_url(url: str) -> str:
    """Return ``url`` as a URL object stores understand (``file://`` for local paths)."""
    if "://" in url and not url.startswith("file://"):
        return url
    return "file://" + os.path.abspath(local_path(normalise(url)))


def _registry(urls: Sequence[str]) -> ObjectStoreRegistry:
    """One object store per scheme and host of the files (local, HTTPS, S3 ...)."""
    stores: dict[str, Any] = {}
    for url in urls:
        parts = urlsplit(url)
        prefix = f"{parts.scheme}://{parts.netloc}"
        if prefix not in stores:
            stores[prefix] = LocalStore() if parts.scheme == "file" else from_url(prefix)
    return ObjectStoreRegistry(stores)


def _virtual_month(url: str, variable: str, month: pd.Timestamp, registry: Any) -> xr.Dataset:
    """Open one month's file virtually, keep ``variable``, label it with its month."""
    try:
        vds = open_virtual_dataset(url, registry=registry, parser=HDFParser())
    except (OSError, ValueError, TypeError, KeyError) as err:
        rule = "a referenced file must be a readable NetCDF4/HDF5 file"
        raise InputError(explain(rule, f"{url}: {err}", "check the file")) from err
    if variable not in vds.data_vars:
        rule = f"the variable '{variable}' named by the catalog must be in every file"
        raise InputError(explain(rule, f"{url} has {sorted(map(str, vds.data_vars))}", "fix it"))
    var = vds[[variable]]
    times = [str(d) for d in var[variable].dims if axis_role(str(d)) == "time"]
    if times:
        return var.drop_vars(times[0]).rename({times[0]: "time"}).assign_coords(time=[month])
    return var.expand_dims(time=[month])


def virtual_stack(entry: ResolvedEntry) -> xr.Dataset:
    """Stack the virtual months of a resolved monthly entry along ``time``.

    Parameters
    ----------
    entry : ResolvedEntry
        A ``picpump.monthly_netcdf`` time-series entry of NetCDF4/HDF5 files.

    Returns
    -------
    xarray.Dataset
        The entry's variable as a virtual (manifest) array, ``time`` = month starts of the
        months that have a file, the files' coordinates and attributes.
    """
    if entry.driver != MONTHLY or is_climatology(entry.entry):
        rule = f"references are written for {MONTHLY} time-series entries"
        raise CatalogError(explain(rule, f"'{entry.name}' ({entry.driver})", "name one"))
    present = [(pd.Timestamp(m), _file_url(str(u))) for m, u in entry.files if u is not None]
    if not present:
        raise InputError(explain("an entry needs files", f"'{entry.name}': none", "check it"))
    registry = _registry([u for _, u in present])
    variable = str(entry.args["variable"])
    months = [_virtual_month(u, variable, m, registry) for m, u in present]
    try:
        return xr.concat(
            months, dim="time", coords="minimal", compat="override", combine_attrs="override"
        )
    except (ValueError, NotImplementedError) as err:
        rule = "the files of an entry must share one chunk layout and encoding to be stacked"
        raise InputError(explain(rule, f"'{entry.name}': {err}", "ingest it instead")) from err


def write_references(entry: ResolvedEntry, out: str, fmt: str = "json") -> str:
    """Write the virtual Zarr references of a monthly entry; return where.

    Parameters
    ----------
    entry : ResolvedEntry
        A ``picpump.monthly_netcdf`` time-series entry of NetCDF4/HDF5 files.
    out : str
        Local path of the references (a ``.json`` file, or a ``.parquet`` folder).
    fmt : {"json", "parquet"}, default "json"
        Kerchunk's JSON or Parquet reference format.

    Returns
    -------
    str
        ``out``.
    """
    if fmt not in FORMATS:
        raise CatalogError(explain(f"fmt must be one of {FORMATS}", repr(fmt), "pick one"))
    stack = virtual_stack(entry)
    with warnings.catch_warnings(), pd.option_context("future.infer_string", False):
        # fsspec writes Parquet references with fastparquet, which under pandas 3's default
        # string inference stores every chunk path as NaN (the references then fail to open
        # with "argument of type 'float' is not iterable"); plain object strings are written
        # correctly (tests/io/test_references.py reads them back).
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        stack.vz.to_kerchunk(local_path(normalise(out)), format=fmt)
    return out


def _lat_lon(var: xr.DataArray, url: str) -> xr.DataArray:
    """Rename the axes to (time, lat, lon) and order them; refuse other dimensions."""
    names = {d: axis_role(str(d)) for d in var.dims}
    if sorted(filter(None, names.values())) != ["lat", "lon", "time"] or None in names.values():
        rule = "a referenced variable must be (time, lat, lon)"
        raise GridError(explain(rule, f"'{var.name}' with dims {dict(var.sizes)} in {url}", "fix"))
    var = var.rename({d: r for d, r in names.items() if r is not None and d != r})
    return var.transpose("time", "lat", "lon")


def _select_months(var: xr.DataArray, entry: ResolvedEntry) -> xr.DataArray:
    """Keep the period's months; a month without a file is all NaN with ``allow_gaps``."""
    if entry.period is None:
        return var
    first, last = entry.period.bounds()
    wanted = pd.date_range(first, last, freq="MS").as_unit("ns")
    have = pd.DatetimeIndex(var["time"].values)
    missing = wanted[~wanted.isin(have)]
    if len(missing) and not entry.args.get("allow_gaps", False):
        listed = ", ".join(f"{m:%Y-%m}" for m in missing[:12])
        rule = f"each month of the period must be referenced by '{entry.name}'"
        raise InputError(explain(rule, f"missing: {listed}", "write the references again"))
    return var.sel(time=wanted[wanted.isin(have)]).reindex(time=wanted)


def open_references(entry: ResolvedEntry, grid: Grid, months_per_chunk: int = 12) -> xr.DataArray:
    """Open a ``picpump.references`` entry lazily in the canonical form.

    Parameters
    ----------
    entry : ResolvedEntry
        The entry (``args.urlpath``: the references; ``args.variable``; ``metadata.canonical``).
    grid : Grid
        The pipeline grid; the files must be on it.
    months_per_chunk : int, default 12
        Months per dask chunk.

    Returns
    -------
    xarray.DataArray
        As :func:`picpump.io.api.open_monthly`: (time, lat, lon), float32, canonical units
        and attributes; ``source_references`` says which references were read.
    """
    url = str(entry.url)
    ds = xr.open_dataset(
        local_path(normalise(url)), engine="kerchunk", chunks={}, decode_timedelta=False
    )
    variable = str(entry.args["variable"])
    if variable not in ds.data_vars:
        rule = f"the variable '{variable}' named by the catalog must be in the references"
        raise InputError(explain(rule, f"{url} has {sorted(map(str, ds.data_vars))}", "fix it"))
    var = _lat_lon(ds[variable], url)
    canonical = str(entry.entry.metadata["canonical"])
    units = entry.args.get("units")
    factor, offset = rules.units_rule(canonical, var.attrs, None if units is None else units, url)
    valid = {} if "scale_factor" in var.encoding else var.attrs
    valid = {k: v for k, v in valid.items() if k in ("valid_min", "valid_max", "valid_range")}
    orientation = rules.orientation(var["lat"].values, var["lon"].values)
    rules.check_grid(orientation, grid, url)
    var = orient_lazy(var, orientation).assign_coords(lat=grid.lat, lon=grid.lon)
    var = _select_months(var, entry).chunk(time=months_per_chunk)
    out = standardise_lazy(var, valid, canonical, factor, offset).rename(canonical)
    flags = conversion_flags(orientation, factor, offset)
    out = plausible_lazy(out, canonical, url, flags, outside_lazy(var, valid))
    out = out.drop_vars(["lat", "lon"]).assign_coords(grid.coords(with_bounds=False))
    out.attrs = CANONICAL[canonical].attrs() | {"source_references": url}
    units_label = str(units) if units is not None else str(var.attrs.get("units", ""))
    out.attrs["conversions_applied"] = describe_conversions(
        orientation, factor, offset, units_label
    )
    out["time"].attrs = dict(TIME_ATTRS)
    return out


__all__ = ["FORMATS", "REFERENCES", "open_references", "virtual_stack", "write_references"]
