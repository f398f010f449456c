"""The product catalog of a run (``<out>/catalog.yaml``) and opening its entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xarray as xr
import yaml

from picpump.errors import CatalogError, explain
from picpump.io.archive import join, open_product, write_text
from picpump.io.catalog import Catalog, render_template

ZARR_DRIVER = "picpump.zarr"


def product_catalog_text(products: Mapping[str, str], metadata: Mapping[str, Any]) -> str:
    """Render the YAML catalog of a run's products (same shape as the input catalogs).

    Parameters
    ----------
    products : mapping
        Product name → URL; the stores are expected next to the catalog.
    metadata : mapping
        Catalog metadata (title, ``synthetic`` ...).

    Returns
    -------
    str
        YAML text with one ``picpump.zarr`` source per product.
    """
    sources = {
        name: {
            "driver": ZARR_DRIVER,
            "description": f"picpump {name} product",
            "args": {"urlpath": "{{ CATALOG_DIR }}/" + url.rstrip("/").rsplit("/", 1)[-1]},
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
    write_text(url, product_catalog_text(products, metadata), storage_options)
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
    source = catalog.source(name)
    if source.driver != ZARR_DRIVER:
        raise CatalogError(
            explain(
                f"open_source opens '{ZARR_DRIVER}' entries",
                f"entry '{name}' has driver '{source.driver}'",
                "use picpump.io.catalog.open_monthly or open_static for input archives",
            )
        )
    url = render_template(str(source.args["urlpath"]), catalog)
    return open_product(url, source.args.get("storage_options"))


__all__ = ["open_source", "product_catalog_text", "write_product_catalog"]
