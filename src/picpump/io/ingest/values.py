"""Rules on stored values: missing values, CF packing, unit conversion, positivity.

Pure numpy, applied in place where they can be: the NetCDF reader
(:mod:`picpump.io.ingest.reader`) calls them on whole fields and the ARCO reader
(:mod:`picpump.io.ingest.arco`) block by block (:mod:`picpump.io.ingest.lazy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import netCDF4
import numpy as np
from numpy.typing import NDArray

POSITIVE_ONLY = frozenset({"pic", "par", "kd490", "poc", "npp"})
"""Ocean-colour quantities: a value ≤ 0 is missing (GlobColour rule); not SST."""

Float32Array = NDArray[np.float32]


def _fill_values(attrs: Mapping[str, Any], dtype: np.dtype[Any]) -> list[Any]:
    """Return the stored values that mean "missing" (``_FillValue``, ``missing_value``)."""
    values = [v for k in ("_FillValue", "missing_value") for v in np.ravel(attrs.get(k, []))]
    if "_FillValue" not in attrs and dtype.itemsize > 1:
        values.append(netCDF4.default_fillvals.get(dtype.str[1:], None))
    return [v for v in values if v is not None]


def out_of_range(values: NDArray[Any], attrs: Mapping[str, Any]) -> NDArray[np.bool_]:
    """Return where values fall outside ``valid_min``/``valid_max``/``valid_range``.

    Parameters
    ----------
    values : numpy.ndarray
        Values in the units and packing the attributes refer to.
    attrs : mapping
        The variable's attributes.

    Returns
    -------
    numpy.ndarray of bool
        True outside the valid range (NaN is not outside).
    """
    outside = np.zeros(values.shape, bool)
    low, high = np.ravel(attrs.get("valid_range", [None, None]))[:2]
    low = attrs.get("valid_min", low)
    high = attrs.get("valid_max", high)
    if low is not None:
        outside |= values < low
    if high is not None:
        outside |= values > high
    return outside


def missing_mask(raw: NDArray[Any], attrs: Mapping[str, Any]) -> NDArray[np.bool_]:
    """Return where a stored (packed) array is missing.

    Rule: ``_FillValue`` (else the netCDF default fill of the type), every ``missing_value``,
    NaN, and values outside the valid range (:func:`out_of_range`) — compared on the stored
    values, before ``scale_factor``/``add_offset``, as CF specifies.

    Parameters
    ----------
    raw : numpy.ndarray
        The stored values (not unpacked, not masked).
    attrs : mapping
        The variable's attributes.

    Returns
    -------
    numpy.ndarray of bool
        True where missing.
    """
    return fill_mask(raw, attrs) | out_of_range(raw, attrs)


def fill_mask(raw: NDArray[Any], attrs: Mapping[str, Any]) -> NDArray[np.bool_]:
    """Return where a stored array holds a fill value (``_FillValue``, ``missing_value``) or NaN.

    Parameters
    ----------
    raw : numpy.ndarray
        The stored values.
    attrs : mapping
        The variable's attributes.

    Returns
    -------
    numpy.ndarray of bool
        True where the file says "no data" (the valid range is not considered).
    """
    mask = np.isnan(raw) if raw.dtype.kind == "f" else np.zeros(raw.shape, bool)
    for value in _fill_values(attrs, raw.dtype):
        mask |= raw == value
    return mask


def outside_valid_range(raw: NDArray[Any], attrs: Mapping[str, Any]) -> int:
    """Count the stored values that are data (not fill) but outside the file's valid range.

    :func:`missing_mask` sets them missing, as CF specifies; the count lets the plausibility
    rule (:mod:`picpump.io.ingest.plausibility`) record them and refuse a month where they are
    most of the data (a unit error).
    """
    return int(np.count_nonzero(out_of_range(raw, attrs) & ~fill_mask(raw, attrs)))


def unpack(raw: NDArray[Any], attrs: Mapping[str, Any]) -> Float32Array:
    """Return float32 values: ``raw * scale_factor + add_offset`` (CF packing), missing NaN.

    Parameters
    ----------
    raw : numpy.ndarray
        The stored values.
    attrs : mapping
        The variable's attributes.

    Returns
    -------
    numpy.ndarray of float32
        A new array.
    """
    mask = missing_mask(raw, attrs)
    data = raw.astype(np.float32)
    scale, offset = attrs.get("scale_factor", 1.0), attrs.get("add_offset", 0.0)
    if scale != 1.0:
        data *= np.float32(scale)
    if offset != 0.0:
        data += np.float32(offset)
    data[mask] = np.nan
    return data


def convert(data: Float32Array, factor: float, offset: float) -> Float32Array:
    """Apply ``data * factor + offset`` in place, computed in float64, rounded once to float32.

    Rule: the factor and offset are never rounded to float32 first (−273.15 as a float32
    constant would make every K → °C value 6.1e-6 °C too warm); the identity leaves the
    values untouched.
    """
    if factor != 1.0 or offset != 0.0:
        data[...] = data.astype(np.float64) * factor + offset
    return data


def clear_non_positive(data: Float32Array, canonical: str | None) -> Float32Array:
    """Set values ≤ 0 to NaN for ocean-colour quantities (:data:`POSITIVE_ONLY`), in place.

    Rule (GlobColour): concentrations, light, attenuation and production are strictly
    positive; zero or negative values are retrieval failures, not measurements. SST is
    exempt.
    """
    if canonical in POSITIVE_ONLY:
        data[data <= 0] = np.nan
    return data


def standardise(
    data: Float32Array, canonical: str | None, factor: float, offset: float
) -> Float32Array:
    """Convert units, then clear non-positive values (:func:`convert`, :func:`clear_non_positive`).

    Parameters
    ----------
    data : numpy.ndarray of float32
        Unpacked values, NaN where missing; changed in place.
    canonical : str or None
        Canonical variable (for the positivity rule).
    factor, offset : float
        From :func:`units_rule`.

    Returns
    -------
    numpy.ndarray of float32
        ``data``.
    """
    return clear_non_positive(convert(data, factor, offset), canonical)


def standardise_decoded(
    values: NDArray[Any],
    valid: Mapping[str, Any],
    canonical: str | None,
    factor: float,
    offset: float,
) -> Float32Array:
    """Standardise values a CF decoder (xarray) has already unpacked and fill-masked.

    Rules: float32; NaN outside the valid range of ``valid`` (:func:`out_of_range`, compared
    on the float32 values), then :func:`standardise`.

    Parameters
    ----------
    values : numpy.ndarray
        Decoded values, NaN where missing; not changed.
    valid : mapping
        Attributes holding the valid range of the decoded values (empty for none).
    canonical : str or None
        Canonical variable (for the positivity rule).
    factor, offset : float
        Unit conversion.

    Returns
    -------
    numpy.ndarray of float32
        A new array.
    """
    data = np.array(values, dtype=np.float32)
    data[out_of_range(data, valid)] = np.nan
    return standardise(data, canonical, factor, offset)


__all__ = [
    "POSITIVE_ONLY",
    "Float32Array",
    "clear_non_positive",
    "convert",
    "fill_mask",
    "missing_mask",
    "outside_valid_range",
    "out_of_range",
    "standardise",
    "standardise_decoded",
    "unpack",
]
