"""Read one month (or one static field) and bring it to the canonical form.

Files are read by :mod:`picpump.io.ingest.netcdf` (netCDF4, under :data:`NETCDF_LOCK`);
remote files are copied to a temporary local cache first (netCDF4 reads local files only).
The rules themselves live in :mod:`picpump.io.ingest.conventions` (axes, month) and
:mod:`picpump.io.ingest.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from picpump.errors import InputError, explain
from picpump.grid import Grid
from picpump.io.ingest import rules
from picpump.io.ingest.conventions import CONVENTIONS, FileInfo, check_month, find_axes
from picpump.io.ingest.netcdf import NETCDF_LOCK, global_attributes, read_file, read_values
from picpump.io.ingest.plausibility import mask_implausible
from picpump.io.ingest.records import conversion_flags, describe_conversions
from picpump.io.ingest.values import outside_valid_range
from picpump.io.store.fs import local_copy
from picpump.science.regrid import np_coarsen_conservative, row_weights
from picpump.units import CANONICAL


@dataclass(frozen=True)
class MonthReader:
    """How to read and standardise the files of one catalog entry.

    Attributes
    ----------
    variable : str
        Variable name in the files.
    canonical : str or None
        Canonical variable (``pic``, ``sst``, ...); None reads without unit conversion.
    convention : str
        File convention (see :data:`picpump.io.ingest.conventions.CONVENTIONS`).
    grid : Grid
        The pipeline grid the files must be on.
    units : str or None
        Units override from the catalog.
    storage_options : mapping
        fsspec options for remote files.
    climatology : bool
        The files are a monthly climatology (one per calendar month, spanning many years,
        e.g. NASA ``L3m.MC``): only the calendar month of ``month`` is checked.
    coarsen : bool
        Files on an integer refinement of ``grid`` (e.g. 4 km or 9 km for a 1° run) are
        averaged onto it, area-weighted over the valid sub-cells (conservative, NaN-aware);
        otherwise they are refused.
    """

    variable: str
    canonical: str | None
    convention: str
    grid: Grid
    units: str | None = None
    storage_options: Mapping[str, Any] = field(default_factory=dict)
    climatology: bool = False
    coarsen: bool = False

    def read(self, url: str, month: pd.Timestamp) -> NDArray[np.float32]:
        """Read one month as a canonical (nlat, nlon) float32 array."""
        return self.read_recorded(url, month)[0]

    def read_recorded(
        self, url: str, month: pd.Timestamp
    ) -> tuple[NDArray[np.float32], tuple[int, int]]:
        """Read one month; return it and its record.

        The record is ``(implausible, flags)``: the cells the plausibility rule set to NaN
        (:mod:`picpump.io.ingest.plausibility`, which refuses a month that looks like a unit
        error with :class:`picpump.errors.UnitsError`) and the conversions applied
        (:func:`picpump.io.ingest.records.conversion_flags`).
        """
        checked: list[tuple[rules.Layout, float, float]] = []
        with local_copy(url, self.storage_options) as path:
            info, raw = read_values(
                path, url, self.variable, lambda i: checked.append(self._check(i, month))
            )
        lay, factor, offset = checked[0]
        data = rules.convert(_oriented(rules.unpack(raw, info.attrs), lay), factor, offset)
        where = f"{url} (month {month:%Y-%m})"
        outside = outside_valid_range(raw, info.attrs) if self.canonical else 0
        data, count = mask_implausible(data, self.canonical, where, outside)
        data = self._onto_grid(rules.clear_non_positive(data, self.canonical), lay)
        return data, (count, conversion_flags(lay, factor, offset))

    def _onto_grid(self, data: NDArray[np.float32], lay: rules.Layout) -> NDArray[np.float32]:
        """Average a field on a finer grid onto the pipeline grid (only with ``coarsen``)."""
        k = lay.lat.size // self.grid.nlat
        if k == 1:
            return data
        weights = row_weights(lay.lat, self.grid.resolution / k)
        return np.asarray(np_coarsen_conservative(data, k, weights), dtype=np.float32)

    def inspect(self, url: str, month: pd.Timestamp) -> FileInfo:
        """Check one file's metadata (variable, month, axes, grid, units); read no data.

        Returns the file's description (its variable attributes name a non-canonical field).
        """
        with local_copy(url, self.storage_options) as path:
            info, _ = read_file(path, url, self.variable, False, lambda i: self._check(i, month))
        return info

    def conversions(self, info: FileInfo) -> str:
        """Describe the conversions the rules apply to a file (units, flip, roll)."""
        lay = rules.layout(info, find_axes(info))
        factor, offset = rules.units_rule(self.canonical, info.attrs, self.units, info.url)
        units = self.units if self.units is not None else str(info.attrs.get("units", ""))
        return describe_conversions(lay, factor, offset, units)

    def _check(self, info: FileInfo, month: pd.Timestamp) -> tuple[rules.Layout, float, float]:
        """Apply the metadata rules; return the layout and the unit conversion."""
        check_month(info, self.convention, month, climatology=self.climatology)
        lay = rules.layout(info, find_axes(info))
        if self.coarsen:
            rules.refinement(lay, self.grid, info.url)
        else:
            rules.check_grid(lay, self.grid, info.url)
        factor, offset = rules.units_rule(self.canonical, info.attrs, self.units, info.url)
        return lay, factor, offset


def _oriented[T: np.generic](data: NDArray[T], lay: rules.Layout) -> NDArray[T]:
    """Squeeze time, order (lat, lon) and orient a stored array; C-contiguous."""
    return np.ascontiguousarray(rules.orient(rules.lat_lon_last(data, lay.axes), lay))


def read_month(
    url: str,
    *,
    variable: str,
    canonical: str | None,
    convention: str,
    month: pd.Timestamp | str,
    grid: Grid,
    units: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    climatology: bool = False,
) -> NDArray[np.float32]:
    """Read one monthly file and return it in the canonical form.

    Parameters
    ----------
    url : str
        Local path or fsspec URL of the file.
    variable : str
        Variable name in the file.
    canonical : str or None
        Canonical variable (``pic``, ``sst``, ...): sets the unit conversion and the
        positivity rule. None reads the field as stored (fill, orientation, grid only).
    convention : str
        ``globcolour``, ``nasa_l3m``, ``copernicus`` or ``canonical``.
    month : pandas.Timestamp or str
        The month the file must cover.
    grid : Grid
        The grid the file must be on.
    units : str, optional
        Units override (when the file's ``units`` attribute is missing or wrong).
    storage_options : mapping, optional
        fsspec options for remote files.
    climatology : bool, default False
        The file is one calendar month of a climatology (NASA ``L3m.MC``): it must cover
        that calendar month of every year of its record; the year of ``month`` is ignored.

    Returns
    -------
    numpy.ndarray
        (nlat, nlon) float32, lat ascending, lon −180…180, NaN where missing.

    Raises
    ------
    InputError
        Missing, unreadable file, missing variable, wrong month.
    GridError
        Wrong dimensions, shape or coordinates.
    UnitsError
        Missing, unknown or ambiguous units.
    """
    if convention not in CONVENTIONS:
        raise InputError(
            explain(
                f"the convention must be one of {sorted(CONVENTIONS)}",
                repr(convention),
                "set args.convention of the catalog entry",
            )
        )
    options = dict(storage_options or {})
    reader = MonthReader(variable, canonical, convention, grid, units, options, climatology)
    return reader.read(url, pd.Timestamp(month))


_PACKING = frozenset(
    {"_FillValue", "missing_value", "valid_min", "valid_max", "valid_range", "scale_factor"}
    | {"add_offset"}
)


def read_static(
    url: str,
    *,
    variable: str,
    canonical: str | None = None,
    units: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> xr.DataArray:
    """Read one static 2-D field on its own grid, oriented lat ascending, lon −180…180.

    Rules: as for a month (fill, orientation, units when ``canonical`` is given, positivity),
    without the grid and month checks. An integer variable without fill attributes keeps its
    type (region masks); everything else becomes float32 with NaN for missing.

    Parameters
    ----------
    url : str
        Local path or fsspec URL.
    variable : str
        Variable name in the file.
    canonical : str, optional
        Canonical variable, for unit conversion and attributes.
    units : str, optional
        Units override.
    storage_options : mapping, optional
        fsspec options for remote files.

    Returns
    -------
    xarray.DataArray
        (lat, lon), named ``canonical`` (else ``variable``).
    """
    with local_copy(url, storage_options) as path:
        info, raw = read_values(path, url, variable)
    lay = rules.layout(info, find_axes(info))
    factor, offset = rules.units_rule(canonical, info.attrs, units, url)
    values: NDArray[Any]
    if raw.dtype.kind in "iub" and canonical is None and not _PACKING & set(info.attrs):
        values = _oriented(raw, lay)
    else:
        values = rules.standardise(
            _oriented(rules.unpack(raw, info.attrs), lay), canonical, factor, offset
        )
    attrs = {k: v for k, v in info.attrs.items() if k not in _PACKING}
    return xr.DataArray(
        values,
        dims=("lat", "lon"),
        coords={"lat": lay.lat, "lon": lay.lon},
        name=canonical or variable,
        attrs=CANONICAL[canonical].attrs() if canonical else attrs,
    )


__all__ = ["NETCDF_LOCK", "MonthReader", "global_attributes", "read_month", "read_static"]
