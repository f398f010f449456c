"""Production kernel throughput on one core: through the pipeline's wrapper vs plain numpy.

Inputs already in memory (the codec work is measured by the job, see ``benchmarks.job``):

* ``kernel_mpix_per_s_per_core``: ``ez_pic_production`` as the pipeline calls it — xarray
  wrapper, dask chunks of the product layout, dask's synchronous scheduler (one core);
* ``kernel_alone_mpix_per_s``: the numpy kernel ``np_ez_pic_production`` on whole arrays;
* ``plain_numpy_mpix_per_s``: the same formula as a plain numpy ufunc chain (temporaries).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np

from picpump.io.store.zarr_store import open_product
from picpump.science.calcification import ez_pic_production, np_ez_pic_production
from picpump.science.registry import ModelVariants


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def plain_numpy(pic: np.ndarray, sst: np.ndarray, par: np.ndarray, kd: np.ndarray) -> np.ndarray:
    """The default variants' formula as one would write it in numpy (float32 throughout)."""
    mu = np.float32(0.1419) * np.power(np.maximum(sst, np.float32(0)), np.float32(0.8151))
    zeu = np.minimum(np.float32(np.log(100)) / kd, np.float32(200))
    light = par / (par + np.float32(4.1))
    return pic * mu * light * (np.float32(0.215) * zeu) * np.float32(12011.0)


def bench(inputs: Path, months: int, tile: int = 90, repeats: int = 3) -> dict[str, Any]:
    """Throughputs on the first ``months`` months of an inputs store.

    The dask chunks are ``months`` × ``tile`` × ``tile``: pass a tile that gives the chunk
    size of the full product layout (302 × 90 × 90) when ``months`` is smaller.
    """
    ds = open_product(str(inputs)).isel(time=slice(0, months)).load()
    variants = ModelVariants.from_mapping({})
    pixels = int(ds["pic"].size)
    pic, sst, par, kd = (ds[n].values for n in ("pic", "sst", "par", "kd490"))
    chunked = ds.chunk({"time": -1, "lat": tile, "lon": tile})
    for name in ("pic", "sst", "par", "kd490"):  # contiguous chunks, as decoded from a store
        copied = chunked[name].data.map_blocks(np.ascontiguousarray, dtype=np.float32)
        chunked[name] = chunked[name].copy(data=copied.persist())
    production = ez_pic_production(
        chunked["pic"], chunked["sst"], chunked["par"], chunked["kd490"], variants
    )

    target = np.empty(production.shape, dtype=production.dtype)

    def in_pipeline() -> np.ndarray:
        # chunks land in a preallocated array, as they would in a store: no concatenation
        with dask.config.set(scheduler="synchronous"):
            da.store(production.data, target, lock=False)
        return target

    seconds = {
        "kernel_in_pipeline_s": _median_seconds(in_pipeline, repeats),
        "kernel_alone_s": _median_seconds(
            lambda: np_ez_pic_production(pic, sst, par, kd, variants), repeats
        ),
        "plain_numpy_s": _median_seconds(lambda: plain_numpy(pic, sst, par, kd), repeats),
    }
    expected = plain_numpy(pic, sst, par, kd)
    agree = np.allclose(in_pipeline(), expected, rtol=2e-3, equal_nan=True)
    return {
        "shape": list(ds["pic"].shape),
        "pixels": pixels,
        "chunks": [months, tile, tile],
        **{k: round(v, 3) for k, v in seconds.items()},
        "kernel_mpix_per_s_per_core": round(pixels / seconds["kernel_in_pipeline_s"] / 1e6, 1),
        "kernel_alone_mpix_per_s": round(pixels / seconds["kernel_alone_s"] / 1e6, 1),
        "plain_numpy_mpix_per_s": round(pixels / seconds["plain_numpy_s"] / 1e6, 1),
        "agrees_with_plain_numpy": bool(agree),
    }
