"""Trap depth layers and the paper's Table 1 (observations and traps per layer).

Toullec 2026 (doi:10.5194/bg-23-4361-2026, §2.2, Table 1) groups trap observations in seven
layers: 0–100, 100–500, 500–1000, 1000–2000, 2000–3000, 3000–4000 and > 4000 m. Which layer
owns an edge is not said in the paper (SCIENCE.md §7, item 6): the default puts an edge in
the deeper layer (``closed="left"``: 100 m → "100-500"), ``closed="right"`` in the shallower.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from picpump.errors import InputError, SpecError, explain
from picpump.science.traps import good_rows

DEPTH_EDGES: tuple[float, ...] = (0.0, 100.0, 500.0, 1000.0, 2000.0, 3000.0, 4000.0, np.inf)
"""Layer edges [m]; the last layer is open-ended."""

DEPTH_LABELS: tuple[str, ...] = (
    "0-100",
    "100-500",
    "500-1000",
    "1000-2000",
    "2000-3000",
    "3000-4000",
    ">4000",
)
"""Layer labels, shallow first."""

TABLE1_COLUMNS: tuple[str, ...] = ("layer", "observations", "traps", "locations_1deg")
"""Columns of :func:`table1`."""

PAPER_TABLE1: dict[str, tuple[int, int]] = {
    "0-100": (101, 84),
    "100-500": (996, 62),
    "500-1000": (1175, 54),
    "1000-2000": (1405, 64),
    "2000-3000": (730, 64),
    "3000-4000": (1077, 35),
    ">4000": (573, 28),
}
"""Paper Table 1, ``layer: (observations, traps)``, for comparison (SCIENCE.md §6)."""

Closed = Literal["left", "right"]


def layer_edges(edges: Sequence[float] = DEPTH_EDGES) -> tuple[float, ...]:
    """Check layer edges and close them with ∞ when the last one is finite.

    Parameters
    ----------
    edges : sequence of float
        Increasing edges [m], e.g. ``(0, 100, 500)`` (last layer open-ended) or
        ``(0, 100, inf)``.

    Returns
    -------
    tuple of float
        Edges ending with ``inf``.

    Raises
    ------
    SpecError
        When there are fewer than two edges or they do not increase.
    """
    values = tuple(float(e) for e in edges)
    if values and np.isfinite(values[-1]):
        values = (*values, np.inf)
    if len(values) < 2 or any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise SpecError(
            explain(
                "depth layer edges must be at least two increasing values",
                repr(list(edges)),
                "list them shallow first, e.g. [0, 100, 500, 1000]",
            )
        )
    return values


def layer_labels(edges: Sequence[float] = DEPTH_EDGES) -> tuple[str, ...]:
    """Labels ``"a-b"`` per layer and ``">a"`` for the open-ended last one."""
    values = layer_edges(edges)
    return tuple(
        f">{a:g}" if np.isinf(b) else f"{a:g}-{b:g}"
        for a, b in zip(values, values[1:], strict=False)
    )


def depth_layer(
    depth_m: ArrayLike | pd.Series,
    edges: Sequence[float] = DEPTH_EDGES,
    *,
    closed: Closed = "left",
) -> pd.Series:
    """Depth layer of each trap depth.

    Parameters
    ----------
    depth_m : array_like or Series
        Trap depths [m, positive down].
    edges : sequence of float, optional
        Layer edges (:func:`layer_edges`); default :data:`DEPTH_EDGES`.
    closed : {"left", "right"}, optional
        ``"left"``: a depth on an edge belongs to the deeper layer (100 → "100-500");
        ``"right"``: to the shallower (100 → "0-100"). The first edge is always included.

    Returns
    -------
    Series of category
        Labels of :func:`layer_labels` (ordered); NaN for missing or out-of-range depths.
        The index of a Series input is kept.
    """
    if closed not in ("left", "right"):
        raise SpecError(
            explain("'closed' must be 'left' or 'right'", repr(closed), "pick one of them")
        )
    values = layer_edges(edges)
    index = depth_m.index if isinstance(depth_m, pd.Series) else None
    depth = pd.Series(np.asarray(depth_m, dtype=float).ravel(), index=index)
    return pd.cut(
        depth,
        bins=list(values),
        labels=list(layer_labels(values)),
        right=closed == "right",
        include_lowest=True,
        ordered=True,
    )


def _check_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            explain(
                "Table 1 needs a trap table with trap_id, lat, lon and trap_depth_m",
                f"columns {list(df.columns)} (missing {missing})",
                "build the table with picpump.io.traps and picpump.science.traps",
            )
        )


def table1(
    df: pd.DataFrame,
    edges: Sequence[float] = DEPTH_EDGES,
    *,
    closed: Closed = "left",
    allow: Iterable[str] = (),
) -> pd.DataFrame:
    """Observations, distinct traps and distinct 1° locations per depth layer.

    Only good rows count (``qc == ""``, or flags all in ``allow``; a table without ``qc``
    counts whole); apply
    :func:`~picpump.science.trap_filter.paper_filter` first for the paper's subset.

    Parameters
    ----------
    df : DataFrame
        A trap table.
    edges : sequence of float, optional
        Layer edges (default :data:`DEPTH_EDGES`).
    closed : {"left", "right"}, optional
        Edge rule (:func:`depth_layer`).
    allow : iterable of str, optional
        QC flags to tolerate (e.g. ``("undated",)``).

    Returns
    -------
    DataFrame
        One row per layer (all layers, shallow first) with :data:`TABLE1_COLUMNS`:
        ``layer`` (str), ``observations`` (rows), ``traps`` (distinct ``trap_id``),
        ``locations_1deg`` (distinct ``(floor(lat), floor(lon))`` cells).
    """
    _check_columns(df, ("trap_id", "lat", "lon", "trap_depth_m"))
    rows = good_rows(df, allow) if "qc" in df.columns else df
    labels = layer_labels(edges)
    layer = depth_layer(rows["trap_depth_m"], edges, closed=closed)
    cells = (
        np.floor(rows["lat"].astype(float)).astype(str)
        + ","
        + np.floor(rows["lon"].astype(float)).astype(str)
    )
    frame = pd.DataFrame({"layer": layer, "trap": rows["trap_id"], "cell": cells})
    grouped = frame.groupby("layer", observed=False)
    out = pd.DataFrame(
        {
            "observations": grouped.size(),
            "traps": grouped["trap"].nunique(),
            "locations_1deg": grouped["cell"].nunique(),
        }
    ).reindex(list(labels), fill_value=0)
    out = out.rename_axis("layer").reset_index()
    out["layer"] = out["layer"].astype(str)
    return out[list(TABLE1_COLUMNS)].astype(
        {"observations": "int64", "traps": "int64", "locations_1deg": "int64"}
    )


__all__ = [
    "DEPTH_EDGES",
    "DEPTH_LABELS",
    "PAPER_TABLE1",
    "TABLE1_COLUMNS",
    "depth_layer",
    "layer_edges",
    "layer_labels",
    "table1",
]
