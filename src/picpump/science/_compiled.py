"""Compile the loops of the kernels with numba, the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Loop = Callable[..., Any]


def compiled(loop: Loop) -> Loop | None:
    """Return ``loop`` compiled by numba, or ``None`` without numba (callers use numpy then).

    The GIL is released (dask's threads run the loops in parallel), the machine code is cached
    next to the module (a later process loads it), fastmath is off (sums keep their order) and
    numba follows numpy's error model (a division by zero gives inf or NaN, never an
    exception, which also lets it vectorise the loops).

    Parameters
    ----------
    loop : callable
        A plain Python loop over numpy arrays, defined at a module's top level.

    Returns
    -------
    callable or None
        The compiled loop.
    """
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; numpy is the fallback
        return None
    return numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")(loop)


__all__ = ["compiled"]
