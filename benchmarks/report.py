"""Headline figures of a benchmark run and the Markdown table for the README."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "clim_speedup_vs_cdo_025deg": (">=", 5.0),
    "clim_speedup_vs_best_xarray_025deg": (">=", 5.0),
    "e2e_mpix_per_s_per_worker_025deg": (">=", 30.0),
    "kernel_mpix_per_s_per_core": (">=", 80.0),
    "speedup_2_workers": (">=", 1.7),
    "extrapolated_4km_302_months_minutes": ("<=", 10.0),
    "demo_run_s": ("<=", 20.0),
    "demo_build_s": ("<=", 30.0),
    "clim_max_rel_diff_vs_cdo": ("<=", 1e-5),
    "clim_peak_rss_gb": ("<=", 1.0),
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
        "clim_speedup_vs_best_xarray_025deg": clim.get("speedup_vs_best_xarray"),
        "clim_peak_rss_gb": clim.get("picpump_peak_rss_gb"),
        "e2e_mpix_per_s_per_worker_025deg": _get(results, "workers", "e2e_mpix_per_s_per_worker"),
        "demo_run_s": _get(results, "demo", "demo_run_s"),
        "demo_build_s": _get(results, "demo", "demo_build_s"),
        "kernel_mpix_per_s_per_core": _get(results, "kernel", "kernel_mpix_per_s_per_core"),
        "peak_rss_gb_by_months": _get(results, "memory", "peak_rss_gb_by_months"),
        "speedup_2_workers": _get(results, "workers", "speedup_2_workers"),
        "extrapolated_4km_302_months_minutes": _get(
            results, "fine_grid", "extrapolated_4km_302_months_minutes"
        ),
        "clim_seconds": {
            k: clim.get(f"{k}_s") for k in ("picpump", "cdo", "xarray", "xarray_flox")
        },
        "clim_range_seconds": {
            k: clim.get(f"{k}_range_s") for k in ("picpump", "cdo", "xarray", "xarray_flox")
        },
        "clim_picpump_phases_s": _clim_phases(clim),
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


CLIM_PHASES = ("open_s", "graph_s", "read_decode_s", "compute_s", "write_s")
"""Where picpump's climatology time goes: open and graph from its timed runs (medians), read +
decode, compute and write each alone in one more run (they overlap in a timed run)."""


def _clim_phases(clim: dict[str, Any]) -> dict[str, float]:
    measured = {
        **(clim.get("picpump_phases_s") or {}),
        **(clim.get("picpump_phases_alone_s") or {}),
    }
    return {k: measured[k] for k in CLIM_PHASES if k in measured}


def _spread(section: dict[str, Any], name: str, unit: str = " s") -> str:
    """``median (min–max)`` of a contender's runs."""
    low_high = section.get(f"{name}_range_s")
    median = _fmt(section.get(f"{name}_s"), unit)
    return f"{median} ({_fmt(low_high[0])}–{_fmt(low_high[1])})" if low_high else median


def _clim_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    clim, met = report["sections"].get("climatology", {}), report["targets_met"]
    shape = "×".join(map(str, clim.get("shape", []))) or "—"
    phases = report.get("clim_picpump_phases_s") or {}
    where = ", ".join(f"{k.removesuffix('_s')} {_fmt(v, ' s')}" for k, v in phases.items())
    ours = f"{_spread(clim, 'picpump')}, {_fmt(clim.get('picpump_peak_rss_gb'), ' GB')}"
    peers = (
        ("cdo", "CDO ymonmean+ymonstd", "clim_speedup_vs_cdo_025deg", "≥ 5×"),
        ("xarray", "plain xarray groupby (NetCDF)", "clim_speedup_vs_xarray_025deg", ""),
        ("xarray_flox", "xarray + flox + dask (same Zarr)", None, ""),
    )
    rows = []
    for i, (name, label, key, target) in enumerate(peers):
        ratio = report.get(key) if key else clim.get(f"speedup_vs_{name}")
        rows.append(
            (
                f"Climatology {shape}, files → files" if i == 0 else "",
                ours if i == 0 else (f"phases alone: {where}" if i == 1 and where else ""),
                f"{label} {_spread(clim, name)}",
                f"{_fmt(ratio, '×')}" + (f" ({target})" if target else ""),
                _mark(met[key]) if key and target else "",
            )
        )
    best = report["clim_speedup_vs_best_xarray_025deg"]
    rows.append(
        (
            "",
            "",
            "best xarray",
            f"{_fmt(best, '×')} (≥ 5×)",
            _mark(met["clim_speedup_vs_best_xarray_025deg"]),
        )
    )
    rows.append(
        (
            "Agreement with CDO (max abs diff / max)",
            _fmt(report["clim_max_rel_diff_vs_cdo"]),
            "",
            "≤ 1e-5",
            _mark(met["clim_max_rel_diff_vs_cdo"]),
        )
    )
    return rows


def _job_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    s, met = report["sections"], report["targets_met"]
    two = _get(s, "workers", "two_workers") or {}
    one = _get(s, "workers", "one_worker") or {}
    rss = report["peak_rss_gb_by_months"] or {}
    kern = s.get("kernel", {})
    spread = two.get("range_total_s")
    where = f"cluster start {_fmt(two.get('cluster_start_s'), ' s')}"
    return [
        (
            "Production kernel in the pipeline, 1 core",
            _fmt(kern.get("kernel_mpix_per_s_per_core"), " Mpix/s"),
            f"plain numpy {_fmt(kern.get('plain_numpy_mpix_per_s'), ' Mpix/s')}",
            "≥ 80",
            _mark(met["kernel_mpix_per_s_per_core"]),
        ),
        (
            "Production + climatology end to end, per worker (2 workers)",
            _fmt(report["e2e_mpix_per_s_per_worker_025deg"], " Mpix/s"),
            f"job {_fmt(two.get('total_s'), ' s')}"
            + (f" ({_fmt(spread[0])}–{_fmt(spread[1])})" if spread else "")
            + (f"; {where}" if two else ""),
            "≥ 30",
            _mark(met["e2e_mpix_per_s_per_worker_025deg"]),
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
            "≤ 10 min",
            _mark(met["extrapolated_4km_302_months_minutes"]),
        ),
        (
            "Demo, first `make demo`: `picpump run` (fresh ingest, cluster start) / archive build",
            f"{_fmt(report['demo_run_s'], ' s')} / {_fmt(report['demo_build_s'], ' s')}",
            "",
            "≤ 20 s / ≤ 30 s",
            f"{_mark(met['demo_run_s'])} / {_mark(met['demo_build_s'])}",
        ),
    ]


def _rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return _clim_rows(report) + _job_rows(report)


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
