"""NetCDF files read with the netCDF4 library directly (about a millisecond per small file).

netCDF4/HDF5 is not thread-safe, so every call into it holds :data:`NETCDF_LOCK`, the lock
xarray's own netCDF4 backend uses. Only local paths are opened here; callers copy remote
files first (:func:`picpump.io.store.fs.local_copy`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import netCDF4
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from xarray.backends.locks import HDF5_LOCK as NETCDF_LOCK  # shared with xarray's reads

from picpump.errors import InputError, explain
from picpump.io.ingest.conventions import FileInfo
from picpump.io.ingest.names import axis_role
from picpump.io.store.fs import local_copy, missing_file


def _unreadable(url: str, err: Exception) -> InputError:
    return InputError(
        explain(
            "every input must be a readable NetCDF file",
            f"{url} is not a readable NetCDF file (truncated or corrupt?): {err}",
            "re-download it",
        )
    )


def _missing_variable(url: str, variable: str, names: list[str]) -> InputError:
    return InputError(
        explain(
            f"the variable '{variable}' named by the catalog must be in every file",
            f"{url} has variables {names}",
            "set args.variable of the catalog entry to the right name",
        )
    )


def _decode_times(values: Any, units: str, calendar: str) -> list[pd.Timestamp]:
    """Decode CF time values to timestamps (raises ValueError, OverflowError...)."""
    dates = np.asarray(netCDF4.num2date(np.ravel(values), units, calendar), dtype=object)
    return [pd.Timestamp(d.year, d.month, d.day, d.hour, d.minute) for d in dates.ravel()]


def _times(ds: netCDF4.Dataset, dims: tuple[str, ...], url: str) -> list[pd.Timestamp]:
    """Decode the time coordinate (a time dimension of the variable, else a ``time`` scalar)."""
    name = next((d for d in dims if axis_role(d) == "time"), None)
    name = name or ("time" if "time" in ds.variables else None)
    if name is None or name not in ds.variables:
        return []
    var = ds.variables[name]
    units = getattr(var, "units", None)
    if units is None:
        return []
    calendar = getattr(var, "calendar", "standard")
    try:
        return _decode_times(var[:], str(units), str(calendar))
    except (ValueError, OverflowError, TypeError, AttributeError) as err:
        raise InputError(
            explain(
                "a file's time coordinate must be CF time ('days since 1997-09-01', "
                "'hours since ...', 'seconds since ...') decoding to dates in 1678-2261",
                f"{url}: {name} units {units!r}, calendar {calendar!r} ({err})",
                "fix the time units of the file, e.g. "
                "ncatted -a units,time,o,c,'days since 1970-01-01' FILE",
            )
        ) from None


def _describe(ds: netCDF4.Dataset, url: str, variable: str) -> FileInfo:
    """Collect what the file says about ``variable`` (call with the lock held)."""
    if variable not in ds.variables:
        raise _missing_variable(url, variable, sorted(ds.variables))
    var = ds.variables[variable]
    dims = tuple(var.dimensions)
    coords = {d: np.asarray(ds.variables[d][:]) for d in dims if d in ds.variables}
    return FileInfo(
        url=url,
        variable=variable,
        dims=dims,
        shape=tuple(var.shape),
        attrs=var.__dict__,
        global_attrs=ds.__dict__,
        coords={d: np.ma.filled(c.astype(float), np.nan) for d, c in coords.items()},
        times=_times(ds, dims, url),
    )


def read_file(
    path: str,
    url: str,
    variable: str,
    data: bool,
    check: Callable[[FileInfo], object] | None = None,
) -> tuple[FileInfo, NDArray[Any] | None]:
    """Open a local file; return its description and (optionally) the stored values.

    ``check`` runs on the description before any data is read: a file that breaks a
    metadata rule costs no data read.
    """
    try:
        with NETCDF_LOCK, netCDF4.Dataset(path, "r") as ds:
            ds.set_auto_maskandscale(False)
            info = _describe(ds, url, variable)
            if check is not None:
                check(info)
            raw = np.asarray(ds.variables[variable][...]) if data else None
    except FileNotFoundError as err:
        raise missing_file(url) from err
    except (OSError, RuntimeError, IndexError) as err:
        raise _unreadable(url, err) from err
    return info, raw


def read_values(
    path: str, url: str, variable: str, check: Callable[[FileInfo], object] | None = None
) -> tuple[FileInfo, NDArray[Any]]:
    """As :func:`read_file`, always with the stored values."""
    info, raw = read_file(path, url, variable, True, check)
    if raw is None:
        raise _unreadable(url, ValueError(f"no values read for '{variable}'"))
    return info, raw


def global_attributes(url: str, storage_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the global attributes of a NetCDF file (header only; remote files are copied).

    Parameters
    ----------
    url : str
        Local path or fsspec URL.
    storage_options : mapping, optional
        fsspec options for remote files.

    Returns
    -------
    dict
        Attribute name → value.
    """
    with local_copy(url, storage_options) as path:
        try:
            with NETCDF_LOCK, netCDF4.Dataset(path, "r") as ds:
                return dict(ds.__dict__)
        except FileNotFoundError as err:
            raise missing_file(url) from err
        except (OSError, RuntimeError) as err:
            raise _unreadable(url, err) from err


__all__ = ["NETCDF_LOCK", "global_attributes", "read_file", "read_values"]
