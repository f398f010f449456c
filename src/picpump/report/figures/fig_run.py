"""Figures of the run itself: global totals through time and the seasonal cycle by latitude."""

from __future__ import annotations

import cmocean
import numpy as np
from matplotlib.figure import Figure

from picpump.report.figures.data import RunProducts
from picpump.report.figures.style import add_colorbar, color_norm, label_of, letter, synthetic_note

TOTALS = (
    ("global_pic_production", "global PIC production"),
    ("global_npp", "global NPP"),
    ("global_pic_stock", "global PIC stock 0-100 m"),
    ("global_poc_stock", "global POC stock 0-100 m"),
)
HOVMOLLER = (
    ("ez_pic_production_mean", "PIC production", cmocean.cm.tempo),
    ("npp_mean", "NPP", cmocean.cm.algae),
)


def run_totals(run: RunProducts) -> Figure:
    """Global totals through time under each area variant, and the production coverage."""
    totals = run.product("global_totals").load()
    time = totals["time"].values
    fig = Figure(figsize=(10, 9))
    axes = fig.subplots(len(TOTALS) + 1, 1, sharex=True)
    for ax, (stem, text) in zip(axes, TOTALS, strict=False):
        for name in sorted(v for v in map(str, totals.data_vars) if v.startswith(stem + "_")):
            ax.plot(time, totals[name].values, lw=1, label=name[len(stem) + 1 :])
            ax.set_ylabel(label_of(totals[name], text), fontsize=8)
        ax.legend(fontsize=7, title="cell area", title_fontsize=7)
    coverage = totals["production_coverage"]
    axes[-1].plot(time, coverage.values, color="k", lw=1)
    axes[-1].set_ylabel(label_of(coverage, "coverage"), fontsize=8)
    for i, ax in enumerate(axes):
        letter(ax, chr(ord("a") + i))
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    synthetic_note(fig, run.synthetic)
    return fig


def run_hovmoller(run: RunProducts) -> Figure:
    """Climatological seasonal cycle by latitude (zonal mean of each calendar month)."""
    clim = run.product("climatology")
    fig = Figure(figsize=(10, 4.5))
    axes = fig.subplots(1, len(HOVMOLLER))
    for i, (name, text, cmap) in enumerate(HOVMOLLER):
        zonal = clim[name].mean("lon", skipna=True).load().transpose("lat", "month")
        values = np.ma.masked_invalid(zonal.values.astype(np.float64))
        mesh = axes[i].pcolormesh(
            zonal["month"].values,
            zonal["lat"].values,
            values,
            cmap=cmap,
            norm=color_norm(values.compressed()),
            shading="nearest",
        )
        axes[i].set(xlabel="month", ylabel="latitude [°N]", xticks=range(1, 13))
        axes[i].set_title(f"zonal mean {text}", fontsize=9)
        letter(axes[i], "ab"[i])
        add_colorbar(fig, mesh, axes[i], label_of(clim[name], text))
    synthetic_note(fig, run.synthetic)
    return fig


__all__ = ["run_hovmoller", "run_totals"]
