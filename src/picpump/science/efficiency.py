r"""PIC export and transfer efficiencies of the trap matchups per latitude band (paper Fig. 7).

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §3.4). :func:`efficiency_by_latitude` reads the
table of :func:`picpump.science.matchup.match_traps`, keeps the good rows (``qc == ""``, or
flags all in ``allow_flags``: by default ``undated``, rows matched with the annual means),
computes E_eff and T_eff per band with bootstrap percentile intervals, and records in the
returned frame's ``attrs`` which choices it made (ratio definition, bands, seed). The ratio
definitions are :data:`EFFICIENCY_DEFINITIONS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from picpump.errors import SpecError, explain
from picpump.science._matchup_rows import usable_matchups
from picpump.science.stats import ALLOW_FLAGS, FLUX_COLUMN

Ratio = Literal["of_means", "mean_of_ratios"]
EXPORT_LAYERS = ("0-100",)
MESO_LAYERS = ("100-500", "500-1000")
EFFICIENCY_DEFINITIONS: dict[str, dict[str, str]] = {
    "of_means": {
        "e_eff": "mean(F_0-100) / mean(P_0-100)",
        "t_eff": "mean(F_100-1000) / mean(F_0-100)",
    },
    "mean_of_ratios": {
        "e_eff": "mean(F_0-100 / P_0-100)",
        "t_eff": "mean(F_100-1000 / P_100-1000) / mean(F_0-100 / P_0-100)",
    },
    "common": {
        "F": "PIC flux [mg C m-2 d-1] of good trap (and 234Th) rows, layer by trap depth",
        "P": "EZ PIC production [mg C m-2 d-1] matched to the same row (monthly "
        "climatology at the mid-point month; annual mean for undated rows)",
        "bands": "latitude bands of band_deg from -90, lower edge inclusive, by trap latitude",
        "means": "annual means: every row of the band, all months pooled",
        "ci": "bootstrap percentile interval: rows resampled with replacement within the "
        "band, 0-100 m and 100-1000 m rows independently; no interval below 2 rows",
        "status": "[D] the paper does not give the exact ratio (SCIENCE.md §7 item 6)",
    },
}
"""Definitions of PIC E_eff and T_eff, recorded in the output metadata."""
_BOOT_BLOCK = 1 << 22


def _boot_means(
    rng: np.random.Generator, values: NDArray[np.float64], n_boot: int
) -> NDArray[np.float64]:
    """Means of bootstrap resamples of the columns of ``values`` (rows resampled together).

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    values : ndarray, shape (k, n)
        ``k`` variables over the same ``n`` rows.
    n_boot : int
        Number of resamples.

    Returns
    -------
    ndarray, shape (k, n_boot)
        The mean of each variable in each resample.
    """
    k, n = values.shape
    out = np.empty((k, n_boot))
    block = max(1, _BOOT_BLOCK // max(n, 1))
    for first in range(0, n_boot, block):
        last = min(first + block, n_boot)
        index = rng.integers(0, n, size=(last - first, n))
        out[:, first:last] = values[:, index].mean(axis=-1)
    return out


def _ratios(
    export: NDArray[np.float64], meso: NDArray[np.float64], ratio: Ratio
) -> tuple[Any, Any]:
    """E_eff and T_eff from the means of (F, P, F/P) over export rows and (F, F/P) over meso."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if ratio == "of_means":
            return export[0] / export[1], meso[0] / export[0]
        return export[2], meso[1] / export[2]


def _interval(samples: NDArray[np.float64], ci: float) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return np.nan, np.nan
    low, high = np.percentile(finite, [50 * (1 - ci), 50 * (1 + ci)])
    return float(low), float(high)


def _band_efficiency(
    export: NDArray[np.float64],
    meso: NDArray[np.float64],
    rng: np.random.Generator,
    *,
    n_boot: int,
    ci: float,
    ratio: Ratio,
) -> tuple[float, ...]:
    """Point estimates and intervals of one band (``export`` (3, n), ``meso`` (2, m))."""
    nan2 = (np.nan, np.nan)
    n_export, n_meso = export.shape[1], meso.shape[1]
    e_eff = t_eff = np.nan
    if n_export > 0:
        meso_means = meso.mean(axis=1) if n_meso > 0 else np.full(meso.shape[0], np.nan)
        e_eff, t_eff = _ratios(export.mean(axis=1), meso_means, ratio)
    e_ci = t_ci = nan2
    if n_export >= 2 and n_boot > 0:
        boot_export = _boot_means(rng, export, n_boot)
        boot_e, _ = _ratios(boot_export, boot_export[:2], ratio)
        e_ci = _interval(boot_e, ci)
        if n_meso >= 2:
            _, boot_t = _ratios(boot_export, _boot_means(rng, meso, n_boot), ratio)
            t_ci = _interval(boot_t, ci)
    return (float(e_eff), *e_ci, n_export, float(t_eff), *t_ci, n_meso)


def _check_efficiency_options(band_deg: float, n_boot: int, ci: float, ratio: str) -> None:
    problems = []
    if not 0 < band_deg <= 180:
        problems.append(f"band_deg={band_deg!r} (0 < band_deg ≤ 180)")
    if n_boot < 0:
        problems.append(f"n_boot={n_boot!r} (≥ 0)")
    if not 0 < ci < 1:
        problems.append(f"ci={ci!r} (0 < ci < 1)")
    if ratio not in ("of_means", "mean_of_ratios"):
        problems.append(f"ratio={ratio!r} (of_means or mean_of_ratios)")
    if problems:
        raise SpecError(
            explain(
                "efficiency options must lie in their ranges",
                "; ".join(problems),
                "e.g. band_deg=10, n_boot=1000, ci=0.95, ratio='of_means'",
            )
        )


def efficiency_by_latitude(
    matchups: pd.DataFrame,
    *,
    band_deg: float = 10.0,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    ratio: Ratio = "of_means",
    flux: str = FLUX_COLUMN,
    production: str = "production",
    allow_flags: Iterable[str] = ALLOW_FLAGS,
) -> pd.DataFrame:
    """PIC export efficiency E_eff and transfer efficiency T_eff per latitude band (Fig. 7).

    Definitions in :data:`EFFICIENCY_DEFINITIONS` (recorded in ``attrs``). Good rows with a
    finite flux and a finite positive production are used.

    Parameters
    ----------
    matchups : pandas.DataFrame
        Output of :func:`~picpump.science.matchup.match_traps`.
    band_deg : float, default 10
        Width of the latitude bands [degrees], from −90; the last band ends at 90.
    n_boot : int, default 1000
        Bootstrap resamples (0: no intervals).
    seed : int, default 0
        Seed of the :class:`numpy.random.Generator`; the same seed gives the same intervals.
    ci : float, default 0.95
        Coverage of the percentile intervals.
    ratio : {"of_means", "mean_of_ratios"}
        Which ratio definition to use.
    flux, production : str
        Columns of the flux F and the production P [mg C m-2 d-1].
    allow_flags : iterable of str, default ("undated",)
        Flags tolerated in ``qc``.

    Returns
    -------
    pandas.DataFrame
        One row per band: ``lat_min``, ``lat_max``, ``e_eff``, ``e_eff_low``, ``e_eff_high``,
        ``n_export`` (0–100 m rows), ``t_eff``, ``t_eff_low``, ``t_eff_high``, ``n_meso``
        (100–1000 m rows). Empty bands give NaN.
    """
    _check_efficiency_options(band_deg, n_boot, ci, ratio)
    allowed = sorted(allow_flags)
    good = usable_matchups(matchups, (flux, production, "lat"), allowed)
    f = pd.to_numeric(good[flux], errors="coerce").to_numpy(dtype=np.float64)
    p = pd.to_numeric(good[production], errors="coerce").to_numpy(dtype=np.float64)
    lat = pd.to_numeric(good["lat"], errors="coerce").to_numpy(dtype=np.float64)
    usable = np.isfinite(f) & np.isfinite(p) & (p > 0) & np.isfinite(lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.stack([f, p, f / p])
    lat_min = np.arange(-90.0, 90.0, band_deg)
    band = np.clip(np.floor((lat + 90.0) / band_deg), 0, lat_min.size - 1)
    is_export = usable & good["layer"].isin(EXPORT_LAYERS).to_numpy()
    is_meso = usable & good["layer"].isin(MESO_LAYERS).to_numpy()
    rng = np.random.default_rng(seed)
    rows = []
    for i, low in enumerate(lat_min):
        in_band = band == i
        stats = _band_efficiency(
            values[:, is_export & in_band],
            values[[0, 2]][:, is_meso & in_band],
            rng,
            n_boot=n_boot,
            ci=ci,
            ratio=ratio,
        )
        rows.append((low, min(low + band_deg, 90.0), *stats))
    columns = ["lat_min", "lat_max", "e_eff", "e_eff_low", "e_eff_high", "n_export"]
    out = pd.DataFrame(rows, columns=[*columns, "t_eff", "t_eff_low", "t_eff_high", "n_meso"])
    out.attrs = {
        "ratio": ratio,
        "definition": {**EFFICIENCY_DEFINITIONS[ratio], **EFFICIENCY_DEFINITIONS["common"]},
        "band_deg": band_deg,
        "n_boot": n_boot,
        "seed": seed,
        "ci": ci,
        "flux": flux,
        "production": production,
        "allow_flags": allowed,
    }
    return out


__all__ = [
    "EFFICIENCY_DEFINITIONS",
    "EXPORT_LAYERS",
    "MESO_LAYERS",
    "efficiency_by_latitude",
]
