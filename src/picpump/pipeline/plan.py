"""Spec + catalog → a lazy plan: every entry resolved once, the inputs graph, nothing computed.

Building a plan resolves each catalog entry the spec names exactly once (folders listed,
duplicates decided, one header read per monthly entry), fingerprints the inputs from that
same resolution, and builds the lazy ``inputs`` product; it reads no data. The runner
(:mod:`picpump.pipeline.run`) writes ``inputs`` from this graph and builds every downstream
product on the store its upstream was written to. :attr:`Plan.products` previews the whole
chain lazily (``picpump run --dry-run``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import xarray as xr

from picpump.io.api import Catalog, ResolvedEntry, fingerprint, resolve
from picpump.io.store.zarr_store import join
from picpump.pipeline import stages
from picpump.pipeline.ensemble_stage import build_ensemble
from picpump.pipeline.map_products import build_region_map, build_taxa_stocks, map_products
from picpump.pipeline.spec import STAGES, PipelineSpec

UPSTREAM: dict[str, tuple[str, ...]] = {
    "inputs": (),
    "monthly": ("inputs",),
    "climatology": ("monthly", "inputs"),
    "annual": ("climatology",),
    "global_totals": ("monthly",),
    "ensemble": ("inputs",),
    "taxa_stocks": ("climatology",),
    "regions": (),
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
    entries : dict of str to ResolvedEntry
        Every catalog entry the spec names, resolved once.
    inputs : stages.Inputs
        The opened inputs: lazy monthly fields and the bathymetry.
    inputs_fingerprint : str
        Identifies the input files and the canonicalisation settings, to reuse an ingest.
    storage_options : dict
        fsspec options for ``out``.
    """

    spec: PipelineSpec
    catalog: Catalog
    out: str
    entries: dict[str, ResolvedEntry]
    inputs: stages.Inputs
    inputs_fingerprint: str
    storage_options: dict[str, Any] = field(default_factory=dict)

    def url(self, product: str) -> str:
        """Return the URL of a product's store."""
        return join(self.out, f"{product}.zarr")

    @property
    def needed(self) -> list[str]:
        """The products to write: the requested outputs and everything they depend on.

        The gridded analysis products (taxa stocks, region map) follow the stages; with an
        ``ensemble:`` section, ``ensemble`` comes last (it reads ``inputs``).
        """
        extra = [
            *map_products(self.spec),
            *(["ensemble"] if self.spec.ensemble is not None else []),
        ]
        want = set(self.spec.outputs) | set(extra)
        for name in reversed((*STAGES, *extra)):
            if name in want:
                want |= set(UPSTREAM[name])
        return [s for s in STAGES if s in want] + extra

    @cached_property
    def products(self) -> dict[str, xr.Dataset]:
        """Every needed product as a lazy graph on the lazy inputs (a preview; 0 computes)."""
        built: dict[str, xr.Dataset] = {}
        for name in self.needed:
            built[name] = build_product(name, built, self)
        return built


def build_product(name: str, upstream: Mapping[str, xr.Dataset], plan: Plan) -> xr.Dataset:
    """Build one product lazily from its upstream products.

    Parameters
    ----------
    name : str
        One of :data:`picpump.pipeline.spec.STAGES`.
    upstream : mapping
        The upstream products (lazy, or opened from their stores).
    plan : Plan
        The plan (``inputs`` comes from its opened entries).

    Returns
    -------
    xarray.Dataset
        The lazy product.
    """
    spec = plan.spec
    if name == "inputs":
        return stages.build_inputs(plan.inputs, spec)
    if name == "monthly":
        return stages.build_monthly(upstream["inputs"], spec)
    if name == "climatology":
        return stages.build_climatology(upstream["monthly"], upstream["inputs"], spec)
    if name == "annual":
        return stages.build_annual(upstream["climatology"], spec)
    if name == "ensemble":
        return build_ensemble(upstream["inputs"], spec)
    if name == "taxa_stocks":
        return build_taxa_stocks(upstream["climatology"], plan.entries, spec)
    if name == "regions":
        return build_region_map(plan.entries, spec)
    return stages.build_global_totals(upstream["monthly"], spec)


def inputs_fingerprint(spec: PipelineSpec, entries: Mapping[str, ResolvedEntry]) -> str:
    """Fingerprint the input entries (as resolved) and the settings that shape the inputs."""
    digest = hashlib.sha256()
    settings = {
        "period": str(spec.period),
        "grid": spec.grid.resolution,
        "coarsen_inputs": spec.coarsen_inputs,
        "inputs": spec.inputs,
        "open_ocean": spec.variants.as_dict().get("open_ocean"),
        "cell_area": spec.variants.as_dict().get("cell_area"),
        "tile": spec.tile,
    }
    if spec.zarr_format != 3:  # the default leaves earlier fingerprints unchanged
        settings["zarr_format"] = spec.zarr_format
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for _, source in sorted(spec.inputs.items()):
        digest.update(fingerprint(entries[source]).encode())
    return digest.hexdigest()


def resolve_entries(spec: PipelineSpec, catalog: Catalog) -> dict[str, ResolvedEntry]:
    """Resolve every entry the spec names, once; monthly inputs over the spec's period."""
    monthly = {source for var, source in spec.inputs.items() if var != "bathymetry"}
    return {
        name: resolve(catalog, name, spec.period if name in monthly else None)
        for name in spec.entries
    }


def make_plan(
    spec: PipelineSpec,
    catalog: Catalog,
    out: str,
    storage_options: Mapping[str, Any] | None = None,
) -> Plan:
    """Resolve every entry once and build the lazy inputs (no compute, no data read).

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
    entries = resolve_entries(spec, catalog)
    inputs = stages.open_inputs(entries, spec)
    fingerprint_ = inputs_fingerprint(spec, entries)
    return Plan(spec, catalog, out, entries, inputs, fingerprint_, dict(storage_options or {}))


__all__ = ["UPSTREAM", "Plan", "build_product", "inputs_fingerprint", "make_plan"]
