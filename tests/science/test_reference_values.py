"""Every formula against the reference values of SCIENCE.md (≤ 1e-4 relative)."""

from __future__ import annotations

import numpy as np
import pytest

from picpump.grid import Grid
from picpump.science.area import cell_area, np_cell_area
from picpump.science.calcification import (
    np_depth_factor,
    np_euphotic_depth,
    np_ez_pic_production,
    np_growth_rate,
    np_light_limitation,
)
from picpump.science.masks import np_open_ocean
from picpump.science.registry import ModelVariants, variant
from picpump.science.residence import np_residence_time
from picpump.science.seasonal import np_seasonal_cv
from picpump.science.stocks import np_pic_stock_100, np_poc_stock_100
from picpump.science.totals import np_global_sum, np_valid_fraction

DEFAULTS = ModelVariants.from_mapping({})
REL = 1e-4

# SCIENCE.md §1: μ = 0.1419 T^0.8151 (Fielding 2013)
FIELDING = [
    (2, 0.2497), (5, 0.5269), (10, 0.9270), (15, 1.2901), (20, 1.6310), (25, 1.9563), (28, 2.1457)
]  # fmt: skip

# SCIENCE.md §1 worked example (defaults): inputs and every intermediate value.
WORKED = {
    "pic": 5e-4, "sst": 8.0, "par": 20.0, "kd490": 0.06,
    "mu": 0.7728, "h": 0.8299, "zeu": 76.75, "g": 16.50, "production_mg": 63.55,
}  # fmt: skip


@pytest.mark.parametrize(("temperature", "expected"), FIELDING)
def test_fielding_growth_rate(temperature: float, expected: float) -> None:
    mu = np_growth_rate(np.array([temperature]), DEFAULTS.growth_rate)
    assert mu[0] == pytest.approx(expected, rel=REL, abs=5e-5)


def test_growth_rate_is_zero_at_or_below_freezing() -> None:
    mu = np_growth_rate(np.array([0.0, -1.8, np.nan]), DEFAULTS.growth_rate)
    assert mu[0] == 0.0 and mu[1] == 0.0 and np.isnan(mu[2])


def test_eppley_growth_rate() -> None:
    mu = np_growth_rate(np.array([10.0]), variant("growth_rate", "eppley1972"))
    assert mu[0] == pytest.approx(0.59 * 1.066**10, rel=1e-6)


@pytest.mark.parametrize(("kd", "zeu"), [(0.03, 153.5), (0.1, 46.05)])
def test_euphotic_depth_one_percent(kd: float, zeu: float) -> None:
    out = np_euphotic_depth(np.array([kd]), DEFAULTS.euphotic_depth)
    assert out[0] == pytest.approx(zeu, rel=REL)


@pytest.mark.parametrize(("kd", "zeu"), [(0.02, 196.0), (0.05, 54.0), (0.1, 33.0)])
def test_euphotic_depth_morel2007_to_printed_precision(kd: float, zeu: float) -> None:
    out = np_euphotic_depth(np.array([kd]), variant("euphotic_depth", "morel2007"))
    assert round(float(out[0])) == pytest.approx(zeu, abs=1.0)


def test_euphotic_depth_cap_and_missing() -> None:
    out = np_euphotic_depth(np.array([0.005, 0.0, -0.1, np.nan]), DEFAULTS.euphotic_depth)
    assert out[0] == 200.0 and np.isnan(out[1:]).all()
    capped = np_euphotic_depth(np.array([0.016]), variant("euphotic_depth", "morel2007"))
    assert capped[0] == 200.0  # KdPAR ≤ 0 near Kd490 = 0.0152 → the cap


def test_worked_example_step_by_step() -> None:
    w = WORKED
    mu = np_growth_rate(np.array([w["sst"]]), DEFAULTS.growth_rate)[0]
    h = np_light_limitation(np.array([w["par"]]), DEFAULTS.light_limitation)[0]
    zeu = np_euphotic_depth(np.array([w["kd490"]]), DEFAULTS.euphotic_depth)[0]
    g = np_depth_factor(np.array([zeu]), DEFAULTS.depth_factor)[0]
    production = np_ez_pic_production(
        *(np.array([w[k]]) for k in ("pic", "sst", "par", "kd490")), DEFAULTS
    )[0]
    assert mu == pytest.approx(w["mu"], rel=REL)
    assert h == pytest.approx(w["h"], rel=REL)
    assert zeu == pytest.approx(w["zeu"], rel=REL)
    assert g == pytest.approx(w["g"], rel=3e-4)  # printed to 4 significant digits
    assert production == pytest.approx(w["production_mg"], rel=REL)
    assert production / 12011.0 == pytest.approx(5.2912e-3, rel=REL)


def test_depth_factor_variants() -> None:
    zeu = np.array([100.0])
    # (1 - e^-ln100) / ln100 = 0.99 / 4.60517 = 0.214976, printed "0.21500" in SCIENCE.md
    assert np_depth_factor(zeu, DEFAULTS.depth_factor)[0] == pytest.approx(21.4976, rel=REL)
    assert np_depth_factor(zeu, DEFAULTS.depth_factor)[0] == pytest.approx(21.500, rel=2e-4)
    assert np_depth_factor(zeu, variant("depth_factor", "vgpm"))[0] == pytest.approx(66.125)


def test_production_needs_all_four_inputs() -> None:
    one = np.array([5e-4, 5e-4, 5e-4, 5e-4, 5e-4])
    sst = np.array([8.0, np.nan, 8.0, 8.0, 8.0])
    par = np.array([20.0, 20.0, np.nan, 20.0, 20.0])
    kd = np.array([0.06, 0.06, 0.06, np.nan, 0.06])
    pic = one.copy()
    pic[4] = np.nan
    out = np_ez_pic_production(pic, sst, par, kd, DEFAULTS)
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()


def test_production_keeps_float32() -> None:
    args = [np.full(4, v, dtype=np.float32) for v in (5e-4, 8.0, 20.0, 0.06)]
    out = np_ez_pic_production(*args, DEFAULTS)
    assert out.dtype == np.float32
    assert out[0] == pytest.approx(63.55, rel=REL)


def test_pic_stock_reference() -> None:
    out = np_pic_stock_100(np.array([1e-4, 0.0, -1.0, np.nan]), DEFAULTS.pic_stock)
    assert out[0] == pytest.approx(0.1342, rel=REL * 3)  # 11.17 mmol m-2
    assert out[0] / (12.011e-3) == pytest.approx(11.17, rel=5e-4)
    assert np.isnan(out[1:]).all()


def test_poc_stock_reference() -> None:
    out = np_poc_stock_100(np.array([50.0]), DEFAULTS.poc_stock)
    assert out[0] == pytest.approx(4.760, rel=REL * 3)
    assert out[0] / 12.011e-3 == pytest.approx(396.3, rel=2e-4)


def test_stock_mg_variant_differs() -> None:
    mg = np_pic_stock_100(np.array([1e-4]), variant("pic_stock", "balch2018_mg"))
    assert mg[0] == pytest.approx(40.555 * (1e-4 * 12011.0) ** 0.56 * 1e-3, rel=1e-6)


@pytest.mark.parametrize("resolution", [1.0, 0.25])
def test_globe_area(resolution: float) -> None:
    grid = Grid(resolution)
    sphere = float(cell_area(grid, variant("cell_area", "sphere")).sum()) / 1e6
    eq5 = float(cell_area(grid, variant("cell_area", "toullec_eq5")).sum()) / 1e6
    assert sphere == pytest.approx(5.1007e8, rel=REL)
    assert eq5 == pytest.approx(1.0207e9, rel=REL)


def test_equatorial_cell_area() -> None:
    area = np_cell_area(np.array([0.5]), 1.0, variant("cell_area", "sphere"))[0]
    r = 6371007.2
    assert area == pytest.approx(r**2 * np.deg2rad(1) * 2 * np.sin(np.deg2rad(1)) / 2, rel=1e-9)


def test_open_ocean_median_rule() -> None:
    elevation = np.array(
        [
            [-300.0, -300.0, -50.0, -50.0],
            [-300.0, 10.0, -50.0, -300.0],
        ]
    )
    assert np_open_ocean(elevation, 2, 200.0).tolist() == [[True, False]]
    assert np_open_ocean(np.full((2, 2), np.nan), 2, 200.0).tolist() == [[False]]


def test_residence_time() -> None:
    out = np_residence_time(np.array([0.2, 0.2, 0.2]), np.array([20.0, 0.0, np.nan]))
    assert out[0] == pytest.approx(10.0) and np.isnan(out[1:]).all()


def test_seasonal_cv_hand_computed() -> None:
    clim = np.array([1.0, 3.0] * 6)[:, None]
    assert np_seasonal_cv(clim)[0] == pytest.approx(0.5)
    gappy = clim.copy()
    gappy[0] = np.nan
    assert np.isnan(np_seasonal_cv(gappy)[0])
    assert np_seasonal_cv(gappy, min_months=11)[0] == pytest.approx(
        np.std(gappy[1:]) / np.mean(gappy[1:])
    )


def test_global_sum_and_coverage() -> None:
    field = np.array([[[1.0, np.nan], [2.0, 4.0]]])
    area = np.array([[10.0, 10.0], [5.0, 5.0]])
    mask = np.array([[True, True], [True, False]])
    assert np_global_sum(field, area, mask)[0] == pytest.approx(20.0)
    assert np_valid_fraction(field, mask)[0] == pytest.approx(2 / 3)
