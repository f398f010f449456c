"""The paper's 13 regions as unions of RECCAP2 sub-regions, and the region map built from them.

Toullec 2026 (doi:10.5194/bg-23-4361-2026, Fig. 6, Table S4) reports statistics for 13 ocean
regions. Their definition in RECCAP2 codes is a configuration table (package data
``regions.yaml``, SCIENCE.md §5), never literals in code: a user table may replace it. A region
map is an int16 (lat, lon) DataArray, 0 = no region, with CF ``flag_values`` and
``flag_meanings``; RECCAP2 mask variables read by :func:`picpump.io.ancillary.regions.read_reccap2`
carry the same attributes, so :func:`region_names` and the point and area look-ups of
:mod:`picpump.science.region_lookup` work on them too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import numpy as np
import xarray as xr
import yaml
from numpy.typing import NDArray

from picpump.errors import InputError, SpecError, explain

CONFIDENCE = ("high", "medium", "low")
_TABLE_FIX = "fix the table (see picpump/science/regions.yaml for the shape)"


def flag_meaning(name: str) -> str:
    """Return ``name`` as one CF flag-meaning word (``"NA SPSS"`` → ``"NA_SPSS"``).

    Parameters
    ----------
    name : str
        A region name.

    Returns
    -------
    str
        Runs of characters other than letters, digits, ``_ - . + @`` become one ``_``.
    """
    return re.sub(r"[^A-Za-z0-9_.+@-]+", "_", name.strip()).strip("_")


@dataclass(frozen=True)
class Region:
    """One region: a union of codes of one RECCAP2 mask variable.

    Attributes
    ----------
    number : int
        Its id in the region map (1 … 32767).
    short : str
        Short name, one CF flag-meaning word (``NA``, ``NSTP``).
    long_name : str
        Full name.
    variable : str
        The RECCAP2 mask variable (``atlantic``, ``open_ocean`` ...).
    codes : tuple of int
        The values of ``variable`` that belong to the region.
    confidence : str
        ``high``, ``medium`` or ``low``: how sure the mapping to the paper's region is.
    names : tuple of str
        RECCAP2 names of ``codes`` (checked against the masks when given).
    """

    number: int
    short: str
    long_name: str
    variable: str
    codes: tuple[int, ...]
    confidence: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionTable:
    """The region definitions, and the RECCAP2 sub-regions deliberately left out."""

    regions: tuple[Region, ...]
    excluded: tuple[Mapping[str, Any], ...] = field(default=())

    def describe(self) -> str:
        """Return the definitions as one line per region (recorded in outputs)."""
        return "; ".join(
            f"{r.number} {r.short}: {r.variable} in {list(r.codes)} ({r.confidence})"
            for r in self.regions
        )


def _region(raw: Any, where: str) -> Region:
    """Build one region from its mapping, refusing a malformed entry."""
    keys = ("number", "short", "long_name", "variable", "codes", "confidence")
    if not isinstance(raw, Mapping) or any(k not in raw for k in keys):
        raise SpecError(explain(f"every region needs the keys {list(keys)}", repr(raw), _TABLE_FIX))
    codes = raw["codes"] if isinstance(raw["codes"], list | tuple) else [raw["codes"]]
    ints = all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in codes)
    number = raw["number"]
    if not (codes and ints and isinstance(number, int) and 0 < number <= 32767):
        rule = "a region's number must be in 1…32767 and its codes positive integers"
        raise SpecError(explain(rule, f"{where}: {dict(raw)}", _TABLE_FIX))
    if raw["confidence"] not in CONFIDENCE or flag_meaning(str(raw["short"])) != raw["short"]:
        rule = f"confidence must be one of {list(CONFIDENCE)}; short a word without spaces"
        raise SpecError(explain(rule, f"{where}: {dict(raw)}", _TABLE_FIX))
    names = tuple(str(n) for n in raw.get("names") or ())
    if names and len(names) != len(codes):
        raise SpecError(explain("'names' must give one name per code", repr(dict(raw)), _TABLE_FIX))
    return Region(
        int(number), str(raw["short"]), str(raw["long_name"]), str(raw["variable"]),
        tuple(int(c) for c in codes), str(raw["confidence"]), names,
    )  # fmt: skip


def load_region_table(mapping: Mapping[str, Any] | None = None) -> RegionTable:
    """Load the region table: the packaged ``regions.yaml`` or a user mapping of that shape.

    Parameters
    ----------
    mapping : mapping, optional
        ``{"regions": [{number, short, long_name, variable, codes, confidence, names?}, ...],
        "excluded": [...]}``; None loads the paper's 13 regions (SCIENCE.md §5).

    Returns
    -------
    RegionTable
        The validated table, in the given order.

    Raises
    ------
    SpecError
        Missing keys, bad numbers or codes, duplicated numbers or short names.
    """
    if mapping is None:
        text = files("picpump.science").joinpath("regions.yaml").read_text(encoding="utf-8")
        mapping = yaml.safe_load(text)
    raw = mapping.get("regions") if isinstance(mapping, Mapping) else None
    if not isinstance(raw, list) or not raw:
        rule = "a region table is a mapping with a non-empty 'regions' list"
        raise SpecError(explain(rule, repr(mapping)[:200], _TABLE_FIX))
    regions = tuple(_region(entry, f"regions[{i}]") for i, entry in enumerate(raw))
    for attr in ("number", "short"):
        values = [getattr(r, attr) for r in regions]
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            rule = f"each region's '{attr}' must be unique"
            raise SpecError(explain(rule, f"repeated: {twice}", _TABLE_FIX))
    excluded = tuple(dict(e) for e in mapping.get("excluded") or () if isinstance(e, Mapping))
    return RegionTable(regions, excluded)


def _check_names(masks: xr.Dataset, region: Region) -> None:
    """Refuse masks whose codes carry other names than the table's (another file version)."""
    var = masks[region.variable]
    if not region.names or "flag_values" not in var.attrs:
        return
    meanings = region_names(var)
    found = [meanings.get(c) for c in region.codes]
    if found != [flag_meaning(n) for n in region.names]:
        raise InputError(
            explain(
                f"the codes {list(region.codes)} of '{region.variable}' must mean "
                f"{list(region.names)} for region {region.short}",
                f"the masks name them {found}",
                "use the RECCAP2 v20221025 mask file, or pass a table matching your masks",
            )
        )


def _overlap_error(region: Region, others: NDArray[np.int16], clash: NDArray[np.bool_]) -> None:
    lat_i, lon_i = (int(i[0]) for i in np.nonzero(clash))
    raise SpecError(
        explain(
            "the regions of the table must be disjoint (each cell in at most one region)",
            f"region {region.number} {region.short} overlaps region(s) "
            f"{sorted(set(np.unique(others).tolist()))} on {int(clash.sum())} cell(s), "
            f"first at row {lat_i}, column {lon_i}",
            "fix the codes in the region table",
        )
    )


def paper_regions(masks: xr.Dataset, table: RegionTable | None = None) -> xr.DataArray:
    """Map of the paper's regions from the RECCAP2 masks.

    A cell belongs to region ``r`` when ``masks[r.variable]`` is one of ``r.codes``. The masks
    are small and read into memory here.

    Parameters
    ----------
    masks : xarray.Dataset
        RECCAP2 masks (:func:`picpump.io.ancillary.regions.read_reccap2`), (lat, lon) integer
        variables.
    table : RegionTable, optional
        The definitions; default :func:`load_region_table` (13 regions, Mediterranean out).

    Returns
    -------
    xarray.DataArray
        int16 (lat, lon) named ``region``: the region number, 0 for none; CF ``flag_values``,
        ``flag_meanings``, and the definitions in ``region_definition``.

    Raises
    ------
    InputError
        A variable of the table is missing, or its codes carry other names.
    SpecError
        Two regions share a cell.
    """
    table = load_region_table() if table is None else table
    missing = sorted({r.variable for r in table.regions} - set(masks.data_vars))
    if missing:
        raise InputError(
            explain(
                "the masks must hold every variable the region table uses",
                f"missing {missing}; present {sorted(map(str, masks.data_vars))}",
                "read the mask file with picpump.io.ancillary.regions.read_reccap2, "
                "or fix the table",
            )
        )
    template = masks[table.regions[0].variable].transpose("lat", "lon")
    out = np.zeros(template.shape, dtype=np.int16)
    for region in table.regions:
        _check_names(masks, region)
        hit = np.isin(np.asarray(masks[region.variable].transpose("lat", "lon")), region.codes)
        clash = hit & (out > 0)
        if clash.any():
            _overlap_error(region, out[clash], clash)
        out[hit] = region.number
    return xr.DataArray(
        out, dims=("lat", "lon"), coords={"lat": template["lat"], "lon": template["lon"]},
        name="region",
        attrs={
            "long_name": "ocean region of Toullec 2026 (from RECCAP2 sub-regions)",
            "flag_values": np.array([r.number for r in table.regions], dtype=np.int16),
            "flag_meanings": " ".join(r.short for r in table.regions),
            "region_long_names": "; ".join(f"{r.short}: {r.long_name}" for r in table.regions),
            "region_definition": table.describe(),
            "comment": "0 = no region; excluded: "
            + ("; ".join(str(e.get("reason", e)) for e in table.excluded) or "none"),
        },
    )  # fmt: skip


def region_names(regions: xr.DataArray) -> dict[int, str]:
    """Return ``{id: short name}`` from a region map's ``flag_values`` and ``flag_meanings``.

    Parameters
    ----------
    regions : xarray.DataArray
        A region map or a RECCAP2 mask variable.

    Returns
    -------
    dict of int to str
        In the order of ``flag_values``.
    """
    values = np.ravel(regions.attrs.get("flag_values", []))
    meanings = str(regions.attrs.get("flag_meanings", "")).split()
    if not values.size or len(values) != len(meanings):
        raise InputError(
            explain(
                "a region map must carry as many CF flag_meanings as flag_values",
                f"{regions.name}: flag_values {values.tolist()}, flag_meanings {meanings}",
                "build it with paper_regions, or read the masks with read_reccap2",
            )
        )
    return {int(v): m for v, m in zip(values.tolist(), meanings, strict=True)}


__all__ = [
    "CONFIDENCE",
    "Region",
    "RegionTable",
    "flag_meaning",
    "load_region_table",
    "paper_regions",
    "region_names",
]
