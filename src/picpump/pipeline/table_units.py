"""Units of the columns of the table products (package data ``table_units.yaml``)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd
import yaml

LOG10_UNITLESS = ("intercept",)
"""Columns whose unit is ``1`` when the table's statistics are on log10 values."""


@cache
def units_table() -> dict[str, str]:
    """Return the unit of each numeric column name of the table products."""
    text = files("picpump.pipeline").joinpath("table_units.yaml").read_text()
    table: dict[str, str] = yaml.safe_load(text)
    return {str(k): str(v) for k, v in table.items()}


def column_units(table: pd.DataFrame) -> dict[str, str]:
    """Return the unit of every column of a table product.

    Parameters
    ----------
    table : pandas.DataFrame
        A table product, with the ``attrs`` its builder recorded (``log10`` ...).

    Returns
    -------
    dict of str to str
        Column → unit (UDUNITS spelling); ``""`` for text, category, boolean and date
        columns. Numeric columns missing from ``table_units.yaml`` are left out.
    """
    known = units_table()
    log10 = bool(table.attrs.get("log10", False))
    out: dict[str, str] = {}
    for column, dtype in table.dtypes.items():
        name = str(column)
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if not numeric:
            out[name] = ""
        elif log10 and name in LOG10_UNITLESS:
            out[name] = "1"
        elif name in known:
            out[name] = known[name]
    return out


__all__ = ["column_units", "units_table"]
