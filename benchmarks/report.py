"""Headline figures of a benchmark run and the Markdown table for the README."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "clim_speedup_vs_cdo_025deg": (">=", 3.0),
    "clim_speedup_vs_xarray_025deg": (">=", 10.0),
    "kernel_mpix_per_s_per_core": (">=", 80.0),
    "speedup_2_workers": (">=", 1.7),
    "extrapolated_4km_302_months_minutes": ("<=", 15.0),
    "clim_max_rel_diff_vs_cdo": ("<=", 1e-5),
}


def _get(results: dict[str, Any], *keys: str) -> Any:
    value: Any = results
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """The headline keys (``None`` when the section did not run or failed)."""
    clim = results.get("climatology", {})
    agreement = clim.get("agreement_with_cdo", {})
    rel = [agreement[s]["max_abs_diff_relative"] for s in ("mean", "std") if s in agreement]
    out: dict[str, Any] = {
        "clim_speedup_vs_cdo_025deg": clim.get("speedup_vs_cdo"),
        "clim_speedup_vs_xarray_025deg": clim.get("speedup_vs_xarray"),
        "kernel_mpix_per_s_per_core": _get(results, "kernel", "kernel_mpix_per_s_per_core"),
        "peak_rss_gb_by_months": _get(results, "memory", "peak_rss_gb_by_months"),
        "speedup_2_workers": _get(results, "workers", "speedup_2_workers"),
        "extrapolated_4km_302_months_minutes": _get(
            results, "fine_grid", "extrapolated_4km_302_months_minutes"
        ),
        "clim_seconds": {k: clim.get(f"{k}_s") for k in ("picpump", "cdo", "xarray")},
        "clim_max_rel_diff_vs_cdo": max(rel) if rel else None,
        "clim_agrees_with_cdo": agreement.get("within_1e-5"),
        "memory_flat_within_20pct": _get(results, "memory", "flat_within_20pct"),
    }
    out["targets_met"] = {key: _met(out[key], *TARGETS[key]) for key in TARGETS}
    out["targets_met"]["memory_flat_within_20pct"] = out["memory_flat_within_20pct"]
    return out


def _met(value: float | None, op: str, target: float) -> bool | None:
    if value is None:
        return None
    return value >= target if op == ">=" else value <= target


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 1e-2 else f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return f"{text}{unit}"


def _mark(ok: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "—"}[ok]


def _rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    s = report["sections"]
    met = report["targets_met"]
    clim, kern = s.get("climatology", {}), s.get("kernel", {})
    two = _get(s, "workers", "two_workers") or {}
    one = _get(s, "workers", "one_worker") or {}
    rss = report["peak_rss_gb_by_months"] or {}
    shape = "×".join(map(str, clim.get("shape", []))) or "—"
    return [
        (
            f"Climatology {shape}, files → files",
            f"{_fmt(clim.get('picpump_s'), ' s')}, {_fmt(clim.get('picpump_peak_rss_gb'), ' GB')}",
            f"CDO ymonmean+ymonstd {_fmt(clim.get('cdo_s'), ' s')}, "
            f"{_fmt(clim.get('cdo_peak_rss_gb'), ' GB')}",
            f"{_fmt(report['clim_speedup_vs_cdo_025deg'], '×')} (≥ 3×)",
            _mark(met["clim_speedup_vs_cdo_025deg"]),
        ),
        (
            "",
            "",
            f"xarray groupby {_fmt(clim.get('xarray_s'), ' s')}, "
            f"{_fmt(clim.get('xarray_peak_rss_gb'), ' GB')}",
            f"{_fmt(report['clim_speedup_vs_xarray_025deg'], '×')} (≥ 10×)",
            _mark(met["clim_speedup_vs_xarray_025deg"]),
        ),
        (
            "Agreement with CDO (max abs diff / max)",
            _fmt(report["clim_max_rel_diff_vs_cdo"]),
            "",
            "≤ 1e-5",
            _mark(met["clim_max_rel_diff_vs_cdo"]),
        ),
        (
            "Production kernel in the pipeline, 1 core",
            _fmt(kern.get("kernel_mpix_per_s_per_core"), " Mpix/s"),
            f"plain numpy {_fmt(kern.get('plain_numpy_mpix_per_s'), ' Mpix/s')}",
            "≥ 80",
            _mark(met["kernel_mpix_per_s_per_core"]),
        ),
        (
            "Production, zarr → zarr, 1 worker",
            _fmt(_get(s, "workers", "pipeline_production_mpix_per_s_per_core"), " Mpix/s"),
            "",
            "",
            "",
        ),
        (
            "Peak RSS per worker, " + " / ".join(f"{k}" for k in rss) + " months",
            " / ".join(_fmt(v) for v in rss.values()) + " GB",
            "",
            "flat ± 20 %",
            _mark(report["memory_flat_within_20pct"]),
        ),
        (
            "Job (production + climatology), 1 → 2 workers",
            f"{_fmt(one.get('total_s'), ' s')} → {_fmt(two.get('total_s'), ' s')}",
            "",
            f"{_fmt(report['speedup_2_workers'], '×')} (≥ 1.7×)",
            _mark(met["speedup_2_workers"]),
        ),
        (
            "4 km, 302 months, production + climatology, 2 cores (extrapolated)",
            _fmt(report["extrapolated_4km_302_months_minutes"], " min"),
            "linear in pixels: " + _fmt(_get(s, "fine_grid", "linear_in_pixels_minutes"), " min"),
            "≤ 15 min",
            _mark(met["extrapolated_4km_302_months_minutes"]),
        ),
    ]


def markdown(report: dict[str, Any]) -> str:
    """The README table of a run."""
    m = report["machine"]
    head = (
        f"Benchmarks of {report['date']} on {m['cpus']} CPUs, {m['ram_gb']} GB RAM "
        f"(load average {m.get('load_average_1min_at_start', '?')} at the start, "
        f"{m['load_average_1min']} at the end){', quick run' if report['quick'] else ''}."
    )
    lines = [
        head,
        "",
        "| Measure | picpump | Peer | Ratio / target | Met |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(report)]
    demo = report["sections"].get("demo", {})
    if "fresh_ingest" in demo:
        fresh, reused = demo["fresh_ingest"], demo["ingest_reused"]
        lines.append(
            f"| Demo pipeline, `picpump run` (1°, 302 months), fresh / reused ingest "
            f"| {_fmt(fresh['wall_s'], ' s')} / {_fmt(reused['wall_s'], ' s')}, "
            f"{_fmt(fresh['peak_rss_gb'], ' GB')} | | | |"
        )
    extra = report["sections"].get("matchup")
    if isinstance(extra, dict) and "error" not in extra and "skipped" not in extra:
        shown = ", ".join(f"{k} {_fmt(v)}" for k, v in extra.items() if k != "section_wall_s")
        lines.append(f"| Trap matchup (benchmarks/matchup.py) | {shown} | | | |")
    errors = [f"{k}: {v['error']}" for k, v in report["sections"].items() if "error" in v]
    lines += ["", *(f"- failed: {e.splitlines()[0]}" for e in errors)] if errors else []
    return "\n".join(lines) + "\n"
