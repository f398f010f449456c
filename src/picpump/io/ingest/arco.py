"""ARCO Zarr time series (Copernicus Marine), opened lazily in the canonical form.

Copernicus Marine serves each dataset twice, as Analysis-Ready Cloud-Optimised Zarr:

``timeChunked.zarr`` (bucket ``mdl-arco-time-NNN``)
    one time step per chunk, large map tiles: maps and climatologies over all months.
``geoChunked.zarr`` (bucket ``mdl-arco-geo-NNN``)
    small spatial tiles, long time per chunk: series at a few points.

A catalog entry (driver ``picpump.arco_zarr``) writes ``{{ layout }}`` (``timeChunked`` or
``geoChunked``) and ``{{ arco_kind }}`` (``time`` or ``geo``) in its ``urlpath``; the reader
fills them from the access the caller declares (``maps``, ``climatology``, ``series``),
through :data:`ACCESS_LAYOUTS`, which the entry may override with ``args.layouts``
(e.g. ``{climatology: geoChunked}``). The store is opened with xarray, dask chunks equal to
the store's chunks; the period is selected, latitude made ascending, longitude −180…180,
units converted (OSTIA ``analysed_sst`` K → °C), values outside ``valid_min/max`` and, for
ocean-colour quantities, ≤ 0 set missing. Stores with several steps per month (daily
OSTIA) need ``args.monthly_mean: true`` (a lazy mean per calendar month).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import xarray as xr
from fsspec.core import split_protocol

from picpump.errors import CatalogError, GridError, InputError, explain
from picpump.grid import Grid
from picpump.io.catalog.model import ARCO, Catalog, CatalogEntry, months_of
from picpump.io.catalog.resolve import entry_args, entry_context, entry_options
from picpump.io.catalog.templates import render
from picpump.io.ingest import rules
from picpump.io.ingest.lazy import orient_lazy, outside_lazy, plausible_lazy, standardise_lazy
from picpump.io.ingest.names import axis_role
from picpump.io.ingest.records import conversion_flags, describe_conversions
from picpump.io.store.fs import LOCAL_PROTOCOLS, local_path, normalise
from picpump.units import CANONICAL

ACCESS_LAYOUTS = {"maps": "timeChunked", "climatology": "timeChunked", "series": "geoChunked"}
"""Default ARCO layout for each access (``args.layouts`` of an entry overrides it)."""

LAYOUT_KIND = {"timeChunked": "time", "geoChunked": "geo"}
"""ARCO layout → the ``mdl-arco-<kind>-NNN`` bucket family."""


def choose_layout(spec: CatalogEntry, access: str) -> str:
    """Return the ARCO layout (``timeChunked``/``geoChunked``) for an access.

    Parameters
    ----------
    spec : CatalogEntry
        The ARCO entry; ``args.layouts`` (access → layout) overrides :data:`ACCESS_LAYOUTS`.
    access : str
        ``maps``, ``climatology`` or ``series``.

    Returns
    -------
    str
        The layout name.
    """
    table = ACCESS_LAYOUTS | {str(k): str(v) for k, v in (spec.args.get("layouts") or {}).items()}
    layout = table.get(access)
    if layout not in LAYOUT_KIND:
        raise CatalogError(
            explain(
                f"access must be one of {sorted(table)} and map to one of {sorted(LAYOUT_KIND)}",
                f"access {access!r} → {layout!r} (source {spec.name})",
                "use maps, climatology or series, or fix args.layouts of the entry",
            )
        )
    return layout


def arco_url(catalog: Catalog, name: str, access: str = "maps", **params: Any) -> str:
    """Render the store URL of an ARCO entry for an access (``{{ layout }}`` filled in)."""
    spec = catalog.source(name)
    layout = choose_layout(spec, access)
    context = entry_context(catalog, spec, params) | {
        "layout": layout,
        "arco_kind": LAYOUT_KIND[layout],
    }
    return normalise(render(str(spec.args["urlpath"]), context, f"sources.{name}.args.urlpath"))


def _open_store(url: str, options: dict[str, Any]) -> xr.Dataset:
    """Open a Zarr store lazily, chunks as stored; refuse an unreadable one clearly."""
    local = split_protocol(url)[0] in LOCAL_PROTOCOLS
    try:
        return xr.open_zarr(
            local_path(url) if local else url,
            chunks={},
            storage_options=None if local else options,
        )
    except (OSError, KeyError, ValueError, TypeError) as err:
        raise InputError(
            explain(
                "an ARCO source must be a readable Zarr store",
                f"{url}: {type(err).__name__}: {err}",
                "check the URL parameters (bucket, dataset version) and storage_options",
            )
        ) from err


def _canonical_dims(var: xr.DataArray, url: str) -> xr.DataArray:
    """Rename the axes to (time, lat, lon), squeeze length-1 extras (depth), order them."""
    names = {d: axis_role(str(d)) for d in var.dims}
    extra = [d for d, r in names.items() if r is None]
    if any(var.sizes[d] != 1 for d in extra) or sorted(filter(None, names.values())) != [
        "lat",
        "lon",
        "time",
    ]:
        raise GridError(
            explain(
                "an ARCO variable must be (time, lat, lon), extra dimensions of length 1",
                f"'{var.name}' with dims {dict(var.sizes)} in {url}",
                "choose a surface variable, or a dataset without a depth axis",
            )
        )
    var = var.isel({d: 0 for d in extra}, drop=True)
    var = var.rename({d: r for d, r in names.items() if r is not None and d != r})
    return var.transpose("time", "lat", "lon")


def _orient(var: xr.DataArray, grid: Grid, url: str) -> xr.DataArray:
    """Lat ascending, lon −180…180 (lazy), after checking the grid's cell centres."""
    orientation = rules.orientation(var["lat"].values, var["lon"].values)
    rules.check_grid(orientation, grid, url)
    return orient_lazy(var, orientation).assign_coords(lat=grid.lat, lon=grid.lon)


def _monthly(var: xr.DataArray, spec: CatalogEntry, url: str) -> xr.DataArray:
    """Label steps by month start; average several steps per month when the entry says so."""
    stamps = pd.DatetimeIndex(var["time"].values)
    months = stamps.to_period("M").to_timestamp().as_unit("ns")
    var = var.assign_coords(time=months)
    if not months.has_duplicates:
        return var
    if spec.args.get("monthly_mean", False):
        return var.groupby("time").mean()
    raise InputError(
        explain(
            "an ARCO source must have one time step per month",
            f"{url}: {len(stamps)} steps in {months.nunique()} months",
            "choose the monthly (P1M) dataset, or set args.monthly_mean: true",
        )
    )


def _period(
    var: xr.DataArray, spec: CatalogEntry, wanted: pd.DatetimeIndex, url: str
) -> xr.DataArray:
    """Select the wanted months; missing ones are an error unless ``allow_gaps``."""
    have = pd.DatetimeIndex(var["time"].values)
    missing = wanted[~wanted.isin(have)]
    if len(missing) and not spec.args.get("allow_gaps", False):
        listed = ", ".join(f"{m:%Y-%m}" for m in missing[:12])
        raise InputError(
            explain(
                f"each month of '{spec.name}' must be in the store",
                f"{len(missing)} months missing from {url}: {listed}",
                "shorten the period, or set args.allow_gaps: true",
            )
        )
    present = var.sel(time=wanted[wanted.isin(have)])
    return present.reindex(time=wanted) if len(missing) else present


def _valid_range(var: xr.DataArray) -> dict[str, Any]:
    """Return the valid-range attributes of the decoded values (none for packed stores)."""
    if "scale_factor" in var.encoding:
        return {}
    return {k: v for k, v in var.attrs.items() if k in ("valid_min", "valid_max", "valid_range")}


def open_arco(
    catalog: Catalog,
    name: str,
    grid: Grid,
    period: tuple[str, str] | None = None,
    *,
    access: str = "maps",
    **params: Any,
) -> xr.DataArray:
    """Open an ARCO Zarr entry lazily in the canonical form.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    name : str
        A ``picpump.arco_zarr`` entry.
    grid : Grid
        The pipeline grid; the store must be on it.
    period : tuple of str, optional
        ``(first, last)`` months, inclusive; default the entry's ``args.time``.
    access : {"maps", "climatology", "series"}, default "maps"
        Picks the layout (:func:`choose_layout`).
    **params
        User parameters of the entry.

    Returns
    -------
    xarray.DataArray
        As :func:`picpump.io.api.open_monthly`: (time, lat, lon), float32, canonical
        units and attributes, chunks = the store's chunks; ``source_layout`` and
        ``source_store`` attributes say which store was read.
    """
    spec = catalog.source(name)
    if spec.driver != ARCO:
        rule = f"'{name}' must be a {ARCO} source to be opened as an ARCO store"
        raise CatalogError(explain(rule, f"driver {spec.driver}", "use open_monthly"))
    wanted = months_of(spec, period)
    url = arco_url(catalog, name, access, **params)
    args = entry_args(catalog, spec, params)
    ds = _open_store(url, entry_options(catalog, spec, entry_context(catalog, spec, params), url))
    variable = str(args["variable"])
    if variable not in ds.data_vars:
        rule = f"the variable '{variable}' named by the catalog must be in the store"
        names = sorted(map(str, ds.data_vars))
        raise InputError(explain(rule, f"{url} has {names}", "fix args.variable"))
    var = _canonical_dims(ds[variable], url)
    canonical = str(spec.metadata["canonical"])
    units = args.get("units")
    override = None if units is None else str(units)
    factor, offset = rules.units_rule(canonical, var.attrs, override, url)
    valid = _valid_range(var)
    stored = rules.orientation(var["lat"].values, var["lon"].values)
    var = _period(_monthly(_orient(var, grid, url), spec, url), spec, wanted, url)
    out = standardise_lazy(var, valid, canonical, factor, offset).rename(canonical)
    flags = conversion_flags(stored, factor, offset)
    out = plausible_lazy(out, canonical, url, flags, outside_lazy(var, valid))
    layout = choose_layout(spec, access)
    out.attrs = CANONICAL[canonical].attrs() | {"source_layout": layout, "source_store": url}
    units_label = override if override is not None else str(var.attrs.get("units", ""))
    out.attrs["conversions_applied"] = describe_conversions(stored, factor, offset, units_label)
    out["time"].attrs = {"standard_name": "time", "long_name": "first day of the month"}
    return out


__all__ = ["ACCESS_LAYOUTS", "LAYOUT_KIND", "arco_url", "choose_layout", "open_arco"]
