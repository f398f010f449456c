"""What a run would read and write, from listings and headers only: ``picpump run --dry-run``.

:func:`dry_run` looks at a plan (whose entries were resolved from folder listings and whose
lazy graphs were built from file headers) and reports, per input, the months and files it
resolved, the bytes the listings give, and, per product, its variables, chunks and tasks.
Nothing is computed and nothing is written. :func:`render_dry_run` prints the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import xarray as xr
from dask.utils import format_bytes

from picpump.io.api import ResolvedEntry
from picpump.io.store.fs import file_stamps
from picpump.io.store.zarr_store import join
from picpump.pipeline.plan import Plan

GAPS_SHOWN = 6
"""Gaps listed by name; more are counted."""


@dataclass(frozen=True)
class InputReport:
    """One resolved input entry.

    Attributes
    ----------
    entry, driver : str
        The catalog entry and its driver.
    months : int
        Months resolved (monthly entries; 0 otherwise).
    files : int
        Files to read.
    first, last : str or None
        The first and last file.
    gaps : tuple of str
        Months without a file (``YYYY-MM``).
    bytes : int
        Total size of the files whose listing gave one.
    unsized : int
        Files whose listing gave no size (not counted in ``bytes``).
    """

    entry: str
    driver: str
    months: int
    files: int
    first: str | None
    last: str | None
    gaps: tuple[str, ...]
    bytes: int
    unsized: int


@dataclass(frozen=True)
class VariableReport:
    """One variable of a product: sizes, type and chunk shape."""

    name: str
    sizes: dict[str, int]
    dtype: str
    chunks: dict[str, int] | None


@dataclass(frozen=True)
class ProductReport:
    """One product to write: its URL, variables and the tasks of its graph (upstream included)."""

    name: str
    url: str
    variables: tuple[VariableReport, ...]
    tasks: int


@dataclass(frozen=True)
class DryRunReport:
    """Everything a run would read and write.

    Attributes
    ----------
    name, period, out : str
        The spec's name, its period (``START/END``) and the output folder.
    grid : dict
        ``resolution`` (degrees), ``shape`` (nlat, nlon), ``months_per_chunk``.
    inputs : tuple of InputReport
        Every catalog entry the spec names.
    products : tuple of ProductReport
        The gridded products, upstream first.
    tables : tuple of str
        The table products (written as Parquet and CSV under ``tables/``).
    input_bytes : int
        Total size of the input files (as listed).
    tasks : int
        Tasks of the whole graph of the gridded products, each shared task once.
    """

    name: str
    period: str
    out: str
    grid: dict[str, Any]
    inputs: tuple[InputReport, ...]
    products: tuple[ProductReport, ...]
    tables: tuple[str, ...]
    input_bytes: int
    tasks: int

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data (JSON-ready)."""
        return asdict(self)


def _size(stamp: str | None) -> int | None:
    size = (stamp or "").split("|", 1)[0]
    return int(size) if size.isdigit() else None


def input_report(entry: ResolvedEntry) -> InputReport:
    """Report one resolved entry from its listing; files not listed are asked their size."""
    urls = entry.urls
    unknown = [url for url in urls if entry.stamps.get(url) is None]
    asked = dict(zip(unknown, file_stamps(unknown, entry.options), strict=True))
    sizes = [_size(entry.stamps.get(url) or asked[url]) for url in urls]
    return InputReport(
        entry=entry.name,
        driver=entry.driver,
        months=len(entry.files),
        files=len(urls),
        first=urls[0] if urls else None,
        last=urls[-1] if urls else None,
        gaps=tuple(f"{month:%Y-%m}" for month in entry.gaps),
        bytes=sum(s for s in sizes if s is not None),
        unsized=sum(s is None for s in sizes),
    )


def _variable(name: str, da: xr.DataArray) -> VariableReport:
    chunks = None
    if da.chunks:
        chunks = {str(dim): max(sizes) for dim, sizes in zip(da.dims, da.chunks, strict=True)}
    sizes = {str(dim): int(size) for dim, size in da.sizes.items()}
    return VariableReport(str(name), sizes, str(da.dtype), chunks)


def _tasks(*datasets: xr.Dataset) -> int:
    """Count the tasks of the datasets' graphs, each shared task once."""
    keys: set[Any] = set()
    for ds in datasets:
        graph = ds.__dask_graph__()
        keys.update(graph.keys() if graph is not None else ())
    return len(keys)


def product_report(name: str, ds: xr.Dataset, url: str) -> ProductReport:
    """Report one lazy product: variables, chunks and the tasks of its graph."""
    variables = tuple(_variable(str(v), da) for v, da in ds.data_vars.items())
    return ProductReport(name, url, variables, _tasks(ds))


def _tables(plan: Plan) -> tuple[str, ...]:
    attribution = ("ensemble_attribution",) if plan.spec.ensemble is not None else ()
    return (*plan.spec.analysis.tables, *attribution)


def dry_run(plan: Plan) -> DryRunReport:
    """Report what running ``plan`` would read and write; compute and write nothing.

    Parameters
    ----------
    plan : Plan
        From :func:`picpump.pipeline.make_plan` (entries resolved, graphs lazy).

    Returns
    -------
    DryRunReport
        Inputs, grid, chunks, products, input bytes and task count.
    """
    spec = plan.spec
    inputs = tuple(input_report(entry) for entry in plan.entries.values())
    products = plan.products
    return DryRunReport(
        name=spec.name,
        period="/".join(spec.period.bounds()),
        out=plan.out,
        grid={
            "resolution": spec.grid.resolution,
            "shape": list(spec.grid.shape),
            "months_per_chunk": spec.months_per_chunk,
        },
        inputs=inputs,
        products=tuple(product_report(n, ds, plan.url(n)) for n, ds in products.items()),
        tables=tuple(join(plan.out, f"tables/{t}") for t in _tables(plan)),
        input_bytes=sum(i.bytes for i in inputs),
        tasks=_tasks(*products.values()),
    )


def _input_lines(item: InputReport) -> list[str]:
    what = f"{item.months} months, {item.files} files" if item.months else f"{item.files} file(s)"
    unsized = f" (+{item.unsized} of unknown size)" if item.unsized else ""
    lines = [f"  {item.entry} ({item.driver}): {what}, {format_bytes(item.bytes)}{unsized}"]
    if item.first is not None:
        lines.append(f"    first: {item.first}")
    if item.last is not None and item.last != item.first:
        lines.append(f"    last:  {item.last}")
    if item.gaps:
        more = f" … (+{len(item.gaps) - GAPS_SHOWN})" if len(item.gaps) > GAPS_SHOWN else ""
        lines.append(f"    gaps ({len(item.gaps)}): {', '.join(item.gaps[:GAPS_SHOWN])}{more}")
    return lines


def _product_lines(product: ProductReport) -> list[str]:
    lines = [f"  {product.name}.zarr → {product.url} ({product.tasks} tasks with upstream)"]
    for var in product.variables:
        chunks = "×".join(map(str, var.chunks.values())) if var.chunks else "in memory"
        sizes = "×".join(f"{dim}={n}" for dim, n in var.sizes.items())
        lines.append(f"    {var.name} [{sizes}] {var.dtype}, chunks {chunks}")
    return lines


def render_dry_run(report: DryRunReport) -> str:
    """Return the report as the lines ``picpump run --dry-run`` prints."""
    grid = report.grid
    nlat, nlon = grid["shape"]
    lines = [
        f"{report.name}: {report.period} → {report.out} (dry run: nothing computed or written)",
        f"grid: {grid['resolution']}° ({nlat}×{nlon}), {grid['months_per_chunk']} months per chunk",
        f"inputs ({len(report.inputs)} entries, {format_bytes(report.input_bytes)}):",
    ]
    for item in report.inputs:
        lines += _input_lines(item)
    lines.append(f"products ({len(report.products)}, {report.tasks} tasks in all):")
    for product in report.products:
        lines += _product_lines(product)
    if report.tables:
        lines.append(f"tables ({len(report.tables)}, Parquet + CSV):")
        lines += [f"  {table}" for table in report.tables]
    return "\n".join(lines)


__all__ = [
    "DryRunReport",
    "InputReport",
    "ProductReport",
    "VariableReport",
    "dry_run",
    "input_report",
    "product_report",
    "render_dry_run",
]
