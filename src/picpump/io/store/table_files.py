"""Statistics tables on any fsspec filesystem: Parquet plus CSV, with their metadata.

:func:`write_table` writes three files next to each other:

- ``<base>.parquet``: the table, with ``attrs`` as JSON in the Parquet schema metadata (key
  ``picpump.attrs``) and the column units both there (key ``picpump.units``) and on each
  field (key ``units``); self-contained, dtypes kept;
- ``<base>.csv``: the same table for spreadsheets, plain (no comment lines, so every CSV
  reader opens it);
- ``<base>.json``: the sidecar of the CSV: ``attrs``, the column dtypes (to restore them on
  reading), the column ``units`` and the SHA-256 of the CSV bytes.

All three are serialised in memory first, so a failure while serialising touches no file.
They are then published together (:func:`picpump.io.store.publish.write_files`): locally
each file is written under a temporary name (``<name>.partial-<token>``), and the three are
renamed into place only when all are written; on object stores each file is one PUT
(readers see the old object or the new one). :func:`read_table` checks the CSV against
the hash in its sidecar, so a CSV and a sidecar from different writes are refused, never
mixed.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import pandas_dtype

from picpump.errors import InputError, explain
from picpump.io.store.publish import write_files

ATTRS_KEY = b"picpump.attrs"
"""Key of the attributes in the Parquet schema metadata."""
UNITS_KEY = b"picpump.units"
"""Key of the column units (JSON) in the Parquet schema metadata."""
EXTENSIONS = (".parquet", ".csv", ".json")


def _json_default(value: Any) -> Any:
    """JSON form of numpy scalars and arrays, timestamps and sets; ``str`` otherwise."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=_json_default, allow_nan=True)


def _parquet_bytes(df: pd.DataFrame, attrs_json: str, units: Mapping[str, str]) -> bytes:
    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = [
        f.with_metadata({**(f.metadata or {}), b"units": units[f.name].encode()})
        if f.name in units
        else f
        for f in table.schema
    ]
    metadata = {
        **(table.schema.metadata or {}),
        ATTRS_KEY: attrs_json.encode(),
        UNITS_KEY: json.dumps(dict(units)).encode(),
    }
    schema = pa.schema(fields, metadata=metadata)
    buffer = io.BytesIO()
    pq.write_table(table.cast(schema), buffer, compression="zstd")
    return buffer.getvalue()


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, na_rep="", lineterminator="\n").encode()


def _serialise(
    df: pd.DataFrame, attrs: Mapping[str, Any], units: Mapping[str, str]
) -> dict[str, bytes]:
    """Serialise the three files; return their bytes keyed by extension."""
    attrs_json = _dumps(dict(attrs))
    csv = _csv_bytes(df)
    sidecar = {
        "attrs": json.loads(attrs_json),
        "columns": {str(c): str(t) for c, t in df.dtypes.items()},
        "units": {str(c): units[str(c)] for c in df.columns if str(c) in units},
        "rows": len(df),
        "csv_sha256": hashlib.sha256(csv).hexdigest(),
    }
    return {
        ".parquet": _parquet_bytes(df, attrs_json, units),
        ".csv": csv,
        ".json": (_dumps(sidecar) + "\n").encode(),
    }


def _base(url_base: str) -> str:
    """``url_base`` without a trailing ``.parquet``, ``.csv`` or ``.json``."""
    for ext in EXTENSIONS:
        if url_base.endswith(ext):
            return url_base[: -len(ext)]
    return url_base


def write_table(
    df: pd.DataFrame,
    url_base: str,
    *,
    attrs: Mapping[str, Any],
    units: Mapping[str, str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Write a table as ``<url_base>.parquet``, ``<url_base>.csv`` and ``<url_base>.json``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; its index is not written (reset it first to keep it).
    url_base : str
        Local path or fsspec URL without extension (a trailing ``.parquet``, ``.csv`` or
        ``.json`` is removed).
    attrs : mapping
        Metadata (JSON-serialisable; numpy values become numbers or lists, others strings):
        in the Parquet schema metadata and in the CSV sidecar.
    units : mapping, optional
        Column → unit (UDUNITS spelling, ``""`` for none): in the sidecar's ``units``, the
        Parquet schema metadata (``picpump.units``) and each Parquet field's ``units``.
    storage_options : mapping, optional
        fsspec options of the target filesystem.

    Returns
    -------
    dict of str to str
        ``{"parquet": url, "csv": url, "json": url}``.
    """
    base = _base(url_base)
    urls = {ext: base + ext for ext in EXTENSIONS}
    files = _serialise(df, attrs, {str(k): str(v) for k, v in (units or {}).items()})
    write_files({urls[ext]: files[ext] for ext in EXTENSIONS}, storage_options)
    return {ext.lstrip("."): url for ext, url in urls.items()}


def _read_bytes(url: str, options: Mapping[str, Any] | None) -> bytes:
    try:
        with fsspec.open(url, "rb", **dict(options or {})) as f:
            return bytes(f.read())
    except FileNotFoundError as err:
        raise InputError(
            explain(
                "a table is read from a file written by picpump.io.store.table_files.write_table",
                f"no file at {url}",
                "check the path, or re-run the stage that writes the table",
            )
        ) from err


def _restore_dtypes(df: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Give the CSV columns back the dtypes the sidecar recorded."""
    for column, dtype in dtypes.items():
        if column not in df.columns or str(df[column].dtype) == dtype:
            continue
        if dtype in ("str", "string", "object"):
            df[column] = df[column].astype(str).where(df[column].notna(), "")
            continue
        target = pandas_dtype(dtype)
        if dtype.startswith("datetime64"):
            df[column] = pd.to_datetime(df[column], format="ISO8601").astype(target)
        else:
            df[column] = df[column].astype(target)
    return df


def _read_csv(url: str, options: Mapping[str, Any] | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    base = _base(url)
    raw = _read_bytes(base + ".csv", options)
    sidecar = json.loads(_read_bytes(base + ".json", options))
    if hashlib.sha256(raw).hexdigest() != sidecar.get("csv_sha256"):
        raise InputError(
            explain(
                "a CSV table and its .json sidecar come from the same write",
                f"{base}.csv does not match the hash in {base}.json (an interrupted write?)",
                "re-run the stage that writes the table, or read the .parquet file",
            )
        )
    dtypes: dict[str, str] = sidecar.get("columns", {})
    text = [c for c, t in dtypes.items() if t in ("str", "string", "object")]
    na_values = {c: ["", "NaN", "nan"] for c in dtypes if c not in text}
    df = pd.read_csv(
        io.BytesIO(raw),
        keep_default_na=False,
        na_values=na_values,
        dtype=dict.fromkeys(text, str),
    )
    return _restore_dtypes(df, dtypes), dict(sidecar.get("attrs", {}))


def read_table(
    url: str, storage_options: Mapping[str, Any] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a table written by :func:`write_table`, with its attributes.

    Parameters
    ----------
    url : str
        ``<base>.parquet`` or ``<base>.csv`` (with its ``<base>.json`` sidecar); a URL
        without extension reads the Parquet file.
    storage_options : mapping, optional
        fsspec options.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The table and its ``attrs``.

    Raises
    ------
    InputError
        When a file is missing, or the CSV does not match its sidecar.
    """
    if url.endswith(".csv") or url.endswith(".json"):
        return _read_csv(url, storage_options)
    raw = _read_bytes(_base(url) + ".parquet", storage_options)
    table = pq.read_table(io.BytesIO(raw))
    metadata = table.schema.metadata or {}
    attrs = json.loads(metadata[ATTRS_KEY]) if ATTRS_KEY in metadata else {}
    return table.to_pandas(), attrs


def read_units(url: str, storage_options: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Return the column units of a table written by :func:`write_table`.

    Parameters
    ----------
    url : str
        ``<base>.parquet``, ``<base>.csv`` or ``<base>.json``; without extension, the
        Parquet file.
    storage_options : mapping, optional
        fsspec options.

    Returns
    -------
    dict of str to str
        Column → unit (empty for a table written without units).
    """
    if url.endswith(".csv") or url.endswith(".json"):
        sidecar = json.loads(_read_bytes(_base(url) + ".json", storage_options))
        return dict(sidecar.get("units", {}))
    raw = _read_bytes(_base(url) + ".parquet", storage_options)
    metadata = pq.read_schema(io.BytesIO(raw)).metadata or {}
    return dict(json.loads(metadata[UNITS_KEY])) if UNITS_KEY in metadata else {}


__all__ = ["ATTRS_KEY", "UNITS_KEY", "read_table", "read_units", "write_table"]
