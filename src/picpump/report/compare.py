"""Compare the products of two runs: every store's variables and every table's columns.

Used to show that a change of code leaves the numbers alone (``picpump compare A B``), or to
see where two variants of an analysis differ. Values are compared, not attributes (which carry
dates, command lines and versions): two products are *identical* when every variable has the
same dims, coordinates, dtype and values, NaN where the other has NaN.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from picpump.errors import InputError, explain
from picpump.io.store.fs import filesystem
from picpump.io.store.generation import current_folder
from picpump.io.store.table_files import read_table
from picpump.io.store.zarr_store import is_complete, join, open_product


def products_in(
    folder: str, storage_options: Mapping[str, Any] | None = None
) -> tuple[list[str], list[str]]:
    """Return the names of the Zarr stores (``*.zarr``) and tables (``tables/*.parquet``).

    Parameters
    ----------
    folder : str
        An output folder (local path or fsspec URL); its current generation is read.
    storage_options : mapping, optional
        fsspec options.

    Returns
    -------
    tuple of (list of str, list of str)
        Store names and table names, sorted; empty when the folder does not exist.
    """
    fs, path = filesystem(current_folder(folder, storage_options), storage_options)
    stores = fs.glob(f"{path.rstrip('/')}/*.zarr")
    tables = fs.glob(f"{path.rstrip('/')}/tables/*.parquet")
    return (
        sorted(posixpath.basename(p)[: -len(".zarr")] for p in stores),
        sorted(posixpath.basename(p)[: -len(".parquet")] for p in tables),
    )


@dataclass(frozen=True)
class Difference:
    """One item of two runs that differs (or that one run lacks).

    Attributes
    ----------
    product : str
        The product (store or table) name.
    item : str
        The variable, coordinate or column; empty for a whole product.
    what : str
        How it differs, e.g. ``max |a - b| = 3e-07 in 12 of 64800 values``.
    """

    product: str
    item: str
    what: str

    def describe(self) -> str:
        """Return one line for a report."""
        where = f"{self.product}.{self.item}" if self.item else self.product
        return f"{where}: {self.what}"


def _values_differ(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> str | None:
    """Describe how two arrays differ, or return None when they are equal (NaN == NaN)."""
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} vs {b.dtype}"
    if a.dtype.kind not in "fc":
        same = np.asarray(a == b)
        return None if bool(same.all()) else f"{int((~same).sum())} of {a.size} values differ"
    both_nan = np.isnan(a) & np.isnan(b)
    equal = (a == b) | both_nan
    if bool(equal.all()):
        return None
    with np.errstate(invalid="ignore"):
        delta = np.abs(a.astype(np.float64) - b.astype(np.float64))
    finite = delta[np.isfinite(delta)]
    worst = float(finite.max()) if finite.size else float("nan")
    return f"max |a - b| = {worst:.3g} in {int((~equal).sum())} of {a.size} values"


def compare_datasets(name: str, a: xr.Dataset, b: xr.Dataset) -> list[Difference]:
    """Compare two datasets variable by variable (values, dims, coordinates; not attributes).

    Parameters
    ----------
    name : str
        The product name, for the report.
    a, b : xarray.Dataset
        The two products.

    Returns
    -------
    list of Difference
        Empty when the two are identical.
    """
    out: list[Difference] = []
    names = sorted({str(v) for v in a.variables} | {str(v) for v in b.variables})
    for var in names:
        if var not in a.variables or var not in b.variables:
            side = "first" if var not in a.variables else "second"
            out.append(Difference(name, str(var), f"absent from the {side} run"))
            continue
        if a[var].dims != b[var].dims:
            out.append(Difference(name, str(var), f"dims {a[var].dims} vs {b[var].dims}"))
            continue
        what = _values_differ(np.asarray(a[var].values), np.asarray(b[var].values))
        if what is not None:
            out.append(Difference(name, str(var), what))
    return out


def compare_tables(name: str, a: pd.DataFrame, b: pd.DataFrame) -> list[Difference]:
    """Compare two tables column by column (same rows in the same order).

    Parameters
    ----------
    name : str
        The table name, for the report.
    a, b : pandas.DataFrame
        The two tables.

    Returns
    -------
    list of Difference
        Empty when the two are identical.
    """
    if len(a) != len(b):
        return [Difference(name, "", f"{len(a)} rows vs {len(b)} rows")]
    out: list[Difference] = []
    for col in sorted(set(a.columns) | set(b.columns), key=str):
        if col not in a.columns or col not in b.columns:
            side = "first" if col not in a.columns else "second"
            out.append(Difference(name, str(col), f"absent from the {side} run"))
            continue
        left, right = a[col], b[col]
        if left.dtype.kind in "fc" and right.dtype.kind in "fc":
            what = _values_differ(left.to_numpy(), right.to_numpy())
        else:
            same = (left.astype(str) == right.astype(str)).to_numpy()
            what = None if same.all() else f"{int((~same).sum())} of {len(a)} values differ"
        if what is not None:
            out.append(Difference(name, str(col), what))
    return out


def compare_runs(
    first: str, second: str, storage_options: Mapping[str, Any] | None = None
) -> list[Difference]:
    """Compare every product two runs share, and list those only one of them has.

    Parameters
    ----------
    first, second : str
        Output folders of two runs (local paths or fsspec URLs).
    storage_options : mapping, optional
        fsspec options for both.

    Returns
    -------
    list of Difference
        Empty when every product is identical.

    Raises
    ------
    InputError
        When a folder holds no product (a wrong path, or not a run folder).
    """
    first, second = (current_folder(folder, storage_options) for folder in (first, second))
    found = [products_in(folder, storage_options) for folder in (first, second)]
    for folder, (stores_found, tables_found) in zip((first, second), found, strict=True):
        if not stores_found and not tables_found:
            raise InputError(
                explain(
                    "each folder compared must be the output folder of a picpump run",
                    f"no *.zarr store and no tables/*.parquet in {folder}",
                    "give the --out folder of a run (e.g. outputs/demo)",
                )
            )
    stores = sorted(set(found[0][0]) | set(found[1][0]))
    tables = sorted(set(found[0][1]) | set(found[1][1]))
    out: list[Difference] = []
    for name in stores:
        urls = (join(first, f"{name}.zarr"), join(second, f"{name}.zarr"))
        present = [is_complete(url, storage_options) for url in urls]
        if not any(present):
            continue
        if not all(present):
            side = "first" if not present[0] else "second"
            out.append(Difference(name, "", f"no complete store in the {side} run"))
            continue
        a, b = (open_product(url, storage_options) for url in urls)
        out += compare_datasets(name, a, b)
    for name in tables:
        bases = (join(first, f"tables/{name}"), join(second, f"tables/{name}"))
        try:
            a_table, _ = read_table(bases[0], storage_options=storage_options)
            b_table, _ = read_table(bases[1], storage_options=storage_options)
        except InputError:
            side = "first" if name not in found[0][1] else "second"
            out.append(Difference(name, "", f"no table in the {side} run"))
            continue
        out += compare_tables(name, a_table, b_table)
    return out


__all__ = ["Difference", "products_in", "compare_datasets", "compare_runs", "compare_tables"]
