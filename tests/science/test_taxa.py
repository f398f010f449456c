"""Calcifier stocks and the taxa comparison (Fig. 3-4) against hand-computed references."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.errors import GridError, SpecError, UnitsError
from picpump.grid import Grid
from picpump.science.area import cell_area
from picpump.science.registry import variant
from picpump.science.seasonal import np_seasonal_cv
from picpump.science.taxa import (
    COLUMNS,
    c_to_pic_factors,
    calcifier_stocks,
    taxa_annual_maps,
    taxa_contribution,
)
from tests.conftest import raise_if_dask_computes

GRID = Grid(30.0)  # 6 × 12
AREA = cell_area(GRID, variant("cell_area"))
RNG = np.random.default_rng(3)


def monthly(values: np.ndarray, units: str) -> xr.DataArray:
    coords = {"month": np.arange(1, 13), "lat": GRID.lat, "lon": GRID.lon}
    return xr.DataArray(values, dims=("month", "lat", "lon"), coords=coords, attrs={"units": units})


def biomass() -> xr.Dataset:
    return xr.Dataset(
        {
            "pteropods": monthly(RNG.random((12, 6, 12)) * 1e-3, "g m-3"),
            "foraminifers": monthly(RNG.random((12, 6, 12)) * 2e-5, "g m-3"),
        }
    )


def test_factor_variants_are_cited_and_overridable() -> None:
    default = c_to_pic_factors()
    assert default.name == "shell_fraction" and "doi:" in default.citation
    assert set(default.params) == {"pteropods", "foraminifers"}
    assert all(0 < f <= 1 for f in default.params.values())
    assert c_to_pic_factors("total_carbon").params == {"pteropods": 1.0, "foraminifers": 1.0}
    assert c_to_pic_factors(pteropods=0.3).params["pteropods"] == 0.3
    with pytest.raises(SpecError, match="must be one of"):
        c_to_pic_factors("knecht2099")
    with pytest.raises(SpecError, match="unknown taxa"):
        c_to_pic_factors(coccoliths=0.5)


def test_stock_is_biomass_times_factor_times_depth() -> None:
    bio = biomass()
    out = calcifier_stocks(bio, c_to_pic={"pteropods": 0.25, "foraminifers": 0.5}, depth_m=200.0)
    np.testing.assert_allclose(out["pteropods"], bio["pteropods"] * 50.0, rtol=1e-12)
    np.testing.assert_allclose(out["foraminifers"], bio["foraminifers"] * 100.0, rtol=1e-12)
    assert out["pteropods"].attrs["units"] == "g m-2"
    # 1e-3 g C m-3 over 200 m at 27 % → 0.054 g C m-2
    one = xr.Dataset({"pteropods": monthly(np.full((12, 6, 12), 1e-3), "g m-3")})
    stock = calcifier_stocks(one, c_to_pic=c_to_pic_factors(pteropods=0.27))
    np.testing.assert_allclose(stock["pteropods"].values, 0.054, rtol=1e-12)


def test_stock_rules() -> None:
    bio = biomass()
    with pytest.raises(SpecError, match="no factor for \\['foraminifers'\\]"):
        calcifier_stocks(bio, c_to_pic={"pteropods": 0.27})
    with pytest.raises(SpecError, match="non-negative"):
        calcifier_stocks(bio, c_to_pic={"pteropods": -1.0, "foraminifers": 0.5})
    bio["pteropods"].attrs["units"] = "mg m-3"
    with pytest.raises(UnitsError, match="g m-3"):
        calcifier_stocks(bio, c_to_pic=c_to_pic_factors())


def test_stocks_and_maps_stay_lazy() -> None:
    bio = biomass().chunk({"lat": 3})
    pic = monthly(RNG.random((12, 6, 12)), "g m-2").chunk({"lat": 3})
    with raise_if_dask_computes():
        stocks = calcifier_stocks(bio, c_to_pic=c_to_pic_factors())
        maps = taxa_annual_maps(pic, stocks)
    assert list(maps["taxon"].values) == ["coccolithophores", "pteropods", "foraminifers"]
    np.testing.assert_allclose(maps["share_percent"].sum("taxon"), 100.0)


def test_contribution_against_a_hand_computation() -> None:
    bio = biomass()
    pic = monthly(RNG.random((12, 6, 12)) * 0.1, "g m-2")
    pic[:, 0, :] = np.nan  # the southernmost row has no coccolith data
    pic[:6, 5, :] = np.nan  # the northernmost row has half a year
    ocean = xr.ones_like(AREA, dtype=bool)
    ocean[:, :3] = False
    stocks = calcifier_stocks(bio, c_to_pic=c_to_pic_factors())
    table = taxa_contribution(pic, stocks, AREA, ocean)

    assert list(table.columns) == COLUMNS
    assert list(table["taxon"]) == ["coccolithophores", "pteropods", "foraminifers"]
    a = AREA.values * ocean.values
    expected = []
    for values in (pic.values, stocks["pteropods"].values, stocks["foraminifers"].values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells: mean of nothing
            annual = np.nanmean(values, axis=0)
        expected.append(np.nansum(annual * a) / 1e12)
    np.testing.assert_allclose(table["stock_tg"], expected, rtol=1e-10)
    np.testing.assert_allclose(table["share_percent"], 100 * np.array(expected) / sum(expected))
    assert table["share_percent"].sum() == pytest.approx(100.0)
    cv = np_seasonal_cv(stocks["pteropods"].values, axis=0)
    np.testing.assert_allclose(
        table.loc[1, "seasonal_cv_median"], np.median(cv[ocean.values]), rtol=1e-6
    )
    # the coccolith row with 6 months has no index (12 months needed), row 0 none at all
    cocco_cv = np_seasonal_cv(pic.values, axis=0)[ocean.values]
    np.testing.assert_allclose(
        table.loc[0, "seasonal_cv_median"], np.nanmedian(cocco_cv), rtol=1e-6
    )


def test_contribution_refuses_mismatched_grids() -> None:
    bio = biomass()
    pic = monthly(RNG.random((12, 6, 12)), "g m-2")
    stocks = calcifier_stocks(bio, c_to_pic=c_to_pic_factors())
    shifted = pic.assign_coords(lon=pic["lon"] + 1.0)
    with pytest.raises(GridError, match="share one grid"):
        taxa_contribution(shifted, stocks, AREA, xr.ones_like(AREA, dtype=bool))
    with pytest.raises(UnitsError):
        taxa_contribution(pic.assign_attrs(units="mol m-3"), stocks, AREA, AREA > 0)


def test_table_is_a_dataframe_of_floats() -> None:
    bio = biomass()
    pic = monthly(RNG.random((12, 6, 12)), "g m-2")
    stocks = calcifier_stocks(bio, c_to_pic=c_to_pic_factors())
    table = taxa_contribution(pic, stocks, AREA, AREA > 0)
    assert isinstance(table, pd.DataFrame) and len(table) == 3
    assert table["stock_tg"].dtype == np.float64


def test_annual_min_months_drops_short_records() -> None:
    bio = biomass()
    pic = monthly(np.full((12, 6, 12), 0.1), "g m-2")
    pic[:6, 5, :] = np.nan  # six months only in the northernmost row
    stocks = calcifier_stocks(bio, c_to_pic=c_to_pic_factors())
    ocean = AREA > 0
    full = taxa_contribution(pic, stocks, AREA, ocean)
    strict = taxa_contribution(pic, stocks, AREA, ocean, annual_min_months=12)
    north = float(AREA.values[5].sum()) * 0.1 / 1e12
    assert full.loc[0, "stock_tg"] - strict.loc[0, "stock_tg"] == pytest.approx(north, rel=1e-9)
    assert full.loc[1, "stock_tg"] == strict.loc[1, "stock_tg"]
