"""The product catalog of a run (``<out>/catalog.yaml``) and opening its entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import xarray as xr
import yaml

from picpump.io.api import TABLE, ZARR, Catalog, open_entry, resolve
from picpump.io.store.zarr_store import join, write_text
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
        YAML text with one ``picpump.zarr`` source per gridded product and one
        ``picpump.table`` source per table product.
    """
    sources = {
        name: {
            "driver": TABLE if url.endswith(TABLE_SUFFIX) else ZARR,
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


def open_source(catalog: Catalog, name: str) -> xr.Dataset:
    """Open a ``picpump.zarr`` entry of a catalog (a product) lazily.

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
    return open_entry(resolve(catalog, name), expected=(ZARR,))


def open_table(catalog: Catalog, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a ``picpump.table`` entry of a product catalog.

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
    return open_entry(resolve(catalog, name), expected=(TABLE,))


__all__ = ["open_source", "open_table", "product_catalog_text", "write_product_catalog"]
