"""A period of whole months, parsed once at the edge (spec, command line, ingest, catalog).

Everything inside picpump holds a :class:`Period` (two month starts), never ``"YYYY-MM"``
strings to parse again: :meth:`Period.parse` takes the command-line form
``1997-09:2022-10``, :meth:`Period.of` any of the accepted forms, :func:`month_start` one
month.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from picpump.errors import PeriodError, explain

MONTH_FORMAT = "%Y-%m"


def month_start(value: Any) -> pd.Timestamp:
    """Return the first day of the month of ``value`` (``"1997-09"``, a date, a Timestamp).

    Parameters
    ----------
    value : str, datetime-like
        A month (``YYYY-MM``) or any date inside it.

    Returns
    -------
    pandas.Timestamp
        Midnight of the first day of that month, datetime64[ns].

    Raises
    ------
    PeriodError
        When ``value`` is not a date.
    """
    try:
        stamp = pd.Timestamp(value if isinstance(value, pd.Timestamp) else str(value))
    except (TypeError, ValueError) as err:
        raise PeriodError(
            explain("a month is written YYYY-MM", repr(value), "e.g. 1997-09")
        ) from err
    if pd.isna(stamp):
        raise PeriodError(explain("a month is written YYYY-MM", repr(value), "e.g. 1997-09"))
    return pd.Timestamp(stamp.year, stamp.month, 1).as_unit("ns")


@dataclass(frozen=True)
class Period:
    """The whole months from ``first`` to ``last``, inclusive.

    Attributes
    ----------
    first, last : pandas.Timestamp
        First days of the first and last months.
    """

    first: pd.Timestamp
    last: pd.Timestamp

    def __post_init__(self) -> None:
        first, last = month_start(self.first), month_start(self.last)
        if last < first:
            raise PeriodError(
                explain(
                    "a period must end after it starts",
                    f"{first:%Y-%m} … {last:%Y-%m}",
                    "swap the two months",
                )
            )
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", last)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``START:END`` (or a single month ``START``), e.g. ``1997-09:2022-10``.

        Parameters
        ----------
        text : str
            The command-line form.

        Returns
        -------
        Period
            The period.

        Raises
        ------
        PeriodError
            When a bound is not a month, or the period ends before it starts.
        """
        start, _, end = str(text).strip().partition(":")
        if not start:
            raise PeriodError(
                explain("a period is written START:END", repr(text), "e.g. 1997-09:2022-10")
            )
        return cls(month_start(start), month_start(end or start))

    @classmethod
    def of(cls, value: Period | tuple[Any, Any] | str) -> Period:
        """Return ``value`` as a Period: a Period, a ``(first, last)`` pair or ``START:END``.

        Parameters
        ----------
        value : Period, tuple or str
            Any accepted form.

        Returns
        -------
        Period
            The period.
        """
        if isinstance(value, Period):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        first, last = value
        return cls(month_start(first), month_start(last))

    @property
    def months(self) -> pd.DatetimeIndex:
        """First day of each month of the period (datetime64[ns])."""
        return pd.date_range(self.first, self.last, freq="MS").as_unit("ns")

    def __len__(self) -> int:
        """Return the number of months."""
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def __contains__(self, month: object) -> bool:
        """Whether a month (any date inside it) is in the period."""
        return bool(self.first <= month_start(month) <= self.last)

    def __str__(self) -> str:
        """Return the command-line form ``START:END``."""
        return f"{self.first:{MONTH_FORMAT}}:{self.last:{MONTH_FORMAT}}"

    def bounds(self) -> tuple[str, str]:
        """Return ``("YYYY-MM", "YYYY-MM")``, the form written in specs and attributes."""
        return f"{self.first:{MONTH_FORMAT}}", f"{self.last:{MONTH_FORMAT}}"


__all__ = ["MONTH_FORMAT", "Period", "PeriodError", "month_start"]
