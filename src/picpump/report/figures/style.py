"""Shared look of the figures: colour scales, colourbar labels, panel letters, saving."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure

DPI = 200
"""Resolution of the PNG files [dots per inch]."""
LOG_DECADES = 2.0
"""A positive field whose 2–98 % range spans more than this many decades gets a log scale."""
FORMATS = ("png", "svg", "pdf")
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


def pretty_units(units: str) -> str:
    """Return CF units as mathtext (``"mg m-2 d-1"`` → ``"mg m$^{-2}$ d$^{-1}$"``)."""
    if units in ("", "1"):
        return "1"
    return re.sub(r"([A-Za-z])(-?\d+)\b", r"\1$^{\2}$", units)


def label_of(da: xr.DataArray, name: str | None = None) -> str:
    """Return ``"<name> [<units>]"`` with the units read from the variable's attributes."""
    units = str(da.attrs.get("units", "1"))
    return f"{name or da.attrs.get('long_name', da.name)} [{pretty_units(units)}]"


def color_norm(values: Any, log: bool | None = None) -> Normalize:
    """Colour scale of a field: logarithmic when its positive values span decades.

    Parameters
    ----------
    values : array-like
        The values drawn (NaN ignored).
    log : bool, optional
        Force (True) or refuse (False) a log scale; default: decide from the data.

    Returns
    -------
    matplotlib.colors.Normalize
        ``LogNorm`` or ``Normalize`` between the 2nd and 98th percentiles.
    """
    data = np.asarray(values, dtype=np.float64)
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return Normalize(0.0, 1.0)
    positive = finite[finite > 0]
    if positive.size:
        low, high = np.percentile(positive, [2, 98])
        decades = math.log10(high / low) if high > low > 0 else 0.0
        if log or (log is None and decades > LOG_DECADES and positive.size > 0.9 * finite.size):
            return LogNorm(float(low), float(max(high, low * 10)))
    low, high = np.percentile(finite, [2, 98])
    return Normalize(float(low), float(high if high > low else low + 1.0))


def add_colorbar(
    fig: Figure, mappable: ScalarMappable, axes: Axes | Sequence[Axes], label: str
) -> Colorbar:
    """Add a horizontal colourbar under ``axes`` labelled with ``label`` (name and units)."""
    bar = fig.colorbar(mappable, ax=axes, orientation="horizontal", shrink=0.8, pad=0.04)
    bar.set_label(label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return bar


def letter(ax: Axes, text: str) -> None:
    """Write a panel letter (``a``, ``b`` ...) in the upper left corner of ``ax``."""
    ax.text(0.0, 1.02, text, transform=ax.transAxes, fontsize=10, fontweight="bold", va="bottom")


def synthetic_note(fig: Figure, synthetic: bool) -> None:
    """Mark a figure drawn from synthetic (demo) inputs, above its first panel."""
    if synthetic and fig.axes:
        first = fig.axes[0]
        first.text(
            1.0, 1.14, "synthetic demo data", transform=first.transAxes, ha="right",
            va="bottom", fontsize=6, color="0.4",
        )  # fmt: skip


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """Render a figure to bytes (no dates, so the same products give the same file)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata=_NO_DATES[fmt], bbox_inches="tight")
    return buffer.getvalue()


__all__ = [
    "DPI",
    "FORMATS",
    "LOG_DECADES",
    "add_colorbar",
    "color_norm",
    "figure_bytes",
    "label_of",
    "letter",
    "pretty_units",
    "synthetic_note",
]
