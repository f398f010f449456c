"""Execute a plan: one compute and one atomic write per product."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr

from picpump.io.ingest.read_pool import reading_processes
from picpump.io.store.faults import fault_point
from picpump.io.store.generation import link_store
from picpump.io.store.table_files import write_table
from picpump.io.store.zarr_store import (
    is_complete,
    join,
    open_product,
    remove_partials,
    stage_zarr,
    writes_directly,
)
from picpump.pipeline.attributes import finalize, table_attributes
from picpump.pipeline.compute import compute_all, start_warm_up
from picpump.pipeline.ensemble_stage import build_attribution
from picpump.pipeline.plan import Plan, build_product
from picpump.pipeline.sources import RunSources
from picpump.pipeline.table_products import build_tables
from picpump.pipeline.table_units import column_units

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a run wrote and how long each product took.

    Attributes
    ----------
    products : dict of str to str
        Product name → URL of its store.
    seconds : dict of str to float
        Wall time per product (of their computation, for products computed together).
    reused : list of str
        Products found up to date and not recomputed.
    """

    products: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def _reusable_inputs(plan: Plan, url: str) -> bool:
    """Whether the inputs store at ``url`` was ingested from the plan's input files."""
    if not is_complete(url, plan.storage_options):
        return False
    attrs = open_product(url, plan.storage_options).attrs
    return bool(attrs.get("inputs_fingerprint") == plan.inputs_fingerprint)


COMPUTED_TOGETHER = (("monthly", "climatology", "global_totals"),)
"""Products computed in one pass: the climatology and the global totals read the monthly
fields as they are computed, instead of reading the written monthly product back (the same
values: the monthly product stores them as computed). Measured on the 0.25° benchmark job:
the re-read was about a fifth of the job's worker time."""


def batches(needed: list[str], together: bool = True) -> list[list[str]]:
    """Group the needed products into computations, upstream first (:data:`COMPUTED_TOGETHER`).

    Parameters
    ----------
    needed : list of str
        The products to write, upstream first (:attr:`Plan.needed`).
    together : bool, default True
        Whether products may be computed together: only when the chunk writer writes them
        (:func:`~picpump.io.store.zarr_store.writes_directly`); else each product is computed
        alone and the next ones read it back.

    Returns
    -------
    list of list of str
        Each list is computed in one call; the products of a :data:`COMPUTED_TOGETHER` group
        join the first of them that is needed.
    """
    if not together:
        return [[name] for name in needed]
    out: list[list[str]] = []
    placed: set[str] = set()
    for name in needed:
        if name not in placed:
            group = next((g for g in COMPUTED_TOGETHER if name in g), (name,))
            batch = [n for n in group if n in needed and n not in placed]
            placed.update(batch)
            out.append(batch)
    return out


def _file_readers(
    datasets: dict[str, xr.Dataset], client: Any
) -> AbstractContextManager[int | None]:
    """Worker processes reading the input files of a threaded ``inputs`` computation.

    On threads, the NetCDF reads are serialised by the HDF5 lock
    (:mod:`~picpump.io.ingest.read_pool`); on a distributed client each worker reads its own.
    """
    return reading_processes() if client is None and "inputs" in datasets else nullcontext()


def _threads_beside(readers: int | None) -> int | None:
    """Threads of a computation whose reads wait on ``readers`` processes (one per CPU): twice.

    A thread waiting for a block from a reading process computes nothing; the others encode
    and write the blocks already read.
    """
    return 2 * readers if readers else None


def _write(datasets: dict[str, xr.Dataset], plan: Plan, client: Any, progress: bool) -> None:
    """Write products under temporary names, compute them in one call, then publish each."""
    spec = plan.spec
    pending = {}
    try:
        for name, ds in datasets.items():
            pending[name] = stage_zarr(
                ds,
                plan.url(name),
                plan.storage_options,
                zarr_format=spec.zarr_format,
                compression=spec.compression,
            )
        label = " + ".join(f"{name}.zarr" for name in datasets)
        with _file_readers(datasets, client) as readers:
            tasks = [p.task for p in pending.values()]
            threads = _threads_beside(readers)
            compute_all(tasks, client, progress=progress, label=label, threads=threads)
        for name, staged in pending.items():
            fault_point(f"publish:{name}")
            staged.publish()
            fault_point(f"published:{name}")
    except BaseException:
        for staged in pending.values():
            staged.discard()
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
    computed once (with the others of its :func:`batches` group), then published. A failure or
    interruption discards the temporary store and leaves the previous product in place.

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
    start_warm_up(client)
    remove_partials(plan.out, plan.storage_options)
    meta = dict(plan.catalog.metadata)
    written: dict[str, xr.Dataset] = {}
    for batch in batches(plan.needed, writes_directly(plan.out, plan.storage_options)):
        start = time.perf_counter()
        if batch == ["inputs"] and reuse_inputs and _reuse(plan, reuse_from, log):
            result.reused.append("inputs")
        else:
            built: dict[str, xr.Dataset] = {}
            for name in batch:
                log(f"{name}: computing → {plan.url(name)}")
                built[name] = _finalized(name, written | built, plan, meta, command)
            _write(built, plan, client, progress)
        for name in batch:
            written[name] = open_product(plan.url(name), plan.storage_options)
            result.products[name] = plan.url(name)
            result.seconds[name] = time.perf_counter() - start
    if plan.spec.analysis.tables:
        _write_tables(plan, written, result, command, log)
    if "ensemble" in written:
        table = build_attribution(written["ensemble"], plan.spec)
        _write_table(plan, "ensemble_attribution", table, result, command, log)
    return result


def _reuse(plan: Plan, reuse_from: str | None, log: Callable[[str], None]) -> bool:
    """Link the inputs store of ``reuse_from`` (or ``plan.out``) if it is up to date."""
    url, source = plan.url("inputs"), join(reuse_from or plan.out, "inputs.zarr")
    if not _reusable_inputs(plan, source):
        return False
    if source != url:
        link_store(source, url, plan.storage_options)
    log(f"inputs: up to date, reused ({url})")
    return True


def _finalized(
    name: str, upstream: dict[str, xr.Dataset], plan: Plan, meta: dict[str, Any], command: str
) -> xr.Dataset:
    """Build a product lazily and give it its attributes (CF, provenance)."""
    ds = finalize(build_product(name, upstream, plan), name, plan.spec, meta, command)
    if name == "inputs":
        ds.attrs["inputs_fingerprint"] = plan.inputs_fingerprint
    return ds


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
