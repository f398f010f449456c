"""Reader of the region masks (RECCAP2), to the canonical form.

RECCAP2 ocean region masks (Gregor et al., file ``RECCAP2_region_masks_all_v20221025.nc``):
1° grid, lon 0.5…359.5, int8 variables ``seamask``, ``coast``, ``open_ocean``, ``atlantic``,
``pacific``, ``indian``, ``arctic``, ``southern``; the names of each variable's codes are in
its ``region_name`` attribute (``"1.NA SPSS, 2.NA STSS, …"``). :func:`read_reccap2` returns
them lat ascending, lon −180…180, int8, with the names as CF ``flag_values``/``flag_meanings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from picpump.errors import GridError, InputError, explain
from picpump.grid import Grid
from picpump.io.store.fs import local_copy, missing_file
from picpump.science.regions import flag_meaning

RECCAP2_VARIABLES = (
    "seamask", "coast", "open_ocean", "atlantic", "pacific", "indian", "arctic", "southern",
)  # fmt: skip
"""The variables of the RECCAP2 mask file, all required."""
RECCAP2_GRID = Grid(1.0)
_BINARY = {"seamask": "sea", "coast": "coast"}
"""Flag meanings of the 0/1 variables, which carry no ``region_name``."""


def parse_region_names(text: str, where: str = "region_name") -> dict[int, str]:
    """Parse a RECCAP2 ``region_name`` attribute into ``{code: name}``.

    Parameters
    ----------
    text : str
        E.g. ``"1.NA SPSS, 2.NA STSS, 6.MED (not in FM14)"``.
    where : str, optional
        The variable, for the message.

    Returns
    -------
    dict of int to str
        ``{1: "NA SPSS", 2: "NA STSS", 6: "MED (not in FM14)"}``.

    Raises
    ------
    InputError
        An item is not ``<positive code>.<name>``, or a code repeats.
    """
    names: dict[int, str] = {}
    for item in str(text).split(","):
        code, dot, name = item.strip().partition(".")
        if not (dot and code.strip().isdigit() and int(code) > 0 and name.strip()):
            raise _bad_names(where, text, f"item {item.strip()!r}")
        if int(code) in names:
            raise _bad_names(where, text, f"code {int(code)} twice")
        names[int(code)] = name.strip()
    return names


def _bad_names(where: str, text: str, problem: str) -> InputError:
    return InputError(
        explain(
            "a region_name attribute lists '<code>.<name>' items separated by commas",
            f"{where}: {text!r} ({problem})",
            "fix the attribute, e.g. '1.NA SPSS, 2.NA STSS'",
        )
    )


def _open(urlpath: str, storage_options: Mapping[str, Any] | None) -> xr.Dataset:
    """Read the whole (small) mask file into memory."""
    with local_copy(urlpath, storage_options) as path:
        try:
            with xr.open_dataset(path, engine="netcdf4", decode_times=False) as ds:
                return ds.load()
        except FileNotFoundError as err:
            raise missing_file(urlpath) from err
        except (OSError, ValueError) as err:
            raise InputError(
                explain(
                    "the region mask file must be a readable NetCDF file",
                    f"{urlpath}: {err}",
                    "re-download it (picpump.io.store.cache.fetch('reccap2_masks'))",
                )
            ) from err


def _canonical_axes(ds: xr.Dataset, urlpath: str) -> xr.Dataset:
    """Sort lat ascending, roll lon to −180…180 and check the 1° grid."""
    if not {"lat", "lon"} <= set(ds.coords):
        raise GridError(
            explain(
                "the RECCAP2 masks must have 'lat' and 'lon' coordinates",
                f"{urlpath}: coordinates {sorted(map(str, ds.coords))}",
                "rename the axes to lat/lon",
            )
        )
    lon = ds["lon"].values
    ds = ds.assign_coords(lon=np.where(lon >= 180.0, lon - 360.0, lon)).sortby(["lat", "lon"])
    grid = RECCAP2_GRID
    got = (ds.sizes["lat"], ds.sizes["lon"])
    tol = 1e-3 * grid.resolution
    if got != grid.shape or not (
        np.allclose(ds["lat"], grid.lat, rtol=0, atol=tol)
        and np.allclose(ds["lon"], grid.lon, rtol=0, atol=tol)
    ):
        raise GridError(
            explain(
                "the RECCAP2 masks must be on the global 1° grid (cell centres at ±0.5°)",
                f"{urlpath}: lat×lon {got[0]}×{got[1]}, lat {float(ds['lat'][0]):g}…"
                f"{float(ds['lat'][-1]):g}, lon {float(ds['lon'][0]):g}…{float(ds['lon'][-1]):g}",
                "use the 1° RECCAP2 mask file (regrid other masks to 1° first)",
            )
        )
    return ds.assign_coords(grid.coords(with_bounds=False))


def _codes(da: xr.DataArray, name: str, urlpath: str) -> xr.DataArray:
    """Return the variable as int8 (lat, lon); a fill (NaN) counts as 0, no region."""
    values = np.asarray(da.transpose("lat", "lon").values)
    if values.dtype.kind == "f":
        values = np.where(np.isnan(values), 0.0, values)
    ok = values.dtype.kind in "iub" or bool(np.all(values == np.round(values)))
    if not ok or values.min(initial=0) < 0 or values.max(initial=0) > 127:
        raise InputError(
            explain(
                "RECCAP2 mask variables hold integer codes 0…127 (0 = not in the region)",
                f"{urlpath}: '{name}' {values.dtype}, {values.min():g}…{values.max():g}",
                "use the original RECCAP2 mask file",
            )
        )
    return da.transpose("lat", "lon").copy(data=values.astype(np.int8))


def _flags(da: xr.DataArray, name: str, urlpath: str) -> xr.DataArray:
    """Attach CF flag attributes from ``region_name``; refuse codes that have no name."""
    if "region_name" in da.attrs:
        names = parse_region_names(da.attrs["region_name"], f"{urlpath}: {name}")
    elif name in _BINARY:
        names = {1: _BINARY[name]}
    else:
        return da  # RECCAP2's 'arctic' names no codes
    unnamed = sorted(set(np.unique(da.values).tolist()) - set(names) - {0})
    if unnamed:
        raise InputError(
            explain(
                "every non-zero code of a mask variable must be named in its region_name",
                f"{urlpath}: '{name}' codes {unnamed} not in {names}",
                "use the original RECCAP2 mask file",
            )
        )
    return da.assign_attrs(
        flag_values=np.array(list(names), dtype=np.int8),
        flag_meanings=" ".join(flag_meaning(n) for n in names.values()),
    )


def read_reccap2(urlpath: str, storage_options: dict[str, Any] | None = None) -> xr.Dataset:
    """Read the RECCAP2 region masks in the canonical form.

    Parameters
    ----------
    urlpath : str
        Local path or fsspec URL of ``RECCAP2_region_masks_all_v20221025.nc`` (or a file in
        its layout).
    storage_options : dict, optional
        fsspec options for a remote file.

    Returns
    -------
    xarray.Dataset
        The eight int8 (lat, lon) variables of :data:`RECCAP2_VARIABLES`, lat ascending
        −89.5…89.5, lon −179.5…179.5; the original attributes (``region_name``) plus CF
        ``flag_values``/``flag_meanings`` (names with ``_`` for spaces).

    Raises
    ------
    InputError
        Missing or unreadable file, missing variables, non-integer codes, unnamed codes.
    GridError
        Not the global 1° grid.
    """
    ds = _open(urlpath, storage_options)
    missing = [v for v in RECCAP2_VARIABLES if v not in ds.data_vars]
    if missing:
        raise InputError(
            explain(
                f"a RECCAP2 mask file holds the variables {list(RECCAP2_VARIABLES)}",
                f"{urlpath}: missing {missing}",
                "use RECCAP2_region_masks_all_v20221025.nc (ancillary entry 'reccap2_masks')",
            )
        )
    ds = _canonical_axes(ds[list(RECCAP2_VARIABLES)].drop_vars("time", errors="ignore"), urlpath)
    out = {
        name: _flags(_codes(ds[name], name, urlpath), name, urlpath) for name in RECCAP2_VARIABLES
    }
    return xr.Dataset(out, attrs=ds.attrs)


__all__ = [
    "RECCAP2_GRID",
    "RECCAP2_VARIABLES",
    "parse_region_names",
    "read_reccap2",
]
