"""Map figures of the paper: Fig. 1, 2, 3 and 6.

Fig. 1: traps and regions; Fig. 2: annual fields; Fig. 3: taxa; Fig. 6: regression slope per
region and layer.
"""

from __future__ import annotations

import cmocean
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from picpump.report.figures.data import RunProducts
from picpump.report.figures.maps import DATA_CRS, draw_map, map_axes, seam_at_map_edge, title
from picpump.report.figures.regions import paint_regions, region_colors, region_field
from picpump.report.figures.style import (
    add_colorbar,
    color_norm,
    label_of,
    letter,
    pretty_units,
    synthetic_note,
)
from picpump.report.figures.tables import layer_order

FIG2_PANELS = (
    ("npp", "annual NPP", cmocean.cm.algae),
    ("ez_pic_production", "annual PIC production", cmocean.cm.tempo),
    ("npp_cv", "seasonal CV of NPP", cmocean.cm.amp),
    ("ez_pic_production_cv", "seasonal CV of PIC production", cmocean.cm.amp),
    ("poc_residence_time", "POC residence time", cmocean.cm.deep),
    ("pic_residence_time", "PIC residence time", cmocean.cm.deep),
)
FIG3_COLUMNS = (
    ("share_percent", "share of the PIC stock", cmocean.cm.haline, False),
    ("stock", "PIC stock", cmocean.cm.matter, None),
    ("seasonal_cv", "seasonal CV", cmocean.cm.amp, False),
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def fig2_maps(run: RunProducts) -> Figure:
    """Fig. 2 a–f: annual NPP and PIC production, their seasonal CV, POC and PIC residence."""
    annual = run.product("annual")
    fig = Figure(figsize=(10, 10.5))
    for i, (name, text, cmap) in enumerate(FIG2_PANELS):
        ax = map_axes(fig, 3, 2, i + 1)
        mesh = draw_map(ax, annual[name], cmap)
        title(ax, text)
        letter(ax, "abcdef"[i])
        add_colorbar(fig, mesh, ax, label_of(annual[name], text))
    synthetic_note(fig, run.synthetic)
    return fig


def fig3_taxa(run: RunProducts) -> Figure:
    """Fig. 3: per taxon the share of the PIC stock, the stock and its seasonal CV."""
    taxa = run.product("taxa_stocks").load()
    names = [str(t) for t in taxa["taxon"].values]
    fig = Figure(figsize=(12, 2.9 * len(names) + 1.0))
    for col, (var, text, cmap, log) in enumerate(FIG3_COLUMNS):
        field = taxa[var]
        norm = color_norm(field.values, log=log)
        column = []
        for row, taxon in enumerate(names):
            ax = map_axes(fig, len(names), 3, row * 3 + col + 1)
            mesh = draw_map(ax, field.sel(taxon=taxon), cmap, norm)
            title(ax, f"{taxon}: {text}")
            letter(ax, chr(ord("a") + row * 3 + col))
            column.append(ax)
        add_colorbar(fig, mesh, column, label_of(field, text))
    synthetic_note(fig, run.synthetic)
    return fig


def fig1_traps(run: RunProducts) -> Figure:
    """Fig. 1: trap locations by depth layer and source over the run's regions."""
    regions = run.product("regions")["region"].load()
    traps = run.table("matchups").drop_duplicates(["station", "lat", "lon", "layer"])
    fig = Figure(figsize=(11, 6.5))
    ax = map_axes(fig, 1, 1, 1)
    cmap, norm, names = region_colors(regions)
    draw_map(ax, region_field(regions), cmap, norm, alpha=0.45)
    layers = layer_order(traps)
    colors = cmocean.cm.deep(np.linspace(0.15, 0.95, max(len(layers), 1)))
    sources = traps["source"].str.split(" ref ").str[0].str.slice(0, 40)
    for s, source in enumerate(sorted(sources.unique())):
        for color, layer in zip(colors, layers, strict=True):
            rows = traps[(sources == source) & (traps["layer"] == layer)]
            ax.scatter(
                rows["lon"],
                rows["lat"],
                s=14,
                color=color,
                marker=MARKERS[s % len(MARKERS)],
                edgecolors="k",
                linewidths=0.3,
                transform=DATA_CRS,
                zorder=5,
            )
    handles: list[Artist] = [
        Patch(color=cmap(norm(i)), alpha=0.45, label=names[i]) for i in sorted(names)
    ]
    handles += [
        Line2D([], [], color=c, marker="o", ls="", label=f"{lay} m")
        for c, lay in zip(colors, layers, strict=True)
    ]
    handles += [
        Line2D([], [], color="k", marker=MARKERS[s % len(MARKERS)], ls="", mfc="none", label=src)
        for s, src in enumerate(sorted(sources.unique()))
    ]
    fig.legend(handles=handles, loc="lower center", ncol=6, fontsize=7, frameon=False)
    title(ax, f"{len(traps)} trap deployments (site × layer) over {len(names)} regions")
    fig.subplots_adjust(bottom=0.22)
    synthetic_note(fig, run.synthetic)
    return fig


def _by_region(column: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in column.items()}


def fig6_slopes(run: RunProducts) -> Figure:
    """Fig. 6: regression slope per region × layer; hatched when not significant."""
    regions = run.product("regions")["region"].load()
    table = run.table("regression_by_region_layer")
    layers = layer_order(table)
    slope = table["slope"].to_numpy(dtype=float)
    top = float(np.nanpercentile(np.abs(slope), 98)) if np.isfinite(slope).any() else 1.0
    norm = Normalize(-top, top)
    cols = 3
    rows = -(-len(layers) // cols)
    fig = Figure(figsize=(12, 2.8 * rows + 1.2))
    axes = []
    for i, layer in enumerate(layers):
        part = table[table["layer"] == layer].set_index("region")
        ax = map_axes(fig, rows, cols, i + 1)
        mesh = draw_map(
            ax, paint_regions(regions, _by_region(part["slope"])), cmocean.cm.balance, norm
        )
        weak = seam_at_map_edge(
            paint_regions(regions, _by_region(~part["significant"].astype(bool)))
        )
        ax.contourf(
            weak["lon"],
            weak["lat"],
            weak.fillna(0).values,
            levels=[0.5, 1.5],
            colors="none",
            hatches=["////"],
            transform=DATA_CRS,
            zorder=2,
        )
        title(ax, f"{layer} m")
        letter(ax, chr(ord("a") + i))
        axes.append(ax)
    definition = run.table_attrs("regression_by_region_layer").get("definitions", {})
    units = pretty_units("1")
    label = f"slope of PIC flux on {definition.get('predictor', 'production')} [{units}]"
    add_colorbar(fig, mesh, axes, label + "; hatched: not significant; white: no data")
    synthetic_note(fig, run.synthetic)
    return fig


__all__ = ["fig1_traps", "fig2_maps", "fig3_taxa", "fig6_slopes"]
