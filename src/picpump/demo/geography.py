"""Static geography of the demo ocean: grid, land, distance to the coast, regions, bathymetry.

Everything is on the canonical 1° grid (lat ascending −89.5…89.5, lon −179.5…179.5);
the writers flip latitude where a file convention wants it descending.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from picpump.errors import InputError, explain
from picpump.grid import Grid

Array = NDArray[np.float64]

GRID = Grid(1.0)
LAT, LON = np.meshgrid(GRID.lat, GRID.lon, indexing="ij")
"""Cell-centre latitude and longitude [degrees], shape (180, 360)."""


SHIPPED_LAND_MASK = Path(__file__).with_name("land_mask_1deg.npy")
""":func:`computed_land_mask` at 3 subsamples, packed bits (``np.packbits``), shipped."""


@cache
def land_mask(subsamples: int = 3) -> NDArray[np.bool_]:
    """Return the 1° land mask: the shipped copy, else :func:`computed_land_mask`.

    The default mask is read from :data:`SHIPPED_LAND_MASK` (8 kB, made by
    :func:`computed_land_mask`; a test checks that the two agree): loading the package's
    1 km mask takes seconds, most of a demo build's fixed cost.

    Parameters
    ----------
    subsamples : int, optional
        Points per cell side.

    Returns
    -------
    numpy.ndarray of bool
        True on land, shape (180, 360); read-only.
    """
    if subsamples == 3 and SHIPPED_LAND_MASK.is_file():
        bits = np.load(SHIPPED_LAND_MASK, allow_pickle=False)
        mask = np.unpackbits(bits, count=LAT.size).reshape(LAT.shape).astype(bool)
        mask.setflags(write=False)
        return mask
    return computed_land_mask(subsamples)


def computed_land_mask(subsamples: int = 3) -> NDArray[np.bool_]:
    """Return the 1° land mask from the ``global-land-mask`` package.

    A cell is land when at least half of ``subsamples × subsamples`` points spread evenly
    inside it are land. Loading the package's 1 km mask takes seconds; the returned array
    is read-only.

    Parameters
    ----------
    subsamples : int, optional
        Points per cell side.

    Returns
    -------
    numpy.ndarray of bool
        True on land, shape (180, 360).

    Raises
    ------
    InputError
        When ``global-land-mask`` is not installed.
    """
    try:
        from global_land_mask import globe
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError(
            explain(
                "the demo archive draws its coastlines from the global-land-mask package",
                "global_land_mask is not installed",
                "pip install 'picpump[demo]'",
            )
        ) from exc
    offsets = (np.arange(subsamples) + 0.5) / subsamples - 0.5
    votes = np.zeros(LAT.shape)
    for dy in offsets:
        for dx in offsets:
            votes += globe.is_land(LAT + dy, LON + dx)
    mask = np.asarray(votes >= subsamples * subsamples / 2.0)
    mask.setflags(write=False)
    return mask


def _dilate(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Grow a mask by one cell in the 8 directions (longitude wraps, latitude does not)."""
    rows = mask.copy()
    rows[1:] |= mask[:-1]
    rows[:-1] |= mask[1:]
    return np.asarray(rows | np.roll(rows, 1, axis=1) | np.roll(rows, -1, axis=1))


def cell_distance(mask: NDArray[np.bool_], limit: int = 12) -> NDArray[np.int64]:
    """Return the distance in cells (8-connected) to the nearest True cell of ``mask``.

    Parameters
    ----------
    mask : numpy.ndarray of bool
        The target cells (distance 0).
    limit : int, optional
        Distances are capped at this value.

    Returns
    -------
    numpy.ndarray of int
        Distance in cells, 0 on the mask, at most ``limit``.
    """
    distance = np.full(mask.shape, limit, dtype=np.int64)
    reached = mask.copy()
    distance[reached] = 0
    for step in range(1, limit):
        grown = _dilate(reached)
        distance[grown & ~reached] = step
        reached = grown
    return distance


def smoothstep(x: Array | float, low: float, high: float) -> Array:
    """Return the cubic smooth step from 0 (``x ≤ low``) to 1 (``x ≥ high``)."""
    t = np.clip((np.asarray(x, dtype=np.float64) - low) / (high - low), 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t))


def wrapped_lon_difference(lon: Array, lon0: float) -> Array:
    """Return ``lon − lon0`` wrapped to −180…180 degrees."""
    return np.asarray((lon - lon0 + 180.0) % 360.0 - 180.0)


def blob(lat0: float, lon0: float, lat_width: float, lon_width: float) -> Array:
    """Return a Gaussian bump of height 1 centred on (``lat0``, ``lon0``) [degrees]."""
    dlat = (LAT - lat0) / lat_width
    dlon = wrapped_lon_difference(LON, lon0) / lon_width
    return np.asarray(np.exp(-0.5 * (dlat * dlat + dlon * dlon)))


def lon_window(west: float, east: float, edge: float = 8.0) -> Array:
    """Return 1 between ``west`` and ``east`` (degrees east), fading out over ``edge``."""
    centre = west + wrapped_lon_difference(np.asarray(east), west) / 2.0
    half = abs(float(wrapped_lon_difference(np.asarray(east), west))) / 2.0
    distance = np.abs(wrapped_lon_difference(LON, float(centre)))
    return np.asarray(1.0 - smoothstep(distance, half, half + edge))


def polyline_distance(points: Sequence[tuple[float, float]]) -> Array:
    """Return the distance [degrees, longitude scaled by cos lat] of each cell to a polyline.

    Parameters
    ----------
    points : sequence of (lat, lon)
        Vertices of the line; a segment may cross the dateline (the shorter way round).

    Returns
    -------
    numpy.ndarray
        Distance in degrees of latitude, shape (180, 360).
    """
    best = np.full(LAT.shape, np.inf)
    coslat = np.cos(np.deg2rad(LAT))
    for (lat_a, lon_a), (lat_b, lon_b) in zip(points[:-1], points[1:], strict=True):
        ax = float(wrapped_lon_difference(np.asarray(lon_b), lon_a)) * coslat
        ay = lat_b - lat_a
        px, py = wrapped_lon_difference(LON, lon_a) * coslat, LAT - lat_a
        t = np.clip((px * ax + py * ay) / np.maximum(ax * ax + ay * ay, 1e-9), 0.0, 1.0)
        best = np.minimum(best, np.hypot(px - t * ax, py - t * ay))
    return np.asarray(best)


def smooth_noise(rng: np.random.Generator, scale: float) -> Array:
    """Return a smooth random field of zero mean and unit standard deviation.

    Normal values on nodes every ``scale`` degrees are interpolated to the grid with
    smooth-step weights (longitude periodic), so the field has structures of about ``scale``
    degrees and no cell-to-cell noise.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the node values.
    scale : float
        Node spacing [degrees].

    Returns
    -------
    numpy.ndarray
        The field, shape (180, 360).
    """
    nlat = int(np.ceil(180.0 / scale)) + 1
    nlon = max(int(round(360.0 / scale)), 3)
    nodes = rng.standard_normal((nlat, nlon))
    y = (GRID.lat + 90.0) / (180.0 / (nlat - 1))
    x = (GRID.lon + 180.0) / (360.0 / nlon)
    i0 = np.minimum(np.floor(y).astype(int), nlat - 2)
    j0 = np.floor(x).astype(int) % nlon
    wy = smoothstep(y - i0, 0.0, 1.0)[:, None]
    wx = smoothstep(x - np.floor(x), 0.0, 1.0)[None, :]
    j1 = (j0 + 1) % nlon
    south = nodes[i0][:, j0] * (1 - wx) + nodes[i0][:, j1] * wx
    north = nodes[i0 + 1][:, j0] * (1 - wx) + nodes[i0 + 1][:, j1] * wx
    field = south * (1 - wy) + north * wy
    return np.asarray((field - field.mean()) / field.std())


# Mid-ocean ridges as (lat, lon) polylines: Mid-Atlantic, East Pacific Rise, Indian Ocean
# ridges and the Pacific-Antarctic ridge.
RIDGES: tuple[tuple[tuple[float, float], ...], ...] = (
    ((66, -18), (52, -30), (35, -36), (15, -45), (0, -20), (-20, -13), (-40, -16), (-54, -5)),
    ((20, -108), (10, -104), (-10, -110), (-30, -112), (-45, -113), (-55, -120)),
    ((12, 58), (-10, 67), (-25, 70), (-40, 45), (-52, 20)),
    ((-25, 70), (-40, 80), (-48, 100), (-50, 125), (-55, 145), (-60, 170)),
    ((-60, 170), (-63, -170), (-58, -140), (-55, -120)),
)

# Broad continental shelves (lat, lon, lat width, lon width): Siberian/Barents, North Sea,
# Patagonia, Sunda, Yellow/East China Sea, Bering, Grand Banks, Arafura.
WIDE_SHELVES: tuple[tuple[float, float, float, float], ...] = (
    (75, 120, 5, 40),
    (74, 40, 4, 20),
    (56, 3, 4, 6),
    (-47, -63, 5, 5),
    (3, 108, 5, 6),
    (33, 123, 5, 5),
    (60, -172, 4, 8),
    (45, -52, 3, 5),
    (-10, 135, 3, 6),
)


def bathymetry(land: NDArray[np.bool_], rng: np.random.Generator) -> Array:
    """Return a demo elevation [m, positive up]: abyssal plains, ridges, shelves and land.

    Parameters
    ----------
    land : numpy.ndarray of bool
        Land mask.
    rng : numpy.random.Generator
        Source of the smooth relief.

    Returns
    -------
    numpy.ndarray
        Elevation, shape (180, 360): land > 0, continental shelves −40…−190 m, slopes, and
        ocean basins about −3 000 to −5 500 m with ridges near −2 500 m.
    """
    relief = smooth_noise(rng, 12.0)
    shelf_noise = smooth_noise(rng, 6.0)
    abyss = -4600.0 + 450.0 * relief
    for ridge in RIDGES:
        abyss += 2000.0 * np.exp(-0.5 * (polyline_distance(ridge) / 5.0) ** 2)
    coast = cell_distance(land, limit=12).astype(np.float64)
    wide = sum((blob(*shelf) for shelf in WIDE_SHELVES), np.zeros(LAT.shape))
    shelf_width = 1.0 + 4.0 * np.clip(wide, 0.0, 1.0) + (shelf_noise > 0.6)
    shelf_depth = -110.0 + 60.0 * np.tanh(shelf_noise)
    beyond = np.maximum(coast - shelf_width, 0.0)
    ocean = shelf_depth + (abyss - shelf_depth) * (1.0 - np.exp(-beyond / 1.2))
    ocean = np.where(coast <= shelf_width, shelf_depth, np.minimum(ocean, -250.0))
    inland = cell_distance(~land, limit=12).astype(np.float64)
    ice_sheet = 2500.0 * smoothstep(-LAT, 68.0, 80.0)
    ground = 30.0 + 120.0 * inland + 400.0 * np.abs(relief) + ice_sheet
    return np.asarray(np.where(land, ground, ocean))


__all__ = [
    "GRID",
    "LAT",
    "LON",
    "bathymetry",
    "blob",
    "cell_distance",
    "SHIPPED_LAND_MASK",
    "computed_land_mask",
    "land_mask",
    "lon_window",
    "polyline_distance",
    "smooth_noise",
    "smoothstep",
    "wrapped_lon_difference",
]
