"""The pipeline spec: a YAML file describing one analysis (period, grid, variants, outputs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import fsspec
import yaml

from picpump.errors import SpecError, explain
from picpump.grid import Grid
from picpump.io.store.zarr_store import COMPRESSIONS
from picpump.period import Period, month_start
from picpump.pipeline.analysis_spec import TABLES, AnalysisSpec, parse_analysis
from picpump.pipeline.ensemble_spec import parse_ensemble
from picpump.science.ensemble import EnsembleDesign
from picpump.science.registry import ModelVariants

STAGES = ("inputs", "monthly", "climatology", "annual", "global_totals")
ORDERS = ("production_then_average", "average_then_production")
ZARR_FORMATS = (2, 3)
"""Zarr formats products can be written in (2 for sites whose readers use zarr-python 2)."""
REQUIRED_INPUTS = ("pic", "sst", "par", "kd490", "poc", "npp", "bathymetry")


@dataclass(frozen=True)
class PipelineSpec:
    """A validated pipeline spec.

    Attributes
    ----------
    name : str
        Run name (used for the output folder by default).
    period : Period
        The months of the analysis (``1997-09:2022-10``).
    grid : Grid
        Target grid.
    coarsen_inputs : bool
        Average archives on finer grids onto ``grid`` when reading them.
    inputs : dict
        Canonical variable → catalog source name.
    variants : ModelVariants
        The model variants.
    order : str
        Climatology order, one of :data:`ORDERS`.
    annual_min_months, cv_min_months : int
        Minimum valid calendar months for annual means and the seasonal CV.
    area_variants : tuple of str
        Cell-area variants under which global totals are reported.
    months_per_chunk, tile : int
        Read chunking and spatial tile size of the stores.
    outputs : tuple of str
        Gridded stages to run.
    analysis : AnalysisSpec
        Traps, regions, taxa, pathways and the table products requested.
    ensemble : EnsembleDesign or None
        The structural-uncertainty ensemble (``ensemble:`` section), if any.
    zarr_format : int
        Zarr format of the product stores, one of :data:`ZARR_FORMATS` (default 3).
    compression : str
        Codec of the product stores, one of
        :data:`~picpump.io.store.zarr_store.COMPRESSIONS` (default ``lz4``).
    raw : dict
        The spec as read, recorded in every product.
    """

    name: str
    period: Period
    grid: Grid
    inputs: dict[str, str]
    variants: ModelVariants
    coarsen_inputs: bool = False
    order: str = "production_then_average"
    annual_min_months: int = 1
    cv_min_months: int = 12
    area_variants: tuple[str, ...] = ("sphere", "toullec_eq5")
    months_per_chunk: int = 12
    tile: int = 90
    outputs: tuple[str, ...] = STAGES
    analysis: AnalysisSpec = field(default_factory=AnalysisSpec)
    ensemble: EnsembleDesign | None = None
    zarr_format: int = 3
    compression: str = "lz4"
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def entries(self) -> list[str]:
        """Every catalog entry the spec names (inputs first), each once."""
        return list(dict.fromkeys([*self.inputs.values(), *self.analysis_entries]))

    @property
    def analysis_entries(self) -> list[str]:
        """The catalog entries of the table products: traps, regions, taxa, pathways."""
        analysis = self.analysis
        names = list(analysis.traps.sources) if analysis.traps else []
        names += [analysis.regions] if analysis.regions else []
        names += [s["source"] for s in (analysis.taxa, analysis.pathways) if s]
        return list(dict.fromkeys(names))


def _check_choice(what: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SpecError(
            explain(f"'{what}' must be one of {list(allowed)}", repr(value), "fix the spec")
        )
    return str(value)


def _zarr_format(value: Any) -> int:
    if value not in ZARR_FORMATS:
        raise SpecError(
            explain(f"'zarr_format' must be one of {list(ZARR_FORMATS)}", repr(value), "fix it")
        )
    return int(value)


def _period(raw: Mapping[str, Any]) -> Period:
    try:
        return Period(month_start(raw["start"]), month_start(raw["end"]))
    except (KeyError, TypeError, ValueError) as err:
        raise SpecError(
            explain(
                "'period' must be {start: YYYY-MM, end: YYYY-MM}, ending after it starts",
                repr(raw),
                "write e.g. period: {start: 1997-09, end: 2022-10}",
            )
        ) from err


def _inputs(raw: Mapping[str, Any]) -> dict[str, str]:
    missing = [k for k in REQUIRED_INPUTS if k not in raw]
    if missing:
        raise SpecError(
            explain(
                f"'inputs' must map each of {list(REQUIRED_INPUTS)} to a catalog source",
                f"missing {missing}",
                "add them, e.g. inputs: {pic: pic, ...}",
            )
        )
    return {k: str(raw[k]) for k in REQUIRED_INPUTS}


def parse_spec(raw: Mapping[str, Any]) -> PipelineSpec:
    """Validate a spec mapping.

    Parameters
    ----------
    raw : mapping
        The YAML content.

    Returns
    -------
    PipelineSpec
        The validated spec.

    Raises
    ------
    SpecError
        With the rule, the value received and the fix.
    """
    known = {"name", "description", "period", "grid", "inputs", "variants", "climatology"}
    known |= {"area_variants", "chunks", "outputs", "traps", "regions", "taxa", "pathways"}
    known |= {"ensemble", "zarr_format", "compression"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SpecError(
            explain(f"spec keys must be among {sorted(known)}", f"{unknown}", "remove or rename")
        )
    clim = dict(raw.get("climatology") or {})
    grid = dict(raw.get("grid") or {})
    unknown_grid = sorted(set(grid) - {"resolution", "coarsen_inputs"})
    if unknown_grid:
        raise SpecError(
            explain("'grid' keys are resolution and coarsen_inputs", f"{unknown_grid}", "fix")
        )
    chunks = dict(raw.get("chunks") or {})
    outputs = tuple(raw.get("outputs") or STAGES)
    for name in outputs:
        _check_choice("outputs", name, STAGES + TABLES)
    analysis = parse_analysis(raw, [t for t in outputs if t in TABLES])
    if analysis.tables:  # tables read the climatology and annual products
        outputs = tuple(dict.fromkeys((*outputs, "climatology", "annual")))
    return PipelineSpec(
        name=str(raw.get("name", "run")),
        period=_period(raw.get("period") or {}),
        grid=Grid.from_spec(grid.get("resolution", 1.0)),
        coarsen_inputs=bool(grid.get("coarsen_inputs", False)),
        inputs=_inputs(raw.get("inputs") or {}),
        variants=ModelVariants.from_mapping(raw.get("variants") or {}),
        order=_check_choice("climatology.order", clim.get("order", ORDERS[0]), ORDERS),
        annual_min_months=int(clim.get("annual_min_months", 1)),
        cv_min_months=int(clim.get("cv_min_months", 12)),
        area_variants=tuple(raw.get("area_variants") or ("sphere", "toullec_eq5")),
        months_per_chunk=int(chunks.get("months", 12)),
        tile=int(chunks.get("tile", 90)),
        outputs=tuple(s for s in STAGES if s in outputs),
        analysis=analysis,
        ensemble=parse_ensemble(raw.get("ensemble")),
        zarr_format=_zarr_format(raw.get("zarr_format", 3)),
        compression=_check_choice("compression", raw.get("compression", "lz4"), COMPRESSIONS),
        raw=dict(raw),
    )


def load_spec(urlpath: str, overrides: Mapping[str, Any] | None = None) -> PipelineSpec:
    """Read and validate a pipeline spec from a path or fsspec URL.

    Parameters
    ----------
    urlpath : str
        The YAML file.
    overrides : mapping, optional
        Top-level keys replacing those of the file (e.g. ``{"period": {...}}``).

    Returns
    -------
    PipelineSpec
        The validated spec.
    """
    try:
        with fsspec.open(urlpath, "r") as f:
            raw = yaml.safe_load(f)
    except FileNotFoundError as err:
        raise SpecError(explain("the pipeline spec must exist", urlpath, "check the path")) from err
    except yaml.YAMLError as err:
        raise SpecError(
            explain("the pipeline spec must be valid YAML", str(err), "fix it")
        ) from err
    if not isinstance(raw, dict):
        raise SpecError(explain("a pipeline spec is a YAML mapping", repr(raw)[:80], "fix it"))
    return parse_spec({**raw, **dict(overrides or {})})


__all__ = ["ORDERS", "STAGES", "ZARR_FORMATS", "PipelineSpec", "load_spec", "parse_spec"]
