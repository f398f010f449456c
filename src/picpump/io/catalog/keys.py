"""The keys a catalog may hold: an unknown key (a typo) is refused, as in the pipeline spec.

Checked: the catalog's top level (``metadata``, ``sources``, ``includes``; ``x-`` keys hold
YAML anchors), every entry (``driver``, ``description``, ``args``, ``parameters``,
``metadata``), the ``args`` of the gridded drivers and their ``args.time`` block. The
``args`` of the trap and ancillary drivers are their readers' keywords, checked there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from picpump.errors import CatalogError, explain

TOP_KEYS = frozenset({"metadata", "sources", "includes"})
ENTRY_KEYS = frozenset({"driver", "description", "args", "parameters", "metadata"})
_GRIDDED = frozenset(
    {"urlpath", "variable", "convention", "units", "xarray_kwargs", "storage_options"}
)
_MONTHLY = _GRIDDED | {"time", "allow_gaps", "duplicates"}
ARGS_KEYS: Mapping[str, frozenset[str]] = {
    "picpump.monthly_netcdf": _MONTHLY,
    "picpump.arco_zarr": _MONTHLY | {"monthly_mean", "layouts"},
    "picpump.netcdf": _GRIDDED,
}
"""Known ``args`` keys of the drivers whose args picpump reads itself."""
TIME_KEYS = frozenset({"start", "freq", "periods", "end", "climatology"})


def refuse_unknown(given: Iterable[Any], allowed: Iterable[str], what: str, where: str) -> None:
    """Raise CatalogError when ``given`` holds a key outside ``allowed`` (``x-`` keys pass).

    Parameters
    ----------
    given : iterable
        The keys found.
    allowed : iterable of str
        The keys this part of a catalog may hold.
    what : str
        The part, e.g. ``"entry"`` or ``"args"``.
    where : str
        The catalog and entry, for the message.
    """
    known = set(allowed)
    unknown = sorted(str(k) for k in given if k not in known and not str(k).startswith("x-"))
    if unknown:
        raise CatalogError(
            explain(
                f"{what} keys must be among {sorted(known)}",
                f"unknown key(s) {unknown} ({where})",
                "fix the spelling, or remove the key",
            )
        )


def check_entry_keys(entry: Mapping[str, Any], driver: str, where: str) -> None:
    """Refuse unknown keys in one raw catalog entry, its ``args`` and ``args.time``."""
    refuse_unknown(entry, ENTRY_KEYS, "a catalog entry's", where)
    args = entry.get("args")
    if driver not in ARGS_KEYS or not isinstance(args, Mapping):
        return
    refuse_unknown(args, ARGS_KEYS[driver], f"{driver} args", where)
    time = args.get("time")
    if isinstance(time, Mapping):
        refuse_unknown(time, TIME_KEYS, "args.time", where)


__all__ = ["ARGS_KEYS", "ENTRY_KEYS", "TIME_KEYS", "TOP_KEYS", "check_entry_keys", "refuse_unknown"]
