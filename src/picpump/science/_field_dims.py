"""Dimension check shared by the regridding wrappers: fields end in (lat, lon)."""

from __future__ import annotations

import xarray as xr

from picpump.errors import GridError, explain


def check_lat_lon_last(da: xr.DataArray, name: str) -> None:
    """Raise when ``da`` does not end in the dims (lat, lon).

    Parameters
    ----------
    da : xarray.DataArray
        The input field.
    name : str
        The function that checks it (named in the message).

    Raises
    ------
    GridError
        When the last two dims are not ``("lat", "lon")``.
    """
    if da.dims[-2:] != ("lat", "lon"):
        raise GridError(
            explain(
                f"{name} works on (..., lat, lon) fields",
                f"dims {da.dims}",
                "transpose the field: da.transpose(..., 'lat', 'lon')",
            )
        )


__all__ = ["check_lat_lon_last"]
