"""A short demo archive on the 0.5° grid, in the file layouts of the 1° demo archive.

The demo writers (:mod:`picpump.demo`) write the canonical 1° grid only: their axes,
dimensions and grid attributes come from ``picpump.demo.geography.GRID``. This fixture
writer therefore writes the same files on a finer grid itself, with the same variables,
dtypes, fill values, orientation and attributes, reusing the writers' attribute builders and
replacing only the attributes that depend on the grid; the axes and the bathymetry are
written by the demo helpers given the fine grid. File names change their resolution
part only (GlobColour ``GLOB_100`` → ``GLOB_50``, NASA ``1deg`` → ``0.5deg``, Copernicus
``multi-1deg`` → ``multi-0.5deg``).

Fields: each month of the 1° demo ocean of the same seed, every 1° cell split into 2 × 2
sub-cells (``np.repeat``) with a fixed sub-cell :data:`TEXTURE` (zero mean over the four
sub-cells) and, for the ocean-colour fields, one sub-cell missing in one block in
:data:`GAP_EVERY`. Without them a conservative coarsening would give back the 1° fields
whatever its weights or its handling of NaN. The bathymetry is the 1° one repeated (so the
open-ocean mask is the 1° one refined); the ancillary files are the 1° demo ones.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from picpump.demo import copernicus, globcolour, nasa
from picpump.demo.ancillary import write_demo_ancillary
from picpump.demo.fields import DemoOcean, MonthFields
from picpump.demo.naming import (
    ARCHIVE_FOLDERS,
    BATHYMETRY_FILE,
    COPERNICUS_DATASET,
    GLOBCOLOUR_PARAMS,
    Month,
    month_files,
    month_range,
)
from picpump.demo.netcdf import (
    atomic_dataset,
    cf_axes,
    filled,
    set_attrs,
    synthetic_attrs,
    write_axes,
    write_bathymetry,
)
from picpump.grid import Grid

Array = NDArray[np.float64]

FINE = Grid(0.5)
FACTOR = 2
"""Fine cells per 1° cell along each axis."""
TEXTURE = np.array([[0.10, -0.02], [-0.02, -0.06]])
"""Relative sub-cell deviation (rows south → north, columns west → east); sums to 0."""
SST_TEXTURE_C = 3.0 * TEXTURE
"""Sub-cell deviation of SST [degC]."""
GAP_EVERY = 16
"""One 1° block in this many loses its north-east sub-cell of ocean colour."""

# 1° name part → 0.5° name part, per archive convention.
RENAMES = {
    "globcolour": ("__GLOB_100_", "__GLOB_50_"),
    "nasa": (".sst.1deg.nc", ".sst.0.5deg.nc"),
    "copernicus": ("multi-1deg_P1M", "multi-0.5deg_P1M"),
    "bathymetry": ("_1deg.nc", "_0.5deg.nc"),
}
CATALOG_CONVENTIONS = {
    "pic": "globcolour",
    "par": "globcolour",
    "kd490": "globcolour",
    "poc": "globcolour",
    "sst": "nasa",
    "npp": "copernicus",
    "bathymetry": "bathymetry",
}
"""Catalog entry → convention of its file names (the other entries stay as they are)."""
FINE_DATASET = COPERNICUS_DATASET.replace(*RENAMES["copernicus"])
FINE_BATHYMETRY_FILE = BATHYMETRY_FILE.replace(*RENAMES["bathymetry"])


def renamed(name: str, convention: str) -> str:
    """Return a 1° file name or URL with its resolution part changed to 0.5°."""
    old, new = RENAMES[convention]
    if old not in name:
        raise ValueError(f"{name!r} has no {old!r} to rename")
    return name.replace(old, new)


def upsample(values: Array) -> Array:
    """Split every 1° cell into ``FACTOR × FACTOR`` equal sub-cells."""
    return np.repeat(np.repeat(values, FACTOR, axis=0), FACTOR, axis=1)


def _tiled(pattern: Array) -> Array:
    """Repeat a 2 × 2 sub-cell pattern over the fine grid."""
    return np.tile(pattern, (FINE.nlat // FACTOR, FINE.nlon // FACTOR))


def colour_gaps(month: Month) -> NDArray[np.bool_]:
    """Return the fine cells whose ocean colour is removed in a month (north-east sub-cells)."""
    rows, cols = np.indices((FINE.nlat // FACTOR, FINE.nlon // FACTOR))
    blocks = (7 * rows + 3 * cols + month.index) % GAP_EVERY == 0
    corner = np.zeros((FACTOR, FACTOR), dtype=bool)
    corner[-1, -1] = True
    return np.asarray(np.kron(blocks, corner).astype(bool))


def fine_fields(fields: MonthFields, month: Month) -> MonthFields:
    """Return a month of the demo ocean on the 0.5° grid (texture and sub-cell gaps added)."""
    relative = 1.0 + _tiled(TEXTURE)
    gaps = colour_gaps(month)

    def colour(values: Array) -> Array:
        return np.asarray(np.where(gaps, np.nan, upsample(values) * relative))

    return replace(
        fields,
        par=colour(fields.par),
        kd490=colour(fields.kd490),
        pic=colour(fields.pic),
        poc=colour(fields.poc),
        sst=upsample(fields.sst) + _tiled(SST_TEXTURE_C),
        npp=upsample(fields.npp) * relative,
    )


def _globcolour_grid_attrs(values: Array) -> dict[str, Any]:
    """Return the GlobColour attributes that depend on the grid and the coverage."""
    valid = np.isfinite(values)
    rows, cols = np.flatnonzero(valid.any(axis=1)), np.flatnonzero(valid.any(axis=0))
    if rows.size == 0:
        rows, cols = np.array([0, FINE.nlat - 1]), np.array([0, FINE.nlon - 1])
    half, count = FINE.resolution / 2, int(valid.sum())
    return {
        "spatial_resolution": np.float32(111.3195 * FINE.resolution),
        "nb_equ_bins": np.int32(FINE.nlon),
        "lat_step": np.float32(FINE.resolution),
        "lon_step": np.float32(FINE.resolution),
        "northernmost_latitude": np.float32(FINE.lat[rows[-1]] + half),
        "southernmost_latitude": np.float32(FINE.lat[rows[0]] - half),
        "westernmost_longitude": np.float32(FINE.lon[cols[0]] - half),
        "easternmost_longitude": np.float32(FINE.lon[cols[-1]] + half),
        "nb_grid_bins": np.int32(values.size),
        "nb_bins": np.int32(values.size),
        "nb_valid_bins": np.int32(count),
        "pct_valid_bins": np.float32(100.0 * count / values.size),
    }


def write_globcolour(path: Path, param: str, month: Month, values: Array, seed: int) -> None:
    """Write one GlobColour L3m monthly file on the fine grid (as ``write_globcolour``)."""
    # The 1° builder gives every attribute; those of the grid are then replaced.
    attrs = globcolour.global_attrs(param, month, values[::FACTOR, ::FACTOR], path.name)
    attrs |= _globcolour_grid_attrs(values)
    globcolour.write_globcolour(path, param, month, values, seed, grid=FINE, attrs=attrs)


def _nasa_grid_attrs() -> dict[str, Any]:
    """Return the NASA L3m attributes that depend on the grid."""
    half, km = FINE.resolution / 2, 111.32 * FINE.resolution
    return {
        "latitude_step": np.float32(FINE.resolution),
        "longitude_step": np.float32(FINE.resolution),
        "sw_point_latitude": np.float32(-90.0 + half),
        "sw_point_longitude": np.float32(-180.0 + half),
        "geospatial_lon_resolution": np.float32(km),
        "geospatial_lat_resolution": np.float32(km),
        "spatialResolution": f"{km:.2f} km",
        "number_of_lines": np.int32(FINE.nlat),
        "number_of_columns": np.int32(FINE.nlon),
    }


def _nasa_mapping(name: str) -> dict[str, str]:
    """Return the ``processing_control/input_parameters`` attributes of a fine L3m file."""
    return {
        "ofile": name,
        "product": "sst",
        "resolution": "0.5deg",
        "projection": "smi",
        "north": "90.000",
        "south": "-90.000",
        "east": "180.000",
        "west": "-180.000",
    }


def write_nasa_sst(path: Path, month: Month, values: Array, seed: int) -> None:
    """Write one NASA OB.DAAC L3m monthly SST file on the fine grid (as ``write_nasa_sst``)."""
    with atomic_dataset(path) as ds:
        set_attrs(ds, nasa.global_attrs(month, values, path.name) | _nasa_grid_attrs())
        set_attrs(ds, synthetic_attrs(seed))
        group = ds.createGroup("processing_control")
        set_attrs(group, {"software_name": "picpump demo build", "software_version": "1"})
        set_attrs(group.createGroup("input_parameters"), _nasa_mapping(path.name))
        ds.createDimension("lat", FINE.nlat)
        ds.createDimension("lon", FINE.nlon)
        ds.createDimension("rgb", 3)
        ds.createDimension("eightbitcolor", 256)
        fill = np.float32(nasa.FILL)
        sst = ds.createVariable("sst", "f4", ("lat", "lon"), zlib=True, fill_value=fill)
        set_attrs(sst, nasa.SST_ATTRS)
        sst[:] = filled(values, nasa.FILL, descending=True)
        write_axes(ds, descending=True, attrs=nasa.AXES, grid=FINE)
        colours = ds.createVariable("palette", "u1", ("rgb", "eightbitcolor"), fill_value=False)
        colours[:] = nasa.palette()


def _seconds_since_1970(month: Month) -> int:
    """Return the first instant of a month in seconds since 1970-01-01 (UTC)."""
    return int(datetime(month.year, month.month, 1, tzinfo=UTC).timestamp())


def write_copernicus_pp(path: Path, month: Month, values: Array, seed: int) -> None:
    """Write one Copernicus Marine monthly PP file on the fine grid (as the demo writer)."""
    dims, fill = ("time", "lat", "lon"), np.float32(copernicus.FILL)
    attrs = copernicus.global_attrs(month) | {"title": FINE_DATASET, "dataset_id": FINE_DATASET}
    attrs |= {f"geospatial_{a}_resolution": np.float32(FINE.resolution) for a in ("lat", "lon")}
    with atomic_dataset(path) as ds:
        ds.createDimension("time", 1)
        time = ds.createVariable("time", "i4", ("time",), fill_value=False)
        time_attrs = {"standard_name": "time", "long_name": "time"}
        time_attrs |= {"units": copernicus.TIME_UNITS, "calendar": "gregorian", "axis": "T"}
        set_attrs(time, time_attrs)
        time[:] = np.array([_seconds_since_1970(month)], dtype=np.int32)
        write_axes(ds, descending=True, attrs=cf_axes(), grid=FINE)
        pp = ds.createVariable("PP", "f4", dims, zlib=True, fill_value=fill)
        set_attrs(pp, copernicus.PP_ATTRS)
        pp[:] = filled(values, copernicus.FILL, descending=True)[None]
        error = ds.createVariable("PP_uncertainty", "f4", dims, zlib=True, fill_value=fill)
        set_attrs(error, {"long_name": "Primary Production - Uncertainty", "units": "%"})
        uncertainty = np.where(np.isfinite(values), 60.0, np.nan)
        error[:] = filled(uncertainty, copernicus.FILL, descending=True)[None]
        set_attrs(ds, attrs)
        set_attrs(ds, synthetic_attrs(seed))


def fine_month_files(month: Month) -> dict[str, str]:
    """Return the fine files of a month: key (``PIC``…, ``SST``, ``PP``) → path in the archive."""
    files = month_files(month)
    for key in GLOBCOLOUR_PARAMS:
        files[key] = renamed(files[key], "globcolour")
    files["SST"] = renamed(files["SST"], "nasa")
    files["PP"] = renamed(files["PP"], "copernicus")
    return files


def build_fine_archive(root: Path, *, start: str, periods: int, seed: int) -> Path:
    """Write ``periods`` months from ``start`` (``YYYY-MM``) of the 0.5° archive under ``root``.

    The seed is that of the demo ocean, as in ``build_demo_archive``; returns ``root``.
    """
    for folder in ARCHIVE_FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    ocean = DemoOcean(seed)
    write_bathymetry(root / FINE_BATHYMETRY_FILE, upsample(ocean.elevation), seed, grid=FINE)
    write_demo_ancillary(root, ocean, seed)
    for month in month_range(start, periods):
        fields = fine_fields(ocean.month(month), month)
        files = fine_month_files(month)
        colour = {"PIC": fields.pic, "PAR": fields.par, "KD490": fields.kd490, "POC": fields.poc}
        for param, values in colour.items():
            write_globcolour(root / files[param], param, month, values, seed)
        write_nasa_sst(root / files["SST"], month, fields.sst, seed)
        write_copernicus_pp(root / files["PP"], month, fields.npp, seed)
    return root


def fine_catalog(demo_catalog: Path, target: Path) -> Path:
    """Write ``catalogs/demo.yaml`` as ``target``, its gridded entries on the 0.5° file names.

    ``target`` goes beside the demo catalog's place (its URLs are relative to it).
    """
    raw = yaml.safe_load(demo_catalog.read_text())
    for entry, convention in CATALOG_CONVENTIONS.items():
        args = raw["sources"][entry]["args"]
        args["urlpath"] = renamed(args["urlpath"], convention)
    raw["metadata"]["title"] = "picpump demo archive, 0.5 degree test fixture"
    target.write_text(yaml.safe_dump(raw, sort_keys=False))
    return target


def short_spec(pipeline: Path, target: Path, period: tuple[str, str], resolution: float) -> Path:
    """Write the spec ``pipeline`` as ``target``, on ``period`` (first, last month) and a grid."""
    raw = yaml.safe_load(pipeline.read_text())
    raw["period"] = {"start": period[0], "end": period[1]}
    raw["grid"] = {"resolution": resolution}
    target.write_text(yaml.safe_dump(raw, sort_keys=False))
    return target
