"""Writers of files in the exact layouts of the real archives (names, trees, attributes).

Values are given in the canonical orientation (lat ascending, lon −180…180, NaN missing);
each writer stores them as the archive does. NASA files are written at their real 9 km /
4 km size but only where values are given (HDF5 leaves unwritten chunks out, so a file with
a small valid patch stays small and fast).
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import xarray as xr

from picpump.grid import Grid

GC_UNITS = {"PIC": "mol/m3", "PAR": "einstein/m2/day", "KD490": "m-1", "POC": "mg/m3"}
"""GlobColour parameter units, spelled as in the files."""
NASA_UNITS = {"pic": "mol m^-3", "par": "einstein m^-2 day^-1", "Kd_490": "m^-1"}
NASA_UNITS |= {"poc": "mg m^-3", "sst": "degree_C", "chlor_a": "mg m^-3"}
"""NASA L3m variable units, spelled as in the files."""


def last_day(month: pd.Timestamp) -> pd.Timestamp:
    """Last day of a month."""
    return month + pd.offsets.MonthEnd(0)


def smooth(grid: Grid, month: pd.Timestamp | str, scale: float, offset: float = 1.5) -> np.ndarray:
    """A deterministic positive field with a NaN corner, different for every month."""
    month = pd.Timestamp(month)
    lat, lon = np.meshgrid(grid.lat, grid.lon, indexing="ij")
    k = month.year * 12 + month.month
    values = scale * (offset + np.cos(np.radians(lat)) + 0.25 * np.sin(np.radians(lon) + k))
    out = values.astype(np.float32)
    out[: grid.nlat // 6, : grid.nlon // 4] = np.nan
    return out


def _axes(ds: netCDF4.Dataset, grid: Grid, names: tuple[str, str] = ("lat", "lon")) -> None:
    """Latitude descending (north first), longitude −180…180, float32."""
    ds.createDimension(names[0], grid.nlat)
    ds.createDimension(names[1], grid.nlon)
    lat = ds.createVariable(names[0], "f4", (names[0],))
    lat.units, lat.standard_name = "degrees_north", "latitude"
    lat[:] = grid.lat[::-1].astype(np.float32)
    lon = ds.createVariable(names[1], "f4", (names[1],))
    lon.units, lon.standard_name = "degrees_east", "longitude"
    lon[:] = grid.lon.astype(np.float32)


# --- GlobColour ------------------------------------------------------------------------------


def globcolour_path(
    root: Path, month: pd.Timestamp, param: str, res: str = "100", sensors: str = "AVW-MODVIR"
) -> Path:
    """``<root>/<YYYY>/<MM>/01/L3m_<first>-<last>__GLOB_<res>_<sensors>_<PARAM>_MO_00.nc``."""
    span = f"{month:%Y%m%d}-{last_day(month):%Y%m%d}"
    name = f"L3m_{span}__GLOB_{res}_{sensors}_{param}_MO_00.nc"
    return root / f"{month:%Y}" / f"{month:%m}" / "01" / name


def write_globcolour(
    root: Path,
    month: pd.Timestamp | str,
    param: str,
    values: np.ndarray,
    grid: Grid,
    *,
    res: str = "100",
    sensors: str = "AVW-MODVIR",
    date_created: str = "2020-05-04T10:00:00Z",
) -> Path:
    """Write one GlobColour L3m monthly file in its FTP tree; return its path."""
    month = pd.Timestamp(month)
    path = globcolour_path(root, month, param, res, sensors)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = np.asarray(values, np.float32)[::-1]
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.setncatts(
            {
                "Conventions": "CF-1.4",
                "product_name": path.name,
                "product_type": "month",
                "parameter_code": param,
                "site_name": "GLOB",
                "sensor_name_list": sensors.split("-", 1)[1],
                "start_time": f"{month:%Y%m%d}T000000Z",
                "end_time": f"{last_day(month):%Y%m%d}T235959Z",
                "period_start_day": f"{month:%Y%m%d}",
                "period_end_day": f"{last_day(month):%Y%m%d}",
                "period_duration_day": f"P{month.days_in_month}D",
                "date_created": date_created,
            }
        )
        _axes(ds, grid)
        mean = ds.createVariable(
            f"{param}_mean", "f4", ("lat", "lon"), zlib=True, fill_value=np.float32(-999.0)
        )
        mean.units = GC_UNITS[param]
        mean[:] = np.where(np.isnan(stored), np.float32(-999.0), stored)
        flags = ds.createVariable(f"{param}_flags", "i2", ("lat", "lon"), fill_value=np.int16(0))
        flags[:] = np.where(np.isnan(stored), 1, 0).astype(np.int16)
        error = ds.createVariable(f"{param}_error", "i2", ("lat", "lon"), fill_value=-32768)
        error[:] = np.where(np.isnan(stored), -32768, 3000).astype(np.int16)
    return path


# --- NASA OB.DAAC L3m ------------------------------------------------------------------------


def nasa_name(
    first: pd.Timestamp, last: pd.Timestamp, suite: str, var: str, *, period: str = "MO"
) -> str:
    """``AQUA_MODIS.<first>_<last>.L3m.<MO|MC>.<SUITE>.<var>.9km.nc``."""
    return f"AQUA_MODIS.{first:%Y%m%d}_{last:%Y%m%d}.L3m.{period}.{suite}.{var}.9km.nc"


def write_nasa(
    path: Path,
    variable: str,
    patch: np.ndarray,
    at: tuple[int, int],
    grid: Grid,
    coverage: tuple[pd.Timestamp, pd.Timestamp],
    *,
    valid: tuple[float, float] = (0.0, 1e4),
) -> Path:
    """Write a NASA L3m file: only ``patch`` (canonical orientation) at canonical ``at``.

    The rest of the map is the −32767 fill (unwritten chunks). Layout: NETCDF4, lat
    descending, float32 ``variable`` with ``_FillValue``/``valid_min``/``valid_max``, a
    ``palette`` (rgb, eightbitcolor) uint8, time only in ``time_coverage_start/end``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.setncatts(
            {
                "product_name": path.name,
                "title": "MODISA Level-3 Standard Mapped Image",
                "processing_version": "R2022.0",
                "map_projection": "Equidistant Cylindrical",
                "time_coverage_start": f"{coverage[0]:%Y-%m-%d}T00:05:01.000Z",
                "time_coverage_end": f"{coverage[1]:%Y-%m-%d}T23:55:00.000Z",
                "date_created": "2022-11-30T12:00:00.000Z",
            }
        )
        _axes(ds, grid)
        ds.createDimension("rgb", 3)
        ds.createDimension("eightbitcolor", 256)
        var = ds.createVariable(
            variable,
            "f4",
            ("lat", "lon"),
            zlib=True,
            chunksizes=(min(grid.nlat, 512), min(grid.nlon, 1024)),
            fill_value=np.float32(-32767.0),
        )
        var.units = NASA_UNITS[variable]
        var.valid_min, var.valid_max = np.float32(valid[0]), np.float32(valid[1])
        row, col = at
        stored_row = grid.nlat - row - patch.shape[0]
        data = np.asarray(patch, np.float32)[::-1]
        var[stored_row : stored_row + patch.shape[0], col : col + patch.shape[1]] = np.where(
            np.isnan(data), np.float32(-32767.0), data
        )
        palette = ds.createVariable("palette", "u1", ("rgb", "eightbitcolor"))
        palette[:] = np.zeros((3, 256), np.uint8)
    return path


# --- Copernicus Marine -----------------------------------------------------------------------


def write_copernicus_native(
    path: Path,
    month: pd.Timestamp,
    variable: str,
    values: np.ndarray,
    grid: Grid,
    *,
    units: str,
    kelvin_packed: bool = False,
) -> Path:
    """A native monthly file: (time=1, lat, lon), lat descending, seconds since 1970.

    ``kelvin_packed`` stores OSTIA-style int16 (scale 0.01, offset 273.15, fill −32768);
    ``values`` are then in K.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = np.asarray(values, np.float32)[::-1]
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.time_coverage_start = f"{month:%Y-%m-%d}T00:00:00Z"
        ds.time_coverage_end = f"{last_day(month):%Y-%m-%d}T23:59:59Z"
        ds.createDimension("time", 1)
        time = ds.createVariable("time", "i4", ("time",))
        time.units, time.calendar = "seconds since 1970-01-01 00:00:00", "gregorian"
        time[:] = [int((month - pd.Timestamp("1970-01-01")).total_seconds())]
        _axes(ds, grid)
        dims = ("time", "lat", "lon")
        if kelvin_packed:
            var = ds.createVariable(variable, "i2", dims, fill_value=np.int16(-32768))
            var.set_auto_maskandscale(False)
            var.scale_factor, var.add_offset = np.float32(0.01), np.float32(273.15)
            packed = np.round((stored - 273.15) / 0.01)  # values in K
            var[:] = np.where(np.isnan(stored), -32768, packed).astype(np.int16)[None]
        else:
            var = ds.createVariable(variable, "f4", dims, fill_value=np.float32(-999.0))
            var.valid_min, var.valid_max = np.float32(0.0), np.float32(20000.0)
            var[:] = np.where(np.isnan(stored), np.float32(-999.0), stored)[None]
        var.units = units
    return path


def arco_store(root: Path, bucket: str, product: str, dataset: str, layout: str) -> Path:
    """``<root>/mdl-arco-<time|geo>-<bucket>/arco/<product>/<dataset>/<layout>.zarr``."""
    kind = "time" if layout == "timeChunked" else "geo"
    return root / f"mdl-arco-{kind}-{bucket}" / "arco" / product / dataset / f"{layout}.zarr"


def write_arco(
    path: Path,
    variable: str,
    values: np.ndarray,
    times: pd.DatetimeIndex,
    grid: Grid,
    layout: str,
    *,
    units: str,
    kelvin_packed: bool = False,
    lat_descending: bool = False,
) -> Path:
    """Write an ARCO Zarr store (v2, consolidated): (time, latitude, longitude).

    ``timeChunked``: chunks (1, all lat, all lon); ``geoChunked``: chunks (all time, 6, 12).
    ``values`` (time, lat, lon) are in ``units`` (K for ``kelvin_packed``, int16 packed).
    """
    chunks = (1, grid.nlat, grid.nlon) if layout == "timeChunked" else (len(times), 6, 12)
    encoding: dict[str, object] = {"chunks": chunks}
    if kelvin_packed:
        encoding |= {"dtype": "int16", "scale_factor": 0.01, "add_offset": 273.15}
        encoding |= {"_FillValue": np.int16(-32768)}
    else:
        encoding |= {"dtype": "float32", "_FillValue": np.float32(np.nan)}
    data, lat = np.asarray(values, np.float32), grid.lat.astype(np.float32)
    if lat_descending:
        data, lat = data[:, ::-1], lat[::-1]
    ds = xr.Dataset(
        {variable: (("time", "latitude", "longitude"), data, {"units": units})},
        coords={
            "time": ("time", times, {"standard_name": "time"}),
            "latitude": ("latitude", lat, {"units": "degrees_north"}),
            "longitude": ("longitude", grid.lon.astype(np.float32), {"units": "degrees_east"}),
        },
    )
    ds.to_zarr(path, mode="w", zarr_format=2, consolidated=True, encoding={variable: encoding})
    return path


__all__ = [
    "GC_UNITS",
    "NASA_UNITS",
    "arco_store",
    "globcolour_path",
    "last_day",
    "nasa_name",
    "smooth",
    "write_arco",
    "write_copernicus_native",
    "write_globcolour",
    "write_nasa",
]
