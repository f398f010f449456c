"""Copernicus Marine monthly primary-production files (OCEANCOLOUR_GLO_BGC_L4_MY_009_104)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from picpump.demo.naming import COPERNICUS_DATASET, Month
from picpump.demo.netcdf import (
    DATE_CREATED,
    atomic_dataset,
    cf_axes,
    filled,
    set_attrs,
    synthetic_attrs,
    write_axes,
)

Array = NDArray[np.float64]

FILL = -999.0
"""``_FillValue`` of ``PP``."""
PP_UNITS = "milligram m-2 d-1"
"""Units of ``PP`` as spelled in Copernicus Marine ocean-colour files."""
TIME_UNITS = "seconds since 1970-01-01 00:00:00"

PP_ATTRS: dict[str, Any] = {
    "standard_name": "net_primary_productivity_of_biomass_expressed_as_carbon",
    "long_name": "Primary Production - Mean of the binned pixels",
    "units": PP_UNITS,
    "type": "surface",
    "valid_min": np.float32(0.0),
    "valid_max": np.float32(20000.0),
}


def _seconds_since_1970(month: Month) -> int:
    """Return the first instant of a month in seconds since 1970-01-01 (UTC)."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    return int(start.timestamp())


def global_attrs(month: Month) -> dict[str, Any]:
    """Return the global attributes of a Copernicus Marine monthly PP file.

    Parameters
    ----------
    month : Month
        The month.

    Returns
    -------
    dict
        Attribute name → value.
    """
    return {
        "Conventions": "CF-1.8, ACDD-1.3",
        "title": COPERNICUS_DATASET,
        "product_id": "OCEANCOLOUR_GLO_BGC_L4_MY_009_104",
        "dataset_id": COPERNICUS_DATASET,
        "source": "synthetic (Copernicus Marine file layout; the real dataset is at 4 km)",
        "institution": "synthetic (Copernicus Marine / ACRI-ST file layout)",
        "references": "https://doi.org/10.48670/moi-00281",
        "time_coverage_start": f"{month.first:%Y-%m-%d}T00:00:00Z",
        "time_coverage_end": f"{month.last:%Y-%m-%d}T23:59:59Z",
        "time_coverage_duration": "P1M",
        "time_coverage_resolution": "P1M",
        "geospatial_lat_min": np.float32(-90.0),
        "geospatial_lat_max": np.float32(90.0),
        "geospatial_lon_min": np.float32(-180.0),
        "geospatial_lon_max": np.float32(180.0),
        "geospatial_lat_resolution": np.float32(1.0),
        "geospatial_lon_resolution": np.float32(1.0),
        "date_created": DATE_CREATED,
    }


def write_copernicus_pp(path: Path, month: Month, values: Array, seed: int) -> None:
    """Write one Copernicus Marine monthly PP file.

    Layout: dims (time=1, lat, lon), latitude descending (north first, as the L4 files),
    ``time`` in seconds since 1970 (first day of the month), ``PP`` float32 in
    ``milligram m-2 d-1`` with ``_FillValue`` −999 (gap-filled: missing only on land and in
    the polar night), and a ``PP_uncertainty`` companion [%].

    Parameters
    ----------
    path : pathlib.Path
        Final path (its name is the Copernicus file name).
    month : Month
        The month.
    values : numpy.ndarray
        NPP [mg C m-2 d-1] on the canonical grid, NaN where missing.
    seed : int
        Seed of the archive (recorded in ``history``).
    """
    dims = ("time", "lat", "lon")
    with atomic_dataset(path) as ds:
        ds.createDimension("time", 1)
        time = ds.createVariable("time", "i4", ("time",), fill_value=False)
        set_attrs(
            time,
            {
                "standard_name": "time",
                "long_name": "time",
                "units": TIME_UNITS,
                "calendar": "gregorian",
                "axis": "T",
            },
        )
        time[:] = np.array([_seconds_since_1970(month)], dtype=np.int32)
        write_axes(ds, descending=True, attrs=cf_axes())
        pp = ds.createVariable("PP", "f4", dims, zlib=True, fill_value=np.float32(FILL))
        set_attrs(pp, PP_ATTRS)
        pp[:] = filled(values, FILL, descending=True)[None]
        error = ds.createVariable(
            "PP_uncertainty", "f4", dims, zlib=True, fill_value=np.float32(FILL)
        )
        set_attrs(error, {"long_name": "Primary Production - Uncertainty", "units": "%"})
        uncertainty = np.where(np.isfinite(values), 60.0, np.nan)
        error[:] = filled(uncertainty, FILL, descending=True)[None]
        set_attrs(ds, global_attrs(month))
        set_attrs(ds, synthetic_attrs(seed))


__all__ = ["FILL", "PP_ATTRS", "PP_UNITS", "global_attrs", "write_copernicus_pp"]
