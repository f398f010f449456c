r"""Export pathways of the gravitational pump by latitude (paper Fig. 7b).

Nowicki et al. 2022 (Global Biogeochem. Cycles 36, e2021GB007083, doi:10.1029/2021GB007083)
split the gravitational pump into zooplankton fecal pellets (≈85 % globally) and phytoplankton
aggregates (≈15 %). Their grid is regridded conservatively to the product grid
(:func:`pathways_on_grid`), then averaged over latitude bands, weighted by cell area:

.. math:: \bar f_{band} = \sum_{c \in band} f_c A_c \Big/ \sum_{c \in band} A_c

over the cells with a valid value (Toullec 2026, doi:10.5194/bg-23-4361-2026, Fig. 7b).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from picpump.errors import GridError, SpecError, explain
from picpump.grid import Grid
from picpump.science.regrid_rectilinear import regrid_conservative

PATHWAYS = ("fecal_pellets", "aggregates")
COLUMNS = ["lat_min", "lat_max", *PATHWAYS, "n_cells"]


def pathways_on_grid(fractions: xr.Dataset, grid: Grid, min_fraction: float = 0.0) -> xr.Dataset:
    """Regrid the pathway fractions conservatively to ``grid`` (lazy).

    Parameters
    ----------
    fractions : xarray.Dataset
        ``fecal_pellets`` and ``aggregates`` [1] on any rectilinear (lat, lon) grid.
    grid : Grid
        The product grid (normally 1°).
    min_fraction : float, default 0.0
        Share of a target cell's area that must be covered by valid source cells.

    Returns
    -------
    xarray.Dataset
        The fractions on ``grid``, attributes kept.
    """
    return xr.Dataset(
        {
            name: regrid_conservative(da, grid, min_fraction=min_fraction)
            for name, da in fractions.data_vars.items()
        }
    )


def _bands(band_deg: float) -> np.ndarray:
    n = 180.0 / band_deg if band_deg > 0 else 0.5
    if abs(n - round(n)) > 1e-9 or round(n) < 1:
        raise SpecError(
            explain(
                "band_deg must divide 180° into a whole number of bands",
                repr(band_deg),
                "use e.g. 5, 10, 15 or 20",
            )
        )
    return np.asarray(np.linspace(-90.0, 90.0, round(n) + 1))


def pathways_by_latitude(
    fractions: xr.Dataset,
    band_deg: float = 10.0,
    *,
    area: xr.DataArray,
    ocean: xr.DataArray | None = None,
) -> pd.DataFrame:
    r"""Area-weighted mean pathway fractions per latitude band (Fig. 7b).

    .. math:: \bar f_{band} = \sum f_c A_c \Big/ \sum A_c \quad (c\ \mathrm{valid})

    (Toullec 2026, doi:10.5194/bg-23-4361-2026; Nowicki et al. 2022,
    doi:10.1029/2021GB007083). A cell belongs to the band holding its centre,
    ``lat_min ≤ lat < lat_max`` (the last band includes 90°). Returns a table, so it computes
    its (small) inputs.

    Parameters
    ----------
    fractions : xarray.Dataset
        ``fecal_pellets`` and ``aggregates`` [1], (lat, lon), on the grid of ``area``.
    band_deg : float, default 10.0
        Band height [degrees]; must divide 180.
    area : xarray.DataArray
        Cell areas [m2], (lat, lon).
    ocean : xarray.DataArray, optional
        Boolean (lat, lon) mask of the cells to use (e.g. the open ocean).

    Returns
    -------
    pandas.DataFrame
        Columns ``lat_min``, ``lat_max``, ``fecal_pellets``, ``aggregates`` (NaN in a band
        without valid cells) and ``n_cells`` (cells with a valid fecal-pellet fraction); one row
        per band, south to north.

    Raises
    ------
    GridError
        When ``fractions`` and ``area`` are not on the same grid.
    SpecError
        For a band height that does not divide 180°, or missing pathway variables.
    """
    missing = [p for p in PATHWAYS if p not in fractions]
    if missing:
        raise SpecError(
            explain(
                f"the pathway fractions need the variables {list(PATHWAYS)}",
                f"missing {missing}",
                "read them with picpump.io.ancillary.pathways.read_pathways",
            )
        )
    edges = _bands(band_deg)
    try:
        data, weights = xr.align(fractions[list(PATHWAYS)], area, join="exact")
    except ValueError as err:
        raise GridError(
            explain(
                "the pathway fractions and the cell areas must share one grid",
                str(err).splitlines()[0],
                "regrid the fractions first (pathways_on_grid)",
            )
        ) from err
    if ocean is not None:
        weights = weights.where(ocean.astype(bool), 0.0)
    band = np.clip(np.searchsorted(edges, data["lat"].values, side="right") - 1, 0, edges.size - 2)
    data = data.transpose("lat", "lon").load()
    weights = weights.transpose("lat", "lon").astype(np.float64).load()
    table = _band_sums(data, weights, band, edges.size - 1)
    table.insert(0, "lat_max", edges[1:])
    table.insert(0, "lat_min", edges[:-1])
    return table[COLUMNS]


def _band_sums(
    data: xr.Dataset, weights: xr.DataArray, band: np.ndarray, n_bands: int
) -> pd.DataFrame:
    """Weighted means and valid counts per band (numpy, on loaded data)."""
    w = np.asarray(weights.values, dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    for name in PATHWAYS:
        x = np.asarray(data[name].values, dtype=np.float64)
        valid = np.isfinite(x) & (w > 0)
        num = np.bincount(band, np.where(valid, x * w, 0.0).sum(axis=1), n_bands)
        den = np.bincount(band, np.where(valid, w, 0.0).sum(axis=1), n_bands)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(den > 0, num / den, np.nan)
        if name == PATHWAYS[0]:
            out["n_cells"] = np.bincount(band, valid.sum(axis=1), n_bands).astype(np.int64)
    return pd.DataFrame(out)


__all__ = ["COLUMNS", "PATHWAYS", "pathways_by_latitude", "pathways_on_grid"]
