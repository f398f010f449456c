"""Reader of Knecht-style monthly calcifier biomass grids (pteropods, foraminifers).

Knecht et al. 2023 (Global Biogeochem. Cycles 37, e2022GB007685, doi:10.1029/2022GB007685)
give monthly 1° carbon biomass [g C m-3, mean over 0–200 m]. Their file layout is not fixed
here: variable names, units and the month axis are arguments (catalog entry args). Accepted
layouts: NetCDF with one (month, lat, lon) variable per taxon, or a CSV table with columns
lat, lon, month and either one value column per taxon (wide) or a taxon column and a value
column (long). The result is canonical: ``Dataset(pteropods, foraminifers)`` (month, lat, lon),
month 1…12, lat ascending, lon −180…180, float32 [g m-3].
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from picpump.errors import InputError, explain
from picpump.grid import Grid
from picpump.io.ingest.lonlat import canonical_lonlat, find_lonlat, find_name, onto_grid
from picpump.io.ingest.lonlat import open_small_netcdf as open_netcdf
from picpump.io.store.fs import local_copy
from picpump.redact import redact
from picpump.units import BIOMASS_UNITS, biomass_factor

DEFAULT_VARIABLES = {"pteropods": "pteropods", "foraminifers": "foraminifers"}


def _month_numbers(values: np.ndarray, where: str) -> np.ndarray:
    """Return calendar months 1…12 from month numbers (1…12 or 0…11) or dates."""
    if np.issubdtype(values.dtype, np.datetime64):
        months = pd.DatetimeIndex(values).month.to_numpy()
    else:
        months = np.asarray(values).astype(np.int64)
        if months.min(initial=1) == 0 and months.max(initial=0) <= 11:
            months = months + 1
    if sorted(set(months.tolist())) != list(range(1, 13)) or months.size != 12:
        raise InputError(
            explain(
                "a monthly climatology has exactly the 12 calendar months, once each",
                f"month values {sorted(set(np.asarray(values).tolist()))[:14]} ({where})",
                "name the month axis (args.month_dim) or select one year of the file",
            )
        )
    return months


def _read_table(url: str, storage_options: Mapping[str, Any] | None) -> pd.DataFrame:
    try:
        with local_copy(url, storage_options) as path:
            return pd.read_csv(path)
    except (OSError, ValueError) as err:
        rule = "a CSV biomass table must be a readable comma-separated file with a header row"
        raise InputError(explain(rule, f"{url}: {err}", "check args.urlpath")) from err


def _table_to_dataset(
    table: pd.DataFrame, names: Mapping[str, str], axes: tuple[str, str, str], long: tuple[str, str]
) -> xr.Dataset:
    """Turn a wide or long (``long = (taxon_column, value_column)``) table into a Dataset."""
    taxon_column, value_column = long
    wanted = [*axes, taxon_column, value_column] if taxon_column else [*axes, *names.values()]
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise InputError(
            explain(
                f"the biomass table needs the columns {wanted}",
                f"missing {missing}; columns {list(table.columns)}",
                "name the columns in the catalog entry args (variables, lat_name, lon_name, "
                "month_dim, taxon_column, value_column)",
            )
        )
    if taxon_column:
        rows = table[table[taxon_column].isin(list(names.values()))]
        values = rows.set_index([*axes, taxon_column])[value_column]
        if values.index.duplicated().any():
            raise InputError(explain("one row per cell, month and taxon", "duplicates", "dedupe"))
        wide = values.unstack(taxon_column)
    else:
        wide = table.set_index(list(axes))[list(names.values())]
    if wide.index.duplicated().any():
        raise InputError(
            explain("the table has one row per cell and month", "repeated rows", "remove them")
        )
    return xr.Dataset.from_dataframe(wide)


def _standardise(raw: xr.Dataset, names: Mapping[str, str], units: Any, where: str) -> xr.Dataset:
    """Convert each taxon to g m-3 float32, refusing negative biomass."""
    out = {}
    for taxon, name in names.items():
        declared = units.get(taxon) if isinstance(units, Mapping) else units
        declared = raw[name].attrs.get("units") if declared is None else declared
        factor = biomass_factor(declared, f"{where}, {name}")
        data = np.asarray(raw[name].values, dtype=np.float64) * factor
        if np.any(data < 0):
            raise InputError(
                explain(
                    "biomass is never negative",
                    f"minimum {np.nanmin(data):g} g m-3 in {name} ({where})",
                    "check the fill value (_FillValue) or the units of the file",
                )
            )
        attrs = {"units": BIOMASS_UNITS, "long_name": f"{taxon} carbon biomass, mean 0-200 m"}
        out[taxon] = (("month", "lat", "lon"), data.astype(np.float32), attrs)
    coords = {c: raw[c].values for c in ("month", "lat", "lon")}
    return xr.Dataset(out, coords=coords, attrs={"source": redact(where)})


def read_taxa(
    url: str,
    *,
    variables: Mapping[str, str] | None = None,
    units: str | Mapping[str, str] | None = None,
    month_dim: str = "month",
    lat_name: str | None = None,
    lon_name: str | None = None,
    file_format: Literal["netcdf", "csv"] | None = None,
    taxon_column: str | None = None,
    value_column: str = "value",
    grid: Grid | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Read a monthly calcifier biomass grid into the canonical form (eager; small file).

    Parameters
    ----------
    url : str
        Local path or fsspec URL of a NetCDF (``.nc``) or CSV (``.csv``) file.
    variables : mapping of str to str, optional
        Taxon → variable (NetCDF) or column / taxon label (CSV) in the file; default
        ``{"pteropods": "pteropods", "foraminifers": "foraminifers"}``.
    units : str or mapping, optional
        Units of all (or of each) taxon, overriding the file's ``units`` attributes; required
        for CSV. g, mg, µg, mol, mmol or µmol C m-3; anything else is refused.
    month_dim : str, default "month"
        Month dimension (NetCDF) or column (CSV): month numbers 1…12 (or 0…11) or dates.
    lat_name, lon_name : str, optional
        Latitude and longitude names; by default ``lat``/``latitude`` and ``lon``/``longitude``.
    file_format : {"netcdf", "csv"}, optional
        Default: from the file name suffix (``.csv`` → csv, anything else NetCDF).
    taxon_column : str, optional
        For a long CSV table: the column naming the taxon of each row.
    value_column : str, default "value"
        For a long CSV table: the column of the biomass values.
    grid : Grid, optional
        Place the result on this grid (cells absent from the file are NaN); off-grid
        coordinates are refused.
    storage_options : mapping, optional
        fsspec options of the URL's filesystem.

    Returns
    -------
    xarray.Dataset
        One float32 variable per taxon [g m-3], dims (month, lat, lon), month 1…12, lat
        ascending, lon −180…180.

    Raises
    ------
    InputError
        Missing file, variables, columns or months; duplicated rows; negative biomass.
    UnitsError
        Missing or unknown units.
    GridError
        Repeated or off-grid coordinates.
    """
    names = dict(variables or DEFAULT_VARIABLES)
    fmt = file_format or ("csv" if PurePosixPath(url).suffix.lower() == ".csv" else "netcdf")
    if fmt == "csv":
        table = _read_table(url, storage_options)
        lat, lon = find_lonlat(list(table.columns), lat_name, lon_name, url)
        axes = (lat, lon, month_dim)
        raw = _table_to_dataset(table, names, axes, (taxon_column or "", value_column))
    else:
        raw = open_netcdf(url, storage_options)
        dims = [str(d) for d in raw.dims]
        lat, lon = find_lonlat(dims, lat_name, lon_name, url)
        find_name(dims, month_dim, (), url)
    missing = {t: n for t, n in names.items() if n not in raw.data_vars}
    if missing:
        raise InputError(
            explain(
                f"the biomass file must hold a variable for {sorted(missing)}",
                f"{sorted(missing.values())} not among {sorted(map(str, raw.data_vars))} ({url})",
                "map the taxa to the file's names: args: {variables: {pteropods: ...}}",
            )
        )
    raw = raw.rename({month_dim: "month"}) if month_dim != "month" else raw
    raw = raw.assign_coords(month=_month_numbers(raw["month"].values, url)).sortby("month")
    raw = canonical_lonlat(raw, lat, lon, url)
    raw = raw[list(names.values())].transpose("month", "lat", "lon")
    ds = _standardise(raw, names, units, url)
    return ds if grid is None else onto_grid(ds, grid, url)


__all__ = ["DEFAULT_VARIABLES", "read_taxa"]
