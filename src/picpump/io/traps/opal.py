"""The global trap compilation of Cael et al. (``bbcael/opal``: ``opal.mat`` or ``opal_traps.csv``).

The public original is ``opal.mat`` (variables ``X`` lon, ``Y`` lat, ``Z`` depth, ``I``
F_IC, ``O`` F_OC, ``S`` F_Si, ``Si80``); ``opal_traps.csv`` is the same data flattened to
columns ``lon, lat, depth_m, F_IC, F_OC, F_Si, Si80_umolkg``. 7 159 samples with
inorganic (F_IC) and organic (F_OC) carbon fluxes, no dates and no water depth. The units
are not stored; the compilation's scripts are consistent with mg m-2 d-1 (declare others
with ``flux_units``). Rows are flagged ``undated``: usable for layer and region statistics
(``good_rows(df, allow=("undated",))``), not for monthly matchups.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.io

from picpump.errors import InputError, explain
from picpump.io.traps.common import (
    file_name,
    finish,
    numbers,
    position_label,
    read_bytes,
    read_text,
    trap_ids,
)
from picpump.units import flux_factor

OPAL_COLUMNS = ("lon", "lat", "depth_m", "F_IC", "F_OC")
"""Columns the reader needs."""

MAT_VARIABLES = {"X": "lon", "Y": "lat", "Z": "depth_m", "I": "F_IC", "O": "F_OC"}
"""Variables of ``opal.mat`` and the csv columns they become."""


def _opal_frame(
    urlpath: str | os.PathLike[str], storage_options: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Read the compilation as a frame with the csv column names (from .mat or .csv)."""
    if file_name(urlpath).lower().endswith(".mat"):
        raw = read_bytes(urlpath, storage_options)
        try:
            mat = scipy.io.loadmat(io.BytesIO(raw))
        except (ValueError, NotImplementedError) as err:
            raise InputError(
                explain("opal.mat must be a MATLAB v5 file", str(err), "use the original file")
            ) from err
        return pd.DataFrame(
            {col: np.ravel(mat[var]) for var, col in MAT_VARIABLES.items() if var in mat}
        )
    return pd.read_csv(io.StringIO(read_text(urlpath, storage_options)), dtype=str)


def read_opal_compilation(
    urlpath: str | os.PathLike[str],
    *,
    flux_units: str = "mg m-2 d-1",
    label: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Read the compilation (``opal.mat`` or ``opal_traps.csv``) into the tidy trap table.

    Parameters
    ----------
    urlpath : str or path-like
        Local path or fsspec URL.
    flux_units : str, optional
        Units of F_IC and F_OC (carbon mass or amount per m² per day).
    label : str, optional
        Source label (default ``"Cael opal compilation <file name>"``).
    storage_options : mapping, optional
        fsspec options.

    Returns
    -------
    DataFrame
        One row per sample; station = rounded position, ``start``/``end`` NaT,
        ``water_depth_m`` NaN (fill it with ``fill_water_depth``); QC ``undated``.

    Raises
    ------
    InputError
        When a needed column is missing.
    """
    where = os.fspath(urlpath)
    table = _opal_frame(urlpath, storage_options)
    missing = [c for c in OPAL_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            explain(
                f"the opal compilation must have the columns {list(OPAL_COLUMNS)}",
                f"columns {list(table.columns)} (missing {missing}) in {where}",
                "flatten opal.mat with these column names",
            )
        )
    factor = flux_factor(flux_units, "carbon", where)
    lat, lon = numbers(table["lat"], where), numbers(table["lon"], where)
    depth = numbers(table["depth_m"], where)
    station = position_label(lat, lon)
    n = len(table)
    return finish(
        {
            "station": station,
            "trap_id": trap_ids(station, depth),
            "lat": lat,
            "lon": lon,
            "trap_depth_m": depth,
            "water_depth_m": np.full(n, np.nan),
            "start": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            "end": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            "duration_d": np.full(n, np.nan),
            "pic_flux": numbers(table["F_IC"], where) * factor,
            "poc_flux": numbers(table["F_OC"], where) * factor,
            "source": [label or f"Cael opal compilation {file_name(urlpath)}"] * n,
        }
    )


__all__ = ["MAT_VARIABLES", "OPAL_COLUMNS", "read_opal_compilation"]
