r"""Per-factor kernels of euphotic-zone PIC production and the block runner they share.

Each factor of :math:`P_{EZ} = PIC \cdot \mu(SST) \cdot h(PAR) \cdot g(Z_{eu})` has one
in-place numpy kernel per registry variant (``variants.yaml``): :func:`factor_step` picks the
kernel of a variant and masks invalid inputs, :func:`depth_coefficient` gives the constant
g / Z_eu, and :func:`run_in_blocks` applies a step through blocks of :data:`BLOCK` elements, so
the scratch buffers stay in cache. The public ``np_*`` kernels and xarray wrappers built on them
are in :mod:`picpump.science.calcification`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from picpump.errors import SpecError, explain
from picpump.science.registry import Variant

Array = NDArray[Any]
Params = Mapping[str, float]
LN100 = math.log(100.0)
BLOCK = 1 << 16
"""Elements per block of the kernels (a few float buffers of this size fit in L2 cache)."""


def _fielding2013(sst: Array, p: Params, out: Array) -> None:
    # a·T^b as a·exp(b·ln T) on max(T, 0): ln 0 = −inf gives exactly 0 for T ≤ 0
    np.maximum(sst, 0, out=out)
    np.log(out, out=out)
    out *= p["b"]
    np.exp(out, out=out)
    out *= p["a"]


def _eppley1972(sst: Array, p: Params, out: Array) -> None:
    np.multiply(sst, math.log(p["b"]), out=out)
    np.exp(out, out=out)
    out *= p["a"]


def _vgpm_light(par: Array, p: Params, out: Array) -> None:
    np.add(par, p["k_i"], out=out)
    np.divide(par, out, out=out)


def _kd490_1pct(kd: Array, p: Params, out: Array) -> None:
    np.divide(LN100, kd, out=out)
    np.minimum(out, p["zeu_max"], out=out)


def _morel2007(kd: Array, p: Params, out: Array) -> None:
    # KdPAR = ((c1 Kd + c0) Kd + c2) / Kd; KdPAR ≤ 0 → tiny → ln100 / tiny → the cap
    np.multiply(kd, p["c1"], out=out)
    out += p["c0"]
    out *= kd
    out += p["c2"]
    out /= kd
    np.maximum(out, np.finfo(out.dtype).tiny, out=out)
    np.divide(LN100, out, out=out)
    np.minimum(out, p["zeu_max"], out=out)


_KERNELS: dict[str, dict[str, Callable[[Array, Params, Array], None]]] = {
    "growth_rate": {"fielding2013": _fielding2013, "eppley1972": _eppley1972},
    "light_limitation": {"vgpm": _vgpm_light},
    "euphotic_depth": {"kd490_1pct": _kd490_1pct, "morel2007": _morel2007},
}
_INVALID = {"light_limitation": np.less, "euphotic_depth": np.less_equal}
"""Missing-value rules: negative PAR, Kd490 ≤ 0."""
_DEPTH_COEFFICIENTS: dict[str, Callable[[Params], float]] = {
    "exponential": lambda p: (1.0 - math.exp(-p["k"])) / p["k"],
    "vgpm": lambda p: p["factor"],
}


def _check_kind(kind: str, variant: Variant, known: Mapping[str, Any]) -> None:
    if variant.kind != kind or variant.name not in known:
        raise SpecError(
            explain(
                f"this kernel needs a '{kind}' variant, one of {sorted(known)}",
                f"{variant.kind} '{variant.name}'",
                f"pass e.g. registry.variant({kind!r}), or add the kernel to "
                "picpump.science.calcification_factors",
            )
        )


def factor_step(kind: str, variant: Variant) -> Callable[[Array, Array, Array], None]:
    """Return ``step(x, out, bad)`` computing one factor in place, NaN where x is invalid.

    Parameters
    ----------
    kind : str
        The factor: ``growth_rate``, ``light_limitation`` or ``euphotic_depth``.
    variant : Variant
        A variant of that kind with a kernel here.

    Returns
    -------
    callable
        ``step(x, out, bad)``: writes the factor of ``x`` into ``out``; ``bad`` is a bool
        scratch buffer of the same size.

    Raises
    ------
    SpecError
        When the variant is of another kind or has no kernel.
    """
    _check_kind(kind, variant, _KERNELS[kind])
    kernel, p = _KERNELS[kind][variant.name], variant.params
    invalid = _INVALID.get(kind)

    def step(x: Array, out: Array, bad: Array) -> None:
        kernel(x, p, out)
        if invalid is not None:
            np.copyto(out, np.nan, where=invalid(x, 0, out=bad))

    return step


def depth_coefficient(variant: Variant) -> float:
    """Return the depth factor per metre of euphotic depth, g / Z_eu [1].

    Parameters
    ----------
    variant : Variant
        A ``depth_factor`` variant.

    Returns
    -------
    float
        The coefficient (``exponential``: (1 − e^−k) / k; ``vgpm``: ``factor``).

    Raises
    ------
    SpecError
        When the variant is of another kind or unknown.
    """
    _check_kind("depth_factor", variant, _DEPTH_COEFFICIENTS)
    return _DEPTH_COEFFICIENTS[variant.name](variant.params)


def run_in_blocks(step: Callable[..., None], *arrays: ArrayLike) -> Array:
    """Apply ``step(*blocks, out, tmp, bad)`` block by block; float32 stays float32.

    Python numbers are weak in the result type, as in numpy: float32 with 20.0 gives float32;
    Python numbers alone give float64.

    Parameters
    ----------
    step : callable
        Called with one block of each input and keyword buffers ``out`` (the result block),
        ``tmp`` (float scratch) and ``bad`` (bool scratch), all of the block's size.
    *arrays : array_like
        Inputs, broadcast together.

    Returns
    -------
    ndarray
        The result in the broadcast shape.
    """
    inputs = [np.asarray(a) for a in arrays]
    python = [isinstance(a, float | int) for a in arrays]
    weak: list[Any] = [a if p else b for a, b, p in zip(arrays, inputs, python, strict=True)]
    weak = weak if not all(python) else inputs
    shape = np.broadcast_shapes(*(a.shape for a in inputs))
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in inputs]
    out = np.empty(shape, dtype=np.result_type(*weak, np.float32))
    out_flat = out.reshape(-1)
    size = min(BLOCK, out_flat.size)
    tmp, bad = np.empty(size, out.dtype), np.empty(size, np.bool_)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for start in range(0, out_flat.size, BLOCK):
            o = out_flat[start : start + BLOCK]
            blocks = (x[start : start + BLOCK] for x in flat)
            step(*blocks, out=o, tmp=tmp[: o.size], bad=bad[: o.size])
    return out


__all__ = ["BLOCK", "depth_coefficient", "factor_step", "run_in_blocks"]
