r"""Exact overlap weights of rectilinear latitude/longitude grids (separable: lat × lon).

Latitude overlaps are in :math:`\sin\varphi` (proportional to area), longitude overlaps in
degrees, modulo 360°; their product is the overlap area up to :math:`R^2\pi/180`
(Jones 1999, doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2). Used by
:func:`picpump.science.regrid_rectilinear.regrid_conservative`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Float64Array = NDArray[np.float64]


def axis_edges(centres: ArrayLike, limit: float | None = None) -> Float64Array:
    """Cell edges of a rectilinear axis: midpoints between centres, ends half a step out.

    Parameters
    ----------
    centres : array_like
        Ascending cell centres [degrees].
    limit : float, optional
        Clip the edges to ±``limit`` (90 for latitude).

    Returns
    -------
    ndarray of float64, shape (n + 1,)
        The edges.
    """
    c = np.asarray(centres, dtype=np.float64)
    mids = (c[1:] + c[:-1]) / 2.0
    edges = np.concatenate([[c[0] - (mids[0] - c[0])], mids, [c[-1] + (c[-1] - mids[-1])]])
    return edges if limit is None else np.clip(edges, -limit, limit)


def lat_overlap(source_edges: ArrayLike, target_edges: ArrayLike) -> Float64Array:
    r"""Overlap of target and source latitude bands: :math:`\sin\varphi_N - \sin\varphi_S`.

    Parameters
    ----------
    source_edges, target_edges : array_like
        Ascending edges [degrees_north].

    Returns
    -------
    ndarray of float64, shape (n_target, n_source)
        Overlaps, 0 where the bands do not meet.
    """
    s = np.sin(np.deg2rad(np.asarray(source_edges, dtype=np.float64)))
    t = np.sin(np.deg2rad(np.asarray(target_edges, dtype=np.float64)))
    top = np.minimum(t[1:, None], s[None, 1:])
    bottom = np.maximum(t[:-1, None], s[None, :-1])
    return np.asarray(np.clip(top - bottom, 0.0, None), dtype=np.float64)


def lon_overlap(source_edges: ArrayLike, target_edges: ArrayLike) -> Float64Array:
    """Overlap [degrees] of target and source longitude intervals, modulo 360°.

    Parameters
    ----------
    source_edges, target_edges : array_like
        Ascending edges [degrees_east].

    Returns
    -------
    ndarray of float64, shape (n_target, n_source)
        Overlaps, summed over the source shifted by −360°, 0 and +360°.
    """
    s = np.asarray(source_edges, dtype=np.float64)
    t = np.asarray(target_edges, dtype=np.float64)
    out = np.zeros((t.size - 1, s.size - 1))
    for shift in (-360.0, 0.0, 360.0):
        east = np.minimum(t[1:, None], s[None, 1:] + shift)
        west = np.maximum(t[:-1, None], s[None, :-1] + shift)
        out += np.clip(east - west, 0.0, None)
    return out


def np_regrid_conservative(
    values: ArrayLike,
    lat_weights: ArrayLike,
    lon_weights: ArrayLike,
    min_fraction: float = 0.0,
    fraction: bool = False,
) -> NDArray[Any]:
    r"""Regrid the last two axes with separable overlap weights, NaN-aware.

    .. math:: \bar x_{ij} = \frac{\sum_{ab} L_{ia} x_{ab} M_{jb}}
              {\sum_{ab\ \mathrm{valid}} L_{ia} M_{jb}}

    with :math:`L` the latitude overlaps (:func:`lat_overlap`) and :math:`M` the longitude
    overlaps (:func:`lon_overlap`) (Jones 1999,
    doi:10.1175/1520-0493(1999)127<2204:FASOCR>2.0.CO;2).

    Parameters
    ----------
    values : array_like, shape (..., n_lat_source, n_lon_source)
        Field; NaN is missing.
    lat_weights : array_like, shape (n_lat_target, n_lat_source)
        Latitude overlaps.
    lon_weights : array_like, shape (n_lon_target, n_lon_source)
        Longitude overlaps.
    min_fraction : float, default 0.0
        Share of the target cell's area that must be valid, else NaN.
    fraction : bool, default False
        Return the valid share of each target cell's area instead of the mean.

    Returns
    -------
    ndarray, shape (..., n_lat_target, n_lon_target)
        Means (float32 for float32 input) or valid fractions (float64).
    """
    x = np.asarray(values)
    lat_w = np.asarray(lat_weights, dtype=np.float64)
    lon_w = np.asarray(lon_weights, dtype=np.float64)
    valid = np.isfinite(x)
    covered = lat_w.sum(axis=1)[:, None] * lon_w.sum(axis=1)[None, :]
    valid_area = lat_w @ valid.astype(np.float64) @ lon_w.T
    if fraction:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(covered > 0, valid_area / covered, 0.0))
    weighted = lat_w @ np.where(valid, x, 0.0).astype(np.float64) @ lon_w.T
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = weighted / valid_area
    keep = (valid_area > 0) & (valid_area >= min_fraction * covered * (1 - 1e-12))
    return np.where(keep, mean, np.nan).astype(np.result_type(x.dtype, np.float32))


__all__ = ["axis_edges", "lat_overlap", "lon_overlap", "np_regrid_conservative"]
