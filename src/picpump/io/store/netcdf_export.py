"""CF NetCDF4 files of products, for CDO, NCO, Ferret and Panoply users.

:func:`netcdf_ready` turns a product as stored in Zarr into its NetCDF form (the same values):
a climatology's ``month`` dimension is replaced by its climatological ``time`` (CF §7.4, so CDO
reads 12 time steps), cell bounds become plain variables, masks are written as 0/1 bytes with their
flag attributes. :func:`write_netcdf` writes it compressed (zlib) and chunked one time step (or
month, or member) by a spatial tile, under a temporary name first, published when complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from picpump.io.store.fs import filesystem, is_local_fs
from picpump.io.store.publish import PARTIAL_TAG, new_token, write_files

BOUNDS_VARIABLES = ("lat_bnds", "lon_bnds", "time_bnds", "climatology_bounds")
"""Cell-edge variables: written as variables, without fill value (CF §7.1)."""
MAX_TILE = 1024
"""Largest NetCDF chunk along ``lat`` or ``lon``."""
STEP_DIMS = ("time", "month", "member")
TIME_ENCODING = {
    "units": "days since 1970-01-01",
    "calendar": "standard",
    "dtype": "float64",
}
"""Encoding of every date variable (time and its bounds share units and calendar)."""
"""Dimensions chunked one step at a time (what CDO and most readers read by)."""


def netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """Return the NetCDF form of a product (same values, CF layout for file-based tools).

    Parameters
    ----------
    ds : xarray.Dataset
        A product as opened from its Zarr store.

    Returns
    -------
    xarray.Dataset
        ``month`` replaced by the climatological ``time`` when the product has one; bounds as
        variables; boolean masks as int8 (0/1); ``flag_values`` and ``flag_masks`` of the
        variable's type; the Zarr encodings dropped.
    """
    out = ds.drop_encoding()
    if "month" in out.dims and "time" in out.coords and out["time"].dims == ("month",):
        out = out.swap_dims({"month": "time"}).drop_vars("month")  # the month is in time
    out = out.reset_coords([n for n in BOUNDS_VARIABLES if n in out.coords])
    for name, var in out.data_vars.items():
        if var.dtype == bool:
            out[name] = var.astype(np.int8).assign_attrs(var.attrs)
        for key in ("flag_values", "flag_masks"):  # of the variable's type (CF §3.5)
            if key in var.attrs:
                out[name].attrs[key] = np.asarray(var.attrs[key], dtype=out[name].dtype)
    return out


def _chunks(var: xr.Variable) -> tuple[int, ...] | None:
    if not var.dims or var.ndim < 2:
        return None
    return tuple(
        1 if dim in STEP_DIMS else min(size, MAX_TILE)
        for dim, size in zip(var.dims, var.shape, strict=True)
    )


def netcdf_encoding(ds: xr.Dataset, complevel: int = 4) -> dict[str, dict[str, Any]]:
    """Per-variable NetCDF4 encoding: zlib, chunked, no fill value on coordinates, text as chars.

    Parameters
    ----------
    ds : xarray.Dataset
        A dataset from :func:`netcdf_ready`.
    complevel : int, default 4
        zlib level.

    Returns
    -------
    dict
        For ``to_netcdf(encoding=...)``.
    """
    encoding: dict[str, dict[str, Any]] = {}
    for name, var in ds.variables.items():
        enc: dict[str, Any] = {}
        if name in ds.coords or name in BOUNDS_VARIABLES or name == "cell_area":
            enc["_FillValue"] = None
        if np.issubdtype(var.dtype, np.datetime64):
            enc.update(TIME_ENCODING)
        if var.dtype.kind in "OUS":  # text as CF character arrays (CF §2.2), not vlen strings
            enc["dtype"] = "S1"
        if np.issubdtype(var.dtype, np.number) and var.ndim >= 2:
            enc.update(zlib=True, shuffle=True, complevel=complevel)
            chunks = _chunks(var)
            if chunks:
                enc["chunksizes"] = chunks
        if enc:
            encoding[str(name)] = enc
    return encoding


def _write_local(ds: xr.Dataset, path: str, complevel: int) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    staged = f"{path}{PARTIAL_TAG}{new_token()}"
    try:
        ds.to_netcdf(
            staged, engine="netcdf4", format="NETCDF4", encoding=netcdf_encoding(ds, complevel)
        )
        os.replace(staged, path)
    finally:
        if os.path.exists(staged):
            os.remove(staged)


def write_netcdf(
    ds: xr.Dataset,
    url: str,
    storage_options: Mapping[str, Any] | None = None,
    complevel: int = 4,
) -> str:
    """Write a product as one CF NetCDF4 file (:func:`netcdf_ready` applied first).

    Parameters
    ----------
    ds : xarray.Dataset
        The product (lazy is fine: it is computed while writing).
    url : str
        Target file (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of the target.
    complevel : int, default 4
        zlib level.

    Returns
    -------
    str
        ``url``.
    """
    ready = netcdf_ready(ds)
    fs, path = filesystem(url, storage_options)
    if is_local_fs(fs):
        _write_local(ready, path, complevel)
        return url
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "product.nc")
        _write_local(ready, local, complevel)
        write_files({url: Path(local).read_bytes()}, storage_options)
    return url


__all__ = ["BOUNDS_VARIABLES", "netcdf_encoding", "netcdf_ready", "write_netcdf"]
