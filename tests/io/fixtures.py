"""Writers of tiny NetCDF files in each archive convention, and of small catalogs.

Values are always given in the canonical orientation (lat ascending, lon −180…180, NaN for
missing); each writer stores them the way the real archive does (descending latitude,
fill values, 0…360 longitudes, a time axis ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import pandas as pd
import yaml

from picpump.grid import Grid

GRID = Grid(10.0)
"""The coarse test grid (18 × 36): files of a few KB."""


def field(month: pd.Timestamp | str, *, grid: Grid = GRID, scale: float = 1e-3) -> np.ndarray:
    """A deterministic positive field for a month, with a NaN patch ("land")."""
    month = pd.Timestamp(month)
    lat, lon = np.meshgrid(grid.lat, grid.lon, indexing="ij")
    k = month.year * 12 + month.month
    values = scale * (1.5 + np.cos(np.radians(lat)) + 0.25 * np.sin(np.radians(lon) + k))
    values = values.astype(np.float32)
    values[: grid.nlat // 6, : grid.nlon // 4] = np.nan
    return values


def _last_day(month: pd.Timestamp) -> pd.Timestamp:
    return month + pd.offsets.MonthEnd(0)


def _coords(ds: netCDF4.Dataset, lat: np.ndarray, lon: np.ndarray, names=("lat", "lon")) -> None:
    ds.createDimension(names[0], lat.size)
    ds.createDimension(names[1], lon.size)
    vlat = ds.createVariable(names[0], "f4", (names[0],))
    vlat[:] = lat
    vlat.units = "degrees_north"
    vlon = ds.createVariable(names[1], "f4", (names[1],))
    vlon[:] = lon
    vlon.units = "degrees_east"


def _stored(values: np.ndarray, grid: Grid, lat_descending: bool, lon360: bool):
    """Return (values, lat, lon) in a stored orientation."""
    lat, lon = grid.lat, grid.lon
    if lat_descending:
        values, lat = values[::-1], lat[::-1]
    if lon360:
        k = grid.nlon // 2
        values = np.concatenate([values[:, k:], values[:, :k]], axis=1)
        lon = np.concatenate([lon[k:], lon[:k] + 360.0])
    return values, lat, lon


def globcolour_name(month: pd.Timestamp | str, param: str, res: str = "100", sensors="AVW-MODVIR"):
    month = pd.Timestamp(month)
    return f"L3m_{month:%Y%m%d}-{_last_day(month):%Y%m%d}__GLOB_{res}_{sensors}_{param}_MO_00.nc"


def write_globcolour(
    folder: Path,
    month: pd.Timestamp | str,
    param: str,
    values: np.ndarray,
    *,
    grid: Grid = GRID,
    lat_descending: bool = True,
    lon360: bool = False,
    units: str | None = "mol m-3",
    fill: float = -999.0,
    res: str = "100",
    sensors: str = "AVW-MODVIR",
    name: str | None = None,
    period_start: str | None = None,
    variable: str | None = None,
) -> Path:
    """Write a GlobColour L3m monthly file (``<PARAM>_mean``, fill −999, no time axis)."""
    month = pd.Timestamp(month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or globcolour_name(month, param, res, sensors))
    data, lat, lon = _stored(np.asarray(values, np.float32), grid, lat_descending, lon360)
    with netCDF4.Dataset(path, "w") as ds:
        ds.period_start_day = period_start or f"{month:%Y%m%d}"
        ds.period_end_day = f"{_last_day(month):%Y%m%d}"
        _coords(ds, lat, lon)
        var = ds.createVariable(variable or f"{param}_mean", "f4", ("lat", "lon"), fill_value=fill)
        if units is not None:
            var.units = units
        var[:] = np.where(np.isnan(data), fill, data)
    return path


def write_nasa_l3m(
    folder: Path,
    month: pd.Timestamp | str,
    product: str,
    variable: str,
    values: np.ndarray,
    *,
    grid: Grid = GRID,
    units: str | None = "mol m-3",
    fill: float = -32767.0,
    old_name: bool = False,
    lon360: bool = False,
    coverage: tuple[str, str] | None = None,
) -> Path:
    """Write a NASA L3m monthly file (lat descending, fill −32767, valid_min/max)."""
    month = pd.Timestamp(month)
    last = _last_day(month)
    folder.mkdir(parents=True, exist_ok=True)
    if old_name:
        name = f"A{month:%Y%j}{last:%Y%j}.L3m_MO_{product}_{variable}_9km.nc"
    else:
        name = f"AQUA_MODIS.{month:%Y%m%d}_{last:%Y%m%d}.L3m.MO.{product}.{variable}.9km.nc"
    path = folder / name
    data, lat, lon = _stored(np.asarray(values, np.float32), grid, True, lon360)
    start, end = coverage or (f"{month:%Y-%m-%d}T00:05:00.000Z", f"{last:%Y-%m-%d}T23:55:00.000Z")
    with netCDF4.Dataset(path, "w") as ds:
        ds.product_name = name
        ds.time_coverage_start = start
        ds.time_coverage_end = end
        _coords(ds, lat, lon)
        var = ds.createVariable(variable, "f4", ("lat", "lon"), fill_value=fill)
        if units is not None:
            var.units = units
        var.valid_min = np.float32(0.0) if variable != "sst" else np.float32(-2.0)
        var.valid_max = np.float32(1e4)
        var[:] = np.where(np.isnan(data), fill, data)
    return path


def write_copernicus_pp(
    folder: Path,
    month: pd.Timestamp | str,
    values: np.ndarray,
    *,
    grid: Grid = GRID,
    variable: str = "PP",
    units: str = "mg m-2 d-1",
    time_stamp: pd.Timestamp | str | None = None,
    packed: bool = False,
    ntime: int = 1,
    name: str | None = None,
) -> Path:
    """Write a Copernicus Marine monthly file: (time=1, lat, lon), lat ascending."""
    month = pd.Timestamp(month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{month:%Y%m}_cmems_obs-oc_glo_bgc-pp_my_l4-multi-4km_P1M.nc")
    stamp = pd.Timestamp(time_stamp) if time_stamp is not None else month
    data = np.asarray(values, np.float32)
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", ntime)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "hours since 1950-01-01 00:00:00"
        t.calendar = "gregorian"
        t[:] = [(stamp - pd.Timestamp("1950-01-01")) / pd.Timedelta(hours=1)] * ntime
        _coords(ds, grid.lat, grid.lon, names=("latitude", "longitude"))
        dims = ("time", "latitude", "longitude")
        if packed:
            var = ds.createVariable(variable, "i2", dims, fill_value=np.int16(-32768))
            var.scale_factor, var.add_offset = np.float32(0.01), np.float32(100.0)
            var.set_auto_maskandscale(False)
            stored = np.where(np.isnan(data), -32768, np.round((data - 100.0) / 0.01))
            var[:] = np.broadcast_to(stored.astype(np.int16), (ntime, *data.shape))
        else:
            var = ds.createVariable(variable, "f4", dims, fill_value=np.float32(np.nan))
            var[:] = np.broadcast_to(data, (ntime, *data.shape))
        var.units = units
    return path


def write_canonical(
    folder: Path,
    month: pd.Timestamp | str,
    name: str,
    values: np.ndarray,
    *,
    grid: Grid = GRID,
    units: str | None = None,
    with_time: bool = True,
    lon360: bool = False,
    lat_descending: bool = False,
    missing_value: float | None = None,
    transpose: bool = False,
    filename: str | None = None,
) -> Path:
    """Write a file in picpump's canonical form (optionally with a time axis)."""
    month = pd.Timestamp(month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (filename or f"{name}_{month:%Y%m}.nc")
    data, lat, lon = _stored(np.asarray(values, np.float32), grid, lat_descending, lon360)
    with netCDF4.Dataset(path, "w") as ds:
        _coords(ds, lat, lon)
        dims: tuple[str, ...] = ("lon", "lat") if transpose else ("lat", "lon")
        if with_time:
            ds.createDimension("time", 1)
            t = ds.createVariable("time", "i4", ("time",))
            t.units = "days since 1970-01-01"
            t[:] = [(month - pd.Timestamp("1970-01-01")).days]
            dims = ("time", *dims)
        var = ds.createVariable(name, "f4", dims)
        if units is not None:
            var.units = units
        if missing_value is not None:
            var.missing_value = np.float32(missing_value)
            data = np.where(np.isnan(data), missing_value, data)
        data = data.T if transpose else data
        var[:] = data[None] if with_time else data
    return path


def monthly_entry(
    urlpath: str,
    variable: str,
    canonical: str,
    convention: str,
    *,
    start: str = "2001-01",
    periods: int = 3,
    **args: Any,
) -> dict[str, Any]:
    """A catalog entry for a monthly archive."""
    return {
        "driver": "picpump.monthly_netcdf",
        "description": f"test {canonical}",
        "args": {
            "urlpath": urlpath,
            "variable": variable,
            "convention": convention,
            "xarray_kwargs": {"engine": "netcdf4"},
            "time": {"start": start, "freq": "MS", "periods": periods},
            **args,
        },
        "metadata": {"canonical": canonical, "synthetic": True},
    }


def catalog_text(sources: Mapping[str, Any], title: str = "test catalog") -> str:
    """YAML text of a catalog."""
    meta = {"title": title, "synthetic": True, "version": 1}
    return yaml.safe_dump({"metadata": meta, "sources": dict(sources)}, sort_keys=False)


def write_catalog(folder: Path, sources: Mapping[str, Any], name: str = "catalog.yaml") -> Path:
    """Write a catalog YAML file and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(catalog_text(sources))
    return path


GLOBCOLOUR_PIC = (
    "{{ CATALOG_DIR }}/../data/globcolour/L3m_{{ first }}-{{ last }}__GLOB_{{ res }}_*_PIC_MO_00.nc"
)
"""The GlobColour PIC urlpath of the test catalogs (``res`` is a user parameter)."""

RES_PARAMETER = {"res": {"description": "grid code", "type": "str", "default": "100"}}


def globcolour_archive(root: Path, months: pd.DatetimeIndex, **kw: Any) -> Path:
    """Write a GlobColour PIC archive under ``root/data/globcolour`` and its catalog.

    Returns the catalog path (``root/catalogs/catalog.yaml``).
    """
    grid = kw.get("grid", GRID)
    for m in months:
        write_globcolour(root / "data" / "globcolour", m, "PIC", field(m, grid=grid), **kw)
    entry = monthly_entry(
        GLOBCOLOUR_PIC,
        "PIC_mean",
        "pic",
        "globcolour",
        start=f"{months[0]:%Y-%m}",
        periods=len(months),
    )
    entry["parameters"] = RES_PARAMETER
    return write_catalog(root / "catalogs", {"pic": entry})
