"""Plot figures of the paper: Fig. 4, 5 and 7.

Fig. 4: taxa vs flux; Fig. 5: flux vs production; Fig. 7: seasonality and export efficiencies
by latitude.
"""

from __future__ import annotations

import cmocean
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from picpump.report.figures.data import RunProducts
from picpump.report.figures.style import letter, pretty_units, synthetic_note
from picpump.report.figures.tables import FLUX_UNITS, layer_order, usable_matchups

PREDICTORS = (("ez_pic_production", "production", "PIC production"), ("npp", "npp", "NPP"))
"""Statistics' predictor name, matchups column and label."""
DEFAULT_ALPHA = 0.05


def _log_axes(ax: Axes) -> None:
    """Log–log axes with labels on the decades only (no overlapping minor labels)."""
    ax.set(xscale="log", yscale="log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_minor_formatter(NullFormatter())
    ax.tick_params(which="both", labelsize=7)


def _allowed(run: RunProducts, table: str) -> list[str]:
    return list(run.table_attrs(table).get("definitions", {}).get("allow_flags", []))


def fig4_taxa_flux(run: RunProducts) -> Figure:
    """Fig. 4: each taxon's stock at the trap cells against PIC flux; latitude profiles."""
    taxa = run.product("taxa_stocks")["stock"].load()
    rows = usable_matchups(run.table("matchups"), _allowed(run, "pearson_by_layer"))
    rows = rows[rows["pic_flux"] > 0]
    names = [str(t) for t in taxa["taxon"].values]
    fig = Figure(figsize=(4.0 * (len(names) + 1), 4.2))
    axes = fig.subplots(1, len(names) + 1)
    units = pretty_units(str(taxa.attrs.get("units", "g m-2")))
    at_traps = taxa.sel(
        lat=rows["cell_lat"].to_xarray(), lon=rows["cell_lon"].to_xarray(), method="nearest"
    )
    for i, taxon in enumerate(names):
        ax = axes[i]
        stock = at_traps.sel(taxon=taxon).values
        good = np.isfinite(stock) & (stock > 0)
        ax.scatter(
            stock[good],
            rows["pic_flux"].to_numpy()[good],
            s=8,
            alpha=0.6,
            color=cmocean.cm.thermal(0.2 + 0.3 * i),
        )
        _log_axes(ax)
        ax.set(
            xlabel=f"{taxon} PIC stock [{units}]",
            ylabel=f"PIC flux [{pretty_units(FLUX_UNITS)}]",
        )
        ax.set_title(f"{taxon} (n = {int(good.sum())})", fontsize=9)
        letter(ax, "abcd"[i])
    profile = axes[-1]
    zonal = taxa.mean("lon", skipna=True)
    for i, taxon in enumerate(names):
        profile.plot(
            zonal.sel(taxon=taxon).values,
            zonal["lat"].values,
            label=taxon,
            color=cmocean.cm.thermal(0.2 + 0.3 * i),
        )
    profile.set(xscale="log", xlabel=f"zonal mean PIC stock [{units}]", ylabel="latitude [°N]")
    profile.legend(fontsize=7)
    letter(profile, "abcd"[len(names)])
    fig.tight_layout()
    synthetic_note(fig, run.synthetic)
    return fig


def _fit_panel(
    ax: Axes, data: pd.DataFrame, predictor: str, stats: pd.Series | None, alpha: float
) -> None:
    x = data[predictor].to_numpy(dtype=float)
    y = data["pic_flux"].to_numpy(dtype=float)
    good = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    x, y = x[good], y[good]
    _log_axes(ax)
    if x.size < 3:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", fontsize=8)
        return
    ax.scatter(x, y, s=6, alpha=0.5, color="0.25")
    slope, intercept = np.polyfit(np.log10(x), np.log10(y), 1)
    line = np.geomspace(x.min(), x.max(), 50)
    ax.plot(line, 10**intercept * line**slope, color="C3", lw=1.2)
    if stats is not None:
        text = (
            f"r = {stats['r']:.2f}, R² = {stats['r2']:.2f}\n"
            f"p = {stats['p']:.1e}, n = {int(stats['n'])}"
        )
        text += "" if stats["p"] < alpha else "\nn.s."
        ax.text(0.03, 0.97, text, transform=ax.transAxes, va="top", fontsize=7)


def fig5_flux(run: RunProducts) -> Figure:
    """Fig. 5: per depth layer, PIC flux against production and against NPP (log–log)."""
    rows = usable_matchups(run.table("matchups"), _allowed(run, "pearson_by_layer"))
    pearson = run.table("pearson_by_layer").set_index(["layer", "predictor"])
    layers = layer_order(run.table("matchups"))
    units = pretty_units(str(run.product("annual")["npp"].attrs.get("units", FLUX_UNITS)))
    fig = Figure(figsize=(7.5, 2.2 * len(layers) + 0.6))
    axes = np.atleast_2d(fig.subplots(len(layers), 2))
    for i, layer in enumerate(layers):
        for j, (name, column, text) in enumerate(PREDICTORS):
            ax = axes[i, j]
            key = (layer, name)
            stats = pearson.loc[key] if key in pearson.index else None
            stats = stats if isinstance(stats, pd.Series) else None
            _fit_panel(ax, rows[rows["layer"] == layer], column, stats, DEFAULT_ALPHA)
            ax.set_title(f"{layer} m: flux vs {text}", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.set_xlabel(f"{text} [{units}]" if i == len(layers) - 1 else "", fontsize=8)
            ax.set_ylabel(f"PIC flux [{pretty_units(FLUX_UNITS)}]" if j == 0 else "", fontsize=8)
    fig.tight_layout()
    synthetic_note(fig, run.synthetic)
    return fig


def _band_centres(table: pd.DataFrame) -> np.ndarray:
    return (table["lat_min"].to_numpy(dtype=float) + table["lat_max"].to_numpy(dtype=float)) / 2


def _efficiency_panel(ax: Axes, table: pd.DataFrame) -> None:
    lat = _band_centres(table)
    for name, color in (("e_eff", "C0"), ("t_eff", "C1")):
        value = table[name].to_numpy(dtype=float)
        low = value - table[f"{name}_low"].to_numpy(dtype=float)
        high = table[f"{name}_high"].to_numpy(dtype=float) - value
        ax.errorbar(
            value,
            lat,
            xerr=np.abs(np.vstack([low, high])),
            fmt="o",
            ms=4,
            color=color,
            capsize=2,
            label=f"{name.upper()} (95 % bootstrap)",
        )
    ax.set(xlabel="efficiency [1]", ylim=(-90, 90))
    ax.legend(fontsize=7)


def fig7_latitude(run: RunProducts) -> Figure:
    """Fig. 7: seasonal CV by latitude with E_eff and T_eff (a), export pathway shares (b)."""
    annual = run.product("annual")
    fig = Figure(figsize=(12, 5))
    axes = fig.subplots(1, 3, sharey=True)
    for name, text, color in (
        ("ez_pic_production_cv", "PIC production", "C3"),
        ("npp_cv", "NPP", "C2"),
    ):
        zonal = annual[name].median("lon", skipna=True).load()
        axes[0].plot(zonal.values, zonal["lat"].values, color=color, label=text)
    axes[0].set(xlabel="seasonal CV (zonal median) [1]", ylabel="latitude [°N]")
    axes[0].legend(fontsize=7)
    if run.has("efficiency_by_latitude"):
        _efficiency_panel(axes[1], run.table("efficiency_by_latitude"))
    paths = run.table("export_pathways_by_latitude")
    lat = _band_centres(paths)
    height = (paths["lat_max"] - paths["lat_min"]).to_numpy(dtype=float) * 0.8
    fecal = paths["fecal_pellets"].to_numpy(dtype=float)
    axes[2].barh(lat, fecal, height=height, color="C5", label="fecal pellets")
    axes[2].barh(
        lat,
        paths["aggregates"].to_numpy(dtype=float),
        left=fecal,
        height=height,
        color="C9",
        label="aggregates",
    )
    axes[2].set(xlabel="share of export [1]", xlim=(0, 1))
    axes[2].legend(fontsize=7)
    for ax, text in zip(axes, ("a", "a (efficiencies)", "b"), strict=True):
        letter(ax, text)
    fig.tight_layout()
    synthetic_note(fig, run.synthetic)
    return fig


__all__ = ["fig4_taxa_flux", "fig5_flux", "fig7_latitude"]
