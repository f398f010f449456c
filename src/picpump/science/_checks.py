"""Unit checks of the xarray wrappers: inputs must carry their canonical units."""

from __future__ import annotations

import xarray as xr

from picpump.errors import UnitsError, explain
from picpump.units import CANONICAL


def check_units(da: xr.DataArray, variable: str, expected: str | None = None) -> None:
    """Raise when ``da`` declares units other than the canonical ones of ``variable``.

    Parameters
    ----------
    da : xarray.DataArray
        An input of a kernel.
    variable : str
        Its canonical name.
    expected : str, optional
        Units to expect instead of the canonical ones.
    """
    want = expected or CANONICAL[variable].units
    got = da.attrs.get("units")
    if got is not None and str(got) != want:
        raise UnitsError(
            explain(
                f"'{variable}' must be in {want} (kernels never convert units)",
                f"units '{got}' on {da.name or variable}",
                "standardise the input first (picpump.io.ingest.reader) or convert it",
            )
        )
