"""Spec + catalog → a lazy plan: one dataset per product, nothing computed.

Building a plan resolves the catalog (which files make which month) and builds the dask
graphs; it reads no data. The runner (:mod:`picpump.pipeline.run`) executes the plan product
by product, each downstream product rebuilt on the store its upstream was written to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

from picpump.io.api import Catalog, resolve_month_urls, resolve_url, source_fingerprint
from picpump.io.ingest.ingested import INGESTED, ingested_fingerprint
from picpump.io.store.zarr_store import join
from picpump.pipeline import stages
from picpump.pipeline.spec import STAGES, PipelineSpec

UPSTREAM: dict[str, tuple[str, ...]] = {
    "inputs": (),
    "monthly": ("inputs",),
    "climatology": ("monthly", "inputs"),
    "annual": ("climatology",),
    "global_totals": ("monthly",),
}


@dataclass
class Plan:
    """A lazy plan of products.

    Attributes
    ----------
    spec : PipelineSpec
        The analysis.
    catalog : Catalog
        Where the inputs come from.
    out : str
        Output folder (local path or fsspec URL).
    products : dict of str to xarray.Dataset
        Lazy products in execution order.
    inputs_fingerprint : str
        Identifies the input files and the canonicalisation settings, to reuse an ingest.
    storage_options : dict
        fsspec options for ``out``.
    """

    spec: PipelineSpec
    catalog: Catalog
    out: str
    products: dict[str, xr.Dataset]
    inputs_fingerprint: str
    storage_options: dict[str, Any] = field(default_factory=dict)

    def url(self, product: str) -> str:
        """Return the URL of a product's store."""
        return join(self.out, f"{product}.zarr")

    @property
    def needed(self) -> list[str]:
        """The products to write: the requested outputs and everything they depend on."""
        want = set(self.spec.outputs)
        for name in reversed(STAGES):
            if name in want:
                want |= set(UPSTREAM[name])
        return [s for s in STAGES if s in want]


def build_product(
    name: str, upstream: Mapping[str, xr.Dataset], spec: PipelineSpec, catalog: Catalog
) -> xr.Dataset:
    """Build one product lazily from its upstream products.

    Parameters
    ----------
    name : str
        One of :data:`picpump.pipeline.spec.STAGES`.
    upstream : mapping
        The upstream products (lazy, or opened from their stores).
    spec : PipelineSpec
        The analysis.
    catalog : Catalog
        The input catalog (used by ``inputs`` only).

    Returns
    -------
    xarray.Dataset
        The lazy product.
    """
    if name == "inputs":
        return stages.build_inputs(catalog, spec)
    if name == "monthly":
        return stages.build_monthly(upstream["inputs"], spec)
    if name == "climatology":
        return stages.build_climatology(upstream["monthly"], upstream["inputs"], spec)
    if name == "annual":
        return stages.build_annual(upstream["climatology"], spec)
    return stages.build_global_totals(upstream["monthly"], spec)


def inputs_fingerprint(spec: PipelineSpec, catalog: Catalog) -> str:
    """Fingerprint the input files and the settings that shape the canonical inputs."""
    digest = hashlib.sha256()
    settings = {
        "period": spec.period,
        "grid": spec.grid.resolution,
        "coarsen_inputs": spec.coarsen_inputs,
        "inputs": spec.inputs,
        "open_ocean": spec.variants.as_dict().get("open_ocean"),
        "cell_area": spec.variants.as_dict().get("cell_area"),
        "tile": spec.tile,
    }
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for var, source in sorted(spec.inputs.items()):
        if catalog.source(source).driver == INGESTED:
            digest.update(ingested_fingerprint(catalog, source).encode())
            continue
        if var == "bathymetry":
            urls = [resolve_url(catalog, source)]
        else:
            urls = [url for _, url in resolve_month_urls(catalog, source, spec.period)]
        options = catalog.source(source).args.get("storage_options") or {}
        digest.update(source_fingerprint(urls, options).encode())
    return digest.hexdigest()


def make_plan(
    spec: PipelineSpec,
    catalog: Catalog,
    out: str,
    storage_options: Mapping[str, Any] | None = None,
) -> Plan:
    """Build the lazy plan of every needed product (no compute, no data read).

    Parameters
    ----------
    spec : PipelineSpec
        The analysis.
    catalog : Catalog
        The input catalog.
    out : str
        Output folder.
    storage_options : mapping, optional
        fsspec options for ``out``.

    Returns
    -------
    Plan
        The plan.
    """
    plan = Plan(spec, catalog, out, {}, inputs_fingerprint(spec, catalog))
    plan.storage_options = dict(storage_options or {})
    for name in plan.needed:
        plan.products[name] = build_product(name, plan.products, spec, catalog)
    return plan


__all__ = ["UPSTREAM", "Plan", "build_product", "inputs_fingerprint", "make_plan"]
