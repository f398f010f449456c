"""Deterministic synthetic monthly stacks for the benchmarks, written once as Zarr and NetCDF.

Every value is a pure function of (seed, variable, month index, cell indices) through an
integer hash, so a stack is the same whatever its chunking, and any block (a 4 km latitude
band, a few months) can be generated alone. About 40 % of the values are missing: land
(10°×10° boxes, ~25 % of the cells), clouds (~12 % of the ocean values) and polar night.

The Zarr stores have the layout of picpump's products (Zarr v3, zstd, all months in one chunk,
square spatial tiles, a completion marker) and are written by picpump's own writer; the
NetCDF file (uncompressed, ``_FillValue`` −1e20) is what CDO and plain xarray read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from picpump.grid import Grid
from picpump.io.store.zarr_store import is_complete, stage_zarr
from picpump.pipeline.compute import compute_all
from picpump.units import CANONICAL

FIRST_MONTH = "1997-09"
FILL = -1.0e20
UNITS = {name: CANONICAL[name].units for name in ("pic", "sst", "par", "kd490")}
UNITS["ez_pic_production"] = "mg m-2 d-1"
VARIABLE_IDS = {name: i + 1 for i, name in enumerate(UNITS)}
INPUTS = ("pic", "sst", "par", "kd490")
LAND_BOX_DEG = 10.0
LAND_FRACTION = 0.25
CLOUD_FRACTION = 0.12
U32 = np.uint32
STORE_CODEC = "lz4"
"""The codec picpump's writer uses by default (part of the Zarr stacks' names)."""


def _mix(h: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """Murmur3's 32-bit finaliser (in place): a well-spread hash of ``h``."""
    h ^= h >> U32(16)
    h *= U32(0x85EBCA6B)
    h ^= h >> U32(13)
    h *= U32(0xC2B2AE35)
    h ^= h >> U32(16)
    return h


def uniform(seed: int, *indices: NDArray[np.integer]) -> NDArray[np.float32]:
    """Uniform values in (0, 1), a hash of the seed and broadcast integer indices."""
    primes = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F)
    h = np.full((), seed * 0x165667B1 % (1 << 32), dtype=U32)
    for index, prime in zip(indices, primes, strict=False):
        h = _mix(h ^ (index.astype(U32) * U32(prime)))
    return ((h >> U32(8)).astype(np.float32) + np.float32(0.5)) * np.float32(2.0**-24)


def months(n: int) -> pd.DatetimeIndex:
    """The first ``n`` months of the paper's period (from 1997-09)."""
    return pd.date_range(FIRST_MONTH, periods=n, freq="MS")


def _valid(seed: int, t: NDArray, i: NDArray, j: NDArray, grid: Grid) -> NDArray[np.bool_]:
    lat = grid.lat[i[0, :, 0]][None, :, None]
    lon = grid.lon[j[0, 0, :]][None, None, :]
    box_i = ((lat + 90.0) // LAND_BOX_DEG).astype(np.int64)
    box_j = ((lon + 180.0) // LAND_BOX_DEG).astype(np.int64)
    ocean = uniform(seed, box_i, box_j) >= LAND_FRACTION
    clear = uniform(seed + 1, t, i, j) >= CLOUD_FRACTION
    calendar = (t + 8) % 12  # 0 = January, the stacks start in September
    winter = np.where(lat > 0, np.isin(calendar, (10, 11, 0, 1)), np.isin(calendar, (4, 5, 6, 7)))
    polar_night = (np.abs(lat) > 66.0) & winter
    return ocean & clear & ~polar_night


def synth_block(
    name: str,
    t: Sequence[int] | NDArray,
    i: Sequence[int] | NDArray,
    j: Sequence[int] | NDArray,
    grid: Grid,
    seed: int = 0,
) -> NDArray[np.float32]:
    """Values of one variable at month indices ``t`` × latitude rows ``i`` × columns ``j``.

    Parameters
    ----------
    name : str
        ``pic``, ``sst``, ``par``, ``kd490`` (canonical units) or ``ez_pic_production``.
    t, i, j : sequence of int
        Month indices (0 = 1997-09), row and column indices on ``grid``.
    grid : picpump.grid.Grid
        The grid.
    seed : int
        Changes every value and the land/cloud masks.

    Returns
    -------
    ndarray of float32, shape (len(t), len(i), len(j))
        NaN where missing (the same cells for every variable).
    """
    tt = np.asarray(t, dtype=np.int64)[:, None, None]
    ii = np.asarray(i, dtype=np.int64)[None, :, None]
    jj = np.asarray(j, dtype=np.int64)[None, None, :]
    u = uniform(seed + 10 * VARIABLE_IDS[name], tt, ii, jj)
    lat = np.deg2rad(grid.lat[ii[0, :, 0]]).astype(np.float32)[None, :, None]
    season = np.sin(2 * np.pi * ((tt + 8) % 12 - 3) / 12).astype(np.float32) * np.sign(lat)
    coslat = np.cos(lat)
    if name == "sst":
        values = 30 * coslat**2 - 2 + 3 * season + 2 * u
    elif name == "par":
        values = 2 + 55 * np.clip(np.cos(lat - 0.4 * season), 0, None) * (0.6 + 0.4 * u)
    elif name == "kd490":
        values = 0.02 + 0.05 * (1 + season**2) * -np.log(u)
    elif name == "pic":
        values = 1e-5 * np.exp(4 * u) * (1 + 0.5 * season)
    else:
        values = 15 * (1.2 + season) * coslat * -np.log(u)
    out = np.broadcast_to(values, u.shape).astype(np.float32)
    out[~_valid(seed, tt, ii, jj, grid)] = np.nan
    return out


def synth_array(
    name: str,
    n_months: int,
    grid: Grid,
    chunks: tuple[int, int, int],
    rows: slice = slice(None),
    seed: int = 0,
) -> da.Array:
    """A lazy (time, lat, lon) stack of one variable, over the latitude rows ``rows``."""
    lat_rows = np.arange(grid.nlat)[rows]
    shape = (n_months, lat_rows.size, grid.nlon)

    def block(block_info: dict | None = None) -> NDArray[np.float32]:
        assert block_info is not None
        (t0, t1), (i0, i1), (j0, j1) = block_info[None]["array-location"]
        return synth_block(name, np.arange(t0, t1), lat_rows[i0:i1], np.arange(j0, j1), grid, seed)

    return da.map_blocks(block, chunks=da.core.normalize_chunks(chunks, shape), dtype=np.float32)


def synth_dataset(
    names: Sequence[str],
    n_months: int,
    grid: Grid,
    tile: int = 90,
    rows: slice = slice(None),
    seed: int = 0,
    chunks: tuple[int, int, int] | None = None,
) -> xr.Dataset:
    """Lazy synthetic stacks of ``names``, chunked as picpump's products (all months × tiles).

    ``chunks`` overrides the layout (the values do not depend on it).
    """
    chunks = chunks or (n_months, tile, tile)
    coords = {"time": months(n_months), "lat": grid.lat[rows], "lon": grid.lon}
    return xr.Dataset(
        {
            n: (
                ("time", "lat", "lon"),
                synth_array(n, n_months, grid, chunks, rows, seed),
                {"units": UNITS[n]},
            )
            for n in names
        },
        coords=coords,
    )


def write_zarr(ds: xr.Dataset, path: Path) -> Path:
    """Write ``ds`` with picpump's product writer (atomic, zstd, completion marker)."""
    if not is_complete(str(path)):
        pending = stage_zarr(ds, str(path))
        compute_all([pending.task])
        pending.publish()
    return path


def write_netcdf(field: xr.DataArray, path: Path) -> Path:
    """Write one variable as uncompressed NetCDF-4 (missing = ``_FillValue``), once."""
    if not path.exists():
        tmp = path.with_suffix(".partial.nc")
        encoding = {field.name: {"_FillValue": FILL, "dtype": "float32"}}
        field.to_dataset().to_netcdf(tmp, encoding=encoding)
        tmp.rename(path)
    return path


def stack_name(kind: str, n_months: int, grid: Grid, rows: slice = slice(None)) -> str:
    """A file name that identifies a stack (its content depends on nothing else)."""
    band = "" if rows == slice(None) else f"-rows{rows.start}-{rows.stop}"
    return f"{kind}-{n_months}m-{grid.nlat}x{grid.nlon}{band}"


def ensure_stores(
    work: Path,
    n_months: int,
    grid: Grid,
    *,
    production: bool = True,
    netcdf: bool = False,
    tile: int = 90,
    rows: slice = slice(None),
) -> dict[str, Path]:
    """Synthesise (once) the stacks of ``n_months`` months under ``work``.

    Returns
    -------
    dict of str to Path
        ``inputs`` (Zarr: pic, sst, par, kd490), with ``production`` its Zarr
        (``ez_pic_production``), with ``netcdf`` also ``production_nc``.
    """
    work.mkdir(parents=True, exist_ok=True)
    suffix = "" if tile == 90 else f"-t{tile}"
    name = stack_name("{}", n_months, grid, rows) + suffix
    zarr_name = f"{name}-{STORE_CODEC}"  # a store of another codec is not this stack
    paths = {"inputs": work / f"{zarr_name.format('inputs')}.zarr"}
    write_zarr(synth_dataset(INPUTS, n_months, grid, tile, rows), paths["inputs"])
    if production:
        paths["production"] = work / f"{zarr_name.format('production')}.zarr"
        field = synth_dataset(["ez_pic_production"], n_months, grid, tile, rows)
        write_zarr(field, paths["production"])
    if netcdf:
        by_month = (1, len(grid.lat[rows]), grid.nlon)
        field = synth_dataset(["ez_pic_production"], n_months, grid, rows=rows, chunks=by_month)
        nc = work / f"{name.format('production')}.nc"
        paths["production_nc"] = write_netcdf(field["ez_pic_production"], nc)
    return paths
