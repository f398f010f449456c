"""numpy kernel = xarray wrapper = dask-backed wrapper; wrappers stay lazy; units checked."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import xarray as xr

from picpump.errors import SpecError, UnitsError
from picpump.science import calcification as calc
from picpump.science import residence, seasonal, stocks
from picpump.science.registry import ModelVariants, kinds, variant, variant_names
from tests.conftest import raise_if_dask_computes

V = ModelVariants.from_mapping({})
RNG = np.random.default_rng(7)
SHAPE = (12, 8, 10)


def _field(name: str, low: float, high: float, units: str) -> xr.DataArray:
    values = RNG.uniform(low, high, SHAPE).astype("float32")
    values[RNG.random(SHAPE) < 0.2] = np.nan
    return xr.DataArray(values, dims=("month", "lat", "lon"), name=name, attrs={"units": units})


PIC = _field("pic", 1e-5, 1e-3, "mol m-3")
SST = _field("sst", -2.0, 30.0, "degC")
PAR = _field("par", 0.5, 60.0, "mol m-2 d-1")
KD = _field("kd490", 0.02, 0.3, "m-1")
POC = _field("poc", 10.0, 300.0, "mg m-3")
ZEU = _field("zeu", 10.0, 200.0, "m")

CASES: list[tuple[str, Callable, Callable, tuple[xr.DataArray, ...], dict]] = [
    ("growth_rate", calc.np_growth_rate, calc.growth_rate, (SST,), {"variant": V.growth_rate}),
    (
        "light",
        calc.np_light_limitation,
        calc.light_limitation,
        (PAR,),
        {"variant": V.light_limitation},
    ),  # noqa: E501
    ("zeu", calc.np_euphotic_depth, calc.euphotic_depth, (KD,), {"variant": V.euphotic_depth}),
    (
        "zeu_morel",
        calc.np_euphotic_depth,
        calc.euphotic_depth,
        (KD,),
        {"variant": variant("euphotic_depth", "morel2007")},
    ),  # noqa: E501
    ("g", calc.np_depth_factor, calc.depth_factor, (ZEU,), {"variant": V.depth_factor}),
    (
        "production",
        calc.np_ez_pic_production,
        calc.ez_pic_production,
        (PIC, SST, PAR, KD),
        {"variants": V},
    ),  # noqa: E501
    ("pic_stock", stocks.np_pic_stock_100, stocks.pic_stock_100, (PIC,), {"variant": V.pic_stock}),
    ("poc_stock", stocks.np_poc_stock_100, stocks.poc_stock_100, (POC,), {"variant": V.poc_stock}),
    ("residence", residence.np_residence_time, residence.residence_time, (POC, PAR), {}),
]


@pytest.mark.parametrize(
    ("label", "kernel", "wrapper", "args", "kwargs"), CASES, ids=[c[0] for c in CASES]
)
def test_kernel_wrapper_dask_agree(label, kernel, wrapper, args, kwargs) -> None:  # noqa: ANN001
    expected = kernel(*(a.values for a in args), **kwargs)
    eager = wrapper(*args, **kwargs)
    with raise_if_dask_computes():
        lazy = wrapper(*(a.chunk({"month": 4, "lat": 4}) for a in args), **kwargs)
    np.testing.assert_allclose(eager.values, expected, rtol=1e-6)
    np.testing.assert_allclose(lazy.compute().values, expected, rtol=1e-6)
    assert eager.attrs["units"] and eager.attrs["long_name"]


def test_seasonal_cv_kernel_wrapper_dask_agree() -> None:
    clim = POC.rename(None)
    expected = seasonal.np_seasonal_cv(clim.values, axis=0, min_months=8)
    with raise_if_dask_computes():
        lazy = seasonal.seasonal_cv(clim.chunk({"lat": 4}), min_months=8)
    np.testing.assert_allclose(seasonal.seasonal_cv(clim, min_months=8), expected, rtol=1e-6)
    np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-6)


def test_wrappers_refuse_other_units() -> None:
    kelvin = SST.copy()
    kelvin.attrs["units"] = "K"
    with pytest.raises(UnitsError, match="must be in degC"):
        calc.ez_pic_production(PIC, kelvin, PAR, KD, V)
    with pytest.raises(UnitsError, match="mol m-3"):
        stocks.pic_stock_100(POC, V.pic_stock)


def test_registry_lists_every_kind_with_a_default() -> None:
    for kind in kinds():
        assert variant(kind).name == variant_names(kind)[0] or variant(kind).name in variant_names(
            kind
        )
        assert variant(kind).citation


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: variant("colour"), "variant kind must be one of"),
        (lambda: variant("growth_rate", "nobody2099"), "growth_rate' variant must be one of"),
        (lambda: variant("light_limitation", "vgpm", k_j=3.0), "unknown"),
        (lambda: ModelVariants.from_mapping({"growht_rate": "x"}), "variant kinds must be among"),
    ],
)
def test_registry_errors_name_the_choices(call, match: str) -> None:  # noqa: ANN001
    with pytest.raises(SpecError, match=match):
        call()


def test_parameter_override_and_record() -> None:
    v = ModelVariants.from_mapping({"light_limitation": {"name": "vgpm", "k_i": 3.0}})
    assert v.light_limitation.params["k_i"] == 3.0
    record = v.as_dict()
    assert record["light_limitation"]["params"]["k_i"] == 3.0
    assert "doi" in record["growth_rate"]["citation"]
