"""NASA OB.DAAC Level-3 mapped monthly SST files, as the genuine L3m files are laid out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
from numpy.typing import NDArray

from picpump.demo.geography import GRID
from picpump.demo.naming import Month
from picpump.demo.netcdf import (
    DATE_CREATED,
    atomic_dataset,
    filled,
    set_attrs,
    synthetic_attrs,
    write_axes,
)

Array = NDArray[np.float64]

FILL = -32767.0
"""``_FillValue`` of the geophysical variable."""
SST_UNITS = "degree_C"
"""Units of ``sst`` as spelled in NASA L3m SST files."""

AXES: dict[str, dict[str, Any]] = {
    "lat": {
        "long_name": "Latitude",
        "units": "degrees_north",
        "standard_name": "latitude",
        "_FillValue": np.float32(-999.0),
        "valid_min": np.float32(-90.0),
        "valid_max": np.float32(90.0),
    },
    "lon": {
        "long_name": "Longitude",
        "units": "degrees_east",
        "standard_name": "longitude",
        "_FillValue": np.float32(-999.0),
        "valid_min": np.float32(-180.0),
        "valid_max": np.float32(180.0),
    },
}

SST_ATTRS: dict[str, Any] = {
    "long_name": "Sea Surface Temperature",
    "units": SST_UNITS,
    "standard_name": "sea_surface_temperature",
    "valid_min": np.float32(-2.0),
    "valid_max": np.float32(45.0),
    "display_scale": "linear",
    "display_min": np.float32(-2.0),
    "display_max": np.float32(45.0),
}


def _grid_attrs() -> dict[str, Any]:
    """Return the map attributes of a global 1° L3m file."""
    half = GRID.resolution / 2
    return {
        "map_projection": "Equidistant Cylindrical",
        "latitude_units": "degrees_north",
        "longitude_units": "degrees_east",
        "northernmost_latitude": np.float32(90.0),
        "southernmost_latitude": np.float32(-90.0),
        "westernmost_longitude": np.float32(-180.0),
        "easternmost_longitude": np.float32(180.0),
        "geospatial_lat_max": np.float32(90.0),
        "geospatial_lat_min": np.float32(-90.0),
        "geospatial_lon_max": np.float32(180.0),
        "geospatial_lon_min": np.float32(-180.0),
        "grid_mapping_name": "latitude_longitude",
        "latitude_step": np.float32(GRID.resolution),
        "longitude_step": np.float32(GRID.resolution),
        "sw_point_latitude": np.float32(-90.0 + half),
        "sw_point_longitude": np.float32(-180.0 + half),
        "geospatial_lon_resolution": np.float32(111.32),
        "geospatial_lat_resolution": np.float32(111.32),
        "geospatial_lat_units": "degrees_north",
        "geospatial_lon_units": "degrees_east",
        "spatialResolution": "111.32 km",
        "number_of_lines": np.int32(GRID.nlat),
        "number_of_columns": np.int32(GRID.nlon),
    }


def global_attrs(month: Month, values: Array, name: str) -> dict[str, Any]:
    """Return the global attributes of a NASA L3m monthly SST file.

    Parameters
    ----------
    month : Month
        The month.
    values : numpy.ndarray
        SST (for ``data_bins``, ``data_minimum``, ``data_maximum``).
    name : str
        The file name (``product_name``).

    Returns
    -------
    dict
        Attribute name → value, in the order of the genuine files.
    """
    valid = values[np.isfinite(values)]
    low, high = (float(valid.min()), float(valid.max())) if valid.size else (0.0, 0.0)
    return {
        "product_name": name,
        "instrument": "MODIS",
        "title": "MODIS Level-3 Standard Mapped Image",
        "project": "synthetic (NASA OB.DAAC file layout)",
        "platform": "Aqua",
        "temporal_range": "month",
        "processing_version": "demo",
        "date_created": DATE_CREATED,
        "time_coverage_start": f"{month.first:%Y-%m-%d}T00:00:00.000Z",
        "time_coverage_end": f"{month.last:%Y-%m-%d}T23:59:59.000Z",
        **_grid_attrs(),
        "measure": "Mean",
        "suggested_image_scaling_minimum": np.float32(-2.0),
        "suggested_image_scaling_maximum": np.float32(45.0),
        "suggested_image_scaling_type": "LINEAR",
        "suggested_image_scaling_applied": "No",
        "Conventions": "CF-1.6 ACDD-1.3",
        "institution": "synthetic (NASA OB.DAAC file layout)",
        "standard_name_vocabulary": "CF Standard Name Table v36",
        "processing_level": "L3 Mapped",
        "cdm_data_type": "grid",
        "keywords": "Earth Science > Oceans > Ocean Temperature > Sea Surface Temperature",
        "keywords_vocabulary": "NASA Global Change Master Directory (GCMD) Science Keywords",
        "data_bins": np.int32(valid.size),
        "data_minimum": np.float32(low),
        "data_maximum": np.float32(high),
    }


def _processing_control(ds: netCDF4.Dataset, name: str) -> None:
    """Add the ``processing_control`` group of L3m files (the mapping parameters)."""
    group = ds.createGroup("processing_control")
    set_attrs(group, {"software_name": "picpump demo build", "software_version": "1"})
    inputs = group.createGroup("input_parameters")
    set_attrs(
        inputs,
        {
            "ofile": name,
            "product": "sst",
            "resolution": "1deg",
            "projection": "smi",
            "north": "90.000",
            "south": "-90.000",
            "east": "180.000",
            "west": "-180.000",
        },
    )


def palette() -> NDArray[np.uint8]:
    """Return a 256-colour blue-to-red ramp, shape (rgb=3, eightbitcolor=256)."""
    x = np.linspace(0.0, 1.0, 256)
    rgb = np.stack([np.clip(1.5 - np.abs(4.0 * x - c), 0.0, 1.0) for c in (3.0, 2.0, 1.0)])
    return np.asarray(np.round(255 * rgb), dtype=np.uint8)


def write_nasa_sst(path: Path, month: Month, values: Array, seed: int) -> None:
    """Write one NASA OB.DAAC L3m monthly SST file.

    Layout (as in the genuine L3m files): NETCDF4, dims (lat, lon) with latitude
    descending, no time dimension (``time_coverage_start/end``), ``sst`` float32 in
    ``degree_C`` with ``_FillValue`` −32767 and ``valid_min/valid_max``, a ``palette``
    (rgb, eightbitcolor) uint8 variable and a ``processing_control`` group.

    Parameters
    ----------
    path : pathlib.Path
        Final path (its name is the NASA file name).
    month : Month
        The month.
    values : numpy.ndarray
        SST [degC] on the canonical grid, NaN where missing.
    seed : int
        Seed of the archive (recorded in ``history``).
    """
    with atomic_dataset(path) as ds:
        set_attrs(ds, global_attrs(month, values, path.name))
        set_attrs(ds, synthetic_attrs(seed))
        _processing_control(ds, path.name)
        ds.createDimension("lat", GRID.nlat)
        ds.createDimension("lon", GRID.nlon)
        ds.createDimension("rgb", 3)
        ds.createDimension("eightbitcolor", 256)
        sst = ds.createVariable("sst", "f4", ("lat", "lon"), zlib=True, fill_value=np.float32(FILL))
        set_attrs(sst, SST_ATTRS)
        sst[:] = filled(values, FILL, descending=True)
        write_axes(ds, descending=True, attrs=AXES)
        colours = ds.createVariable("palette", "u1", ("rgb", "eightbitcolor"), fill_value=False)
        colours[:] = palette()


__all__ = ["AXES", "FILL", "SST_ATTRS", "SST_UNITS", "global_attrs", "palette", "write_nasa_sst"]
