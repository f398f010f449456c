"""Figures of a run's structural-uncertainty ensemble (``ensemble.zarr``, ``ensemble_attribution``).

``ens1_spread_map``: across-member median annual PIC production, its relative spread and its
5 % and 95 % maps. ``ens2_tornado``: one-at-a-time effect of each factor on global PIC
production around the default member, with its first-order variance index; the spread of
global production over the members.
"""

from __future__ import annotations

import json
from typing import Any

import cmocean
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from picpump.report.figures.data import RunProducts
from picpump.report.figures.maps import draw_map, map_axes, title
from picpump.report.figures.style import (
    add_colorbar,
    color_norm,
    label_of,
    letter,
    synthetic_note,
)

PRODUCTION = "ez_pic_production"
TOTAL = "global_pic_production"
SPREAD_PANELS = (
    ("median", "across-member median of annual PIC production"),
    ("relative_spread", "relative spread (p95 − p05) / median"),
    ("p05", "5 % quantile over members"),
    ("p95", "95 % quantile over members"),
)
"""Panels of ``ens1_spread_map``: suffix of the ``ez_pic_production_*`` map and its title."""
LOW_COLOR, HIGH_COLOR = cmocean.cm.balance(0.2), cmocean.cm.balance(0.8)


def ens1_spread_map(run: RunProducts) -> Figure:
    """Across-member median annual PIC production, relative spread, 5 % and 95 % maps.

    The median and the two quantiles share one colour scale (logarithmic when they span
    decades), so the maps compare directly.
    """
    ensemble = run.product("ensemble")
    fields = {stat: ensemble[f"{PRODUCTION}_{stat}"].load() for stat, _ in SPREAD_PANELS}
    production = np.concatenate(
        [fields[s].values.ravel() for s in ("median", "p05", "p95")]
    )  # one scale for the three production maps
    norms = {s: color_norm(production) for s in ("median", "p05", "p95")}
    norms["relative_spread"] = color_norm(fields["relative_spread"].values)
    fig = Figure(figsize=(10, 7.2))
    for i, (stat, text) in enumerate(SPREAD_PANELS):
        ax = map_axes(fig, 2, 2, i + 1)
        spread = stat == "relative_spread"
        cmap = cmocean.cm.amp if spread else cmocean.cm.tempo
        mesh = draw_map(ax, fields[stat], cmap, norms[stat])
        title(ax, text)
        letter(ax, "abcd"[i])
        name = "relative spread" if spread else f"PIC production, {stat}"
        add_colorbar(fig, mesh, ax, label_of(fields[stat], name))
    synthetic_note(fig, run.synthetic)
    return fig


def attribution_area(ensemble: xr.Dataset) -> str:
    """Return the cell-area variant of the attribution's result (the first of the run's).

    Read from the product's ``pipeline_spec`` attribute; without it, the first
    ``global_pic_production_<area>`` variable.
    """
    spec = json.loads(str(ensemble.attrs.get("pipeline_spec", "{}")) or "{}")
    present = sorted(str(v)[len(TOTAL) + 1 :] for v in ensemble.data_vars if _is_total(v))
    for area in spec.get("area_variants", []):
        if area in present:
            return str(area)
    return present[0]


def _is_total(name: Any) -> bool:
    return str(name).startswith(TOTAL + "_")


def member_totals(ensemble: xr.Dataset) -> dict[str, xr.DataArray]:
    """Each member's mean over the months of its global production, per cell-area variant.

    The attribution's variant (:func:`attribution_area`) comes first. Months without a total
    (NaN) are left out of the mean.
    """
    first = attribution_area(ensemble)
    names = sorted((str(v) for v in ensemble.data_vars if _is_total(v)), key=lambda n: n != first)
    out = {}
    for name in names:
        total = ensemble[name].mean("time", skipna=True, keep_attrs=True).load()
        out[name[len(TOTAL) + 1 :]] = total
    return out


def _tornado(ax: Axes, table: pd.DataFrame) -> None:
    """One bar per factor from the baseline to its lowest and highest one-at-a-time result."""
    if table.empty:
        ax.text(0.5, 0.5, "no factor", transform=ax.transAxes, ha="center", fontsize=8)
        return
    rows = table.assign(size=table["oat_max"] - table["oat_min"])
    rows = rows.sort_values("size", ascending=True, na_position="first").reset_index(drop=True)
    base = float(rows["baseline"].iloc[0])
    y = np.arange(len(rows))
    low = rows["oat_min"].to_numpy(dtype=float) - base
    high = rows["oat_max"].to_numpy(dtype=float) - base
    ax.barh(y, low, left=base, height=0.6, color=LOW_COLOR, label="lowest result")
    ax.barh(y, high, left=base, height=0.6, color=HIGH_COLOR, label="highest result")
    ax.axvline(base, color="k", lw=0.8)
    for k, row in rows.iterrows():
        right = np.nanmax([row["oat_max"], base])
        ax.annotate(
            f"S = {row['first_order_index']:.2f}",
            (right, k),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    labels = [f"{f} ({n} levels)" for f, n in zip(rows["factor"], rows["levels"], strict=True)]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_title(
        "one factor at a time around the default member (S: first-order variance index)",
        fontsize=8,
    )
    ax.legend(fontsize=7, loc="lower right")


def _distribution(ax: Axes, totals: dict[str, xr.DataArray], base: float) -> None:
    """Box (quartiles, median; 5–95 % whiskers) and every member as a dot, per cell-area variant."""
    names = list(totals)
    values = [t.values[np.isfinite(t.values)] for t in totals.values()]
    y = np.arange(len(names))[::-1].astype(float)
    ax.boxplot(
        values,
        positions=y,
        orientation="horizontal",
        whis=(5, 95),
        widths=0.5,
        showfliers=False,
        medianprops={"color": "k"},
    )
    for row, sample in zip(y, values, strict=True):
        offsets = np.linspace(-0.15, 0.15, sample.size) if sample.size > 1 else np.zeros(1)
        ax.scatter(sample, row + offsets, s=10, color="0.3", alpha=0.7, zorder=3)
    ax.vlines(  # on the row of the attribution's cell area only: the default member's total
        base, y[0] - 0.35, y[0] + 0.35, color="k", lw=0.8, ls="--", label="default member"
    )
    ax.set_yticks(y, [f"cell area: {n}" for n in names], fontsize=7)
    ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
    count = values[0].size if values else 0
    text = f"{count} members (dots); box: 25–75 % and median; whiskers: 5–95 %"
    ax.set_title(text, fontsize=8)
    ax.legend(fontsize=7, loc="lower right")


def ens2_tornado(run: RunProducts) -> Figure:
    """Tornado chart of the factors (a) and the distribution of global production (b)."""
    table = run.table("ensemble_attribution")
    totals = member_totals(run.product("ensemble"))
    first = next(iter(totals.values()))
    fig = Figure(figsize=(8, 2.0 + 0.45 * (len(table) + len(totals))))
    ratios = (max(len(table), 1) + 1, len(totals) + 1)
    axes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    base = float(table["baseline"].iloc[0]) if len(table) else np.nan
    _tornado(axes[0], table)
    _distribution(axes[1], totals, base)
    axes[1].set_xlabel(label_of(first, "global PIC production (carbon), mean over months"))
    for ax, text in zip(axes, "ab", strict=True):
        ax.use_sticky_edges = False  # margins around the bars' base (the default member)
        ax.autoscale_view()
        letter(ax, text)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    synthetic_note(fig, run.synthetic)
    return fig


__all__ = ["attribution_area", "ens1_spread_map", "ens2_tornado", "member_totals"]
