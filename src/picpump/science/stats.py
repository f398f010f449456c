r"""Correlations and regressions of the trap matchups: Fig. 5 and Fig. 6 / Table S4 of the paper.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §3.3–3.4). Every function reads the table of
:func:`picpump.science.matchup.match_traps`, keeps the good rows (``qc == ""``, or flags all
in ``allow_flags``: by default ``undated``, rows matched with the annual means) and says in
the returned frame's ``attrs`` which choices it made (transform, predictor, significance
level). The efficiencies of Fig. 7 are in :mod:`picpump.science.efficiency`.

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

from picpump.errors import SpecError, explain
from picpump.science._matchup_rows import usable_matchups
from picpump.science.layers import DEPTH_LABELS as LAYER_LABELS
from picpump.science.matchup import FLAG_UNDATED

Predictor = Literal["ez_pic_production", "npp"]
PREDICTOR_COLUMNS: dict[str, str] = {"ez_pic_production": "production", "npp": "npp"}
"""Column of the matchup table that holds each predictor."""
FLUX_COLUMN = "pic_flux"
LOG10_DEFAULTS: dict[str, dict[str, Any]] = {
    "pearson_by_layer": {"log10": True, "source": "[V] paper §3.3, Fig. 5: log-transformed"},
    "regression_by_region_layer": {
        "log10": False,
        "source": "[D] paper §3.4, Fig. 6, Table S4 state no transform; slope in flux units "
        "per production unit",
    },
}
"""The default transform of each statistic and where it comes from."""
ALLOW_FLAGS = (FLAG_UNDATED,)
"""Flags the statistics tolerate by default (undated rows, matched with annual means)."""


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
    good = usable_matchups(matchups, (flux, *PREDICTOR_COLUMNS.values()), allowed)
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
    good = usable_matchups(matchups, (flux, column, "region"), allowed)
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


__all__ = [
    "ALLOW_FLAGS",
    "FLUX_COLUMN",
    "LOG10_DEFAULTS",
    "PREDICTOR_COLUMNS",
    "pearson_by_layer",
    "regression_by_region_layer",
]
