"""Plausibility rules: the range a canonical variable can take, and what happens outside it.

Rule, applied to each month after the unit conversion (:mod:`picpump.io.ingest.values`):

- a value that is ``±inf`` or outside the variable's range of :data:`PLAUSIBLE` is
  *implausible*, and so is a stored value (not a fill value) outside the file's own
  ``valid_min``/``valid_max``/``valid_range`` (masked as CF says, and counted here);
- when more than :data:`UNIT_ERROR_FRACTION` of the month's valid (non-NaN) cells are
  implausible, the month looks like a unit error (PIC in mmol labelled mol, SST in K labelled
  °C) and is refused (:class:`picpump.errors.UnitsError`, naming the file and the month);
- otherwise the implausible cells are set to NaN and counted; the counts are recorded in the
  inputs product (``<variable>_implausible_cells``, :mod:`picpump.io.ingest.records`) and in
  the run summary.

The ranges are those of the archives' own valid ranges (NASA OB.DAAC L3m ``valid_min`` /
``valid_max``, Copernicus Marine ``PP``), in canonical units; the PIC bound lies above bloom
concentrations yet low enough that a month in mmol labelled mol is refused (a looser bound
would let most of such a month pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from picpump.errors import UnitsError, explain
from picpump.io.ingest.values import POSITIVE_ONLY


@dataclass(frozen=True)
class PlausibleRange:
    """The closed range of plausible values of a canonical variable, in canonical units.

    Attributes
    ----------
    low, high : float
        Bounds (inclusive).
    units : str
        Canonical units.
    source : str
        Where the range comes from.
    """

    low: float
    high: float
    units: str
    source: str

    def describe(self) -> str:
        """Return ``"low…high units"``."""
        return f"{self.low:g}…{self.high:g} {self.units}"


PLAUSIBLE: dict[str, PlausibleRange] = {
    "pic": PlausibleRange(
        0.0, 0.03, "mol m-3", "above bloom concentrations; low enough to refuse mmol as mol"
    ),
    "sst": PlausibleRange(-3.0, 40.0, "degC", "sea water freezing point … warmest open ocean"),
    "par": PlausibleRange(0.0, 130.0, "mol m-2 d-1", "NASA OB.DAAC L3m PAR valid_max"),
    "kd490": PlausibleRange(0.0, 6.4, "m-1", "NASA OB.DAAC L3m Kd_490 valid_max"),
    "poc": PlausibleRange(0.0, 1000.0, "mg m-3", "NASA OB.DAAC L3m POC valid_max"),
    "npp": PlausibleRange(0.0, 20000.0, "mg m-2 d-1", "Copernicus Marine PP valid_max"),
}
"""Canonical variable → plausible range (the data table of the rule)."""

UNIT_ERROR_FRACTION = 0.5
"""A month with more than this fraction of its valid cells implausible is refused."""


def implausible(data: NDArray[Any], canonical: str | None) -> NDArray[np.bool_]:
    """Return where ``data`` is ``±inf`` or outside the plausible range (NaN is not).

    Finite values ≤ 0 of the ocean-colour quantities are left to the positivity rule
    (:func:`picpump.io.ingest.values.clear_non_positive`: retrieval failures, not outliers).

    Parameters
    ----------
    data : numpy.ndarray
        Values in canonical units.
    canonical : str or None
        Canonical variable; variables without a range (None, ``elevation``) only refuse inf.

    Returns
    -------
    numpy.ndarray of bool
    """
    bad = np.isinf(data)
    bounds = PLAUSIBLE.get(canonical or "")
    if bounds is not None:
        with np.errstate(invalid="ignore"):
            bad |= data > bounds.high
            if canonical not in POSITIVE_ONLY:
                bad |= data < bounds.low
    return np.asarray(bad)


def check_unit_error(bad: int, valid: int, canonical: str | None, where: str) -> None:
    """Refuse a month whose implausible cells are more than :data:`UNIT_ERROR_FRACTION`.

    Parameters
    ----------
    bad, valid : int
        Implausible cells and valid (non-NaN) cells of the month.
    canonical : str or None
        Canonical variable.
    where : str
        The file and month, for the message.

    Raises
    ------
    UnitsError
        When the month looks like a unit error.
    """
    if bad == 0 or bad <= UNIT_ERROR_FRACTION * valid:
        return
    bounds = PLAUSIBLE.get(canonical or "")
    span = bounds.describe() if bounds else "finite"
    raise UnitsError(
        explain(
            f"plausibility rule: '{canonical}' values must be {span}; a month with more than "
            f"{UNIT_ERROR_FRACTION:.0%} of its valid cells outside looks like a unit error",
            f"{where}: {bad} of {valid} valid cells are inf or outside {span}",
            "check the units of the file (e.g. mmol labelled mol, K labelled degC) and declare "
            "the right ones in the catalog entry (args: {units: ...}), or fix the file",
        )
    )


def mask_implausible(
    data: NDArray[np.float32], canonical: str | None, where: str, outside: int = 0
) -> tuple[NDArray[np.float32], int]:
    """Apply the plausibility rule to one (lat, lon) month, in place.

    Parameters
    ----------
    data : numpy.ndarray of float32
        One month in canonical units, NaN where missing; changed in place.
    canonical : str or None
        Canonical variable.
    where : str
        The file and month, for the message.
    outside : int, default 0
        Cells already set to NaN because they were outside the file's own valid range
        (:func:`picpump.io.ingest.values.outside_valid_range`): counted with the others.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        ``data`` with implausible cells set to NaN, and how many cells of the month were set
        to NaN by either range.

    Raises
    ------
    UnitsError
        When the month looks like a unit error (:func:`check_unit_error`).
    """
    bad = implausible(data, canonical)
    count = int(np.count_nonzero(bad)) + outside
    if count:
        valid = int(np.count_nonzero(~np.isnan(data))) + outside
        check_unit_error(count, valid, canonical, where)
        data[bad] = np.nan
    return data, count


__all__ = [
    "PLAUSIBLE",
    "UNIT_ERROR_FRACTION",
    "PlausibleRange",
    "check_unit_error",
    "implausible",
    "mask_implausible",
]
