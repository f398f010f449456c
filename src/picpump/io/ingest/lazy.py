"""The canonical rules applied lazily to xarray data (dask arrays of an ARCO store).

No rule is written here: each function hands the numpy rule of :mod:`picpump.io.ingest.rules`
to :func:`xarray.apply_ufunc`, whole (orientation, on dask arrays) or block by block (values).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from picpump.io.ingest.plausibility import check_unit_error, implausible
from picpump.io.ingest.records import with_records
from picpump.io.ingest.rules import Orientation, orient, out_of_range, standardise_decoded

LAT_LON = ["lat", "lon"]


def orient_lazy(var: xr.DataArray, rules: Orientation) -> xr.DataArray:
    """Apply :func:`picpump.io.ingest.rules.orient` to a DataArray with ``lat`` and ``lon`` dims.

    Parameters
    ----------
    var : xarray.DataArray
        Any dims including ``lat`` and ``lon``; numpy or dask.
    rules : Orientation
        From :func:`picpump.io.ingest.rules.orientation` on its coordinates.

    Returns
    -------
    xarray.DataArray
        Same dims, lat ascending and lon −180…180 (values and coordinates); dask chunks as
        stored along ``lon`` (the roll moves columns across chunks, not the chunk sizes).
    """
    out = xr.apply_ufunc(
        orient,
        var,
        kwargs={"rules": rules},
        input_core_dims=[LAT_LON],
        output_core_dims=[LAT_LON],
        dask="allowed",
        keep_attrs=True,
    )
    if rules.lon_shift and var.chunks is not None:
        out = out.chunk(lon=var.chunksizes["lon"])
    return out.transpose(*var.dims).assign_coords(lat=rules.lat, lon=rules.lon)


def standardise_lazy(
    var: xr.DataArray,
    valid: Mapping[str, Any],
    canonical: str | None,
    factor: float,
    offset: float,
) -> xr.DataArray:
    """Apply :func:`picpump.io.ingest.values.standardise_decoded` block by block.

    Parameters
    ----------
    var : xarray.DataArray
        Decoded values (xarray's CF decoding), NaN where missing.
    valid : mapping
        Attributes holding the valid range of the decoded values (empty for none).
    canonical : str or None
        Canonical variable (positivity rule).
    factor, offset : float
        Unit conversion.

    Returns
    -------
    xarray.DataArray
        float32, same dims and chunks.
    """
    return xr.apply_ufunc(
        standardise_decoded,
        var,
        kwargs={"valid": dict(valid), "canonical": canonical, "factor": factor, "offset": offset},
        dask="parallelized",
        output_dtypes=[np.float32],
        keep_attrs=True,
    )


def _checked_counts(
    bad: NDArray[np.integer[Any]],
    valid: NDArray[np.integer[Any]],
    time: NDArray[np.datetime64],
    canonical: str,
    where: str,
) -> NDArray[np.int32]:
    """Refuse the months of a block that look like a unit error; return the counts."""
    for n_bad, n_valid, month in zip(bad.ravel(), valid.ravel(), time.ravel(), strict=True):
        label = np.datetime_as_string(month, unit="M")
        check_unit_error(int(n_bad), int(n_valid), canonical, f"{where} (month {label})")
    return bad.astype(np.int32)


def _outside(values: NDArray[Any], valid: Mapping[str, Any]) -> NDArray[np.bool_]:
    """Where decoded values are outside the valid range, compared in float32 as when masked."""
    return out_of_range(np.asarray(values, dtype=np.float32), valid)


def outside_lazy(var: xr.DataArray, valid: Mapping[str, Any]) -> xr.DataArray:
    """Count, per month, the decoded values outside the store's valid range (lazy).

    Parameters
    ----------
    var : xarray.DataArray
        Decoded values (time, lat, lon), before :func:`standardise_lazy` masks them.
    valid : mapping
        Attributes holding the valid range (empty for none: nothing is outside).

    Returns
    -------
    xarray.DataArray
        (time,) counts, for :func:`plausible_lazy`.
    """
    outside = xr.apply_ufunc(
        _outside, var, kwargs={"valid": dict(valid)}, dask="parallelized", output_dtypes=[bool]
    )
    return outside.sum(LAT_LON)


def plausible_lazy(
    var: xr.DataArray,
    canonical: str,
    where: str,
    flags: int,
    outside: xr.DataArray | None = None,
) -> xr.DataArray:
    """Apply :mod:`picpump.io.ingest.plausibility` lazily to a (time, lat, lon) field.

    Implausible cells are set to NaN; their count per month is attached as the coordinate
    ``<canonical>_implausible_cells``, a lazy (time,) array that refuses, when computed, a
    month that looks like a unit error (:func:`picpump.io.ingest.plausibility.check_unit_error`),
    and the store's conversion flags as ``<canonical>_conversions``
    (:func:`picpump.io.ingest.records.with_records`).

    Parameters
    ----------
    var : xarray.DataArray
        Canonical values (dims time, lat, lon), NaN where missing.
    canonical : str
        Canonical variable.
    where : str
        The store, for the message.
    flags : int
        The conversions applied (:func:`picpump.io.ingest.records.conversion_flags`).
    outside : xarray.DataArray, optional
        (time,) cells already set to NaN for being outside the store's valid range
        (:func:`outside_lazy`), counted with the implausible ones.

    Returns
    -------
    xarray.DataArray
        The masked field (same dtype and chunks) with the record coordinates.
    """
    bad = xr.apply_ufunc(
        implausible, var, kwargs={"canonical": canonical}, dask="parallelized", output_dtypes=[bool]
    )
    extra = 0 if outside is None else outside
    counts = xr.apply_ufunc(
        _checked_counts,
        bad.sum(LAT_LON) + extra,
        var.notnull().sum(LAT_LON) + extra,
        var["time"],
        kwargs={"canonical": canonical, "where": where},
        dask="parallelized",
        output_dtypes=[np.int32],
    )
    every_month = np.full(var.sizes["time"], flags, dtype=np.int32)
    return with_records(var.where(~bad), canonical, counts.data, every_month)


__all__ = ["orient_lazy", "outside_lazy", "plausible_lazy", "standardise_lazy"]
