"""Regular cell-centred latitude/longitude grids in the canonical orientation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import GridError, explain


@dataclass(frozen=True)
class Grid:
    """A global regular grid: lat ascending, lon −180…180, cell centres.

    Parameters
    ----------
    resolution : float
        Cell size in degrees (1.0, 0.25, 1/12 for 9 km, 1/24 for 4 km).
    """

    resolution: float

    def __post_init__(self) -> None:
        n = 180.0 / self.resolution
        if self.resolution <= 0 or abs(n - round(n)) > 1e-6:
            raise GridError(
                explain(
                    "grid resolution must divide 180° into a whole number of cells",
                    f"resolution {self.resolution!r}°",
                    "use e.g. 1, 0.5, 0.25, 1/12 (9 km) or 1/24 (4 km)",
                )
            )

    @classmethod
    def from_spec(cls, value: float | str) -> Grid:
        """Build a grid from a spec value: degrees, or ``"1deg"``, ``"9km"``, ``"4km"``.

        Parameters
        ----------
        value : float or str
            Resolution in degrees or a named resolution.

        Returns
        -------
        Grid
            The grid.
        """
        named = {"1deg": 1.0, "0.5deg": 0.5, "0.25deg": 0.25, "9km": 1 / 12, "4km": 1 / 24}
        if isinstance(value, str):
            if value not in named:
                raise GridError(
                    explain(
                        f"a named grid resolution must be one of {sorted(named)}",
                        repr(value),
                        "give the resolution in degrees (e.g. 0.25) or one of those names",
                    )
                )
            return cls(named[value])
        return cls(float(value))

    @property
    def nlat(self) -> int:
        """Number of latitude rows."""
        return round(180.0 / self.resolution)

    @property
    def nlon(self) -> int:
        """Number of longitude columns."""
        return 2 * self.nlat

    @property
    def shape(self) -> tuple[int, int]:
        """``(nlat, nlon)``."""
        return (self.nlat, self.nlon)

    @property
    def lat(self) -> NDArray[np.float64]:
        """Latitude of cell centres, ascending [degrees_north]."""
        return np.asarray(-90.0 + self.resolution * (np.arange(self.nlat) + 0.5), dtype=np.float64)

    @property
    def lon(self) -> NDArray[np.float64]:
        """Longitude of cell centres, −180…180 [degrees_east]."""
        return np.asarray(-180.0 + self.resolution * (np.arange(self.nlon) + 0.5), dtype=np.float64)

    def coords(self, with_bounds: bool = True) -> dict[str, xr.Variable]:
        """Return the ``lat`` and ``lon`` coordinates with their CF attributes.

        Parameters
        ----------
        with_bounds : bool, default True
            Name the variables of :meth:`bounds` in a ``bounds`` attribute (only when they are
            written beside the coordinates).

        Returns
        -------
        dict of str to xarray.Variable
            ``lat`` and ``lon`` (cell centres), each with ``standard_name``, ``long_name``,
            ``units`` and ``axis`` (and ``bounds``); for ``xr.DataArray(coords=...)`` or
            ``assign_coords``.
        """
        drop = () if with_bounds else ("bounds",)
        return {
            name: xr.Variable(
                name, values, {k: v for k, v in COORD_ATTRS[name].items() if k not in drop}
            )
            for name, values in (("lat", self.lat), ("lon", self.lon))
        }

    def bounds(self) -> dict[str, xr.Variable]:
        """Return the cell edges: ``lat_bnds`` (nlat, 2) and ``lon_bnds`` (nlon, 2).

        Returns
        -------
        dict of str to xarray.Variable
            Dims ``(lat, bnds)`` and ``(lon, bnds)``: lower and upper edge of each cell,
            contiguous, from −90 to 90 and −180 to 180 [degrees_north, degrees_east].
        """
        out = {}
        for name, low, n in (("lat", -90.0, self.nlat), ("lon", -180.0, self.nlon)):
            edges = np.linspace(low, -low, n + 1)
            units = COORD_ATTRS[name]["units"]
            pairs = np.stack([edges[:-1], edges[1:]], axis=1)
            out[f"{name}_bnds"] = xr.Variable((name, BOUNDS_DIM), pairs, {"units": units})
        return out


BOUNDS_DIM = "bnds"
"""Dimension of the two edges of a cell in :meth:`Grid.bounds`."""

COORD_ATTRS: dict[str, dict[str, str]] = {
    "lat": {
        "standard_name": "latitude",
        "long_name": "latitude",
        "units": "degrees_north",
        "axis": "Y",
        "bounds": "lat_bnds",
    },
    "lon": {
        "standard_name": "longitude",
        "long_name": "longitude",
        "units": "degrees_east",
        "axis": "X",
        "bounds": "lon_bnds",
    },
}
"""CF attributes of the ``lat`` and ``lon`` coordinates (:meth:`Grid.coords`)."""


__all__ = ["BOUNDS_DIM", "COORD_ATTRS", "Grid"]
