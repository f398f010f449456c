"""The run summary: ``summary.json`` (a machine-readable contract) and ``summary.md``."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import xarray as xr

from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import join, open_product, write_json, write_text
from picpump.redact import redact_tree
from picpump.report.glossary import eq5_line, glossary_lines
from picpump.report.quality import input_quality, quality_lines

PACKAGES = ("picpump", "numpy", "pandas", "xarray", "dask", "distributed", "zarr", "netCDF4")


def versions() -> dict[str, str]:
    """Return the versions of Python and the packages that shape the results."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def _mean_sd(series: xr.DataArray) -> dict[str, float]:
    values = series.values.astype(np.float64)
    values = values[np.isfinite(values)]
    sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
    mean = float(values.mean()) if values.size else float("nan")
    return {"mean": mean, "sd": sd, "n_months": int(values.size)}


def global_figures(totals: xr.Dataset, area_variants: list[str], primary: str) -> dict[str, Any]:
    """Mean ± SD over the months of the global totals, under each area variant.

    Parameters
    ----------
    totals : xarray.Dataset
        The ``global_totals`` product.
    area_variants : list of str
        The variants the totals were computed under.
    primary : str
        The run's cell-area variant, reported first.

    Returns
    -------
    dict
        The global entries of ``summary.json``.
    """
    totals = totals.load()
    by_area = {
        a: {
            "production": _mean_sd(totals[f"global_pic_production_{a}"]),
            "npp": _mean_sd(totals[f"global_npp_{a}"]),
            "pic_stock": _mean_sd(totals[f"global_pic_stock_{a}"]),
            "poc_stock": _mean_sd(totals[f"global_poc_stock_{a}"]),
        }
        for a in area_variants
    }
    main = by_area[primary]
    production = {**main["production"], "area_variant": primary}
    production["sd_definition"] = "sample SD (ddof=1) of the monthly global totals"
    for a in area_variants:
        if a != primary:
            key = "eq5" if a == "toullec_eq5" else a
            production[key] = {**by_area[a]["production"], "area_variant": a}
    grams_per_day = main["production"]["mean"] * 1e15 / 365.0
    return {
        "global_pic_production_pg_per_yr": production,
        "global_pic_stock_tg": {**main["pic_stock"], "area_variant": primary},
        "global_poc_stock_tg": {**main["poc_stock"], "area_variant": primary},
        "pic_turnover_days": main["pic_stock"]["mean"] * 1e12 / grams_per_day,
        "global_npp_pg_per_yr": {**main["npp"], "area_variant": primary},
        "pic_production_percent_of_npp": 100.0 * main["production"]["mean"] / main["npp"]["mean"],
        "production_coverage": float(totals["production_coverage"].mean()),
    }


def ensemble_figures(
    products: Mapping[str, str], area: str, storage_options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Summarise the spread of global production over the ensemble members, if any.

    Parameters
    ----------
    products : mapping
        Product name → URL (``ensemble`` and ``ensemble_attribution``).
    area : str
        The run's cell-area variant.
    storage_options : mapping, optional
        fsspec options to read the products.

    Returns
    -------
    dict
        ``{"ensemble": {members, global_pic_production_pg_per_yr: {median, p05, p95, min,
        max, area_variant}, dominant_factor}}``, or ``{}`` without an ensemble.
    """
    if "ensemble" not in products:
        return {}
    ensemble = open_product(products["ensemble"], storage_options)
    means = ensemble[f"global_pic_production_{area}"].mean("time").values.astype(np.float64)
    p05, median, p95 = np.quantile(means, [0.05, 0.5, 0.95])
    production = {"median": median, "p05": p05, "p95": p95, "min": means.min()}
    production = {k: float(v) for k, v in {**production, "max": means.max()}.items()}
    dominant = None
    if "ensemble_attribution" in products:
        table, _ = read_table(products["ensemble_attribution"], storage_options)
        dominant = str(table["factor"].iloc[int(table["first_order_index"].to_numpy().argmax())])
    figures = {
        "members": int(ensemble.sizes["member"]),
        "global_pic_production_pg_per_yr": {**production, "area_variant": area},
        "dominant_factor": dominant,
    }
    return {"ensemble": figures}


def _records(table: Any, columns: list[str]) -> list[dict[str, Any]]:
    rows = table[columns].astype(object).where(table[columns].notna(), None)
    return [dict(zip(columns, row, strict=True)) for row in rows.itertuples(index=False)]


def trap_figures(
    products: Mapping[str, str], storage_options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Table 1 and the per-layer R² of the trap matchups (when the run made them).

    Parameters
    ----------
    products : mapping
        Product name → URL.
    storage_options : mapping, optional
        fsspec options to read the tables.

    Returns
    -------
    dict
        ``table1`` (rows of layer, observations, traps, locations_1deg) and
        ``r2_by_layer`` (rows of layer, predictor, n, r2, p).
    """
    out: dict[str, Any] = {}
    if "table1" in products:
        table, _ = read_table(products["table1"], storage_options)
        out["table1"] = _records(table, ["layer", "observations", "traps", "locations_1deg"])
    if "pearson_by_layer" in products:
        table, _ = read_table(products["pearson_by_layer"], storage_options)
        out["r2_by_layer"] = _records(table, ["layer", "predictor", "n", "r2", "p"])
    return out


def summarise(
    products: Mapping[str, str],
    *,
    spec: Mapping[str, Any],
    variants: Mapping[str, Any],
    area_variants: list[str],
    synthetic: bool,
    run: Mapping[str, Any],
    storage_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the summary of a run.

    Parameters
    ----------
    products : mapping
        Product name → URL.
    spec : mapping
        The pipeline spec as read.
    variants : mapping
        The model variants used (names, parameters, citations).
    area_variants : list of str
        Area variants of the global totals; the first is the run's own.
    synthetic : bool
        Whether the inputs were synthetic demo data.
    run : mapping
        Run facts: name, catalog, cluster, start and end times, wall seconds.
    storage_options : mapping, optional
        fsspec options to read the products.

    Returns
    -------
    dict
        The content of ``summary.json``.
    """
    summary: dict[str, Any] = {"run": redact_tree(dict(run)), "products": redact_tree(products)}
    if "global_totals" in products:
        totals = open_product(products["global_totals"], storage_options)
        summary.update(global_figures(totals, area_variants, area_variants[0]))
    summary.update(input_quality(products, area_variants[0], storage_options))
    summary.update(trap_figures(products, storage_options))
    summary.update(ensemble_figures(products, area_variants[0], storage_options))
    summary["synthetic"] = synthetic
    summary["spec"] = dict(spec)
    summary["variants"] = dict(variants)
    summary["versions"] = versions()
    return summary


def _pm(entry: Mapping[str, Any], fmt: str) -> str:
    return f"{entry['mean']:{fmt}} ± {entry['sd']:{fmt}}"


def _cell(value: Any, fmt: str) -> str:
    return "–" if value is None else f"{value:{fmt}}"


def _trap_lines(summary: Mapping[str, Any]) -> list[str]:
    """Table 1 and the per-layer R² as Markdown tables."""
    lines: list[str] = []
    if "table1" in summary:
        lines += ["## Table 1: trap observations per depth layer (paper filter)", ""]
        lines += ["| layer (m) | observations | traps | 1° locations |", "|---|---:|---:|---:|"]
        for row in summary["table1"]:
            lines.append(
                f"| {row['layer']} | {row['observations']} | {row['traps']} "
                f"| {row['locations_1deg']} |"
            )
        lines.append("")
    if "r2_by_layer" in summary:
        by_layer: dict[str, dict[str, Any]] = {}
        for row in summary["r2_by_layer"]:
            by_layer.setdefault(row["layer"], {})[row["predictor"]] = row
        lines += ["## PIC flux vs production and NPP: R² per layer (log10, Pearson)", ""]
        lines += [
            "| layer (m) | n | R² production | p | R² NPP | p |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for layer, pair in by_layer.items():
            prod, npp = pair.get("ez_pic_production", {}), pair.get("npp", {})
            lines.append(
                f"| {layer} | {prod.get('n', 0)} | {_cell(prod.get('r2'), '.3f')} "
                f"| {_cell(prod.get('p'), '.2g')} | {_cell(npp.get('r2'), '.3f')} "
                f"| {_cell(npp.get('p'), '.2g')} |"
            )
        lines.append("")
    return lines


def _ensemble_lines(summary: Mapping[str, Any]) -> list[str]:
    """Render the ensemble line: spread of global production over the members, dominant factor."""
    if "ensemble" not in summary:
        return []
    figures = summary["ensemble"]
    prod = figures["global_pic_production_pg_per_yr"]
    return [
        "## Ensemble of model variants (structural uncertainty)",
        "",
        f"- EZ PIC production over {figures['members']} members: median "
        f"**{prod['median']:.3f} Pg C yr-1**, 5–95 % {prod['p05']:.3f}–{prod['p95']:.3f}, "
        f"min–max {prod['min']:.3f}–{prod['max']:.3f} ({prod['area_variant']} cell areas); "
        f"dominant factor: {figures['dominant_factor'] or '–'}",
        "",
    ]


def render_markdown(summary: Mapping[str, Any]) -> str:
    """Render the summary in words (``summary.md``)."""
    run = summary["run"]
    lines = [f"# picpump run `{run.get('name', '')}`", ""]
    if summary.get("synthetic"):
        lines += ["> **synthetic demo data** — these numbers describe no real ocean.", ""]
    lines += [
        f"- catalog: `{run.get('catalog', '')}`, period {run.get('period', '')}, "
        f"grid {run.get('grid', '')}°, cluster `{run.get('cluster', '')}`",
        f"- wall time: {run.get('wall_seconds', float('nan')):.1f} s",
        "",
    ]
    if "global_pic_production_pg_per_yr" in summary:
        prod = summary["global_pic_production_pg_per_yr"]
        lines += ["## Global totals (mean ± SD over the months, open ocean)", ""]
        lines.append(
            f"- EZ PIC production: **{_pm(prod, '.3f')} Pg C yr-1** "
            f"({prod['area_variant']} cell areas, {prod['n_months']} months)"
        )
        if "eq5" in prod:
            lines.append(eq5_line(prod))
        lines += [
            f"- PIC stock 0–100 m: {_pm(summary['global_pic_stock_tg'], '.2f')} Tg C",
            f"- PIC turnover (stock / production): {summary['pic_turnover_days']:.2f} days",
            f"- POC stock 0–100 m: {_pm(summary['global_poc_stock_tg'], '.1f')} Tg C",
            f"- NPP: {_pm(summary['global_npp_pg_per_yr'], '.2f')} Pg C yr-1 "
            f"(PIC production = {summary['pic_production_percent_of_npp']:.2f} % of NPP)",
            f"- mean coverage of open-ocean cells: {100 * summary['production_coverage']:.1f} %",
            "",
        ]
    lines += quality_lines(summary)
    lines += glossary_lines()
    lines += _trap_lines(summary)
    lines += _ensemble_lines(summary)
    lines += ["## Model variants", ""]
    for kind, v in summary["variants"].items():
        lines.append(f"- {kind}: `{v.get('name', v)}` {v.get('params', '')}")
    lines += ["", "## Products", ""]
    lines += [f"- {name}: `{url}`" for name, url in summary["products"].items()]
    return "\n".join(lines) + "\n"


def write_summary(
    out: str, summary: Mapping[str, Any], storage_options: Mapping[str, Any] | None = None
) -> tuple[str, str]:
    """Write ``summary.json`` and ``summary.md`` into ``out`` (atomically); return their URLs."""
    json_url, md_url = join(out, "summary.json"), join(out, "summary.md")
    write_json(json_url, summary, storage_options)
    write_text(md_url, render_markdown(summary), storage_options)
    return json_url, md_url


__all__ = [
    "ensemble_figures",
    "global_figures",
    "render_markdown",
    "summarise",
    "trap_figures",
    "versions",
    "write_summary",
]
