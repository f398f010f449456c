"""``<run>/report.html``: one self-contained page of a run (figures embedded, tables, provenance).

The page has no external resource (no script, no stylesheet, no font): the figures are PNG
data URIs, so the file can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Mapping
from typing import Any

from picpump.io.store.fs import filesystem
from picpump.io.store.zarr_store import join, write_text
from picpump.report.figures import FIGURES, make_figures
from picpump.report.figures.data import RunProducts
from picpump.report.summary import render_markdown, versions

STATISTICS_TABLES = (
    "table1",
    "pearson_by_layer",
    "regression_by_region_layer",
    "efficiency_by_latitude",
    "taxa_contribution",
    "export_pathways_by_latitude",
    "ensemble_attribution",
)
STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 1em auto; color: #222; }
img { max-width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 12px; margin-bottom: 1em; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; font-size: 12px; }
.synthetic { background: #fde9c8; padding: 0.5em; border: 1px solid #e0a040; }
"""


def _read_bytes(url: str, storage_options: Mapping[str, Any] | None) -> bytes:
    fs, path = filesystem(url, storage_options)
    with fs.open(path, "rb") as handle:
        data: bytes = handle.read()
    return data


def _figure_section(figures: Mapping[str, Mapping[str, str]], options: Any) -> list[str]:
    parts = ["<h2>Figures</h2>"]
    for name, urls in figures.items():
        if "png" not in urls:
            continue
        data = base64.b64encode(_read_bytes(urls["png"], options)).decode("ascii")
        caption = html.escape(FIGURES[name].caption if name in FIGURES else name)
        parts.append(
            f'<figure id="{name}"><img alt="{html.escape(name)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{caption}</figcaption></figure>'
        )
    return parts


def _tables_section(run: RunProducts) -> list[str]:
    parts = ["<h2>Table 1 and statistics</h2>"]
    for name in STATISTICS_TABLES:
        if run.has(name):
            table = run.table(name).to_html(index=False, na_rep="", float_format="{:.4g}".format)
            parts += [f"<h3>{name}</h3>", table]
    return parts


def _provenance_section(run: RunProducts, summary: Mapping[str, Any]) -> list[str]:
    attrs = run.attrs()
    run_versions = summary.get("versions") or versions()
    spec = json.loads(attrs.get("pipeline_spec", "{}") or "{}")
    variants = json.loads(attrs.get("model_variants", "{}") or "{}")
    rows = {
        "synthetic inputs": "yes" if run.synthetic else "no",
        "period": attrs.get("period", ""),
        "history": attrs.get("history", ""),
        **{f"version of {k}": v for k, v in run_versions.items()},
    }
    table = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows.items()
    )
    return [
        "<h2>Provenance</h2>",
        f"<table>{table}</table>",
        "<h3>Pipeline spec</h3>",
        f"<pre>{html.escape(json.dumps(spec, indent=2))}</pre>",
        "<h3>Model variants</h3>",
        f"<pre>{html.escape(json.dumps(variants, indent=2))}</pre>",
    ]


def report_html(
    folder: str,
    figures: Mapping[str, Mapping[str, str]],
    storage_options: Mapping[str, Any] | None = None,
) -> str:
    """Render the report page of a run.

    Parameters
    ----------
    folder : str
        The run folder.
    figures : mapping
        Figure name → {format: URL} (:func:`picpump.report.figures.make_figures`).
    storage_options : mapping, optional
        fsspec options.

    Returns
    -------
    str
        The HTML page.
    """
    run = RunProducts(folder, dict(storage_options or {}))
    summary = run.summary()
    name = html.escape(str(summary.get("run", {}).get("name", folder)))
    body = [f"<h1>picpump run {name}</h1>"]
    if run.synthetic:
        body.append('<p class="synthetic">Synthetic demo data: not an observation.</p>')
    if summary:
        body += ["<h2>Summary</h2>", f"<pre>{html.escape(render_markdown(summary))}</pre>"]
    body += _figure_section(figures, storage_options)
    body += _tables_section(run)
    body += _provenance_section(run, summary)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>picpump run {name}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_report(
    folder: str,
    only: list[str] | None = None,
    formats: tuple[str, ...] = ("png",),
    storage_options: Mapping[str, Any] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> str:
    """Draw the figures of a run, then write ``<folder>/report.html``; return its URL.

    Parameters
    ----------
    folder : str
        The run folder (local path or fsspec URL).
    only : list of str, optional
        Figures to draw (default all).
    formats : tuple of str
        Figure formats; PNG is always drawn (the page embeds it).
    storage_options : mapping, optional
        fsspec options.
    log : callable
        Receives one line per figure.

    Returns
    -------
    str
        URL of ``report.html``.
    """
    formats = ("png", *(f for f in formats if f != "png"))
    figures = make_figures(folder, only, formats, storage_options, log)
    url = join(folder, "report.html")
    write_text(url, report_html(folder, figures, storage_options), storage_options)
    log(f"report: {url}")
    return url


__all__ = ["report_html", "write_report"]
