"""The demo ocean: smooth, physically shaped monthly fields and their gaps.

Each month is a deterministic function of the seed and of the month itself (its index
since 1997-09), not of the months built before it: a short archive holds the same values as
the matching months of the full one. Variability comes from smooth random fields on nodes
a few degrees apart, interpolated in space and between knots a few months apart in time;
there is no cell-to-cell noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from picpump.demo.climate import (
    LOW_SUN_ZENITH,
    PAR_PHOTONS_PER_DAY,
    enso_index,
    logistic,
    sea_ice,
    seasonal_peak,
    solar_declination,
    toa_insolation,
)
from picpump.demo.geography import (
    LAT,
    bathymetry,
    blob,
    cell_distance,
    land_mask,
    lon_window,
    smooth_noise,
    smoothstep,
)
from picpump.demo.naming import Month

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

# Random streams (one independent generator per stream and knot).
_STATIC, _CHL, _SST, _CLOUDINESS, _OC_GAPS, _SST_GAPS, _BLOOMS = range(7)

# Subtropical gyres: (lat, lon, lat width, lon width) [degrees].
_GYRES = (
    (24, -150, 8, 32),
    (22, 165, 7, 18),
    (-24, -125, 9, 35),
    (27, -47, 8, 22),
    (-22, -18, 8, 18),
    (-27, 80, 8, 30),
)
# Eastern-boundary and monsoon upwelling: (lat, lon, lat width, lon width, peak month).
_UPWELLING = (
    (36, -123, 7, 5, 6.0),
    (-14, -78, 9, 5, 8.0),
    (24, -17, 7, 5, 4.0),
    (-24, 13, 7, 5, 10.0),
    (13, 53, 5, 7, 7.5),
)


@dataclass(frozen=True)
class MonthFields:
    """One month of the demo ocean on the canonical grid; NaN where the product is missing.

    Attributes
    ----------
    par : numpy.ndarray
        PAR [mol photons m-2 d-1].
    sst : numpy.ndarray
        SST [degC].
    kd490 : numpy.ndarray
        Kd490 [m-1].
    pic : numpy.ndarray
        PIC [mol m-3].
    poc : numpy.ndarray
        POC [mg m-3].
    npp : numpy.ndarray
        Net primary production [mg C m-2 d-1].
    """

    par: Array
    sst: Array
    kd490: Array
    pic: Array
    poc: Array
    npp: Array


class DemoOcean:
    """The demo ocean of one seed: static geography plus monthly fields.

    Parameters
    ----------
    seed : int
        Seed of every random structure.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self.land = land_mask()
        self.ocean = ~self.land
        rng = self._rng(_STATIC, 0)
        self.elevation = bathymetry(self.land, rng)
        coast = cell_distance(self.land).astype(np.float64)
        self.coast = np.where(self.ocean, np.exp(-(coast - 1.0) / 1.5), 0.0)
        near_coast = np.where(self.ocean, np.exp(-(coast - 1.0) / 2.5), 0.0)
        self.gyres = np.clip(sum((blob(*g) for g in _GYRES), np.zeros(LAT.shape)), 0.0, 1.0)
        band = np.exp(-0.5 * (LAT / 3.5) ** 2)
        self.equatorial = band * (lon_window(-165.0, -82.0) + 0.6 * lon_window(-25.0, 8.0))
        self.upwelling = [(blob(*u[:4]) * near_coast, u[4]) for u in _UPWELLING]
        self.bloom_patches = tuple(
            np.clip(0.9 + 0.4 * smooth_noise(rng, 5.0), 0.3, 1.4) for _ in range(2)
        )
        self.boundary_currents = (
            2.5 * blob(37, -68, 3, 10) + 2.0 * blob(34, 145, 3, 10) + blob(0, 150, 10, 30)
        )
        self.enso_region = np.exp(-0.5 * (LAT / 6.0) ** 2) * lon_window(-170.0, -82.0, 12.0)
        self.bloom_regions = (
            blob(57.0, -25.0, 5.0, 22.0),
            np.exp(-0.5 * ((LAT + 48.0) / 6.0) ** 2),
            blob(72.0, 35.0, 3.0, 12.0),
        )
        self._cache: dict[tuple[int, int, float], Array] = {}

    def _rng(self, stream: int, knot: int) -> np.random.Generator:
        """Return the generator of one stream at one knot."""
        return np.random.default_rng([self.seed, stream, knot + 100_000])

    def _knot_field(self, stream: int, knot: int, scale: float) -> Array:
        """Return (and keep a few of) the smooth random fields of a stream's knots."""
        key = (stream, knot, scale)
        if key not in self._cache:
            if len(self._cache) > 48:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = smooth_noise(self._rng(stream, knot), scale)
        return self._cache[key]

    def evolving_noise(self, stream: int, month: Month, scale: float, knot_months: int) -> Array:
        """Return unit-variance smooth noise that evolves through knots ``knot_months`` apart.

        Parameters
        ----------
        stream : int
            Random stream.
        month : Month
            The month.
        scale : float
            Spatial scale [degrees].
        knot_months : int
            Months between independent knots (1: independent every month).

        Returns
        -------
        numpy.ndarray
            The noise field.
        """
        position = month.index / knot_months
        knot = int(np.floor(position))
        weight = float(smoothstep(position - knot, 0.0, 1.0))
        before = self._knot_field(stream, knot, scale)
        if weight == 0.0:
            return before
        after = self._knot_field(stream, knot + 1, scale)
        norm = np.hypot(1.0 - weight, weight)
        return np.asarray(((1.0 - weight) * before + weight * after) / norm)

    def par(self, month: Month, insolation: Array) -> Array:
        """Return PAR [mol photons m-2 d-1]: insolation × cloud transmission × PAR share."""
        cloudiness = (
            0.42
            + 0.22 * np.exp(-0.5 * ((LAT - 6.0) / 6.0) ** 2)
            - 0.22 * np.exp(-0.5 * ((np.abs(LAT) - 22.0) / 8.0) ** 2)
            + 0.28 * smoothstep(np.abs(LAT), 35.0, 60.0)
            + 0.06 * self.evolving_noise(_CLOUDINESS, month, 15.0, 1)
        )
        transmission = np.clip(0.80 - 0.55 * cloudiness, 0.38, 0.75)
        return np.asarray(insolation * transmission * PAR_PHOTONS_PER_DAY)

    def sst(self, month: Month) -> Array:
        """Return SST [degC]: latitude profile, lagged seasons, upwelling, ENSO, trend."""
        coslat = np.cos(np.deg2rad(LAT))
        base = -1.8 + 29.8 * coslat**1.6 - 5.0 * smoothstep(-LAT, 42.0, 62.0)
        amplitude = 0.8 + 4.0 * np.exp(-0.5 * ((np.abs(LAT) - 42.0) / 14.0) ** 2)
        north = np.cos(2.0 * np.pi * (month.month - 8.3) / 12.0)
        south = np.cos(2.0 * np.pi * (month.month - 2.3) / 12.0)
        season = amplitude * (north * smoothstep(LAT, -5.0, 5.0) + south * smoothstep(-LAT, -5, 5))
        upwelling = sum((u for u, _ in self.upwelling), np.zeros(LAT.shape))
        sst = (
            base
            + season
            + 1.4 * enso_index(month.decimal_year) * self.enso_region
            - 2.5 * self.equatorial
            - 3.5 * upwelling
            + self.boundary_currents
            + 0.018 * (month.decimal_year - 2010.0)
            + 0.35 * self.evolving_noise(_SST, month, 10.0, 2)
        )
        return np.asarray(np.clip(sst, -1.8, 32.0))

    def chlorophyll(self, month: Month, insolation: Array) -> Array:
        """Return chlorophyll [mg m-3], the basis of Kd490, POC, PIC and NPP."""
        m = float(month.month)
        alat = np.abs(LAT)
        el_nino = max(enso_index(month.decimal_year), 0.0)
        upwelling = sum(
            (u * (0.7 + 0.3 * np.cos(2 * np.pi * (m - peak) / 12)) for u, peak in self.upwelling),
            np.zeros(LAT.shape),
        )
        north = smoothstep(LAT, 38.0, 48.0) * (1.0 - smoothstep(LAT, 70.0, 80.0))
        south = smoothstep(-LAT, 38.0, 48.0) * (1.0 - smoothstep(-LAT, 66.0, 75.0))
        darkness = 1.0 - np.clip(insolation / 450.0, 0.0, 1.0)
        log_chl = (
            -0.45
            - 0.85 * self.gyres
            + 0.45 * self.equatorial * (1.0 - 0.35 * el_nino)
            + 0.95 * upwelling
            + 0.85 * self.coast
            + 0.15 * smoothstep(alat, 35.0, 55.0)
            + 0.65 * north * seasonal_peak(m, 4.0 + (LAT - 40.0) / 12.0, 1.3)
            + 0.35 * south * seasonal_peak(m, 11.0 + (alat - 40.0) / 15.0, 1.6)
            - 0.35 * smoothstep(alat, 40.0, 65.0) * darkness
            + 0.12 * self.evolving_noise(_CHL, month, 6.0, 3)
        )
        return np.asarray(np.clip(10.0**log_chl, 0.02, 20.0))

    def calcite(self, month: Month, chl: Array) -> Array:
        """Return PIC [mol m-3]: a chlorophyll background plus coccolithophore blooms.

        Blooms: the North Atlantic subpolar gyre (50–65°N, peaking in June, later further
        north), the Barents Sea (August) and the Great Calcite Belt (40–60°S,
        December–January), all patchy and changing from year to year.
        """
        m = float(month.month)
        background = 1.0e-5 + 1.1e-4 * chl**0.9 / (1.0 + chl / 8.0)
        yearly = np.clip(1.0 + 0.3 * self.evolving_noise(_BLOOMS, month, 25.0, 12), 0.5, 1.4)
        atlantic, belt, barents = self.bloom_regions
        atlantic = atlantic * seasonal_peak(m, 6.0 + (LAT - 57.0) / 15.0, 1.0)
        belt = belt * seasonal_peak(m, 12.5, 1.4)
        barents = barents * seasonal_peak(m, 8.0, 0.9)
        blooms = (
            7.0e-4 * atlantic * self.bloom_patches[0]
            + 4.5e-4 * belt * self.bloom_patches[1]
            + 5.0e-4 * barents * self.bloom_patches[0]
        )
        return np.asarray(np.maximum(background + blooms * yearly * self.ocean, 1.0e-5))

    def gaps(self, month: Month, insolation: Array) -> tuple[Mask, Mask, Mask]:
        """Return the valid cells of the ocean colour, SST and NPP products.

        Ocean colour: not land, not under sea ice, a noon sun higher than
        ``90 − LOW_SUN_ZENITH`` degrees, and not under a cloud gap (spatially coherent,
        about 4 % of the subtropics to 30 % at high latitudes). SST: not land, not under ice,
        a quarter of the cloud gaps. NPP (gap-filled L4): not land, not in the polar night.

        Parameters
        ----------
        month : Month
            The month.
        insolation : numpy.ndarray
            Daily-mean top-of-atmosphere insolation of the month [W m-2].

        Returns
        -------
        tuple of numpy.ndarray of bool
            Valid cells of ocean colour (PIC, PAR, KD490, POC), SST and NPP.
        """
        alat = np.abs(LAT)
        low_sun = np.abs(LAT - solar_declination(month.mid_day_of_year)) > LOW_SUN_ZENITH
        ice = sea_ice(month)
        chance = (
            0.04
            + 0.24 * smoothstep(alat, 30.0, 65.0)
            + 0.10 * np.exp(-0.5 * ((LAT - 6.0) / 6.0) ** 2)
        )
        clouds = logistic(self.evolving_noise(_OC_GAPS, month, 7.0, 1)) > 1.0 - chance
        sst_clouds = logistic(self.evolving_noise(_SST_GAPS, month, 7.0, 1)) > 1.0 - chance / 4
        night = insolation < 15.0
        colour = self.ocean & ~ice & ~low_sun & ~clouds
        return colour, self.ocean & ~ice & ~sst_clouds, self.ocean & ~night

    def month(self, month: Month) -> MonthFields:
        """Return every field of a month, NaN where the product has no value.

        Kd490 follows chlorophyll through Morel et al. (2007), ``0.0166 + 0.0773 chl^0.6715``;
        POC is ``95 chl^0.55`` mg m-3; NPP is a saturating function of chlorophyll scaled by
        light (``PAR / (PAR + 4.1)``) and temperature.

        Parameters
        ----------
        month : Month
            The month.

        Returns
        -------
        MonthFields
            The fields on the canonical grid (lat ascending).
        """
        insolation = toa_insolation(month.mid_day_of_year)
        par, sst = self.par(month, insolation), self.sst(month)
        chl = self.chlorophyll(month, insolation)
        kd490 = 0.0166 + 0.0773 * chl**0.6715
        poc = 95.0 * chl**0.55
        light = par / (par + 4.1)
        warmth = 0.55 + 0.45 * np.clip((sst + 2.0) / 32.0, 0.0, 1.0)
        npp = 1050.0 * chl**0.6 / (1.0 + chl / 20.0) * light * warmth
        colour, sst_ok, npp_ok = self.gaps(month, insolation)
        return MonthFields(
            par=_masked(par, colour),
            sst=_masked(sst, sst_ok),
            kd490=_masked(kd490, colour),
            pic=_masked(self.calcite(month, chl), colour),
            poc=_masked(poc, colour),
            npp=_masked(npp, npp_ok),
        )


def _masked(values: Array, valid: Mask) -> Array:
    """Return ``values`` with NaN outside ``valid``."""
    return np.asarray(np.where(valid, values, np.nan))


__all__ = ["DemoOcean", "MonthFields"]
