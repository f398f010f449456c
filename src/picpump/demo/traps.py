"""Demo sediment traps: synthetic fluxes in the PANGAEA GO_flux layout and the ALOHA layout.

About 60 moorings at ocean cells spread over the basins, traps in all seven depth layers,
cups of 7–31 days (some moorings with 45–90-day cups, a few in shallow water or without a
water depth, to exercise the paper's filter) from 1998 to 2020. Fluxes follow the demo
ocean's own climatology so the matchup statistics have a signal to find:

    PIC flux = a · P^b · (max(z, 50) / 100)^(−k) · lognormal noise,

with P the EZ PIC production of the cell and calendar month of the cup mid-point, z the
trap depth and k ∈ [0.5, 0.9] per mooring; POC likewise from NPP. Everything written says
``synthetic demo data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from picpump.errors import InputError, explain
from picpump.science.traps import CACO3_TO_PIC

PANGAEA_FILE = "demo_traps_GO_flux_layout.tab"
STATION_FILE = "demo_station_aloha_layout.csv"
N_MOORINGS = 60
MIN_SPACING_DEG = 9.0
LAYER_RANGES: tuple[tuple[float, float], ...] = (
    (20.0, 100.0),
    (100.0, 500.0),
    (500.0, 1000.0),
    (1000.0, 2000.0),
    (2000.0, 3000.0),
    (3000.0, 4000.0),
    (4000.0, 5500.0),
)
"""Depth ranges [m] the demo traps are drawn from, one per paper layer."""
PIC_LAW = (0.25, 0.8)
POC_LAW = (0.08, 0.9)
"""``(a, b)`` of flux = a · production^b at 100 m."""
NOISE_SIGMA = 0.35
YEARS = (1998, 2020)
ALOHA_DEPTHS = (800.0, 1500.0, 2800.0, 4000.0)
ALOHA_POSITION = (22.75, -158.0)
GO_FLUX_HEADER = (
    "ID (Reference identifier)",
    "ID (Unique location identifier)",
    "Type (Data type)",
    "Latitude",
    "Longitude",
    "POC flux [mg/m**2/day]",
    "PIC flux [mg/m**2/day]",
    "CaCO3 flux [mg/m**2/day]",
    "Bathy depth [m] (ETOPO1 bathymetry)",
    "Depth water [m] (Sediment trap deployment depth)",
    "Duration [days]",
    "Date/Time (Deployed)",
    "Date/time end (Retrieved)",
)


@dataclass(frozen=True)
class Climatology:
    """Monthly production and NPP [mg C m-2 d-1] on the 1° grid, (12, 180, 360)."""

    production: NDArray[np.float64]
    npp: NDArray[np.float64]

    def at(self, lat: float, lon: float, month: int) -> tuple[float, float]:
        """Production and NPP of a cell and calendar month (annual mean where missing)."""
        i = min(int(np.floor(lat + 90.0)), 179)
        j = min(int(np.floor(lon + 180.0)), 359)
        out = []
        for field in (self.production, self.npp):
            value = field[month - 1, i, j]
            if not np.isfinite(value):
                column = field[:, i, j]
                value = np.nanmean(column) if np.isfinite(column).any() else np.nan
            out.append(float(value))
        return out[0], out[1]


def _check_fields(production: NDArray[Any], npp: NDArray[Any]) -> Climatology:
    for name, field in (("production", production), ("npp", npp)):
        if np.shape(field) != (12, 180, 360):
            raise InputError(
                explain(
                    f"demo trap {name} must be a (12, 180, 360) monthly climatology",
                    f"shape {np.shape(field)}",
                    "pass the 1° calendar-month climatology",
                )
            )
    return Climatology(np.asarray(production, float), np.asarray(npp, float))


def _sites(clim: Climatology, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Mooring positions: cell centres with production, at least MIN_SPACING_DEG apart."""
    valid = np.isfinite(clim.production).sum(axis=0) >= 6
    valid &= np.nanmax(np.where(np.isfinite(clim.production), clim.production, 0), axis=0) > 0.5
    i, j = np.nonzero(valid)
    order = rng.permutation(i.size)
    chosen: list[tuple[float, float]] = []
    for k in order:
        lat, lon = i[k] - 89.5, j[k] - 179.5
        near = any(
            abs(lat - a) < MIN_SPACING_DEG and abs((lon - o + 180) % 360 - 180) < MIN_SPACING_DEG
            for a, o in chosen
        )
        if not near:
            chosen.append((float(lat), float(lon)))
        if len(chosen) == N_MOORINGS:
            break
    return chosen


def _cups(rng: np.random.Generator, long_cups: bool) -> list[tuple[pd.Timestamp, float]]:
    """Consecutive cups (start, duration in days) of one deployment."""
    n = int(rng.integers(6, 19))
    if long_cups:
        durations = rng.integers(45, 91, n).astype(float)
    else:
        durations = rng.choice([7.0, 10.0, 14.0, 15.0, 21.0, 30.0, 31.0], n)
    first = pd.Timestamp(YEARS[0], 1, 1)
    latest = pd.Timestamp(YEARS[1], 12, 31) - pd.Timedelta(days=float(durations.sum()))
    months = (latest.year - first.year) * 12 + latest.month - first.month
    start = first + pd.DateOffset(months=int(rng.integers(0, months + 1)))
    cups = []
    for days in durations:
        cups.append((start, float(days)))
        start = start + pd.Timedelta(days=float(days))
    return cups


def _flux(law: tuple[float, float], source: float, depth: float, k: float, noise: float) -> float:
    a, b = law
    return float(a * source**b * (max(depth, 50.0) / 100.0) ** (-k) * noise)


def _mooring_rows(
    site: int, lat: float, lon: float, clim: Climatology, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """All cups of one mooring (1–3 traps) as GO_flux rows."""
    layers = {site % len(LAYER_RANGES), *rng.integers(0, len(LAYER_RANGES), rng.integers(0, 3))}
    depths = sorted(float(round(rng.uniform(*LAYER_RANGES[n]))) for n in layers)
    shallow = site % 20 == 3
    water = 150.0 if shallow else max(depths) + float(rng.uniform(150.0, 1500.0))
    depths = [min(d, 120.0) for d in depths] if shallow else depths
    unknown_water = site % 15 == 7
    long_cups, k = site % 10 == 5, float(rng.uniform(0.5, 0.9))
    rows = []
    for depth in depths:
        for start, days in _cups(rng, long_cups):
            middle = start + pd.Timedelta(days=days / 2)
            production, npp = clim.at(lat, lon, middle.month)
            noise = rng.lognormal(0.0, NOISE_SIGMA, 2)
            pic = _flux(PIC_LAW, production, depth, k, noise[0])
            as_caco3 = rng.random() < 0.2
            rows.append(
                {
                    "ref": f"demo-{site:03d}",
                    "station": f"DEMO-{site:03d}",
                    "lat": lat,
                    "lon": lon,
                    "poc": _flux(POC_LAW, npp, depth, 0.8, noise[1]),
                    "pic": np.nan if as_caco3 else pic,
                    "caco3": pic / CACO3_TO_PIC if as_caco3 else np.nan,
                    "water": np.nan if unknown_water else water,
                    "depth": depth,
                    "days": days,
                    "start": start,
                    "end": start + pd.Timedelta(days=days),
                }
            )
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, float):
        return "" if not np.isfinite(value) else f"{value:.4g}"
    return str(value)


def _pangaea_text(rows: Sequence[dict[str, Any]]) -> str:
    keys: tuple[str, ...] = (
        "ref",
        "station",
        "type",
        "lat",
        "lon",
        "poc",
        "pic",
        "caco3",
        "water",
        "depth",
        "days",
        "start",
        "end",
    )
    head = [
        "/* DATA DESCRIPTION:",
        "Citation:\tpicpump demo archive: synthetic demo data, sediment-trap fluxes in the "
        "layout of Mouw et al. (2016) GO_flux.tab (doi:10.1594/PANGAEA.855594)",
        "Abstract:\tsynthetic demo data: fluxes drawn from the demo ocean's production and NPP "
        "climatology; not observations of the real ocean",
        "License:\tsynthetic demo data, no restrictions",
        "*/",
        "\t".join(GO_FLUX_HEADER),
    ]
    body = ["\t".join(_cell({**r, "type": "sediment trap"}[k]) for k in keys) for r in rows]
    return "\n".join(head + body) + "\n"


def _aloha_text(clim: Climatology, rng: np.random.Generator) -> str:
    """Write a station series in the ALOHA csv layout (−9 = missing), at the ALOHA position."""
    head = [
        "exp,trap,cup,start,start,start,start,end,end,end,end,time,depth,pc,pc,pic,mass",
        ",,,month,day,year,hour,month,day,year,hour,,,mean,sd,,mean",
        "#,#,#,,,,,,,,,(days),(m),mg/m2/d,mg/m2/d,mg/m2/d,mg/m2/d",
        ",,,,,,,,,,,,,,,,",
    ]
    lines = []
    for exp in range(1, 5):
        for trap, depth in enumerate(ALOHA_DEPTHS, start=1):
            for cup, (start, days) in enumerate(_cups(rng, False), start=1):
                end = start + pd.Timedelta(days=days)
                production, npp = clim.at(
                    *ALOHA_POSITION, (start + pd.Timedelta(days=days / 2)).month
                )
                noise = rng.lognormal(0.0, NOISE_SIGMA, 2)
                pic = _flux(PIC_LAW, production, depth, 0.7, noise[0])
                pic_text = "-9" if rng.random() < 0.05 else f"{pic:.4g}"
                poc = _flux(POC_LAW, npp, depth, 0.8, noise[1])
                lines.append(
                    f"{exp},{trap},{cup},{start.month},{start.day},{start.year},0,"
                    f"{end.month},{end.day},{end.year},0,{days:g},{depth:g},{poc:.4g},-9,"
                    f"{pic_text},-9"
                )
    return "\n".join(head + lines) + "\n"


def write_demo_traps(
    root: Path, seed: int, production: NDArray[Any], npp: NDArray[Any]
) -> list[str]:
    """Write the demo trap files under ``root``.

    Parameters
    ----------
    root : pathlib.Path
        Folder to write into (created if needed).
    seed : int
        Seed; the same seed and fields give the same bytes.
    production, npp : numpy.ndarray
        (12, 180, 360) calendar-month climatologies [mg C m-2 d-1] on the 1° grid (lat
        −89.5…89.5 ascending, lon −179.5…179.5); NaN where missing.

    Returns
    -------
    list of str
        Paths written, relative to ``root``: :data:`PANGAEA_FILE`, :data:`STATION_FILE`.
    """
    clim = _check_fields(production, npp)
    rng = np.random.default_rng([seed, 2026, 3])
    rows = [
        row
        for site, (lat, lon) in enumerate(_sites(clim, rng))
        for row in _mooring_rows(site, lat, lon, clim, rng)
    ]
    root.mkdir(parents=True, exist_ok=True)
    (root / PANGAEA_FILE).write_text(_pangaea_text(rows), encoding="utf-8")
    (root / STATION_FILE).write_text(_aloha_text(clim, rng), encoding="utf-8")
    return [PANGAEA_FILE, STATION_FILE]


def demo_traps_catalog_entries(
    folder: str = "{{ CATALOG_DIR }}/../data/demo/ancillary",
) -> dict[str, Any]:
    """Catalog entries (``catalogs/demo.yaml`` shape) of the demo trap files.

    Parameters
    ----------
    folder : str, optional
        Folder of the files, as written in the catalog.

    Returns
    -------
    dict
        ``{name: {driver, description, args, metadata}}``.
    """
    return {
        "traps_go_flux": {
            "driver": "picpump.traps.pangaea",
            "description": "Sediment-trap PIC/CaCO3/POC fluxes in the PANGAEA GO_flux.tab layout; "
            "synthetic demo data",
            "args": {"urlpath": f"{folder}/{PANGAEA_FILE}", "label": "demo GO_flux layout"},
            "metadata": {"synthetic": True, "layout": "Mouw et al. 2016 GO_flux.tab"},
        },
        "traps_station": {
            "driver": "picpump.traps.station",
            "description": "One trap time series in the ALOHA (HOT) csv layout at the ALOHA "
            "position; synthetic demo data",
            "args": {
                "urlpath": f"{folder}/{STATION_FILE}",
                "station": "aloha",
                "name": "DEMO-ALOHA",
            },
            "metadata": {"synthetic": True, "layout": "ALOHA (HOT) aloha.csv"},
        },
    }


__all__ = [
    "LAYER_RANGES",
    "PANGAEA_FILE",
    "STATION_FILE",
    "demo_traps_catalog_entries",
    "write_demo_traps",
]
