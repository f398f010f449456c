"""The written products of a run, as the figures read them (no catalog, no inputs).

Every read goes through :func:`picpump.report.compare.products_in` (which stores and tables
a run folder holds) and :func:`product_url` / :func:`table_url` (where they are).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
import xarray as xr

from picpump.errors import InputError, explain
from picpump.io.store.fs import filesystem
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import join, open_product
from picpump.report.compare import products_in


def product_url(folder: str, name: str) -> str:
    """Return the URL of the store of product ``name`` in a run folder."""
    return join(folder, f"{name}.zarr")


def table_url(folder: str, name: str) -> str:
    """Return the URL of the Parquet file of table ``name`` in a run folder."""
    return join(folder, f"tables/{name}.parquet")


@dataclass
class RunProducts:
    """The products of one run folder, opened on demand and kept.

    Attributes
    ----------
    folder : str
        The run folder (local path or fsspec URL).
    storage_options : dict
        fsspec options.
    """

    folder: str
    storage_options: dict[str, Any] = field(default_factory=dict)
    _opened: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def names(self) -> tuple[list[str], list[str]]:
        """Store and table names found in the folder."""
        return products_in(self.folder, self.storage_options)

    def has(self, *names: str) -> bool:
        """Return True when every named store or table is present."""
        stores, tables = self.names
        return set(names) <= set(stores) | set(tables)

    def missing(self, *names: str) -> list[str]:
        """Return the named stores or tables the folder lacks."""
        stores, tables = self.names
        return [n for n in names if n not in stores and n not in tables]

    def product(self, name: str) -> xr.Dataset:
        """Open a gridded product (lazily; kept for the next figure)."""
        if name not in self._opened:
            self._require(name)
            self._opened[name] = open_product(product_url(self.folder, name), self.storage_options)
        dataset: xr.Dataset = self._opened[name]
        return dataset

    def table(self, name: str) -> pd.DataFrame:
        """Read a table product (kept for the next figure)."""
        key = f"tables/{name}"
        if key not in self._opened:
            self._require(name)
            self._opened[key] = read_table(table_url(self.folder, name), self.storage_options)
        table: pd.DataFrame = self._opened[key][0]
        return table

    def table_attrs(self, name: str) -> dict[str, Any]:
        """Return a table's attributes (provenance, definitions)."""
        self.table(name)
        attrs: dict[str, Any] = self._opened[f"tables/{name}"][1]
        return attrs

    def summary(self) -> dict[str, Any]:
        """Return the run's ``summary.json``, or an empty dict when it has none."""
        fs, path = filesystem(join(self.folder, "summary.json"), self.storage_options)
        if not fs.exists(path):
            return {}
        with fs.open(path, "r") as handle:
            loaded: dict[str, Any] = json.load(handle)
        return loaded

    def attrs(self) -> Mapping[str, Any]:
        """Return the provenance attributes of the first store of the run."""
        stores, tables = self.names
        if stores:
            return self.product(stores[0]).attrs
        return self.table_attrs(tables[0]) if tables else {}

    @property
    def synthetic(self) -> bool:
        """True when the run was made from synthetic (demo) inputs."""
        return bool(int(self.attrs().get("synthetic", 0)))

    def _require(self, name: str) -> None:
        if not self.has(name):
            raise InputError(
                explain(
                    "a figure needs the products it draws",
                    f"'{name}' is not in {self.folder}",
                    "run the pipeline with the output that writes it, or pick other figures",
                )
            )


__all__ = ["RunProducts", "product_url", "table_url"]
