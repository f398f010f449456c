"""The usable rows of a matchup table, shared by the statistics and the efficiencies."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from picpump.errors import InputError, explain
from picpump.science.layers import depth_layer
from picpump.science.traps import usable_rows


def usable_matchups(
    matchups: pd.DataFrame, columns: tuple[str, ...], allow_flags: Iterable[str]
) -> pd.DataFrame:
    """Usable rows with a ``layer`` column; refuse a table missing a column.

    Parameters
    ----------
    matchups : pandas.DataFrame
        Output of :func:`picpump.science.matchup.match_traps`.
    columns : tuple of str
        Columns the caller reads (besides ``qc`` and ``layer`` or ``trap_depth_m``).
    allow_flags : iterable of str
        Flags tolerated in ``qc``.

    Returns
    -------
    pandas.DataFrame
        A copy of the usable rows, ``layer`` as str (from ``trap_depth_m`` when absent).

    Raises
    ------
    InputError
        When a needed column is missing.
    """
    depth = "layer" if "layer" in matchups.columns else "trap_depth_m"
    needed = ["qc", depth, *columns]
    missing = [c for c in needed if c not in matchups.columns]
    if missing:
        raise InputError(
            explain(
                f"the statistics read a matchup table with the columns {needed}",
                f"missing {missing}",
                "build the table with picpump.science.matchup.match_traps",
            )
        )
    good = matchups.loc[usable_rows(matchups["qc"], allow_flags)].copy()
    if "layer" not in good.columns:
        good["layer"] = depth_layer(good["trap_depth_m"])
    good["layer"] = good["layer"].astype(str)
    return good


__all__ = ["usable_matchups"]
