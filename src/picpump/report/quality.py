"""The input-quality section of the summary: months left out, cells masked, conversions applied.

Read from the products themselves: the months whose global totals are NaN (no open-ocean
coverage, :mod:`picpump.science.totals`), the per-month counts of cells the plausibility rule
set to NaN (``<variable>_implausible_cells`` of the inputs product,
:mod:`picpump.io.ingest.plausibility`), the per-month conversion flags
(``<variable>_conversions``) and the ``conversions_applied`` attribute of each input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from picpump.io.ingest.plausibility import PLAUSIBLE, UNIT_ERROR_FRACTION
from picpump.io.ingest.records import FLAGS_SUFFIX, RECORD_SUFFIX
from picpump.io.store.zarr_store import open_product

TOTALS = {
    "production": "global_pic_production",
    "npp": "global_npp",
    "pic_stock": "global_pic_stock",
    "poc_stock": "global_poc_stock",
}
"""Summary key → global-totals variable (before the area suffix)."""


def excluded_months(totals: xr.Dataset, area: str) -> dict[str, list[str]]:
    """Return, per total, the months whose total is NaN (left out of the mean ± SD).

    Parameters
    ----------
    totals : xarray.Dataset
        The ``global_totals`` product.
    area : str
        The run's cell-area variant.

    Returns
    -------
    dict of str to list of str
        Summary key → ``YYYY-MM`` labels.
    """
    out = {}
    for key, name in TOTALS.items():
        series = totals[f"{name}_{area}"]
        missing = ~np.isfinite(series.values.astype(np.float64))
        out[key] = [f"{t:%Y-%m}" for t in pd.DatetimeIndex(series["time"].values[missing])]
    return out


def _months_by_flag(flags: xr.DataArray) -> dict[str, int]:
    """Return, per conversion of the CF flags, the number of months it was applied to."""
    values = np.asarray(flags.values, dtype=np.int64)
    meanings = str(flags.attrs.get("flag_meanings", "")).split()
    masks = np.ravel(flags.attrs.get("flag_masks", []))
    pairs = zip(meanings, masks, strict=False)
    return {meaning: int(np.count_nonzero(values & int(bit))) for meaning, bit in pairs}


def input_records(inputs: xr.Dataset) -> dict[str, Any]:
    """Return the plausibility counts and the conversions recorded in the inputs product.

    Returns
    -------
    dict
        ``implausible_cells`` (variable → cells set to NaN), ``conversions_applied``
        (variable → the first file's conversions in words) and ``conversion_months``
        (variable → conversion → months it was applied to).
    """
    counts, conversions, months = {}, {}, {}
    for name in map(str, inputs.data_vars):
        if name.endswith(RECORD_SUFFIX):
            counts[name[: -len(RECORD_SUFFIX)]] = int(inputs[name].sum())
        elif name.endswith(FLAGS_SUFFIX):
            months[name[: -len(FLAGS_SUFFIX)]] = _months_by_flag(inputs[name])
        elif "conversions_applied" in inputs[name].attrs:
            conversions[name] = str(inputs[name].attrs["conversions_applied"])
    return {
        "implausible_cells": counts,
        "conversions_applied": conversions,
        "conversion_months": months,
    }


def input_quality(
    products: Mapping[str, str], area: str, storage_options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Assemble the ``input_quality`` entry of ``summary.json``.

    Parameters
    ----------
    products : mapping
        Product name → URL.
    area : str
        The run's cell-area variant.
    storage_options : mapping, optional
        fsspec options to read the products.

    Returns
    -------
    dict
        ``{"input_quality": {excluded_months, min_coverage, implausible_cells,
        conversions_applied, plausible_ranges, unit_error_fraction}}`` (the parts the run's
        products allow), or ``{}`` when the run made neither inputs nor global totals.
    """
    quality: dict[str, Any] = {}
    if "global_totals" in products:
        totals = open_product(products["global_totals"], storage_options)
        quality["excluded_months"] = excluded_months(totals, area)
        attrs = totals[f"global_pic_production_{area}"].attrs
        quality["min_coverage"] = float(attrs.get("min_coverage", 0.0))
    if "inputs" in products:
        quality.update(input_records(open_product(products["inputs"], storage_options)))
        quality["plausible_ranges"] = {k: v.describe() for k, v in PLAUSIBLE.items()}
        quality["unit_error_fraction"] = UNIT_ERROR_FRACTION
    return {"input_quality": quality} if quality else {}


def quality_lines(summary: Mapping[str, Any]) -> list[str]:
    """Render the input-quality section of ``summary.md``."""
    if "input_quality" not in summary:
        return []
    quality = summary["input_quality"]
    lines = ["## Input quality", ""]
    for key, months in quality.get("excluded_months", {}).items():
        if months:
            lines.append(
                f"- {key}: {len(months)} month(s) without open-ocean coverage (coverage 0 or "
                f"below {quality['min_coverage']:g}), left out of the mean ± SD: "
                + ", ".join(months)
            )
    for variable, count in quality.get("implausible_cells", {}).items():
        if count:
            lines.append(
                f"- {variable}: {count} cell(s) inf or outside "
                f"{quality['plausible_ranges'].get(variable, 'the finite values')}, set to NaN"
            )
    for variable, applied in quality.get("conversions_applied", {}).items():
        by_flag = quality.get("conversion_months", {}).get(variable, {})
        counted = ", ".join(f"{flag} in {n} month(s)" for flag, n in by_flag.items() if n)
        lines.append(f"- {variable} conversions: {applied} (first file); {counted or 'none'}")
    return [*lines, ""]


__all__ = ["TOTALS", "excluded_months", "input_quality", "input_records", "quality_lines"]
