"""Regular cell-centred latitude/longitude grids in the canonical orientation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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


__all__ = ["Grid"]
