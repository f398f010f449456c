"""The second half of a pipeline spec: traps, regions, taxa, export pathways and statistics.

These keys are optional; without them the run stops at the gridded products. Every
threshold of the paper is a field here (SCIENCE.md §6–§7), never a literal in the code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from picpump.errors import SpecError, explain

TABLES = (
    "table1",
    "matchups",
    "pearson_by_layer",
    "regression_by_region_layer",
    "efficiency_by_latitude",
    "taxa_contribution",
    "export_pathways_by_latitude",
)
"""Table products, in the order they are written."""

TABLE_NEEDS: dict[str, tuple[str, ...]] = {
    "table1": ("traps",),
    "matchups": ("traps",),
    "pearson_by_layer": ("traps",),
    "regression_by_region_layer": ("traps", "regions"),
    "efficiency_by_latitude": ("traps",),
    "taxa_contribution": ("taxa",),
    "export_pathways_by_latitude": ("pathways", "traps"),
}
"""Spec sections each table needs."""

DEFAULT_EDGES = (0.0, 100.0, 500.0, 1000.0, 2000.0, 3000.0, 4000.0)


@dataclass(frozen=True)
class TrapSettings:
    """How trap observations are read, filtered, matched and summarised.

    Attributes
    ----------
    sources : tuple of str
        Catalog entries of trap tables.
    max_duration_d, min_water_depth_m : float
        The paper's deployment filter (≤ 31 d, water ≥ 200 m).
    fill_water_depth : bool
        Take unknown trap water depths from the run's bathymetry.
    min_production : float
        Matchups below this EZ PIC production [mg C m-2 d-1] are flagged.
    layer_edges : tuple of float
        Upper edge of each layer but the last (open-ended).
    layer_closed : str
        ``"left"``: a trap at an edge belongs to the deeper layer.
    log10_correlation, log10_regression : bool
        Per-layer correlations (Fig. 5) and regional regressions (Fig. 6) on log10 values.
    alpha : float
        Significance level of the regressions.
    band_deg, n_boot, seed : float, int, int
        Latitude bands and bootstrap of the efficiencies.
    ratio : str
        Efficiency ratio definition (``of_means`` or ``mean_of_ratios``).
    """

    sources: tuple[str, ...]
    max_duration_d: float = 31.0
    min_water_depth_m: float = 200.0
    fill_water_depth: bool = True
    min_production: float = 0.1
    layer_edges: tuple[float, ...] = DEFAULT_EDGES
    layer_closed: Literal["left", "right"] = "left"
    log10_correlation: bool = True
    log10_regression: bool = False
    alpha: float = 0.05
    band_deg: float = 10.0
    n_boot: int = 1000
    seed: int = 0
    ratio: Literal["of_means", "mean_of_ratios"] = "of_means"


@dataclass(frozen=True)
class AnalysisSpec:
    """The optional analysis sections of a spec.

    Attributes
    ----------
    traps : TrapSettings or None
        Trap observations and statistics settings.
    regions : str or None
        Catalog entry of a RECCAP2-layout region mask.
    taxa : dict or None
        ``{source: entry, c_to_pic: {taxon: factor}}``.
    pathways : dict or None
        ``{source: entry, band_deg: 10}``.
    tables : tuple of str
        The table products requested.
    """

    traps: TrapSettings | None = None
    regions: str | None = None
    taxa: dict[str, Any] | None = None
    pathways: dict[str, Any] | None = None
    tables: tuple[str, ...] = field(default_factory=tuple)


def _fail(rule: str, received: Any, fix: str) -> SpecError:
    return SpecError(explain(rule, repr(received), fix))


def _known(section: str, raw: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _fail(f"'{section}' keys must be among {sorted(allowed)}", unknown, "rename them")


def _number(raw: Mapping[str, Any], key: str, default: float, positive: bool = True) -> float:
    value = raw.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise _fail(f"'{key}' must be a number", value, f"write e.g. {key}: {default}") from err
    if positive and not number > 0:
        raise _fail(f"'{key}' must be positive", value, f"write e.g. {key}: {default}")
    return number


def _layers(raw: Mapping[str, Any]) -> tuple[tuple[float, ...], Literal["left", "right"]]:
    edges = tuple(float(e) for e in raw.get("edges", DEFAULT_EDGES))
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise _fail("'traps.layers.edges' must increase", list(edges), "list them shallow first")
    closed = str(raw.get("closed", "left"))
    if closed not in ("left", "right"):
        raise _fail("'traps.layers.closed' must be 'left' or 'right'", closed, "pick one")
    return edges, cast(Literal["left", "right"], closed)


def _traps(raw: Mapping[str, Any]) -> TrapSettings:
    allowed = {"sources", "max_duration_d", "min_water_depth_m", "min_production", "layers"}
    allowed |= {"fill_water_depth"}
    _known("traps", raw, allowed | {"statistics", "efficiency"})
    sources = raw.get("sources")
    if isinstance(sources, str):
        sources = [sources]
    if not sources or not isinstance(sources, Sequence):
        raise _fail("'traps.sources' must list catalog entries", sources, "e.g. sources: [traps]")
    stats = dict(raw.get("statistics") or {})
    eff = dict(raw.get("efficiency") or {})
    _known("traps.statistics", stats, {"log10_correlation", "log10_regression", "alpha"})
    _known("traps.efficiency", eff, {"band_deg", "n_boot", "seed", "ratio"})
    edges, closed = _layers(dict(raw.get("layers") or {}))
    ratio = str(eff.get("ratio", "of_means"))
    if ratio not in ("of_means", "mean_of_ratios"):
        raise _fail("'traps.efficiency.ratio' must be of_means or mean_of_ratios", ratio, "pick")
    return TrapSettings(
        sources=tuple(str(s) for s in sources),
        max_duration_d=_number(raw, "max_duration_d", 31.0),
        min_water_depth_m=_number(raw, "min_water_depth_m", 200.0, positive=False),
        fill_water_depth=bool(raw.get("fill_water_depth", True)),
        min_production=_number(raw, "min_production", 0.1, positive=False),
        layer_edges=edges,
        layer_closed=closed,
        log10_correlation=bool(stats.get("log10_correlation", True)),
        log10_regression=bool(stats.get("log10_regression", False)),
        alpha=_number(stats, "alpha", 0.05),
        band_deg=_number(eff, "band_deg", 10.0),
        n_boot=int(_number(eff, "n_boot", 1000)),
        seed=int(eff.get("seed", 0)),
        ratio=cast(Literal["of_means", "mean_of_ratios"], ratio),
    )


def _source_section(name: str, raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    section = {"source": raw} if isinstance(raw, str) else dict(raw)
    if "source" not in section:
        raise _fail(f"'{name}' needs a 'source' catalog entry", raw, f"{name}: {{source: ...}}")
    return section


def parse_analysis(raw: Mapping[str, Any], tables: Sequence[str]) -> AnalysisSpec:
    """Validate the analysis sections of a spec and the tables requested.

    Parameters
    ----------
    raw : mapping
        The whole spec mapping.
    tables : sequence of str
        Table products requested in ``outputs``.

    Returns
    -------
    AnalysisSpec
        The validated sections.

    Raises
    ------
    SpecError
        A section with bad values, or a table whose section is missing.
    """
    analysis = AnalysisSpec(
        traps=_traps(dict(raw["traps"])) if raw.get("traps") else None,
        regions=str(raw["regions"]) if raw.get("regions") else None,
        taxa=_source_section("taxa", raw.get("taxa")),
        pathways=_source_section("pathways", raw.get("pathways")),
        tables=tuple(t for t in TABLES if t in tables),
    )
    for table in analysis.tables:
        missing = [s for s in TABLE_NEEDS[table] if getattr(analysis, s) is None]
        if missing:
            raise _fail(
                f"output '{table}' needs the spec sections {list(TABLE_NEEDS[table])}",
                f"missing {missing}",
                f"add them or remove '{table}' from outputs",
            )
    return analysis


__all__ = ["TABLES", "AnalysisSpec", "TrapSettings", "parse_analysis"]
