"""Every column of the table products has a unit; a run records them beside each table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from picpump.pipeline.table_units import column_units, units_table


def test_text_columns_have_no_unit_and_numbers_theirs() -> None:
    table = pd.DataFrame({"layer": ["0-100"], "n": [3], "lat_min": [0.0], "ok": [True]})
    assert column_units(table) == {"layer": "", "n": "1", "lat_min": "degrees_north", "ok": ""}


def test_a_log10_regression_has_a_unitless_intercept() -> None:
    table = pd.DataFrame({"slope": [1.0], "intercept": [np.float64(0.5)]})
    assert column_units(table)["intercept"] == "mg m-2 d-1"
    table.attrs["log10"] = True
    assert column_units(table)["intercept"] == "1"


def test_the_units_table_has_no_empty_unit() -> None:
    assert all(units_table().values())
