"""One whole run, as the command line does it: products, tables, product catalog and summary.

This is the layer above ``pipeline``, ``cluster`` and ``report``: it joins them, and both the
command line and the Python API call it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from picpump.io.catalog.model import Catalog
from picpump.io.products import write_product_catalog
from picpump.io.store.faults import fault_point
from picpump.io.store.transaction import Transaction, run_transaction
from picpump.io.store.zarr_store import join, write_text
from picpump.logs import RunLog, capturing_run_log
from picpump.pipeline import Plan, execute
from picpump.pipeline.compute import local_computations
from picpump.pipeline.run import RunResult
from picpump.redact import redact
from picpump.report.stac import write_stac
from picpump.report.summary import summarise, write_summary

logger = logging.getLogger(__name__)
RUN_LOG = "run.log"


@dataclass
class RunOutcome:
    """What a whole run wrote.

    Attributes
    ----------
    result : RunResult
        Product URLs and timings.
    summary : dict
        The content of ``summary.json``.
    summary_url : str
        Where ``summary.json`` was written.
    catalog_url : str
        Where the product ``catalog.yaml`` was written.
    log_url : str
        Where ``run.log`` (every log record of the run, library warnings included) was written.
    """

    result: RunResult
    summary: dict[str, Any] = field(default_factory=dict)
    summary_url: str = ""
    catalog_url: str = ""
    log_url: str = ""


def run_plan(
    plan: Plan,
    client: Any = None,
    *,
    facts: dict[str, Any] | None = None,
    progress: bool = True,
    command: str = "picpump run",
    reuse_inputs: bool = True,
    log: Callable[[str], None] = logger.info,
    records: RunLog | None = None,
) -> RunOutcome:
    """Execute ``plan``, then write the product catalog, the summary and the log of the run.

    The run is one transaction on ``plan.out`` (:mod:`picpump.io.store.transaction`): it
    holds the folder's lock, writes everything under a new generation, and switches the
    folder's pointer to it last; readers see the previous run's outputs until then.

    Parameters
    ----------
    plan : Plan
        From :func:`picpump.pipeline.make_plan`.
    client : distributed.Client, optional
        Where to compute; ``None`` uses dask's threaded scheduler.
    facts : dict, optional
        Run facts recorded in the summary (catalog, pipeline, cluster names…).
    progress : bool, default True
        Show progress.
    command : str
        The command line, recorded in ``history``.
    reuse_inputs : bool, default True
        Skip the ingest when the canonical inputs store matches the input files.
    log : callable
        Receives one line per step (default: this module's logger).
    records : RunLog, optional
        The run log, when the caller started it earlier (e.g. before starting the cluster);
        by default it is collected here. Written as ``run.log`` in the run's generation, before
        the switch.

    Returns
    -------
    RunOutcome
        Products, summary and where they were written.

    Raises
    ------
    picpump.io.store.lock.RunLockedError
        When another run is writing ``plan.out``.
    """
    with nullcontext(records) if records is not None else capturing_run_log() as collected:
        with (
            local_computations(client),
            run_transaction(plan.out, plan.storage_options, command) as txn,
        ):
            outcome = _run_generation(
                plan,
                txn,
                client,
                facts=facts,
                progress=progress,
                command=command,
                reuse_inputs=reuse_inputs,
                log=log,
            )
            outcome.log_url = join(txn.url, RUN_LOG)
            write_text(outcome.log_url, redact(collected.text()), plan.storage_options)
    return outcome


def _run_generation(
    user_plan: Plan,
    txn: Transaction,
    client: Any,
    *,
    facts: dict[str, Any] | None,
    progress: bool,
    command: str,
    reuse_inputs: bool,
    log: Callable[[str], None],
) -> RunOutcome:
    """Write every output of the run into the transaction's new generation."""
    plan = replace(user_plan, out=txn.url)
    spec, catalog = plan.spec, plan.catalog
    started = datetime.now(UTC)
    clock = time.perf_counter()
    result = execute(
        plan,
        client,
        progress=progress,
        command=command,
        reuse_inputs=reuse_inputs,
        log=log,
        reuse_from=txn.previous,
    )
    run_facts = {
        "name": spec.name,
        **(facts or {}),
        "out": user_plan.out,
        "generation": txn.generation,
        "period": "/".join(spec.period.bounds()),
        "grid": spec.grid.resolution,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - clock, 2),
        "product_seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "reused": result.reused,
    }
    summary = summarise(
        result.products,
        spec=spec.raw,
        variants=spec.variants.as_dict(),
        area_variants=list(spec.area_variants),
        synthetic=_synthetic(catalog),
        run=run_facts,
    )
    catalog_meta = {
        "title": f"picpump products of run '{spec.name}'",
        "synthetic": _synthetic(catalog),
    }
    fault_point("catalog")
    catalog_url = write_product_catalog(plan.out, result.products, catalog_meta)
    write_stac(plan.out, result.products, spec.period.bounds(), catalog_meta | {"name": spec.name})
    fault_point("summary")
    json_url, _ = write_summary(plan.out, summary)
    return RunOutcome(result, summary, json_url, catalog_url)


def _synthetic(catalog: Catalog) -> bool:
    return bool(catalog.metadata.get("synthetic", False))


__all__ = ["RunOutcome", "run_plan"]
