"""GlobColour (ACRI-ST) L3m monthly files, as in the GlobColour archive."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from picpump.demo.geography import GRID
from picpump.demo.naming import SENSOR_NAMES, Month, globcolour_era, sensor_codes
from picpump.demo.netcdf import atomic_dataset, filled, set_attrs, synthetic_attrs, write_axes
from picpump.grid import Grid

Array = NDArray[np.float64]

FILL = -999.0
"""``_FillValue`` of ``<PARAM>_mean``."""

# Parameter code → (parameter name, units, CF standard name or "", characterised error [%]).
PARAMETERS: dict[str, tuple[str, str, str, float]] = {
    "PIC": (
        "Particulate Inorganic Carbon concentration",
        "mol/m3",
        "mole_concentration_of_calcite_expressed_as_carbon_in_sea_water",
        40.0,
    ),
    "PAR": ("Photosynthetically Available Radiation", "einstein/m2/day", "", 10.0),
    "KD490": (
        "Diffuse attenuation coefficient at 490 nm",
        "m-1",
        "volume_attenuation_coefficient_of_downwelling_radiative_flux_in_sea_water",
        25.0,
    ),
    "POC": (
        "Particulate Organic Carbon concentration",
        "mg/m3",
        "mass_concentration_of_particulate_organic_matter_expressed_as_carbon_in_sea_water",
        35.0,
    ),
}
"""GlobColour parameters, with their units spelled as in GlobColour files."""

AXES: dict[str, dict[str, Any]] = {
    "lat": {"long_name": "latitude", "units": "degrees_north", "axis": "Y"},
    "lon": {"long_name": "longitude", "units": "degrees_east", "axis": "X"},
}


def _valid_extent(values: Array) -> dict[str, np.float32]:
    """Return the extent attributes of the valid cells (the whole globe when none)."""
    rows = np.flatnonzero(np.isfinite(values).any(axis=1))
    cols = np.flatnonzero(np.isfinite(values).any(axis=0))
    if rows.size == 0:
        rows, cols = np.array([0, GRID.nlat - 1]), np.array([0, GRID.nlon - 1])
    half = GRID.resolution / 2
    return {
        "northernmost_latitude": np.float32(GRID.lat[rows[-1]] + half),
        "southernmost_latitude": np.float32(GRID.lat[rows[0]] - half),
        "westernmost_longitude": np.float32(GRID.lon[cols[0]] - half),
        "easternmost_longitude": np.float32(GRID.lon[cols[-1]] + half),
    }


def _sensor_attrs(month: Month) -> dict[str, str]:
    """Return the title and sensor attributes of a month's merge."""
    merge, sensors = globcolour_era(month)
    codes = sensor_codes(sensors)
    names = "/".join(SENSOR_NAMES[c] for c in codes)
    weighted = merge == "AVW"
    return {
        "title": f"GlobColour monthly {'merged ' if weighted else ''}{names} product",
        "sensor_name": "WEIGHTED_AVERAGING" if weighted else "AVERAGING",
        "sensor": "Merged data - weighted mean" if weighted else "Merged data - averaging",
        "sensor_name_list": ",".join(codes),
    }


def _period_attrs(month: Month) -> dict[str, str]:
    """Return the time attributes of a monthly file."""
    return {
        "start_time": f"{month.first:%Y%m%d}T000000Z",
        "end_time": f"{month.last:%Y%m%d}T235959Z",
        "duration_time": f"PT{month.days * 86400 - 1}S",
        "period_start_day": f"{month.first:%Y%m%d}",
        "period_end_day": f"{month.last:%Y%m%d}",
        "period_duration_day": f"P{month.days}D",
    }


def _grid_attrs(values: Array) -> dict[str, Any]:
    """Return the grid and coverage attributes."""
    valid = int(np.isfinite(values).sum())
    return {
        "grid_type": "Equirectangular",
        "spatial_resolution": np.float32(111.3195),
        "nb_equ_bins": np.int32(GRID.nlon),
        "registration": np.int32(5),
        "lat_step": np.float32(GRID.resolution),
        "lon_step": np.float32(GRID.resolution),
        "earth_radius": 6378.137,
        "max_north_grid": np.float32(90.0),
        "max_south_grid": np.float32(-90.0),
        "max_west_grid": np.float32(-180.0),
        "max_east_grid": np.float32(180.0),
        **_valid_extent(values),
        "nb_grid_bins": np.int32(values.size),
        "nb_bins": np.int32(values.size),
        "pct_bins": np.float32(100.0),
        "nb_valid_bins": np.int32(valid),
        "pct_valid_bins": np.float32(100.0 * valid / values.size),
    }


def global_attrs(param: str, month: Month, values: Array, name: str) -> dict[str, Any]:
    """Return the global attributes of a GlobColour L3m monthly file.

    Parameters
    ----------
    param : str
        Parameter code.
    month : Month
        The month.
    values : numpy.ndarray
        The field (for the coverage attributes).
    name : str
        The file name (``product_name``).

    Returns
    -------
    dict
        Attribute name → value, in the order of the GlobColour files.
    """
    sensors = _sensor_attrs(month)
    return {
        "Conventions": "CF-1.4",
        "title": sensors.pop("title"),
        "product_name": name,
        "product_type": "month",
        "product_version": "demo",
        "product_level": np.int16(3),
        "parameter_code": param,
        "parameter": PARAMETERS[param][0],
        "parameter_algo_list": "synthetic demo field",
        "site_name": "GLOB",
        **sensors,
        **_period_attrs(month),
        **_grid_attrs(values),
        "software_name": "picpump demo build",
        "software_version": "1",
        "institution": "synthetic (GlobColour ACRI-ST file layout)",
        "DPM_reference": "GC-UD-ACRI-PUG",
        "IODD_reference": "GC-UD-ACRI-PUG",
        "references": "http://www.globcolour.info",
    }


def write_globcolour(
    path: Path,
    param: str,
    month: Month,
    values: Array,
    seed: int,
    *,
    grid: Grid = GRID,
    attrs: Mapping[str, Any] | None = None,
) -> None:
    """Write one GlobColour L3m monthly file: ``<PARAM>_mean``, ``_flags`` and ``_error``.

    Layout: 2-D (lat, lon) with latitude descending, no time dimension (the month is in
    the name and the ``period_start_day``/``period_end_day`` attributes), float
    ``<PARAM>_mean`` with ``_FillValue`` −999.

    Parameters
    ----------
    path : pathlib.Path
        Final path (its name is the GlobColour file name).
    param : str
        Parameter code (``PIC``, ``PAR``, ``KD490``, ``POC``).
    month : Month
        The month.
    values : numpy.ndarray
        The field on the canonical grid, NaN where missing.
    seed : int
        Seed of the archive (recorded in ``history``).
    grid : Grid, optional
        The grid of ``values``; default the demo archive's 1° grid.
    attrs : mapping, optional
        The global attributes (before the synthetic ones); default :func:`global_attrs`,
        which describe the 1° grid.
    """
    parameter, units, standard_name, error = PARAMETERS[param]
    dims = ("lat", "lon")
    with atomic_dataset(path) as ds:
        write_axes(ds, descending=True, attrs=AXES, grid=grid)
        mean = ds.createVariable(f"{param}_mean", "f4", dims, zlib=True, fill_value=FILL)
        var_attrs: dict[str, Any] = {"standard_name": standard_name} if standard_name else {}
        var_attrs |= {"long_name": f"{parameter} - Mean of the binned pixels", "units": units}
        set_attrs(mean, var_attrs | {"pct_characterised_error": np.float32(error)})
        mean[:] = filled(values, FILL, descending=True)
        flags = ds.createVariable(f"{param}_flags", "i2", dims, zlib=True, fill_value=np.int16(0))
        flags.setncattr("long_name", f"{parameter} - Flags")
        err = ds.createVariable(f"{param}_error", "i2", dims, zlib=True, fill_value=-32768)
        set_attrs(err, {"long_name": f"{parameter} - Error estimation", "units": "0.01%"})
        err[:] = np.where(np.isfinite(values[::-1]), int(error * 100), -32768).astype(np.int16)
        set_attrs(ds, global_attrs(param, month, values, path.name) if attrs is None else attrs)
        set_attrs(ds, synthetic_attrs(seed))


__all__ = ["FILL", "PARAMETERS", "global_attrs", "write_globcolour"]
