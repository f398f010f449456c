"""numpy kernel == xarray wrapper == dask-backed wrapper; wrappers stay lazy; units and grids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

from picpump.errors import GridError, UnitsError
from picpump.grid import Grid
from picpump.science import area, calcification, masks, residence, seasonal, stocks, totals
from picpump.science.registry import ModelVariants, variant
from tests.conftest import raise_if_dask_computes

V = ModelVariants.from_mapping({})
OTHERS = ModelVariants.from_mapping(
    {"growth_rate": "eppley1972", "euphotic_depth": "morel2007", "depth_factor": "vgpm"}
)
RNG = np.random.default_rng(7)
GRID = Grid(15.0)  # 12 × 24
FINE = Grid(5.0)  # 36 × 72: factor 3
DIMS = ("time", "lat", "lon")
COORDS = {"lat": GRID.lat, "lon": GRID.lon}
TO_PG_PER_YR = 1e-3 * 365.0 / 1e15


def _field(low: float, high: float, units: str, dims: tuple[str, ...] = DIMS) -> xr.DataArray:
    shape = {"time": 6, "month": 12, "lat": GRID.nlat, "lon": GRID.nlon}
    values = RNG.uniform(low, high, [shape[d] for d in dims]).astype("float32")
    values[RNG.random(values.shape) < 0.15] = np.nan
    coords = {d: COORDS[d] for d in dims if d in COORDS}
    return xr.DataArray(values, dims=dims, coords=coords, attrs={"units": units})


PIC = _field(1e-5, 1e-3, "mol m-3")
SST = _field(-2.0, 30.0, "degC")
PAR = _field(0.0, 60.0, "mol m-2 d-1")
KD = _field(0.01, 0.3, "m-1")
POC = _field(10.0, 300.0, "mg m-3")
ZEU = _field(5.0, 200.0, "m")
STOCK = _field(0.01, 2.0, "g m-2")
PRODUCTION = _field(0.0, 200.0, "mg m-2 d-1")
CLIM = _field(0.5, 100.0, "mg m-2 d-1", ("month", "lat", "lon"))
AREA = area.cell_area(GRID, V.cell_area)
MASK = xr.DataArray(RNG.random(GRID.shape) < 0.7, dims=("lat", "lon"), coords=COORDS)
ELEVATION = xr.DataArray(
    RNG.uniform(-1000.0, 100.0, FINE.shape).astype("float32"),
    dims=("lat", "lon"),
    coords={"lat": FINE.lat, "lon": FINE.lon},
    attrs={"units": "m"},
)


@dataclass
class Case:
    id: str
    kernel: Callable[..., Any]
    wrapper: Callable[..., xr.DataArray]
    inputs: tuple[xr.DataArray, ...]
    chunks: dict[str, int] = field(default_factory=lambda: {"time": 2, "lat": 5, "lon": 7})


def _factor_case(name: str, kind: str, x: xr.DataArray, v: Any) -> Case:
    return Case(
        f"{kind}-{v.name}",
        lambda a: getattr(calcification, f"np_{name}")(a, v),
        lambda a: getattr(calcification, name)(a, v),
        (x,),
    )


def _stock_case(what: str, x: xr.DataArray, name: str) -> Case:
    v = variant(f"{what}_stock", name)
    kernel = getattr(stocks, f"np_{what}_stock_100")
    wrapper = getattr(stocks, f"{what}_stock_100")
    return Case(f"{what}_stock-{name}", lambda a: kernel(a, v), lambda a: wrapper(a, v), (x,))


CASES = [
    _factor_case("growth_rate", "growth_rate", SST, V.growth_rate),
    _factor_case("growth_rate", "growth_rate", SST, OTHERS.growth_rate),
    _factor_case("light_limitation", "light", PAR, V.light_limitation),
    _factor_case("euphotic_depth", "zeu", KD, V.euphotic_depth),
    _factor_case("euphotic_depth", "zeu", KD, OTHERS.euphotic_depth),
    _factor_case("depth_factor", "g", ZEU, V.depth_factor),
    _factor_case("depth_factor", "g", ZEU, OTHERS.depth_factor),
    *(
        Case(
            f"production-{label}",
            lambda *a, v=v: calcification.np_ez_pic_production(*a, v),
            lambda *a, v=v: calcification.ez_pic_production(*a, v),
            (PIC, SST, PAR, KD),
        )
        for label, v in (("defaults", V), ("others", OTHERS))
    ),
    *(
        _stock_case(what, x, name)
        for what, x in (("pic", PIC), ("poc", POC))
        for name in ("balch2018_mmol", "balch2018_mg")
    ),
    Case("residence", residence.np_residence_time, residence.residence_time, (STOCK, PRODUCTION)),
    *(
        Case(
            f"seasonal_cv-{label}",
            lambda c: seasonal.np_seasonal_cv(c, axis=0, min_months=10),
            lambda c: seasonal.seasonal_cv(c, dim="month", min_months=10),
            (CLIM,),
            chunks,
        )
        for label, chunks in (("tiles", {"lat": 5, "lon": 7}), ("split-months", {"month": 5}))
    ),
    Case(
        "global_rate",
        lambda p, a, m: totals.np_global_sum(p, a, m) * TO_PG_PER_YR,
        totals.global_rate_pg_per_yr,
        (PRODUCTION, AREA, MASK),
    ),
    Case(
        "global_stock",
        lambda s, a, m: totals.np_global_sum(s, a, m) / 1e12,
        totals.global_stock_tg,
        (STOCK, AREA, MASK),
    ),
    Case(
        "open_ocean",
        lambda z: masks.np_open_ocean(z, 3, 200.0),
        lambda z: masks.open_ocean_mask(z, GRID, V.open_ocean),
        (ELEVATION,),
        {"lat": 7, "lon": 10},  # not multiples of the factor: the wrapper realigns
    ),
]


def _chunk(da: xr.DataArray, chunks: dict[str, int]) -> xr.DataArray:
    return da.chunk({d: c for d, c in chunks.items() if d in da.dims})


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_kernel_equals_wrapper_equals_dask(case: Case) -> None:
    expected = case.kernel(*(a.values for a in case.inputs))
    eager = case.wrapper(*case.inputs)
    with raise_if_dask_computes():
        lazy = case.wrapper(*(_chunk(a, case.chunks) for a in case.inputs))
    assert isinstance(lazy.data, dsa.Array)
    assert eager.dtype == expected.dtype == lazy.dtype
    assert eager.attrs["units"] and eager.attrs["long_name"]
    assert lazy.attrs == eager.attrs
    computed = lazy.compute()
    if expected.dtype == bool:
        np.testing.assert_array_equal(eager.values, expected)
        np.testing.assert_array_equal(computed.values, expected)
    else:
        np.testing.assert_allclose(eager.values, expected, rtol=1e-6)
        np.testing.assert_allclose(computed.values, expected, rtol=1e-6)
    assert np.isfinite(expected).any()


def test_float32_stays_float32() -> None:
    assert calcification.ez_pic_production(PIC, SST, PAR, KD, V).dtype == np.float32
    assert stocks.pic_stock_100(PIC.astype("float64"), V.pic_stock).dtype == np.float64


def test_mean_sd_is_lazy_and_uses_the_sample_sd() -> None:
    series = xr.DataArray([1.0, 2.0, 3.0, np.nan, 6.0], dims="time", attrs={"units": "Pg yr-1"})
    with raise_if_dask_computes():
        mean, sd = totals.mean_sd(series.chunk({"time": 2}))
    assert isinstance(mean.data, dsa.Array) and isinstance(sd.data, dsa.Array)
    assert float(mean) == pytest.approx(3.0)
    assert float(sd) == pytest.approx(np.sqrt((4 + 1 + 0 + 9) / 3))  # ddof = 1 over 4 values
    assert mean.attrs["units"] == sd.attrs["units"] == "Pg yr-1"
    assert "ddof=1" in sd.attrs["long_name"]


def test_global_totals_hand_computed() -> None:
    grid = Grid(90.0)  # 2 × 4 cells
    cells = area.cell_area(grid, V.cell_area)
    quarter = float(cells[0, 0])  # one eighth of the globe
    production = xr.DataArray(
        np.array([[[1.0, 1.0, 1.0, 1.0], [2.0, np.nan, 2.0, 2.0]]]),
        dims=DIMS,
        attrs={"units": "mg m-2 d-1"},
    )
    ocean = xr.DataArray(
        np.array([[True, True, False, True], [True, True, True, True]]), dims=("lat", "lon")
    )
    rate = totals.global_rate_pg_per_yr(production, cells, ocean)
    assert rate.dims == ("time",)
    assert float(rate[0]) == pytest.approx((3 * 1.0 + 3 * 2.0) * quarter * TO_PG_PER_YR)
    stock = totals.global_stock_tg(production.assign_attrs(units="g m-2"), cells, ocean)
    assert float(stock[0]) == pytest.approx(9.0 * quarter / 1e12)


def test_cell_area_wrapper() -> None:
    cells = area.cell_area(GRID, V.cell_area)
    assert cells.dims == ("lat", "lon") and cells.shape == GRID.shape
    assert cells.dtype == np.float64
    assert cells.attrs["units"] == "m2" and cells.attrs["standard_name"] == "cell_area"
    np.testing.assert_array_equal(cells["lat"], GRID.lat)
    np.testing.assert_array_equal(cells["lon"], GRID.lon)
    rows = area.np_cell_area(GRID.lat, GRID.resolution, V.cell_area)
    np.testing.assert_array_equal(cells.values, np.broadcast_to(rows[:, None], GRID.shape))


def _with_units(da: xr.DataArray, units: str) -> xr.DataArray:
    return da.copy().assign_attrs(units=units)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: calcification.growth_rate(_with_units(SST, "K"), V.growth_rate),
            "'sst' must be in degC",
        ),
        (
            lambda: calcification.ez_pic_production(PIC, _with_units(SST, "K"), PAR, KD, V),
            r"'sst' must be in degC(.|\n)*received: units 'K'",
        ),
        (
            lambda: calcification.ez_pic_production(_with_units(PIC, "mmol m-3"), SST, PAR, KD, V),
            "'pic' must be in mol m-3",
        ),
        (
            lambda: calcification.light_limitation(_with_units(PAR, "W m-2"), V.light_limitation),
            "'par'",
        ),
        (
            lambda: calcification.euphotic_depth(_with_units(KD, "km-1"), V.euphotic_depth),
            "'kd490'",
        ),
        (
            lambda: calcification.depth_factor(_with_units(ZEU, "km"), V.depth_factor),
            "'zeu' must be in m",
        ),
        (lambda: stocks.pic_stock_100(POC, V.pic_stock), "'pic' must be in mol m-3"),
        (lambda: stocks.poc_stock_100(PIC, V.poc_stock), "'poc' must be in mg m-3"),
        (lambda: residence.residence_time(POC, PRODUCTION), "'stock' must be in g m-2"),
        (lambda: residence.residence_time(STOCK, STOCK), "'production' must be in mg m-2 d-1"),
        (
            lambda: totals.global_rate_pg_per_yr(STOCK, AREA, MASK),
            "'production' must be in mg m-2 d-1",
        ),
        (
            lambda: totals.global_stock_tg(STOCK, _with_units(AREA, "km2"), MASK),
            "'area' must be in m2",
        ),
        (
            lambda: masks.open_ocean_mask(_with_units(ELEVATION, "ft"), GRID, V.open_ocean),
            "'elevation' must be in m",
        ),
    ],
)
def test_wrappers_refuse_other_units(call: Callable[[], object], match: str) -> None:
    with pytest.raises(UnitsError, match=match):
        call()


def test_inputs_without_units_are_trusted() -> None:
    bare = SST.copy()
    bare.attrs = {}
    assert calcification.growth_rate(bare, V.growth_rate).attrs["units"] == "d-1"


@pytest.mark.parametrize(
    ("elevation", "match"),
    [
        (ELEVATION.isel(lat=slice(0, 30)), r"integer refinement(.|\n)*30×72 for a 12×24 grid"),
        (
            xr.DataArray(np.zeros((30, 60)), dims=("lat", "lon"), attrs={"units": "m"}),
            r"integer refinement(.|\n)*30×60",
        ),
        (ELEVATION.sortby("lat", ascending=False), r"lat ascending(.|\n)*lat from 87.5 to -87.5"),
        (
            ELEVATION.assign_coords(lon=ELEVATION["lon"] + 180.0),
            r"lon −180…180(.|\n)*lon from 2.5 to 357.5",
        ),
        (ELEVATION.rename(lat="y"), r"a \(lat, lon\) field(.|\n)*'y'"),
    ],
    ids=["regional", "not-a-refinement", "descending", "lon-0-360", "dims"],
)
def test_open_ocean_mask_refuses_other_grids(elevation: xr.DataArray, match: str) -> None:
    with pytest.raises(GridError, match=match):
        masks.open_ocean_mask(elevation, GRID, V.open_ocean)


def test_open_ocean_mask_on_its_own_grid() -> None:
    same = masks.open_ocean_mask(ELEVATION, FINE, V.open_ocean)
    np.testing.assert_array_equal(same.values, -ELEVATION.values > 200.0)
    assert same.dtype == bool and same.name == "open_ocean"
