"""Sun, seasons, sea ice and climate indices of the demo ocean, on the canonical 1° grid."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from picpump.demo.geography import LAT, lon_window
from picpump.demo.naming import Month

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

SOLAR_CONSTANT = 1361.0
"""Total solar irradiance [W m-2]."""
PAR_PHOTONS_PER_DAY = 0.43 * 4.57e-6 * 86400.0
"""Daily-mean shortwave [W m-2] → PAR [mol photons m-2 d-1]: PAR share × µmol J-1 × s d-1."""
LOW_SUN_ZENITH = 78.0
"""Ocean colour is missing where the noon solar zenith angle exceeds this [degrees]."""


def seasonal_peak(month: float, peak: Array | float, width: float) -> Array:
    """Return a Gaussian bump over the calendar (months, periodic), 1 at ``peak``."""
    distance = (month - np.asarray(peak) + 6.0) % 12.0 - 6.0
    return np.asarray(np.exp(-0.5 * (distance / width) ** 2))


def solar_declination(day_of_year: float) -> float:
    """Return the solar declination [degrees] on a day of the year."""
    return float(23.44 * np.sin(2.0 * np.pi * (day_of_year - 81.0) / 365.0))


def toa_insolation(day_of_year: float) -> Array:
    """Return the daily-mean insolation at the top of the atmosphere [W m-2] on the grid.

    Parameters
    ----------
    day_of_year : float
        Day of the year.

    Returns
    -------
    numpy.ndarray
        Insolation, 0 in the polar night, shape (180, 360).
    """
    phi = np.deg2rad(LAT)
    delta = np.deg2rad(solar_declination(day_of_year))
    eccentricity = 1.0 + 0.033 * np.cos(2.0 * np.pi * day_of_year / 365.0)
    h0 = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    daily = h0 * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.sin(h0)
    return np.asarray(SOLAR_CONSTANT / np.pi * eccentricity * np.maximum(daily, 0.0))


def enso_index(decimal_year: float) -> float:
    """Return an ENSO-like index (about ±2; the 1997-98 El Niño is the first peak)."""
    t = decimal_year - 1997.95
    return float(1.2 * np.cos(2 * np.pi * t / 3.7) + 0.6 * np.cos(2 * np.pi * t / 5.6))


def sea_ice(month: Month) -> Mask:
    """Return the sea-ice cover of a month: poleward of an ice edge that follows the season.

    The Antarctic edge moves between 60°S (September) and 70°S (March), the Arctic one
    between 66°N (March) and 80°N (September), 6° further north in the Atlantic sector.
    """
    phase = 2.0 * np.pi * (month.month - 3) / 12.0
    south = -65.0 - 5.0 * np.cos(phase)
    north = 73.0 - 7.0 * np.cos(phase) + 6.0 * lon_window(-30.0, 60.0, edge=15.0)
    return np.asarray((LAT < south) | (LAT > north))


def logistic(x: Array) -> Array:
    """Return ``1 / (1 + exp(−1.7 x))``, within 0.01 of the standard normal CDF of ``x``."""
    return np.asarray(1.0 / (1.0 + np.exp(-1.7 * x)))


__all__ = [
    "LOW_SUN_ZENITH",
    "PAR_PHOTONS_PER_DAY",
    "SOLAR_CONSTANT",
    "enso_index",
    "logistic",
    "sea_ice",
    "seasonal_peak",
    "solar_declination",
    "toa_insolation",
]
