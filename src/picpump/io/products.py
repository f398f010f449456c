"""The product catalog of a run (``<out>/catalog.yaml``) and opening its entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import xarray as xr
import yaml

from picpump.io.api import TABLE, ZARR, Catalog, open_entry, resolve
from picpump.io.drivers import STANDARD_PARQUET, STANDARD_ZARR
from picpump.io.store.zarr_store import join, write_text

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
    return yaml.safe_dump({"metadata": dict(metadata), "sources": sources}, sort_keys=False)


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


__all__ = ["open_source", "open_table", "product_catalog_text", "write_product_catalog"]
