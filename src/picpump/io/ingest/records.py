"""Per-month records of the canonical rules: cells masked by plausibility, conversions applied.

Each monthly field carries two (time,) coordinates, lazy like the field, that the inputs
product keeps as variables: ``<canonical>_implausible_cells`` (cells set to NaN by
:mod:`picpump.io.ingest.plausibility`) and ``<canonical>_conversions`` (CF flags of the
conversions applied to that month's file, :data:`CONVERSION_FLAGS`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from picpump.io.ingest.plausibility import PLAUSIBLE, UNIT_ERROR_FRACTION
from picpump.io.ingest.rules import Orientation

RECORD_SUFFIX = "_implausible_cells"
"""Name of the per-month count of masked cells: ``<canonical>_implausible_cells``."""

FLAGS_SUFFIX = "_conversions"
"""Name of the per-month conversion flags: ``<canonical>_conversions``."""

RECORDS = (RECORD_SUFFIX, FLAGS_SUFFIX)
"""Suffixes of the per-month records the inputs product keeps."""


CONVERSION_FLAGS = {1: "units_converted", 2: "latitude_flipped", 4: "longitude_rolled"}
"""CF flag masks of the per-month conversion record → their meanings."""


def conversion_flags(lay: Orientation, factor: float, offset: float) -> int:
    """Return the conversions applied to a file as CF flag bits (:data:`CONVERSION_FLAGS`)."""
    units = int(factor != 1.0 or offset != 0.0)
    return units | 2 * int(lay.flip_lat) | 4 * int(lay.lon_shift != 0)


def describe_conversions(lay: Orientation, factor: float, offset: float, units: str) -> str:
    """Say in words which conversions the rules apply to a field (for the product's record).

    Parameters
    ----------
    lay : Orientation
        The orientation rules.
    factor, offset : float
        From :func:`picpump.io.ingest.rules.units_rule`.
    units : str
        The stored units (or the catalog's override).

    Returns
    -------
    str
        E.g. ``"units 'K' → canonical: x * 1 + -273.15 (float64); latitude flipped"``, or
        ``"none"``.
    """
    done = []
    if factor != 1.0 or offset != 0.0:
        done.append(f"units '{units}' → canonical: x * {factor:.10g} + {offset:.10g} (float64)")
    if lay.flip_lat:
        done.append("latitude flipped (stored north first)")
    if lay.lon_shift:
        done.append(f"longitude rolled by {lay.lon_shift} columns (stored 0…360)")
    return "; ".join(done) or "none"


def record_attrs(canonical: str) -> dict[str, Any]:
    """Return the attributes of the ``<canonical>_implausible_cells`` record."""
    bounds = PLAUSIBLE.get(canonical)
    span = bounds.describe() if bounds else "finite"
    return {
        "long_name": f"cells of '{canonical}' set to NaN by the plausibility rule (inf, "
        f"outside {span} or outside the file's valid range)",
        "units": "1",
        "unit_error_fraction": UNIT_ERROR_FRACTION,
    }


def with_records(field: xr.DataArray, canonical: str, counts: Any, flags: Any) -> xr.DataArray:
    """Attach the per-month records of a field as (time,) coordinates (lazy or not).

    ``<canonical>_implausible_cells`` counts the cells set to NaN by the plausibility rule;
    ``<canonical>_conversions`` holds CF flags of the conversions applied to each month's
    file (:data:`picpump.io.ingest.rules.CONVERSION_FLAGS`).

    Parameters
    ----------
    field : xarray.DataArray
        A (time, lat, lon) canonical field.
    canonical : str
        Its canonical variable.
    counts, flags : array-like
        (time,) integers, numpy or dask.

    Returns
    -------
    xarray.DataArray
        ``field`` with the two coordinates.
    """
    masks = sorted(CONVERSION_FLAGS)
    flag_attrs = {
        "long_name": f"conversions applied to the file of each month of '{canonical}'",
        "units": "1",
        "flag_masks": np.array(masks, dtype=np.int32),
        "flag_meanings": " ".join(CONVERSION_FLAGS[m] for m in masks),
    }
    return field.assign_coords(
        {
            f"{canonical}{RECORD_SUFFIX}": ("time", counts, record_attrs(canonical)),
            # the same type as flag_masks (CF: "of the same type as the variable")
            f"{canonical}{FLAGS_SUFFIX}": ("time", _as_int32(flags), flag_attrs),
        }
    )


def _as_int32(values: Any) -> Any:
    return values.astype(np.int32) if hasattr(values, "astype") else np.asarray(values, np.int32)


__all__ = [
    "CONVERSION_FLAGS",
    "FLAGS_SUFFIX",
    "RECORDS",
    "RECORD_SUFFIX",
    "conversion_flags",
    "describe_conversions",
    "record_attrs",
    "with_records",
]
