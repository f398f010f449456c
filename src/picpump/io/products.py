"""The product catalog and summary of a run (``<out>/catalog.yaml``, ``summary.json``).

An output folder holds generations (:mod:`picpump.io.store.generation`): the readers here
read the current one, found by :func:`picpump.io.store.generation.current_folder`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import xarray as xr
import yaml

from picpump.io.api import TABLE, ZARR, Catalog, load_catalog, open_entry, resolve
from picpump.io.drivers import STANDARD_PARQUET, STANDARD_ZARR
from picpump.io.store.generation import current_folder
from picpump.io.store.zarr_store import join, read_json, write_text
from picpump.redact import redact_tree

TABLE_SUFFIX = ".parquet"


def _relative(url: str, base: str) -> str:
    """Return ``url`` relative to the run folder ``base`` when it lies inside it."""
    url, base = url.rstrip("/"), base.rstrip("/") + "/"
    return url[len(base) :] if url.startswith(base) else url.rsplit("/", 1)[-1]


def product_catalog_text(
    products: Mapping[str, str], metadata: Mapping[str, Any], out: str = ""
) -> str:
    """Render the YAML catalog of a run's products (same shape as the input catalogs).

    Parameters
    ----------
    products : mapping
        Product name → URL; the products are expected under the catalog's folder.
    metadata : mapping
        Catalog metadata (title, ``synthetic`` ...).
    out : str, optional
        The run folder (the catalog's folder), to write relative paths.

    Returns
    -------
    str
        YAML text in Intake's catalog format with one ``zarr`` source per gridded product
        and one ``parquet`` source per table product (Intake's standard drivers, from
        intake-xarray and intake-parquet, so that ``intake.open_catalog`` opens every entry).
    """
    sources = {
        name: {
            "driver": STANDARD_PARQUET if url.endswith(TABLE_SUFFIX) else STANDARD_ZARR,
            "description": f"picpump {name} product",
            "args": {"urlpath": "{{ CATALOG_DIR }}/" + _relative(url, out)},
            "metadata": {"product": name},
        }
        for name, url in products.items()
    }
    return yaml.safe_dump({"metadata": redact_tree(metadata), "sources": sources}, sort_keys=False)


def write_product_catalog(
    out: str,
    products: Mapping[str, str],
    metadata: Mapping[str, Any],
    storage_options: Mapping[str, Any] | None = None,
) -> str:
    """Write ``<out>/catalog.yaml`` listing the products; return its URL."""
    url = join(out, "catalog.yaml")
    write_text(url, product_catalog_text(products, metadata, out), storage_options)
    return url


def load_run_catalog(out: str, storage_options: Mapping[str, Any] | None = None) -> Catalog:
    """Load the product catalog of the current generation of the output folder ``out``.

    Parameters
    ----------
    out : str
        The ``--out`` folder of a run (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.

    Returns
    -------
    Catalog
        One entry per product of the last complete run.
    """
    url = join(current_folder(out, storage_options), "catalog.yaml")
    return load_catalog(url, storage_options)


def read_run_summary(out: str, storage_options: Mapping[str, Any] | None = None) -> Any:
    """Read ``summary.json`` of the current generation of the output folder ``out``.

    Parameters
    ----------
    out : str
        The ``--out`` folder of a run (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.

    Returns
    -------
    dict
        The summary of the last complete run.
    """
    return read_json(join(current_folder(out, storage_options), "summary.json"), storage_options)


def open_source(catalog: Catalog, name: str) -> xr.Dataset:
    """Open a gridded product entry (``zarr`` or ``picpump.zarr``) of a catalog lazily.

    Parameters
    ----------
    catalog : Catalog
        A product catalog, e.g. ``load_catalog("outputs/demo/catalog.yaml")``.
    name : str
        The product.

    Returns
    -------
    xarray.Dataset
        The product, dask-backed.
    """
    return open_entry(resolve(catalog, name), expected=(STANDARD_ZARR, ZARR))


def open_table(catalog: Catalog, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a table product entry (``parquet`` or ``picpump.table``) of a product catalog.

    Parameters
    ----------
    catalog : Catalog
        A product catalog.
    name : str
        The table product, e.g. ``"pearson_by_layer"``.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The table and its attributes (provenance and definitions).
    """
    return open_entry(resolve(catalog, name), expected=(STANDARD_PARQUET, TABLE))


__all__ = [
    "load_run_catalog",
    "open_source",
    "open_table",
    "product_catalog_text",
    "read_run_summary",
    "write_product_catalog",
]
