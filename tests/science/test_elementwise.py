"""Element-wise kernels on DataArrays: numpy = dask, one layer per kernel, broadcasting."""

from __future__ import annotations

import dask.array as da
import numpy as np
import xarray as xr

from picpump.science._elementwise import elementwise
from picpump.science.calcification import ez_pic_production, np_ez_pic_production
from picpump.science.registry import ModelVariants
from tests.conftest import raise_if_dask_computes


def _kernel(a: np.ndarray, b: np.ndarray, scale: float) -> np.ndarray:
    return (np.asarray(a) * np.asarray(b) * scale).astype(np.result_type(a, b, np.float32))


def _fields() -> tuple[xr.DataArray, xr.DataArray]:
    rng = np.random.default_rng(3)
    a = xr.DataArray(rng.random((5, 4, 6), dtype=np.float32), dims=("time", "lat", "lon"))
    b = xr.DataArray(rng.random((6, 4), dtype=np.float32), dims=("lon", "lat"))
    return a, b


def test_numpy_and_dask_inputs_give_the_same_values_broadcast_by_name() -> None:
    a, b = _fields()
    expected = a.values * b.values.T[None] * 2.0
    eager = elementwise(_kernel, a, b, attrs={"units": "m"}, scale=2.0)
    with raise_if_dask_computes():
        lazy = elementwise(_kernel, a.chunk(time=2, lat=2), b, attrs={"units": "m"}, scale=2.0)
    assert eager.dims == lazy.dims == ("time", "lat", "lon")
    assert eager.dtype == lazy.dtype == np.float32 and lazy.attrs == {"units": "m"}
    np.testing.assert_array_equal(eager.values, expected.astype(np.float32))
    np.testing.assert_array_equal(lazy.values, eager.values)
    assert lazy.data.chunks == ((2, 2, 1), (2, 2), (6,))


def test_the_kernel_is_one_layer_over_its_inputs() -> None:
    """No alias or transpose layer after it (apply_gufunc adds both: tasks on a cluster)."""
    variants = ModelVariants.from_mapping({})
    rng = np.random.default_rng(4)
    names = ("pic", "sst", "par", "kd490")
    units = {"pic": "mol m-3", "sst": "degC", "par": "mol m-2 d-1", "kd490": "m-1"}
    low = {"pic": 1e-5, "sst": 2.0, "par": 5.0, "kd490": 0.02}
    inputs = {
        n: xr.DataArray(
            da.from_array(low[n] * (1 + rng.random((24, 8, 8), dtype=np.float32)), chunks=4),
            dims=("time", "lat", "lon"),
            attrs={"units": units[n]},
        )
        for n in names
    }
    production = ez_pic_production(*(inputs[n] for n in names), variants)
    graph = production.data.__dask_graph__()
    inputs_layers = {inputs[n].data.name for n in names}
    assert set(graph.layers) == inputs_layers | {production.data.name}
    expected = np_ez_pic_production(*(inputs[n].values for n in names), variants)
    np.testing.assert_array_equal(production.values, expected)
