"""A STAC Collection of a run's products (``<out>/stac/collection.json``).

One Item per product: a gridded product is a Zarr asset described with the STAC Datacube
extension (its dimensions and variables), a table product is a Parquet asset. Links and
asset paths are relative, so the folder can be moved or copied to an object store as a whole.
:func:`offline_validator` validates the collection against the STAC JSON schemas without
network access (the core schemas come with pystac, the Datacube schema is bundled here).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

import pandas as pd
import pystac
import xarray as xr
from pystac.extensions.datacube import DatacubeExtension, Dimension, Variable
from pystac.validation import JsonSchemaSTACValidator

from picpump.io.store.zarr_store import join, open_product, write_text

STAC_FOLDER = "stac"
COLLECTION_FILE = "collection.json"
TABLE_SUFFIX = ".parquet"
ZARR_MEDIA_TYPE = pystac.MediaType.VND_ZARR
PARQUET_MEDIA_TYPE = pystac.MediaType.VND_APACHE_PARQUET
SCHEMAS = files("picpump.report") / "schemas"
"""Bundled extension schemas (``<name>.json``, each with its ``$id``)."""
PROJJSON_SCHEMA = "https://proj.org/schemas/v0.4/projjson.schema.json"
"""Referenced by the Datacube schema for a ``reference_system`` given as PROJJSON."""
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _period_datetimes(period: tuple[str, str]) -> tuple[datetime, datetime]:
    """Return the first instant of the first month and the last of the last month."""
    start = pd.Timestamp(period[0]).to_period("M").start_time
    end = pd.Timestamp(period[1]).to_period("M").end_time.floor("s")
    return start.to_pydatetime().replace(tzinfo=UTC), end.to_pydatetime().replace(tzinfo=UTC)


def _cell_edges(values: Any) -> tuple[float, float, float | None]:
    """Return the outer edges of regularly spaced cell centres, and their step."""
    centres = [float(v) for v in values]
    step = abs(centres[1] - centres[0]) if len(centres) > 1 else None
    half = (step or 0.0) / 2
    return min(centres) - half, max(centres) + half, step


def _dimension(name: str, coord: xr.DataArray | None, size: int) -> dict[str, Any]:
    """Describe one dimension of a product in the Datacube extension's terms."""
    if name in ("lat", "lon") and coord is not None:
        low, high, step = _cell_edges(coord.values)
        description = {
            "type": "spatial",
            "axis": "y" if name == "lat" else "x",
            "extent": [low, high],
            "reference_system": 4326,
        }
        return description | ({"step": step} if step else {})
    if name == "time" and coord is not None:
        times = pd.DatetimeIndex(coord.values)
        iso = [t.isoformat() + "Z" for t in (times.min(), times.max())]
        return {"type": "temporal", "extent": iso, "description": "month start"}
    values = [] if coord is None else coord.values.tolist()
    if values and all(isinstance(v, str | int | float) for v in values):
        return {"type": name, "values": values}
    return {"type": name, "extent": [0, size - 1], "description": "index"}


def _variable(var: xr.DataArray, kind: str) -> dict[str, Any]:
    """Describe one variable (or auxiliary coordinate) of a product."""
    description: dict[str, Any] = {"type": kind, "dimensions": [str(d) for d in var.dims]}
    if "long_name" in var.attrs:
        description["description"] = str(var.attrs["long_name"])
    if "units" in var.attrs:
        description["unit"] = str(var.attrs["units"])
    return description


def datacube_fields(ds: xr.Dataset) -> tuple[dict[str, Dimension], dict[str, Variable]]:
    """Return the Datacube extension's ``cube:dimensions`` and ``cube:variables`` of a product.

    Parameters
    ----------
    ds : xarray.Dataset
        A gridded product (opened lazily; only coordinates are read).

    Returns
    -------
    tuple of (dict, dict)
        Dimension name → Dimension; variable name → Variable (data variables, and
        auxiliary coordinates that are not dimensions).
    """
    dimensions = {
        str(name): Dimension.from_dict(_dimension(str(name), ds.coords.get(name), size))
        for name, size in ds.sizes.items()
    }
    variables = {str(n): Variable(_variable(v, "data")) for n, v in ds.data_vars.items()}
    auxiliary = {
        str(n): Variable(_variable(v, "auxiliary"))
        for n, v in ds.coords.items()
        if n not in ds.dims
    }
    return dimensions, variables | auxiliary


def _bbox(ds: xr.Dataset | None) -> list[float]:
    """Return the product's lon/lat bounding box, the whole globe when it has no grid."""
    if ds is None or "lat" not in ds.coords or "lon" not in ds.coords:
        return [-180.0, -90.0, 180.0, 90.0]
    west, east, _ = _cell_edges(ds["lon"].values)
    south, north, _ = _cell_edges(ds["lat"].values)
    if east > 180.0:
        west, east = -180.0, 180.0
    return [max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0)]


def _polygon(bbox: list[float]) -> dict[str, Any]:
    west, south, east, north = bbox
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def product_item(
    name: str, url: str, period: tuple[str, str], storage_options: Mapping[str, Any] | None = None
) -> pystac.Item:
    """Describe one product as a STAC Item with its asset (Zarr or Parquet).

    Parameters
    ----------
    name : str
        The product name (the Item's id).
    url : str
        Where the product is stored (a Zarr store, or a ``.parquet`` table).
    period : tuple of str
        The run's first and last month (``"YYYY-MM"``), the Item's time range.
    storage_options : mapping, optional
        fsspec options to read a gridded product's coordinates.

    Returns
    -------
    pystac.Item
        The Item; gridded products carry the Datacube extension.
    """
    is_table = url.endswith(TABLE_SUFFIX)
    ds = None if is_table else open_product(url, storage_options)
    bbox = _bbox(ds)
    start, end = _period_datetimes(period)
    item = pystac.Item(
        id=name,
        geometry=_polygon(bbox),
        bbox=bbox,
        datetime=None,
        start_datetime=start,
        end_datetime=end,
        properties={"description": f"picpump {name} product"},
    )
    media_type = PARQUET_MEDIA_TYPE if is_table else ZARR_MEDIA_TYPE
    item.add_asset("data", pystac.Asset(href=url, media_type=media_type, roles=["data"]))
    if ds is not None:
        dimensions, variables = datacube_fields(ds)
        DatacubeExtension.ext(item, add_if_missing=True).apply(dimensions, variables)
    return item


def run_collection(
    products: Mapping[str, str],
    period: tuple[str, str],
    metadata: Mapping[str, Any],
    storage_options: Mapping[str, Any] | None = None,
) -> pystac.Collection:
    """Build the STAC Collection of a run: one Item per product.

    Parameters
    ----------
    products : mapping
        Product name → URL.
    period : tuple of str
        The run's first and last month.
    metadata : mapping
        ``title`` and ``synthetic`` (as in the product catalog); ``name`` for the id.
    storage_options : mapping, optional
        fsspec options to read the products' coordinates.

    Returns
    -------
    pystac.Collection
        Self-contained (relative links), not yet given hrefs.
    """
    items = [product_item(n, u, period, storage_options) for n, u in products.items()]
    boxes = [item.bbox for item in items if item.bbox] or [[-180.0, -90.0, 180.0, 90.0]]
    union = [min(b[0] for b in boxes), min(b[1] for b in boxes)]
    union += [max(b[2] for b in boxes), max(b[3] for b in boxes)]
    synthetic = bool(metadata.get("synthetic", False))
    description = str(metadata.get("title", "picpump products"))
    if synthetic:
        description += " (synthetic demo data, not observations of the real ocean)"
    collection = pystac.Collection(
        id=str(metadata.get("name", "picpump-run")),
        title=str(metadata.get("title", "picpump products")),
        description=description,
        extent=pystac.Extent(
            pystac.SpatialExtent([union]), pystac.TemporalExtent([list(_period_datetimes(period))])
        ),
        license="other",
        extra_fields={"picpump:synthetic": synthetic},
        catalog_type=pystac.CatalogType.SELF_CONTAINED,
    )
    collection.add_items(items)
    return collection


def stac_documents(collection: pystac.Collection, stac_url: str) -> dict[str, dict[str, Any]]:
    """Lay the collection out under ``stac_url``; return each document's URL and JSON.

    Items go to ``<stac_url>/<id>/<id>.json`` (pystac's layout); links and asset paths
    are made relative.
    """
    collection.normalize_hrefs(stac_url)
    collection.make_all_asset_hrefs_relative()
    documents = {str(collection.get_self_href()): collection.to_dict(include_self_link=False)}
    for item in collection.get_items():
        documents[str(item.get_self_href())] = item.to_dict(include_self_link=False)
    return documents


def write_stac(
    out: str,
    products: Mapping[str, str],
    period: tuple[str, str],
    metadata: Mapping[str, Any],
    storage_options: Mapping[str, Any] | None = None,
) -> str:
    """Write ``<out>/stac/collection.json`` and one Item per product; return its URL.

    Parameters
    ----------
    out : str
        The run folder (local path or fsspec URL), as for ``catalog.yaml``.
    products : mapping
        Product name → URL (under ``out``).
    period : tuple of str
        The run's first and last month (``"YYYY-MM"``).
    metadata : mapping
        ``title``, ``synthetic`` and ``name`` of the run.
    storage_options : mapping, optional
        fsspec options for ``out``.

    Returns
    -------
    str
        The URL of ``collection.json``.
    """
    stac_url = join(out, STAC_FOLDER)
    collection = run_collection(products, period, metadata, storage_options)
    documents = stac_documents(collection, stac_url)
    for url, document in documents.items():
        write_text(url, json.dumps(document, indent=1), storage_options)
    return join(stac_url, COLLECTION_FILE)


def offline_validator() -> JsonSchemaSTACValidator:
    """Return a STAC validator that needs no network (core, GeoJSON and bundled schemas).

    picpump writes ``reference_system`` as an EPSG code, never as a PROJJSON object, so the
    PROJJSON schema the Datacube schema refers to is stood in for by "any object".
    """
    validator = JsonSchemaSTACValidator()
    validator.schema_cache[PROJJSON_SCHEMA] = {
        "$schema": DRAFT_07,
        "$id": PROJJSON_SCHEMA,
        "type": "object",
    }
    for schema_file in SCHEMAS.iterdir():
        if schema_file.name.endswith(".json"):
            schema = json.loads(schema_file.read_text())
            validator.schema_cache[schema["$id"]] = schema
    return validator


def validate_stac(collection_url: str) -> list[str]:
    """Validate a written collection and its Items offline; return the Item ids.

    Raises
    ------
    pystac.errors.STACValidationError
        When a document does not follow its schemas.
    """
    collection = pystac.Collection.from_file(collection_url)
    validator = offline_validator()
    collection.validate(validator=validator)
    items = list(collection.get_items())
    for item in items:
        item.validate(validator=validator)
    return [item.id for item in items]


__all__ = [
    "COLLECTION_FILE",
    "STAC_FOLDER",
    "datacube_fields",
    "offline_validator",
    "product_item",
    "run_collection",
    "stac_documents",
    "validate_stac",
    "write_stac",
]
