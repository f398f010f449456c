"""Draw a run's figures from its written products into ``<run>/figures/``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from picpump.errors import SpecError, explain
from picpump.io.store.fs import filesystem
from picpump.io.store.zarr_store import join
from picpump.report.figures.data import RunProducts
from picpump.report.figures.fig_ensemble import ens1_spread_map, ens2_tornado
from picpump.report.figures.fig_maps import fig1_traps, fig2_maps, fig3_taxa, fig6_slopes
from picpump.report.figures.fig_plots import fig4_taxa_flux, fig5_flux, fig7_latitude
from picpump.report.figures.fig_run import run_hovmoller, run_totals
from picpump.report.figures.style import FORMATS, figure_bytes


@dataclass(frozen=True)
class FigureSpec:
    """One figure: how it is drawn, what it reads and how many panels it has.

    Attributes
    ----------
    name : str
        File stem, e.g. ``fig2_maps``.
    draw : callable
        ``draw(run) -> Figure``.
    needs : tuple of str
        The products and tables it reads.
    panels : int
        Number of panels (axes other than colourbars).
    caption : str
        One sentence for the report.
    optional : bool
        Drawn only for runs that wrote its products (an ensemble): a run without them skips
        it without a word, unless it is asked for by name.
    """

    name: str
    draw: Callable[[RunProducts], Figure]
    needs: tuple[str, ...]
    panels: int
    caption: str
    optional: bool = False


FIGURES: dict[str, FigureSpec] = {
    f.name: f
    for f in (
        FigureSpec(
            "fig1_traps",
            fig1_traps,
            ("regions", "matchups"),
            1,
            "Fig. 1: sediment-trap locations by depth layer and source over the regions.",
        ),
        FigureSpec(
            "fig2_maps",
            fig2_maps,
            ("annual",),
            6,
            "Fig. 2: annual NPP and PIC production, their seasonal CV, POC and PIC "
            "residence times.",
        ),
        FigureSpec(
            "fig3_taxa",
            fig3_taxa,
            ("taxa_stocks",),
            9,
            "Fig. 3: share of the PIC stock, stock and seasonal CV of each calcifier.",
        ),
        FigureSpec(
            "fig4_taxa_flux",
            fig4_taxa_flux,
            ("taxa_stocks", "matchups", "pearson_by_layer"),
            4,
            "Fig. 4: calcifier stocks at the traps against PIC flux; zonal profiles.",
        ),
        FigureSpec(
            "fig5_flux",
            fig5_flux,
            ("annual", "matchups", "pearson_by_layer"),
            14,
            "Fig. 5: PIC flux against production and NPP per depth layer (log-log).",
        ),
        FigureSpec(
            "fig6_slopes",
            fig6_slopes,
            ("regions", "regression_by_region_layer"),
            7,
            "Fig. 6: regression slope of PIC flux on production per region and layer.",
        ),
        FigureSpec(
            "fig7_latitude",
            fig7_latitude,
            ("annual", "export_pathways_by_latitude"),
            3,
            "Fig. 7: seasonal CV by latitude, E_eff and T_eff, export pathway shares.",
        ),
        FigureSpec(
            "run_totals",
            run_totals,
            ("global_totals",),
            5,
            "Run: global totals through time (both cell-area variants) and coverage.",
        ),
        FigureSpec(
            "run_hovmoller",
            run_hovmoller,
            ("climatology",),
            2,
            "Run: climatological seasonal cycle by latitude (zonal means).",
        ),
        FigureSpec(
            "ens1_spread_map",
            ens1_spread_map,
            ("ensemble",),
            4,
            "Ensemble: across-member median annual PIC production, its relative spread "
            "(p95 − p05) / median, and the 5 % and 95 % quantiles over the members.",
            optional=True,
        ),
        FigureSpec(
            "ens2_tornado",
            ens2_tornado,
            ("ensemble", "ensemble_attribution"),
            2,
            "Ensemble: global PIC production when one factor at a time moves from the default "
            "member, with each factor's first-order variance index; its spread over the members.",
            optional=True,
        ),
    )
}


def select_figures(only: Iterable[str] | None = None) -> list[FigureSpec]:
    """Return the figures named in ``only`` (names or prefixes like ``fig2``), else all."""
    if not only:
        return list(FIGURES.values())
    chosen = []
    for key in only:
        hits = [f for name, f in FIGURES.items() if name == key or name.split("_")[0] == key]
        if not hits:
            raise SpecError(
                explain("figures are named after FIGURES", repr(key), f"use {sorted(FIGURES)}")
            )
        chosen += [h for h in hits if h not in chosen]
    return chosen


def _check_formats(formats: Iterable[str]) -> list[str]:
    wanted = [f.strip().lower() for f in formats if f.strip()]
    bad = sorted(set(wanted) - set(FORMATS))
    if bad or not wanted:
        raise SpecError(explain(f"figure formats are {list(FORMATS)}", repr(bad), "pick those"))
    return wanted


def make_figures(
    folder: str,
    only: Iterable[str] | None = None,
    formats: Iterable[str] = ("png",),
    storage_options: Mapping[str, Any] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, str]]:
    """Draw the figures of a run from its written products into ``<folder>/figures/``.

    Figures whose products the run did not write are skipped (and logged); optional ones
    (the ensemble's) silently, unless named in ``only``.

    Parameters
    ----------
    folder : str
        The run folder (local path or fsspec URL).
    only : iterable of str, optional
        Figure names or prefixes (``fig2``); default all.
    formats : iterable of str
        Any of ``png``, ``svg``, ``pdf``.
    storage_options : mapping, optional
        fsspec options.
    log : callable
        Receives one line per figure.

    Returns
    -------
    dict
        Figure name → {format: URL}.
    """
    run = RunProducts(folder, dict(storage_options or {}))
    fs, _ = filesystem(folder, storage_options)
    written: dict[str, dict[str, str]] = {}
    for spec in select_figures(only):
        missing = run.missing(*spec.needs)
        if missing and spec.optional and not only:
            continue
        if missing:
            log(f"{spec.name}: skipped, the run has no {', '.join(missing)}")
            continue
        fig = spec.draw(run)
        written[spec.name] = {}
        for fmt in _check_formats(formats):
            url = join(folder, f"figures/{spec.name}.{fmt}")
            _, path = filesystem(url, storage_options)
            fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            with fs.open(path, "wb") as handle:
                handle.write(figure_bytes(fig, fmt))
            written[spec.name][fmt] = url
        log(f"{spec.name}: {', '.join(written[spec.name].values())}")
    return written


__all__ = ["FIGURES", "FigureSpec", "make_figures", "select_figures"]
