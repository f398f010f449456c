"""CF-1.10 metadata and provenance, applied to every product in one finalize step."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import xarray as xr
import yaml

import picpump
from picpump.pipeline.cf import cell_methods, with_cf_coordinates
from picpump.pipeline.spec import PipelineSpec
from picpump.redact import redact

STAT_SUFFIXES = ("_mean", "_std", "_count", "_cv")
AREA_SUFFIXES = ("_sphere", "_toullec_eq5")
CF_KEPT = ("cell_measures", "flag_values", "flag_meanings")
"""Attributes set with the CF coordinates that the variable table does not replace."""


@cache
def product_table() -> dict[str, dict[str, str]]:
    """Return the CF metadata table of product variables (package data ``products.yaml``)."""
    text = files("picpump.pipeline").joinpath("products.yaml").read_text()
    table: dict[str, dict[str, str]] = yaml.safe_load(text)
    return table


def _split(name: str) -> tuple[str, str, str]:
    """Split a variable name into (base, statistic suffix, area suffix)."""
    area = next((s for s in AREA_SUFFIXES if name.endswith(s)), "")
    stem = name[: len(name) - len(area)]
    stat = next((s for s in STAT_SUFFIXES if stem.endswith(s)), "")
    return stem[: len(stem) - len(stat)], stat, area


def variable_attrs(name: str, current: dict[str, Any]) -> dict[str, Any]:
    """CF attributes of a product variable, from its name and the product table."""
    base, stat, area = _split(name)
    attrs = {**current, **product_table().get(base, {})}
    attrs = {k: v for k, v in attrs.items() if v is not None}  # null in the table: removed
    if stat == "_count":
        return {
            "long_name": f"number of valid months: {attrs.get('long_name', base)}",
            "units": "1",
        }
    if stat == "_cv":
        attrs = {"long_name": f"seasonal coefficient of variation (sigma/mu): {base}", "units": "1"}
    if stat in ("_mean", "_std"):
        attrs["long_name"] = f"monthly climatology ({stat[1:]}) of {attrs.get('long_name', base)}"
    if area:
        attrs["comment"] = f"{attrs.get('comment', '')}; cell-area variant {area[1:]}".lstrip("; ")
    return attrs


def finalize(
    ds: xr.Dataset, product: str, spec: PipelineSpec, catalog_meta: dict[str, Any], command: str
) -> xr.Dataset:
    """Attach CF attributes and coordinates to each variable and provenance to the dataset.

    The global totals are new quantities: their attributes come from the product table only,
    none inherited from the fields they sum.

    Parameters
    ----------
    ds : xarray.Dataset
        A lazy product.
    product : str
        Product name (``monthly``, ``climatology`` ...).
    spec : PipelineSpec
        The run's spec, recorded in full.
    catalog_meta : dict
        The catalog's metadata (title, ``synthetic``).
    command : str
        The command line, for ``history``.

    Returns
    -------
    xarray.Dataset
        The same data with attributes, and the CF coordinates of
        :func:`picpump.pipeline.cf.with_cf_coordinates` (bounds, ``cell_area``).
    """
    out = with_cf_coordinates(ds.copy(), spec)
    for name, var in out.data_vars.items():
        inherited = {} if product == "global_totals" else dict(var.attrs)
        attrs = variable_attrs(str(name), inherited)
        attrs.pop("cell_methods", None)
        method = cell_methods(str(name), product, var.dims)
        kept = {k: inherited[k] for k in CF_KEPT if k in inherited}
        var.attrs = attrs | kept | ({"cell_methods": method} if method else {})
    out.attrs = provenance(product, spec, catalog_meta, command)
    return out


def provenance(
    product: str, spec: PipelineSpec, catalog_meta: dict[str, Any], command: str
) -> dict[str, Any]:
    """Return the provenance attributes every product carries.

    Parameters
    ----------
    product : str
        Product name.
    spec : PipelineSpec
        The run's spec, recorded in full.
    catalog_meta : dict
        The catalog's metadata (title, ``synthetic``).
    command : str
        The command line, for ``history``.

    Returns
    -------
    dict
        CF global attributes and provenance.
    """
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    synthetic = bool(catalog_meta.get("synthetic", False))
    attrs: dict[str, Any] = {
        "Conventions": "CF-1.10",
        "title": f"picpump {product} product ({spec.name})",
        "source": redact(str(catalog_meta.get("title", ""))),
        "history": redact(f"{now} {command}"),
        "picpump_version": picpump.__version__,
        "picpump_product": product,
        "pipeline_spec": json.dumps(spec.raw, default=str),
        "model_variants": json.dumps(spec.variants.as_dict(), default=str),
        "period": "/".join(spec.period.bounds()),
        "synthetic": int(synthetic),
    }
    if synthetic:
        attrs["comment"] = "synthetic demo data: not an observation of the real ocean"
    if spec.ensemble is not None and product.startswith("ensemble"):
        attrs["ensemble_design"] = json.dumps(spec.ensemble.as_dict())
        attrs["ensemble_seed"] = spec.ensemble.seed
    return attrs


def table_attributes(
    definitions: Mapping[Any, Any],
    product: str,
    spec: PipelineSpec,
    catalog_meta: dict[str, Any],
    command: str,
) -> dict[str, Any]:
    """Provenance of a table product plus the definitions its builder recorded.

    Parameters
    ----------
    definitions : dict
        The table's ``attrs`` (definitions, thresholds, choices).
    product, spec, catalog_meta, command
        As for :func:`provenance`.

    Returns
    -------
    dict
        JSON-serialisable attributes.
    """
    attrs = provenance(product, spec, catalog_meta, command)
    attrs["definitions"] = json.loads(
        json.dumps({str(k): v for k, v in definitions.items()}, default=str)
    )
    return attrs


__all__ = ["finalize", "product_table", "provenance", "table_attributes", "variable_attrs"]
