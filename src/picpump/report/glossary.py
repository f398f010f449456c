"""Plain-words definitions of the quantities the run summary reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GLOSSARY = {
    "EZ PIC production": (
        "calcite (particulate inorganic carbon, PIC) made by calcifying plankton in the "
        "euphotic zone (EZ), the sunlit layer down to 1 % of surface light; paper eq. 2"
    ),
    "PIC stock 0–100 m (PIC_100)": (
        "calcite carbon held in the top 100 m, from the surface concentration (paper eq. 3)"
    ),
    "POC stock 0–100 m (POC_100)": (
        "particulate organic carbon held in the top 100 m (paper eq. 4)"
    ),
    "PIC turnover": "how many days production takes to renew the PIC stock (stock / production)",
    "NPP": "net primary production: organic carbon fixed by phytoplankton per year",
    "coverage": "share of open-ocean cell-months with all four satellite inputs valid",
    "open ocean": "cells deeper than 200 m (shelves are excluded)",
}
"""Quantity → what it means, one line each."""


def glossary_lines() -> list[str]:
    """Return the summary's glossary section (Markdown lines)."""
    lines = ["## What the numbers mean", ""]
    lines += [f"- **{name}**: {meaning}." for name, meaning in GLOSSARY.items()]
    return [*lines, ""]


def eq5_line(production: Mapping[str, Any]) -> str:
    """Label the totals under the paper's printed eq. 5 cell areas, with their ratio.

    Parameters
    ----------
    production : mapping
        ``global_pic_production_pg_per_yr`` of ``summary.json`` (with an ``eq5`` entry).

    Returns
    -------
    str
        One Markdown list line.
    """
    eq5, sphere = production["eq5"], production["mean"]
    ratio = f"≈ {eq5['mean'] / sphere:.3f}×" if sphere else "a multiple of"
    return (
        f"  - with the paper's printed area formula (eq. 5; its cells are {ratio} their area "
        f"on the sphere): {eq5['mean']:.3f} ± {eq5['sd']:.3f}"
    )


__all__ = ["GLOSSARY", "eq5_line", "glossary_lines"]
