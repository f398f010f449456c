"""Reader of Nowicki-style export-pathway grids (fecal pellets, aggregates).

Nowicki et al. 2022 (Global Biogeochem. Cycles 36, e2021GB007083, doi:10.1029/2021GB007083;
data doi:10.6084/m9.figshare.19074521) give, per cell, the fraction of the gravitational pump
carried by zooplankton fecal pellets and by phytoplankton aggregates. The file layout is not
fixed here: variable names, units and the axes are arguments (catalog entry args). Any
rectilinear grid is accepted, lat descending or ascending, lon 0…360 or −180…180; fractions
in 0–1 (units ``1``) or percent (``%``) become 0–1; values outside the range are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from picpump.errors import InputError, explain
from picpump.io.ingest.lonlat import canonical_lonlat, find_lonlat, open_small_netcdf
from picpump.redact import redact
from picpump.units import fraction_factor

DEFAULT_VARIABLES = {"fecal_pellets": "fecal_pellets", "aggregates": "aggregates"}
TOLERANCE = 1e-6
"""Slack on the 0…1 range for values rounded when the file was written."""


def _fraction(raw: xr.Dataset, name: str, units: str | None, where: str) -> Any:
    declared = raw[name].attrs.get("units") if units is None else units
    values = np.asarray(raw[name].values, dtype=np.float64) * fraction_factor(declared, where)
    finite = values[np.isfinite(values)]
    if finite.size and (finite.min() < -TOLERANCE or finite.max() > 1 + TOLERANCE):
        raise InputError(
            explain(
                "export-pathway fractions lie within 0-1 (or 0-100 %)",
                f"{finite.min():g} … {finite.max():g} after units '{declared}' ({where})",
                "check the units (args.units) and the fill value of the file",
            )
        )
    return np.clip(values, 0.0, 1.0).astype(np.float32)


def read_pathways(
    url: str,
    *,
    variables: Mapping[str, str] | None = None,
    units: str | Mapping[str, str] | None = None,
    lat_name: str | None = None,
    lon_name: str | None = None,
    select: Mapping[str, Any] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Read an export-pathway grid into canonical orientation (eager; small file).

    Parameters
    ----------
    url : str
        Local path or fsspec URL of a NetCDF file.
    variables : mapping of str to str, optional
        ``fecal_pellets`` / ``aggregates`` → variable name in the file; default the same names.
    units : str or mapping, optional
        ``'1'`` or ``'%'`` for all (or per pathway), overriding the ``units`` attributes.
    lat_name, lon_name : str, optional
        Axis names; by default ``lat``/``latitude`` and ``lon``/``longitude``.
    select : mapping, optional
        Index selection (``isel``) of extra dims, e.g. ``{"model": 0}``; after it only
        (lat, lon) may remain.
    storage_options : mapping, optional
        fsspec options of the URL's filesystem.

    Returns
    -------
    xarray.Dataset
        ``fecal_pellets`` and ``aggregates`` float32 fractions [1] on the file's own grid,
        dims (lat, lon), lat ascending, lon −180…180.

    Raises
    ------
    InputError
        Missing file or variable, extra dims, values outside 0–1.
    UnitsError
        Missing or unknown units.
    GridError
        Repeated coordinates.
    """
    names = dict(variables or DEFAULT_VARIABLES)
    raw = open_small_netcdf(url, storage_options)
    raw = raw.isel(dict(select)) if select else raw
    dims = [str(d) for d in raw.dims]
    lat, lon = find_lonlat(dims, lat_name, lon_name, url)
    out = {}
    for pathway, name in names.items():
        if name not in raw:
            raise InputError(
                explain(
                    f"the pathway file must hold a variable for '{pathway}'",
                    f"'{name}' not among {sorted(map(str, raw.data_vars))} ({url})",
                    "map the pathways to the file's names: args: {variables: {...}}",
                )
            )
        extra = sorted(set(map(str, raw[name].dims)) - {lat, lon})
        if extra:
            raise InputError(
                explain(
                    "a pathway fraction is a (lat, lon) field",
                    f"'{name}' also has dims {extra} ({url})",
                    "pick one index of them in the catalog entry: args: {select: {dim: 0}}",
                )
            )
        declared = units.get(pathway) if isinstance(units, Mapping) else units
        values = _fraction(raw[[name]].transpose(lat, lon), name, declared, f"{url}, {name}")
        attrs = {"units": "1", "long_name": f"share of the gravitational pump: {pathway}"}
        out[pathway] = ((lat, lon), values, attrs)
    ds = xr.Dataset(out, coords={lat: raw[lat].values, lon: raw[lon].values})
    ds.attrs = {"source": redact(url)}
    return canonical_lonlat(ds, lat, lon, url)


__all__ = ["DEFAULT_VARIABLES", "read_pathways"]
