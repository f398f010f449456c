r"""Ensemble statistics: spread maps across members, and attribution of the spread.

:func:`np_spread_maps` gives the across-member median, 5–95 % range and relative spread of
the members' maps (from :mod:`picpump.science.ensemble_members`). :func:`attribution` splits
the spread of a scalar result over the factors: the first-order (main-effect) index of each factor

.. math:: S_f = \frac{\operatorname{Var}_{x_f}\left(E[Y \mid x_f]\right)}{\operatorname{Var}(Y)}
          \in [0, 1]

(an ANOVA on the full factorial; Sobol 1993, Math. Model. Comput. Exp. 1:407), and the
one-at-a-time effects around the baseline member.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api.types import is_numeric_dtype


def np_nan_quantiles(values: NDArray[Any], q: Sequence[float]) -> NDArray[np.float64]:
    """Quantiles over axis 0 skipping NaN (numpy's ``linear`` method), vectorised.

    Same values as ``np.nanquantile(values, q, axis=0)`` without its per-cell Python loop;
    cells with no valid value give NaN, without warnings.

    Parameters
    ----------
    values : ndarray, shape (n, ...)
        The samples along axis 0.
    q : sequence of float
        Probabilities in [0, 1].

    Returns
    -------
    ndarray of float64, shape (len(q), ...)
        The quantiles.
    """
    ordered = np.sort(values.astype(np.float64), axis=0)  # NaN sorts last
    valid = np.isfinite(ordered).sum(axis=0)
    out = np.full((len(q), *ordered.shape[1:]), np.nan)
    for k, p in enumerate(q):
        position = p * np.maximum(valid - 1, 0)
        low = np.floor(position).astype(np.intp)
        high = np.minimum(low + 1, np.maximum(valid - 1, 0))
        below = np.take_along_axis(ordered, low[None], axis=0)[0]
        above = np.take_along_axis(ordered, high[None], axis=0)[0]
        value = below + (above - below) * (position - low)
        out[k] = np.where(valid > 0, value, np.nan)
    return out


def np_spread_maps(annual: NDArray[Any]) -> dict[str, NDArray[np.float32]]:
    """Across-member median, 5 % and 95 % quantiles and relative spread of (member, ...) maps.

    Parameters
    ----------
    annual : ndarray, shape (member, ...)
        One map per member; NaN is missing.

    Returns
    -------
    dict of str to ndarray of float32
        ``median``, ``p05``, ``p95`` and ``relative_spread`` = (p95 − p05) / median (NaN where
        the median is not positive or every member is missing).
    """
    quantiles = np_nan_quantiles(annual, (0.05, 0.5, 0.95))
    p05, median, p95 = quantiles
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(median > 0, (p95 - p05) / median, np.nan)
    out = {"median": median, "p05": p05, "p95": p95, "relative_spread": spread}
    return {k: v.astype(np.float32) for k, v in out.items()}


def _groups(values: pd.Series) -> pd.Series:
    """Group labels of a factor: its levels, or equal-count bins of a continuous sample."""
    if not is_numeric_dtype(values) or values.nunique() <= max(2, len(values) // 2):
        return values.astype(str)
    bins = max(2, int(round(np.sqrt(len(values)))))
    return pd.qcut(values.rank(method="first"), bins, labels=False).astype(str)


def _baseline(levels: pd.DataFrame, base: Mapping[str, Any]) -> int:
    """Index of the member closest to the base settings (equal names, nearest parameters).

    Each factor adds at most 1 to a member's distance; a parameter missing on either side
    (a variant without it) adds 1.
    """
    distance = np.zeros(len(levels))
    for name, column in levels.items():
        target = base.get(str(name))
        if not is_numeric_dtype(column):
            distance += (column != target).to_numpy() * 1.0
            continue
        values = column.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a column of NaN only
            span = float(np.nanmax(values) - np.nanmin(values)) or 1.0
        gap = np.abs(values - (np.nan if target is None else float(target))) / span
        distance += np.nan_to_num(np.minimum(gap, 1.0), nan=1.0)
    return int(np.argmin(distance))


def attribution(
    levels: pd.DataFrame, result: Sequence[float], base: Mapping[str, Any]
) -> pd.DataFrame:
    """Split the spread of a scalar result over the factors.

    Parameters
    ----------
    levels : pandas.DataFrame
        One row per member, one column per factor (variant names or parameter values).
    result : sequence of float
        The result of each member (e.g. mean global production).
    base : mapping
        The base setting of each factor (the spec's variants and parameters).

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor``, ``levels``, ``first_order_index`` (in [0, 1]),
        ``main_effect_min``/``max`` (extreme conditional means), ``oat_min``/``oat_max``
        (the result when only this factor moves from the baseline member), ``baseline``.
    """
    y = pd.Series(np.asarray(result, dtype=np.float64), index=levels.index)
    total = float(y.var(ddof=0))
    anchor = _baseline(levels, base)
    rows = []
    for name in levels.columns:
        groups = _groups(levels[name])
        means = y.groupby(groups).mean()
        between = float((y.groupby(groups).transform("mean") - y.mean()).pow(2).mean())
        others = levels.drop(columns=name)
        same = (others == others.iloc[anchor]).all(axis=1) if len(others.columns) else y > -np.inf
        oat = y[same]
        rows.append(
            {
                "factor": str(name),
                "levels": int(groups.nunique()),
                "first_order_index": min(1.0, between / total) if total > 0 else 0.0,
                "main_effect_min": float(means.min()),
                "main_effect_max": float(means.max()),
                "oat_min": float(oat.min()),
                "oat_max": float(oat.max()),
                "baseline": float(y.iloc[anchor]),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "attribution",
    "np_nan_quantiles",
    "np_spread_maps",
]
