"""Every member's production kernel on one block of the inputs, reduced as it goes.

:func:`np_member_block` runs the production kernel of each member on one block, one member at
a time (memory: the inputs plus one member's production), and keeps only the reductions: each
member's annual-mean production map (calendar-month climatology, then the mean over the valid
months, as the single run's ``annual`` product) and its monthly area integrals under each
cell-area variant.

Speed: the reductions of a member (sums and counts per calendar month, area integrals per
month) run in one compiled pass (numba, GIL released) when numba is installed. Measured on a
24 × 240 × 240 block with 16 members, the numpy reductions (a float64 filled copy, per-month
sums, an einsum) took about half of the block's time. :func:`np_member_reductions` is the
numpy reference, used without numba.

Shared factors: members differ in one or two factors, so each factor (growth rate of SST,
light limitation of PAR, euphotic depth of Kd490) is computed once per distinct variant on
the block, and each member's production is their product, formed inside the compiled
reduction in the single run's float32 order (bit-identical, never stored). On the 0.25°
24-month stack with 16 members, computing every member's production with the numpy kernel
took most of the ensemble's time.

The compiled loops use numba's ``error_model="numpy"``: a division by zero gives inf or NaN
as in numpy instead of raising, which lets LLVM vectorise the loop. Same values (tested bit
for bit); the member reduction ran at 1.6 instead of 4.4 ns per cell and step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from picpump.science._compiled import compiled
from picpump.science.calcification import MG_PER_MOL_C, np_ez_pic_production
from picpump.science.calcification_factors import depth_coefficient, factor_step, run_in_blocks
from picpump.science.registry import ModelVariants, Variant
from picpump.science.totals import DAYS_PER_YEAR

PG_PER_YR = 1e-3 * DAYS_PER_YEAR / 1e15
"""mg C d-1 → Pg C yr-1."""

Reductions = tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]


def _reduce_member_loop(
    production: Any, ocean: Any, weights: Any, month_index: Any, out: Any
) -> None:  # pragma: no cover - compiled
    """Reduce one member's production: monthly sums, counts and area totals (compiled)."""
    sums, counts, totals, valid = out
    for t in range(production.shape[0]):
        m = month_index[t]
        row = production[t]
        for c in range(row.shape[0]):
            x = row[c]
            if ocean[c] and not np.isnan(x):
                v = np.float64(x)
                sums[m, c] += v
                counts[m, c] += 1
                valid[t] += 1
                for a in range(weights.shape[0]):
                    totals[a, t] += v * weights[a, c]


_REDUCE = compiled(_reduce_member_loop)


def _reduce_product_loop(
    pic: Any,
    growth: Any,
    par: Any,
    uncapped_depth: Any,
    member: Any,
    ocean: Any,
    weights: Any,
    month_index: Any,
    out: Any,
) -> None:  # pragma: no cover - compiled
    """Form a member's production from shared factors and reduce it (compiled)."""
    k_i, zeu_max, scale = member
    sums, counts, totals, valid = out
    values = np.empty(pic.shape[1])
    for t in range(pic.shape[0]):
        m = month_index[t]
        month_sums, month_counts = sums[m], counts[m]
        step_valid = 0
        for c in range(pic.shape[1]):  # no reduction across cells: vectorised
            p, i = pic[t, c], par[t, c]
            light = i / (i + k_i)  # vgpm: PAR / (PAR + K_I), missing where PAR < 0
            depth = uncapped_depth[t, c]
            depth = zeu_max if depth > zeu_max else depth  # NaN stays NaN
            # the single run's float32 order: ((μ·h)·g)·PIC·scale, missing where PIC < 0
            x = growth[t, c] * light
            x = x * depth
            x = x * p
            x = x * scale
            ok = ocean[c] & (p >= 0) & (i >= 0) & (x == x)
            v = np.float64(x) if ok else 0.0
            values[c] = v
            month_sums[c] += v
            month_counts[c] += ok
            step_valid += ok
        valid[t] += step_valid
        for a in range(weights.shape[0]):
            totals[a, t] += np.dot(values, weights[a])


_REDUCE_PRODUCT = compiled(_reduce_product_loop)


def np_member_reductions(
    production: NDArray[Any],
    ocean: NDArray[np.bool_],
    weights: NDArray[np.float64],
    month: NDArray[np.integer],
) -> Reductions:
    """Return the sums and counts per calendar month, the area integrals and valid cells per step.

    Parameters
    ----------
    production : ndarray, shape (time, y, x)
        The member's production; NaN is missing.
    ocean : ndarray of bool, shape (y, x)
        Cells that count.
    weights : ndarray of float64, shape (area variant, y, x)
        Area weights (0 off the ocean).
    month : ndarray of int, shape (time,)
        Calendar month (1–12) of each step.

    Returns
    -------
    sums : ndarray of float64, shape (12, y, x)
    counts : ndarray of int64, shape (12, y, x)
    totals : ndarray of float64, shape (area variant, time)
    valid : ndarray of int64, shape (time,)
        Valid ocean cells per step.
    """
    valid = ~np.isnan(production) & ocean
    filled = np.where(valid, production, 0).astype(np.float64)
    sums = np.zeros((12, *ocean.shape))
    counts = np.zeros((12, *ocean.shape), dtype=np.int64)
    for m in np.unique(month):
        sums[m - 1] = filled[month == m].sum(axis=0)
        counts[m - 1] = valid[month == m].sum(axis=0)
    totals = np.einsum("tij,aij->at", filled, weights)
    return sums, counts, totals, valid.sum(axis=(1, 2))


def member_reductions(
    production: NDArray[Any],
    ocean: NDArray[np.bool_],
    weights: NDArray[np.float64],
    month: NDArray[np.integer],
) -> Reductions:
    """:func:`np_member_reductions` in one compiled pass when numba is installed."""
    if _REDUCE is None:  # pragma: no cover - numba is a dependency
        return np_member_reductions(production, ocean, weights, month)
    cells = ocean.size
    sums = np.zeros((12, cells))
    counts = np.zeros((12, cells), dtype=np.int64)
    totals = np.zeros((weights.shape[0], production.shape[0]))
    valid = np.zeros(production.shape[0], dtype=np.int64)
    _REDUCE(
        np.ascontiguousarray(production).reshape(production.shape[0], cells),
        np.ascontiguousarray(ocean).reshape(cells),
        np.ascontiguousarray(weights, dtype=np.float64).reshape(weights.shape[0], cells),
        (np.asarray(month) - 1).astype(np.int64),
        (sums, counts, totals, valid),
    )
    return sums.reshape(12, *ocean.shape), counts.reshape(12, *ocean.shape), totals, valid


def _annual_loop(sums: Any, counts: Any, min_months: Any, out: Any) -> None:  # pragma: no cover
    """:func:`np_annual_of_sums` as one loop (compiled)."""
    for c in range(sums.shape[1]):
        total, months = np.float32(0.0), 0
        for m in range(12):  # numpy's order along the month axis
            if counts[m, c] > 0:
                total += np.float32(sums[m, c] / counts[m, c])
                months += 1
        ok = months >= min_months and months > 0
        out[c] = np.float32(np.float64(total) / months) if ok else np.nan


_ANNUAL = compiled(_annual_loop)


def np_annual_of_sums(
    sums: NDArray[np.float64], counts: NDArray[np.integer], min_months: int
) -> NDArray[np.float32]:
    """Annual mean from per-calendar-month sums and counts.

    The calendar-month means are the climatology's float64 means kept as float32 (as stored
    in the ``climatology`` product); their mean over the valid months is the ``annual`` product.

    Parameters
    ----------
    sums : ndarray of float64, shape (12, ...)
        Sums of the valid values per calendar month.
    counts : ndarray of int, shape (12, ...)
        Their counts.
    min_months : int
        Valid calendar months a cell needs; fewer gives NaN.

    Returns
    -------
    ndarray of float32, shape (...)
        The annual mean.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        clim = (sums / counts).astype(np.float32)
        months = (counts > 0).sum(axis=0)
        mean = np.where(counts > 0, clim, 0).sum(axis=0, dtype=np.float32) / months
    return np.where((months >= min_months) & (months > 0), mean, np.nan).astype(np.float32)


def annual_of_sums(
    sums: NDArray[np.float64], counts: NDArray[np.integer], min_months: int
) -> NDArray[np.float32]:
    """:func:`np_annual_of_sums` in one compiled pass when numba is installed (same values).

    Measured on the 0.25° 24-month stack with 16 members, the numpy version took about a
    fifth of the ensemble's time.
    """
    if _ANNUAL is None:  # pragma: no cover - numba is a dependency
        return np_annual_of_sums(sums, counts, min_months)
    out = np.empty(sums.shape[1:], dtype=np.float32)
    _ANNUAL(
        np.ascontiguousarray(sums, dtype=np.float64).reshape(12, -1),
        np.ascontiguousarray(counts).reshape(12, -1),
        min_months,
        out.reshape(-1),
    )
    return out


def np_annual_mean(
    production: NDArray[Any], month: NDArray[np.integer], min_months: int
) -> NDArray[np.float32]:
    """Annual mean of a (time, ...) stack: calendar-month means, then their mean.

    Parameters
    ----------
    production : ndarray, shape (time, ...)
        Monthly values; NaN is missing.
    month : ndarray of int, shape (time,)
        Calendar month (1–12) of each step.
    min_months : int
        Valid calendar months a cell needs; fewer gives NaN.

    Returns
    -------
    ndarray of float32, shape (...)
        The annual mean.
    """
    ocean = np.ones(production.shape[1:], dtype=bool)
    weights = np.zeros((0, *production.shape[1:]))
    sums, counts, _, _ = np_member_reductions(production, ocean, weights, month)
    return annual_of_sums(sums, counts, min_months)


MAX_SHARED_FACTORS = 8
"""Factor arrays kept at once on a block (oldest dropped first): bounds memory when continuous
parameters make every member's growth rate or euphotic depth distinct."""


def _key(variant: Variant) -> tuple[str, tuple[tuple[str, float], ...]]:
    return variant.name, tuple(sorted(variant.params.items()))


class SharedFactors:
    """The costly factors of the production kernel on one block, once per distinct variant.

    The growth rate (of SST) and the euphotic depth before its ``zeu_max`` cap (of Kd490) are
    computed by the kernel's own factor steps; the light limitation (two exact operations)
    and the cap are applied per member inside the compiled reduction.

    Parameters
    ----------
    sst, kd490 : ndarray, shape (time, y, x)
        The block's SST and Kd490 (canonical units).
    """

    def __init__(self, sst: NDArray[Any], kd490: NDArray[Any]) -> None:
        self._inputs = {"growth_rate": sst, "euphotic_depth": kd490}
        self._cache: dict[tuple[str, Any], NDArray[Any]] = {}

    def get(self, kind: str, variant: Variant) -> NDArray[Any]:
        """Return the factor ``kind`` of ``variant`` on the block (NaN where its input is)."""
        key = (kind, _key(variant))
        if key not in self._cache:
            if len(self._cache) >= MAX_SHARED_FACTORS:
                del self._cache[next(iter(self._cache))]
            step = factor_step(kind, variant)
            self._cache[key] = run_in_blocks(
                lambda x, out, tmp, bad: step(x, out, bad), self._inputs[kind]
            )
        return self._cache[key]

    def uncapped_depth(self, variant: Variant) -> NDArray[Any]:
        """Return the euphotic depth of ``variant`` without its ``zeu_max`` cap."""
        uncapped = replace(variant, params={**variant.params, "zeu_max": math.inf})
        return self.get("euphotic_depth", uncapped)


def shares_factors(variants: ModelVariants, fields: Sequence[NDArray[Any]]) -> bool:
    """Whether a member runs on :class:`SharedFactors`.

    It needs numba, four inputs of one float dtype, the ``vgpm`` light limitation (applied in
    the compiled loop) and a euphotic depth capped at ``zeu_max``; otherwise the member runs
    the numpy kernel (same values).
    """
    dtypes = {f.dtype for f in fields}
    return (
        _REDUCE_PRODUCT is not None
        and len(dtypes) == 1
        and dtypes.pop().kind == "f"
        and variants.light_limitation.name == "vgpm"
        and "zeu_max" in variants.euphotic_depth.params
    )


def _by_shared_factors(members: Sequence[ModelVariants]) -> list[int]:
    """Member indices ordered so that members sharing factors follow each other."""

    def order(i: int) -> tuple[Any, ...]:
        v = members[i]
        depth = {k: p for k, p in v.euphotic_depth.params.items() if k != "zeu_max"}
        return _key(v.growth_rate), v.euphotic_depth.name, sorted(depth.items())

    return sorted(range(len(members)), key=order)


def member_production_reductions(
    fields: Sequence[NDArray[Any]],
    factors: SharedFactors,
    variants: ModelVariants,
    ocean: NDArray[np.bool_],
    weights: NDArray[np.float64],
    month: NDArray[np.integer],
) -> Reductions:
    """:func:`member_reductions` of a member's production formed from shared factors.

    The production (never stored) equals
    :func:`~picpump.science.calcification.np_ez_pic_production` bit for bit: the same float32
    operations in the same order (tested).

    Parameters
    ----------
    fields : sequence of 4 ndarrays, shape (time, y, x)
        PIC, SST, PAR and Kd490 of the block, of one float dtype.
    factors : SharedFactors
        The block's shared factors.
    variants : ModelVariants
        The member (see :func:`shares_factors`).
    ocean, weights, month
        As in :func:`member_reductions`.

    Returns
    -------
    tuple
        As :func:`member_reductions`.
    """
    assert _REDUCE_PRODUCT is not None
    pic, _, par, _ = fields
    cells, steps = ocean.size, pic.shape[0]
    real = pic.dtype.type
    member = (
        real(variants.light_limitation.params["k_i"]),
        real(variants.euphotic_depth.params["zeu_max"]),
        real(depth_coefficient(variants.depth_factor) * MG_PER_MOL_C),
    )
    arrays = (
        pic,
        factors.get("growth_rate", variants.growth_rate),
        par,
        factors.uncapped_depth(variants.euphotic_depth),
    )
    out = (
        np.zeros((12, cells)),
        np.zeros((12, cells), dtype=np.int64),
        np.zeros((weights.shape[0], steps)),
        np.zeros(steps, dtype=np.int64),
    )
    _REDUCE_PRODUCT(
        *(np.ascontiguousarray(a).reshape(steps, cells) for a in arrays),
        member,
        np.ascontiguousarray(ocean).reshape(cells),
        np.ascontiguousarray(weights, dtype=np.float64).reshape(weights.shape[0], cells),
        (np.asarray(month) - 1).astype(np.int64),
        out,
    )
    sums, counts, totals, valid = out
    return sums.reshape(12, *ocean.shape), counts.reshape(12, *ocean.shape), totals, valid


def np_member_block(
    fields: Sequence[NDArray[Any]],
    ocean: NDArray[np.bool_],
    areas: NDArray[np.float64],
    month: NDArray[np.integer],
    members: Sequence[ModelVariants],
    min_months: int,
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Run every member's production kernel on one block; keep its reductions.

    Factors are shared between members (:class:`SharedFactors`) when numba is installed and
    the four inputs have one float dtype; otherwise each member runs the numpy kernel.

    Parameters
    ----------
    fields : sequence of 4 ndarrays, shape (time, y, x)
        PIC, SST, PAR and Kd490 of the block (canonical units).
    ocean : ndarray of bool, shape (y, x)
        Open-ocean cells.
    areas : ndarray, shape (area variant, y, x)
        Cell areas [m2] under each reported area variant.
    month : ndarray of int, shape (time,)
        Calendar month of each step.
    members : sequence of ModelVariants
        The members' variants.
    min_months : int
        Valid calendar months a cell's annual mean needs.

    Returns
    -------
    annual : ndarray of float32, shape (member, y, x)
        Annual-mean production [mg C m-2 d-1], NaN off the open ocean.
    totals : ndarray of float64, shape (member, area variant + 1, time)
        The block's share of the global production [Pg C yr-1] under each area variant, then
        the block's number of valid open-ocean cells (to tell an empty month from a zero).
    """
    pic, sst, par, kd490 = arrays = [np.asarray(f) for f in fields]
    weights = np.where(ocean, areas, 0.0) * PG_PER_YR
    annual = np.empty((len(members), *ocean.shape), dtype=np.float32)
    totals = np.empty((len(members), len(weights) + 1, month.size), dtype=np.float64)
    factors = SharedFactors(sst, kd490)
    for m in _by_shared_factors(members):
        if shares_factors(members[m], arrays):
            parts = member_production_reductions(arrays, factors, members[m], ocean, weights, month)
        else:
            production = np_ez_pic_production(pic, sst, par, kd490, members[m])
            parts = member_reductions(production, ocean, weights, month)
        sums, counts, totals[m, :-1], valid = parts
        totals[m, -1] = valid  # missing is never zero: an empty month is told from a zero
        annual[m] = annual_of_sums(sums, counts, min_months)
    return annual, totals


__all__ = [
    "MAX_SHARED_FACTORS",
    "PG_PER_YR",
    "SharedFactors",
    "annual_of_sums",
    "member_production_reductions",
    "member_reductions",
    "np_annual_mean",
    "np_annual_of_sums",
    "np_member_block",
    "np_member_reductions",
    "shares_factors",
]
