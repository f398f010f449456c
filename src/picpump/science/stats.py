r"""Statistics of the trap matchups: Fig. 5, Fig. 6 / Table S4 and Fig. 7 of the paper.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §3.3–3.4). Every function reads the table of
:func:`picpump.science.matchup.match_traps`, keeps the good rows (``qc == ""``, or flags all
in ``allow_flags``: by default ``undated``, rows matched with the annual means) and says in
the returned frame's ``attrs`` which choices it made (transform, ratio definition, seed).

Transforms. The paper correlates *log-transformed* PIC flux with log-transformed NPP and
production (§3.3, Fig. 5): :func:`pearson_by_layer` defaults to ``log10=True`` [V]. For the
regressions of Fig. 6 / Table S4 the paper states no transform; the slopes are mapped as a
flux-per-production ratio, so :func:`regression_by_region_layer` defaults to ``log10=False``
[D]. Both stay parameters; with ``log10=True`` pairs with a value ≤ 0 are excluded and
counted in ``n_excluded``. Significance is ``p < alpha`` (two-sided; the "p > 0.5" of the
Fig. 5 caption reads as 0.05).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as sps

from picpump.errors import InputError, SpecError, explain
from picpump.science.layers import DEPTH_LABELS as LAYER_LABELS
from picpump.science.layers import depth_layer
from picpump.science.matchup import FLAG_UNDATED
from picpump.science.traps import usable_rows

Predictor = Literal["ez_pic_production", "npp"]
Ratio = Literal["of_means", "mean_of_ratios"]
PREDICTOR_COLUMNS: dict[str, str] = {"ez_pic_production": "production", "npp": "npp"}
"""Column of the matchup table that holds each predictor."""
FLUX_COLUMN = "pic_flux"
EXPORT_LAYERS = ("0-100",)
MESO_LAYERS = ("100-500", "500-1000")
LOG10_DEFAULTS: dict[str, dict[str, Any]] = {
    "pearson_by_layer": {"log10": True, "source": "[V] paper §3.3, Fig. 5: log-transformed"},
    "regression_by_region_layer": {
        "log10": False,
        "source": "[D] paper §3.4, Fig. 6, Table S4 state no transform; slope in flux units "
        "per production unit",
    },
}
"""The default transform of each statistic and where it comes from."""
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
ALLOW_FLAGS = (FLAG_UNDATED,)
"""Flags the statistics tolerate by default (undated rows, matched with annual means)."""
_BOOT_BLOCK = 1 << 22


def _good_rows(
    matchups: pd.DataFrame, columns: tuple[str, ...], allow_flags: Iterable[str]
) -> pd.DataFrame:
    """Usable rows with a ``layer`` column; refuse a table missing a column."""
    depth = "layer" if "layer" in matchups.columns else "trap_depth_m"
    needed = ["qc", depth, *columns]
    missing = [c for c in needed if c not in matchups.columns]
    if missing:
        raise InputError(
            explain(
                f"the statistics read a matchup table with the columns {needed}",
                f"missing {missing}",
                "build the table with picpump.science.matchup.match_traps",
            )
        )
    good = matchups.loc[usable_rows(matchups["qc"], allow_flags)].copy()
    if "layer" not in good.columns:
        good["layer"] = depth_layer(good["trap_depth_m"])
    good["layer"] = good["layer"].astype(str)
    return good


def _pairs(x: Any, y: Any, log10: bool) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Finite pairs, log10-transformed on request; the count of pairs with a value ≤ 0."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    excluded = 0
    if log10:
        positive = (x > 0) & (y > 0)
        excluded = int(np.count_nonzero(keep & ~positive))
        keep &= positive
        return np.log10(x[keep]), np.log10(y[keep]), excluded
    return x[keep], y[keep], excluded


def _pearson(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """Pearson r and two-sided p; NaN below 3 pairs or for a constant variable."""
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return np.nan, np.nan
    result = sps.pearsonr(x, y)
    return float(result.statistic), float(result.pvalue)


def pearson_by_layer(
    matchups: pd.DataFrame,
    *,
    log10: bool = True,
    flux: str = FLUX_COLUMN,
    allow_flags: Iterable[str] = ALLOW_FLAGS,
) -> pd.DataFrame:
    """Pearson correlation of PIC flux with production and with NPP, per depth layer (Fig. 5).

    Parameters
    ----------
    matchups : pandas.DataFrame
        Output of :func:`~picpump.science.matchup.match_traps`; good rows only are used.
    log10 : bool, default True
        Correlate log10 values (paper §3.3); pairs with a value ≤ 0 are then excluded.
    flux : str, default "pic_flux"
        Flux column.
    allow_flags : iterable of str, default ("undated",)
        Flags tolerated in ``qc``.

    Returns
    -------
    pandas.DataFrame
        One row per layer (in :data:`LAYER_LABELS` order) and predictor: ``layer``,
        ``predictor`` (``"ez_pic_production"`` or ``"npp"``), ``n`` (pairs used),
        ``n_excluded`` (pairs with a value ≤ 0 under log10), ``r``, ``r2``, ``p``. Below 3
        pairs or with a constant variable the statistics are NaN.
    """
    allowed = sorted(allow_flags)
    good = _good_rows(matchups, (flux, *PREDICTOR_COLUMNS.values()), allowed)
    rows = []
    for layer in LAYER_LABELS:
        sub = good.loc[good["layer"] == layer]
        for predictor, column in PREDICTOR_COLUMNS.items():
            x, y, excluded = _pairs(sub[column], sub[flux], log10)
            r, p = _pearson(x, y)
            rows.append((layer, predictor, x.size, excluded, r, r * r, p))
    out = pd.DataFrame(rows, columns=["layer", "predictor", "n", "n_excluded", "r", "r2", "p"])
    out.attrs = {
        "statistic": "Pearson r (two-sided p)",
        "log10": log10,
        "flux": flux,
        "allow_flags": allowed,
    }
    return out


def _regression(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, ...]:
    """slope, intercept, r, p of y on x; NaN below 3 pairs or for constant x."""
    if x.size < 3 or np.ptp(x) == 0:
        return (np.nan,) * 4
    fit = sps.linregress(x, y)
    return float(fit.slope), float(fit.intercept), float(fit.rvalue), float(fit.pvalue)


def _region_order(good: pd.DataFrame) -> list[str]:
    region = good["region"]
    if isinstance(region.dtype, pd.CategoricalDtype):
        names = [str(c) for c in region.cat.categories]
    else:
        names = sorted(str(v) for v in region.dropna().unique())
    return [n for n in names if n]


def regression_by_region_layer(
    matchups: pd.DataFrame,
    *,
    log10: bool = False,
    alpha: float = 0.05,
    predictor: Predictor = "ez_pic_production",
    flux: str = FLUX_COLUMN,
    allow_flags: Iterable[str] = ALLOW_FLAGS,
) -> pd.DataFrame:
    """Linear regression of PIC flux on production per region and layer (Fig. 6, Table S4).

    Parameters
    ----------
    matchups : pandas.DataFrame
        Output of :func:`~picpump.science.matchup.match_traps` with a ``region`` column;
        good rows with a non-empty region are used.
    log10 : bool, default False
        Regress log10 values; the paper states no transform here [D].
    alpha : float, default 0.05
        Significance level: ``significant = p < alpha``.
    predictor : {"ez_pic_production", "npp"}
        The regressor.
    flux : str, default "pic_flux"
        Flux column (the response).
    allow_flags : iterable of str, default ("undated",)
        Flags tolerated in ``qc``.

    Returns
    -------
    pandas.DataFrame
        One row per region (categories order, else sorted) and layer: ``region``, ``layer``,
        ``n``, ``n_excluded``, ``slope``, ``intercept``, ``r``, ``r2``, ``p``,
        ``significant``. Below 3 pairs or with a constant regressor the statistics are NaN
        and ``significant`` is False.
    """
    if predictor not in PREDICTOR_COLUMNS:
        raise SpecError(
            explain(
                f"the predictor is one of {sorted(PREDICTOR_COLUMNS)}",
                repr(predictor),
                "choose one of them",
            )
        )
    column = PREDICTOR_COLUMNS[predictor]
    allowed = sorted(allow_flags)
    good = _good_rows(matchups, (flux, column, "region"), allowed)
    rows = []
    for region in _region_order(good):
        in_region = good.loc[good["region"].astype(str) == region]
        for layer in LAYER_LABELS:
            sub = in_region.loc[in_region["layer"] == layer]
            x, y, excluded = _pairs(sub[column], sub[flux], log10)
            slope, intercept, r, p = _regression(x, y)
            rows.append((region, layer, x.size, excluded, slope, intercept, r, r * r, p, p < alpha))
    columns = ["region", "layer", "n", "n_excluded", "slope", "intercept", "r", "r2", "p"]
    out = pd.DataFrame(rows, columns=[*columns, "significant"])
    out["significant"] = out["significant"].astype(bool)
    out.attrs = {
        "statistic": f"least-squares regression of {flux} on {predictor} (two-sided p)",
        "log10": log10,
        "alpha": alpha,
        "predictor": predictor,
        "allow_flags": allowed,
    }
    return out


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
    good = _good_rows(matchups, (flux, production, "lat"), allowed)
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
    "ALLOW_FLAGS",
    "EFFICIENCY_DEFINITIONS",
    "EXPORT_LAYERS",
    "LOG10_DEFAULTS",
    "MESO_LAYERS",
    "PREDICTOR_COLUMNS",
    "efficiency_by_latitude",
    "pearson_by_layer",
    "regression_by_region_layer",
]
