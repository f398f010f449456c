"""The Python API: one call does what ``picpump run`` does.

:func:`run` reads a spec and a catalog, plans the run, starts a cluster (or uses a client
given), writes the products, the product catalog, ``summary.json``/``summary.md`` and
``run.log``, and returns a :class:`RunProducts` whose products open lazily. ``picpump run``
calls the same :func:`prepare` and :func:`run_prepared`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xarray as xr

from picpump.cluster import Profile, client_for, dashboard_link, load_profile
from picpump.cluster.local import for_run, threads_below
from picpump.errors import InputError, explain
from picpump.io.api import Catalog, load_catalog
from picpump.io.catalog.include import with_parameters
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import open_product
from picpump.logs import capturing_run_log
from picpump.period import Period
from picpump.pipeline import PipelineSpec, Plan, load_spec, make_plan, parse_spec
from picpump.runner import RunOutcome, run_plan

logger = logging.getLogger(__name__)
DEFAULT_OUT = "outputs/{name}"
"""Output folder of a run given no ``out``."""


@dataclass
class RunProducts:
    """What :func:`run` wrote; products open lazily.

    Attributes
    ----------
    plan : Plan
        The plan that was run.
    outcome : RunOutcome
        Product URLs, the summary and where the summary, catalog and log were written.
    """

    plan: Plan
    outcome: RunOutcome

    @property
    def products(self) -> dict[str, str]:
        """Product name → URL (Zarr store, or Parquet file of a table)."""
        return dict(self.outcome.result.products)

    @property
    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json``."""
        return self.outcome.summary

    @property
    def out(self) -> str:
        """The output folder."""
        return self.plan.out

    def open(self, name: str) -> xr.Dataset | pd.DataFrame:
        """Open one product: a lazy dataset, or a table (with its attributes in ``.attrs``).

        Parameters
        ----------
        name : str
            A key of :attr:`products`, e.g. ``"monthly"`` or ``"table1"``.

        Returns
        -------
        xarray.Dataset or pandas.DataFrame
            The product.

        Raises
        ------
        InputError
            When the run wrote no product of that name.
        """
        if name not in self.outcome.result.products:
            raise InputError(
                explain("open a product the run wrote", repr(name), f"one of {list(self.products)}")
            )
        url = self.outcome.result.products[name]
        if url.endswith(".parquet"):
            table, attrs = read_table(url, self.plan.storage_options)
            table.attrs.update(attrs)
            return table
        return open_product(url, self.plan.storage_options)

    def __getitem__(self, name: str) -> xr.Dataset | pd.DataFrame:
        return self.open(name)


def prepare(
    spec: str | PipelineSpec,
    catalog: str | Catalog,
    out: str | None = None,
    *,
    period: str | None = None,
    params: Mapping[str, Any] | None = None,
    ensemble: bool = False,
    zarr_format: int | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Plan:
    """Read the spec and the catalog and plan the run (listings and headers only).

    Parameters
    ----------
    spec : str or PipelineSpec
        A pipeline spec (YAML path or URL), or one already loaded.
    catalog : str or Catalog
        An input catalog (YAML path or URL), or one already loaded.
    out : str, optional
        Output folder or URL [``outputs/<spec name>``].
    period : str, optional
        Replaces the spec's period, e.g. ``"2000-01:2004-12"``.
    params : mapping, optional
        Catalog parameters for every entry declaring them (e.g. ``base_url``).
    ensemble : bool, default False
        Also run every registered variant of the production model (``ensemble.zarr``).
    zarr_format : int, optional
        Zarr format of the product stores (2 or 3) [the spec's ``zarr_format``, else 3].
    storage_options : mapping, optional
        fsspec options for ``out``.

    Returns
    -------
    Plan
        The lazy plan.
    """
    overrides: dict[str, Any] = {"ensemble": "all"} if ensemble else {}
    if zarr_format:
        overrides["zarr_format"] = zarr_format
    if period:
        start, end = Period.parse(period).bounds()
        overrides["period"] = {"start": start, "end": end}
    if isinstance(spec, str):
        spec = load_spec(spec, overrides)
    elif overrides:
        spec = parse_spec({**spec.raw, **overrides})
    cat = load_catalog(catalog) if isinstance(catalog, str) else catalog
    cat = with_parameters(cat, dict(params or {}))
    return make_plan(spec, cat, out or DEFAULT_OUT.format(name=spec.name), storage_options)


@contextlib.contextmanager
def _client(
    cluster: str | Profile | None,
    client: Any,
    options: Mapping[str, Any],
    input_bytes: float = float("inf"),
) -> Iterator[Any]:
    """Yield the client given, a client of the cluster profile, or None (threaded scheduler).

    A ``local`` profile computes a run of less than ``input_bytes`` on threads
    (:func:`picpump.cluster.local.for_run`).
    """
    if client is not None and cluster is not None:
        raise InputError(
            explain("give a cluster or a client, not both", f"{cluster!r} and a client", "drop one")
        )
    if cluster is None:
        yield client
        return
    profile = cluster if isinstance(cluster, Profile) else load_profile(cluster, dict(options))
    chosen = for_run(profile, input_bytes)
    if chosen is not profile:
        logger.info(
            "cluster %s: %.2f GB of inputs, computed with threads in this process "
            "(a LocalCluster from %.2f GB: dask config picpump.local.threads-below)",
            profile.name or profile.kind,
            input_bytes / 1e9,
            threads_below() / 1e9,
        )
    with client_for(chosen) as started:
        if started is not None:
            from picpump.cluster.worker_logs import forward_worker_logs  # imports distributed

            forward_worker_logs(started)
        if link := dashboard_link(started):
            logger.info("dashboard: %s", link)  # as soon as the cluster is up; also in run.log
        yield started


def _name(value: Any) -> str:
    if isinstance(value, str):
        return value
    return str(getattr(value, "urlpath", "") or getattr(value, "name", "") or type(value).__name__)


def run(
    spec: str | PipelineSpec,
    catalog: str | Catalog,
    out: str | None = None,
    *,
    cluster: str | Profile | None = None,
    cluster_options: Mapping[str, Any] | None = None,
    client: Any = None,
    period: str | None = None,
    params: Mapping[str, Any] | None = None,
    ensemble: bool = False,
    progress: bool = True,
    reuse_inputs: bool = True,
    storage_options: Mapping[str, Any] | None = None,
    command: str | None = None,
) -> RunProducts:
    """Run a pipeline spec on a catalog, as ``picpump run`` does.

    Writes the products, the tables, the product ``catalog.yaml``, ``summary.json``,
    ``summary.md`` and ``run.log`` under ``out``.

    Parameters
    ----------
    spec : str or PipelineSpec
        A pipeline spec (YAML path or URL), or one already loaded.
    catalog : str or Catalog
        An input catalog (YAML path or URL), or one already loaded.
    out : str, optional
        Output folder or URL [``outputs/<spec name>``].
    cluster : str or Profile, optional
        A cluster profile (name, path or loaded) to start for the run and tear down after.
    cluster_options : mapping, optional
        Overrides of the profile's options (as ``--cluster-opt``).
    client : distributed.Client, optional
        An existing client to compute on; with neither ``cluster`` nor ``client``, dask's
        threaded scheduler computes in this process.
    period : str, optional
        Replaces the spec's period, e.g. ``"2000-01:2004-12"``.
    params : mapping, optional
        Catalog parameters for every entry declaring them.
    ensemble : bool, default False
        Also run every registered variant of the production model.
    progress : bool, default True
        Show progress (a live bar on a terminal, periodic log lines otherwise).
    reuse_inputs : bool, default True
        Skip the ingest when the canonical inputs store matches the input files.
    storage_options : mapping, optional
        fsspec options for ``out``.
    command : str, optional
        What is recorded in the products' ``history`` [``picpump.run(...)``].

    Returns
    -------
    RunProducts
        The plan, where everything was written, and lazy access to the products.

    Raises
    ------
    InputError
        When both ``cluster`` and ``client`` are given.
    """
    plan = prepare(
        spec,
        catalog,
        out,
        period=period,
        params=params,
        ensemble=ensemble,
        storage_options=storage_options,
    )
    facts = {
        "catalog": _name(catalog),
        "pipeline": _name(spec),
        "cluster": _cluster_name(cluster, client),
    }
    return run_prepared(
        plan,
        cluster=cluster,
        cluster_options=cluster_options,
        client=client,
        progress=progress,
        reuse_inputs=reuse_inputs,
        command=command,
        facts=facts,
    )


def run_prepared(
    plan: Plan,
    *,
    cluster: str | Profile | None = None,
    cluster_options: Mapping[str, Any] | None = None,
    client: Any = None,
    progress: bool = True,
    reuse_inputs: bool = True,
    command: str | None = None,
    facts: Mapping[str, Any] | None = None,
) -> RunProducts:
    """Run a plan from :func:`prepare` on a cluster, a client or the threaded scheduler.

    Parameters
    ----------
    plan : Plan
        The plan.
    cluster, cluster_options, client, progress, reuse_inputs, command
        As for :func:`run`.
    facts : mapping, optional
        Run facts recorded in the summary (catalog, pipeline and cluster names).

    Notes
    -----
    The run log is collected from before the cluster starts, so what the cluster says on
    its way up (e.g. its dashboard link) is in ``run.log``.

    Returns
    -------
    RunProducts
        The plan, where everything was written, and lazy access to the products.
    """
    size = _input_bytes(plan)
    with (
        capturing_run_log() as records,
        _client(cluster, client, cluster_options or {}, size) as active,
    ):
        outcome = run_plan(
            plan,
            active,
            facts=dict(facts or {}),
            progress=progress,
            command=command or "picpump.run(...)",
            reuse_inputs=reuse_inputs,
            records=records,
        )
    return RunProducts(plan, outcome)


def _input_bytes(plan: Plan) -> float:
    """Uncompressed size of the plan's monthly inputs (from their lazy arrays; no read)."""
    return float(sum(field.nbytes for field in plan.inputs.fields.values()))


def _cluster_name(cluster: str | Profile | None, client: Any) -> str:
    if cluster is None:
        return "threads" if client is None else "client"
    return cluster if isinstance(cluster, str) else cluster.name or cluster.kind


__all__ = ["DEFAULT_OUT", "RunProducts", "prepare", "run", "run_prepared"]
