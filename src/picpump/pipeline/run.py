"""Execute a plan: one compute and one atomic write per product."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import dask
import pandas as pd
import xarray as xr

from picpump.io.store.faults import fault_point
from picpump.io.store.generation import link_store
from picpump.io.store.table_files import write_table
from picpump.io.store.zarr_store import is_complete, join, open_product, remove_partials, stage_zarr
from picpump.pipeline.attributes import finalize, table_attributes
from picpump.pipeline.ensemble_stage import build_attribution
from picpump.pipeline.plan import Plan, build_product
from picpump.pipeline.sources import RunSources
from picpump.pipeline.table_products import build_tables
from picpump.pipeline.table_units import column_units
from picpump.progress import dask_progress, watch_future

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a run wrote and how long each product took.

    Attributes
    ----------
    products : dict of str to str
        Product name → URL of its store.
    seconds : dict of str to float
        Wall time per product.
    reused : list of str
        Products found up to date and not recomputed.
    """

    products: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def _compute(task: Any, client: Any, progress: bool, label: str = "computing") -> None:
    """Compute a delayed write on the client (or the threaded scheduler), showing progress."""
    if client is None:
        with dask_progress(label) if progress else nullcontext():
            dask.compute(task)
        return
    future = client.compute(task)
    if progress:
        watch_future(future, label)
    future.result()


def _reusable_inputs(plan: Plan, url: str) -> bool:
    """Whether the inputs store at ``url`` was ingested from the plan's input files."""
    if not is_complete(url, plan.storage_options):
        return False
    attrs = open_product(url, plan.storage_options).attrs
    return bool(attrs.get("inputs_fingerprint") == plan.inputs_fingerprint)


def _write(name: str, ds: xr.Dataset, url: str, plan: Plan, client: Any, progress: bool) -> None:
    """Write one product under a temporary name, compute it, then publish it."""
    spec = plan.spec
    pending = stage_zarr(
        ds, url, plan.storage_options, zarr_format=spec.zarr_format, compression=spec.compression
    )
    try:
        _compute(pending.task, client, progress, url.rstrip("/").rsplit("/", 1)[-1])
        fault_point(f"publish:{name}")
        pending.publish()
    except BaseException:
        pending.discard()
        raise


def execute(
    plan: Plan,
    client: Any = None,
    *,
    progress: bool = True,
    command: str = "picpump run",
    reuse_inputs: bool = True,
    log: Callable[[str], None] = logger.info,
    reuse_from: str | None = None,
) -> RunResult:
    """Write every needed product of ``plan``, upstream first.

    Each product is finalised (CF attributes, provenance), written under a temporary name,
    computed once, then published. A failure or interruption discards the temporary store and
    leaves the previous product in place.

    Parameters
    ----------
    plan : Plan
        From :func:`picpump.pipeline.plan.make_plan`.
    client : distributed.Client, optional
        Where to compute; ``None`` uses dask's threaded scheduler.
    progress : bool, default True
        Show a progress bar per product.
    command : str
        The command line, recorded in ``history``.
    reuse_inputs : bool, default True
        Skip the ingest when the canonical inputs store matches the input files.
    log : callable
        Receives one line per product (default: this module's logger).
    reuse_from : str, optional
        Folder holding the inputs store to reuse (a previous generation), hard-linked into
        ``plan.out`` when reused (copied by the server on object stores); default
        ``plan.out`` itself.

    Returns
    -------
    RunResult
        Product URLs and timings.
    """
    result = RunResult()
    remove_partials(plan.out, plan.storage_options)
    meta = dict(plan.catalog.metadata)
    written: dict[str, xr.Dataset] = {}
    for name in plan.needed:
        url = plan.url(name)
        start = time.perf_counter()
        source = join(reuse_from or plan.out, f"{name}.zarr")
        if name == "inputs" and reuse_inputs and _reusable_inputs(plan, source):
            if source != url:
                link_store(source, url, plan.storage_options)
            result.reused.append(name)
            log(f"{name}: up to date, reused ({url})")
        else:
            log(f"{name}: computing → {url}")
            ds = build_product(name, written, plan)
            ds = finalize(ds, name, plan.spec, meta, command)
            if name == "inputs":
                ds.attrs["inputs_fingerprint"] = plan.inputs_fingerprint
            _write(name, ds, url, plan, client, progress)
            fault_point(f"published:{name}")
        written[name] = open_product(url, plan.storage_options)
        result.products[name] = url
        result.seconds[name] = time.perf_counter() - start
    if plan.spec.analysis.tables:
        _write_tables(plan, written, result, command, log)
    if "ensemble" in written:
        table = build_attribution(written["ensemble"], plan.spec)
        _write_table(plan, "ensemble_attribution", table, result, command, log)
    return result


def _write_tables(
    plan: Plan,
    written: dict[str, xr.Dataset],
    result: RunResult,
    command: str,
    log: Callable[[str], None],
) -> None:
    """Build the table products from the written climatology and annual products; write each."""
    start = time.perf_counter()
    sources = RunSources(plan.entries, plan.inputs.elevation)
    tables = build_tables(sources, plan.spec, written["climatology"], written["annual"], log=log)
    for name, table in tables.items():
        _write_table(plan, name, table, result, command, log)
    result.seconds["tables"] = time.perf_counter() - start


def _write_table(
    plan: Plan,
    name: str,
    table: pd.DataFrame,
    result: RunResult,
    command: str,
    log: Callable[[str], None],
) -> None:
    """Write one table product (Parquet + CSV) with its provenance; record its URL."""
    base = join(plan.out, f"tables/{name}")
    meta = dict(plan.catalog.metadata)
    attrs = table_attributes(table.attrs, name, plan.spec, meta, command)
    fault_point(f"publish:{name}")
    units = column_units(table)
    urls = write_table(table, base, attrs=attrs, units=units, storage_options=plan.storage_options)
    result.products[name] = urls["parquet"]
    log(f"{name}: {len(table)} rows → {urls['parquet']} (+ .csv)")


__all__ = ["RunResult", "execute"]
