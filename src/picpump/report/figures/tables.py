"""Helpers on the table products the figures read (matchups, statistics)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

FLUX_UNITS = "mg m-2 d-1"
"""Units of the trap PIC fluxes in the matchups table (carbon mass, as the production)."""


def layer_order(table: pd.DataFrame) -> list[str]:
    """Return the depth layers of a table, shallow first (the categorical order when set)."""
    layer = table["layer"]
    if isinstance(layer.dtype, pd.CategoricalDtype):
        present = set(layer.dropna().astype(str))
        return [str(c) for c in layer.cat.categories if str(c) in present]
    return sorted({str(v) for v in layer.dropna()}, key=_layer_top)


def _layer_top(layer: str) -> float:
    head = layer.lstrip(">").split("-")[0]
    return float(head) if head.replace(".", "").isdigit() else float("inf")


def usable_matchups(matchups: pd.DataFrame, allow_flags: Sequence[str] = ()) -> pd.DataFrame:
    """Return the rows the statistics use: no QC flag other than ``allow_flags``."""
    allowed = {"", *allow_flags}
    flags = matchups["qc"].fillna("").astype(str).str.split(";")
    keep = flags.map(lambda f: set(f) <= allowed)
    return matchups[keep]


__all__ = ["FLUX_UNITS", "layer_order", "usable_matchups"]
