"""The numpy kernels on small hand-made arrays with hand-computed answers, and their edges."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from picpump.errors import GridError
from picpump.science.calcification import (
    np_depth_factor,
    np_euphotic_depth,
    np_ez_pic_production,
    np_growth_rate,
    np_light_limitation,
)
from picpump.science.calcification_factors import BLOCK
from picpump.science.masks import np_open_ocean
from picpump.science.registry import ModelVariants, variant
from picpump.science.residence import np_residence_time
from picpump.science.seasonal import np_seasonal_cv
from picpump.science.stocks import np_pic_stock_100, np_poc_stock_100
from picpump.science.totals import np_global_sum, np_valid_fraction

DEFAULTS = ModelVariants.from_mapping({})
OTHERS = ModelVariants.from_mapping(
    {"growth_rate": "eppley1972", "euphotic_depth": "morel2007", "depth_factor": "vgpm"}
)


def _reference_production(pic, sst, par, kd, v: ModelVariants):  # type: ignore[no-untyped-def]
    """The same model, written plainly in float64, one factor at a time."""
    pic, sst, par, kd = (np.asarray(a, dtype=np.float64) for a in (pic, sst, par, kd))
    mu = np_growth_rate(sst, v.growth_rate)
    h = np_light_limitation(par, v.light_limitation)
    g = np_depth_factor(np_euphotic_depth(kd, v.euphotic_depth), v.depth_factor)
    with np.errstate(invalid="ignore"):
        return np.where(pic >= 0, pic, np.nan) * mu * h * g * 12011.0


def _inputs(n: int, dtype: type, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = [
        rng.uniform(1e-5, 1e-3, n),
        rng.uniform(-2.0, 30.0, n),
        rng.uniform(0.0, 60.0, n),
        rng.uniform(0.01, 0.3, n),
    ]
    for a in arrays:
        a[rng.random(n) < 0.1] = np.nan
    return [a.astype(dtype) for a in arrays]


@pytest.mark.parametrize("variants", [DEFAULTS, OTHERS], ids=["defaults", "others"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_production_across_block_boundaries(variants: ModelVariants, dtype: type) -> None:
    inputs = _inputs(2 * BLOCK + 123, dtype)
    before = [a.copy() for a in inputs]
    out = np_ez_pic_production(*inputs, variants)
    assert out.dtype == dtype and out.shape == inputs[0].shape
    expected = _reference_production(*inputs, variants)
    np.testing.assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(np.stack(inputs)).any(axis=0))
    for a, b in zip(inputs, before, strict=True):
        np.testing.assert_array_equal(a, b)  # inputs are never written to


def test_production_broadcasts_and_accepts_views() -> None:
    pic = np.full((3, 1, 5), 5e-4, dtype=np.float32)
    sst = np.linspace(0.0, 25.0, 20, dtype=np.float32).reshape(5, 4).T  # (4, 5), not contiguous
    par = 20.0  # a Python number does not promote float32 inputs
    kd = np.full((1, 5), 0.06, dtype=np.float32)
    out = np_ez_pic_production(pic, sst, par, kd, DEFAULTS)
    assert out.shape == (3, 4, 5) and out.dtype == np.float32
    np.testing.assert_allclose(out, _reference_production(pic, sst, par, kd, DEFAULTS)[...], 1e-5)
    scalar = np_ez_pic_production(5e-4, 8.0, 20.0, 0.06, DEFAULTS)
    assert scalar.shape == () and scalar.dtype == np.float64


def test_production_needs_all_four_inputs() -> None:
    pic = np.array([5e-4, np.nan, 5e-4, 5e-4, 5e-4, -1e-4, 5e-4, 5e-4, 0.0])
    sst = np.array([8.0, 8.0, np.nan, 8.0, 8.0, 8.0, 8.0, -1.0, 8.0])
    par = np.array([20.0, 20.0, 20.0, np.nan, 20.0, 20.0, -1.0, 20.0, 20.0])
    kd = np.array([0.06, 0.06, 0.06, 0.06, 0.0, 0.06, 0.06, 0.06, 0.06])
    out = np_ez_pic_production(pic, sst, par, kd, DEFAULTS)
    assert out[0] == pytest.approx(63.553, rel=1e-4)
    assert np.isnan(out[1:7]).all()  # missing PIC, SST, PAR; Kd490 0; negative PIC, PAR
    assert out[7] == 0.0 and out[8] == 0.0  # below freezing: no growth; no PIC: no production


def test_empty_inputs() -> None:
    empty = np.empty((0, 3), dtype=np.float32)
    assert np_ez_pic_production(empty, empty, empty, empty, DEFAULTS).shape == (0, 3)
    assert np_growth_rate(empty, DEFAULTS.growth_rate).dtype == np.float32


def test_light_limitation_edges() -> None:
    h = np_light_limitation(np.array([0.0, 4.1, np.inf, -0.5, np.nan]), DEFAULTS.light_limitation)
    assert h[0] == 0.0 and h[1] == 0.5
    assert np.isnan(h[2:]).all()  # inf / inf; negative PAR and NaN are missing


def test_stocks_missing_rules_and_dtype() -> None:
    surface = np.array([1e-4, 0.0, -1.0, np.nan], dtype=np.float32)
    out = np_pic_stock_100(surface, DEFAULTS.pic_stock)
    assert out.dtype == np.float32
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()
    assert np.isnan(np_poc_stock_100(np.array([0.0, -3.0]), DEFAULTS.poc_stock)).all()


def test_residence_time_hand_computed() -> None:
    stock = np.array([0.2, 0.2, 0.2, 0.2, np.nan], dtype=np.float32)
    production = np.array([20.0, 0.0, -5.0, np.nan, 20.0], dtype=np.float32)
    out = np_residence_time(stock, production)
    assert out.dtype == np.float32
    assert out[0] == pytest.approx(10.0)  # 0.2 g m-2 / 0.02 g m-2 d-1
    assert np.isnan(out[1:]).all()
    assert np_residence_time(np.array([[1.0], [2.0]]), np.array([100.0, 500.0])).tolist() == [
        [10.0, 2.0],
        [20.0, 4.0],
    ]


def test_seasonal_cv_hand_computed() -> None:
    # 1, 3, 1, 3 ...: mean 2, population sd 1 → 0.5
    clim = np.tile(np.array([1.0, 3.0]), 6)[:, None] * np.array([1.0, 10.0])
    np.testing.assert_allclose(np_seasonal_cv(clim), [0.5, 0.5])
    np.testing.assert_allclose(np_seasonal_cv(clim.T, axis=1), [0.5, 0.5])
    gappy = clim.copy()
    gappy[0, 0] = np.nan  # 11 valid months: five 1s and six 3s → mean 23/11
    assert np.isnan(np_seasonal_cv(gappy)[0])
    mean = 23 / 11
    sd = np.sqrt((5 * (1 - mean) ** 2 + 6 * (3 - mean) ** 2) / 11)
    assert np_seasonal_cv(gappy, min_months=11)[0] == pytest.approx(sd / mean, rel=1e-12)
    assert np.isnan(np_seasonal_cv(np.zeros((12, 1)))[0])  # mean 0
    assert np.isnan(np_seasonal_cv(-clim)[0])  # mean < 0
    assert np_seasonal_cv(np.full((12, 1), 7.0))[0] == 0.0
    assert np_seasonal_cv(clim.astype(np.float32)).dtype == np.float32


def test_global_sum_and_valid_fraction_hand_computed() -> None:
    field = np.array(
        [
            [[1.0, np.nan], [2.0, 4.0]],
            [[np.inf, 3.0], [1.0, 1.0]],
        ],
        dtype=np.float32,
    )
    area = np.array([[10.0, 10.0], [5.0, 5.0]])
    mask = np.array([[True, True], [True, False]])
    total = np_global_sum(field, area, mask)
    assert total.dtype == np.float64
    np.testing.assert_allclose(total, [1 * 10 + 2 * 5, 3 * 10 + 1 * 5])
    np.testing.assert_allclose(np_valid_fraction(field, mask), [2 / 3, 2 / 3])
    assert np.isnan(np_valid_fraction(field, np.zeros((2, 2), dtype=bool))).all()


def test_open_ocean_median_rule_hand_computed() -> None:
    elevation = np.array(
        [
            [-300.0, -300.0, -50.0, -50.0, -150.0, -500.0],
            [-300.0, 10.0, -50.0, -300.0, -300.0, np.nan],
        ]
    )
    # medians of depth: (300, 300, 300, -10) → 300; (50, 50, 50, 300) → 50;
    # (150, 500, 300) → 300 with the missing sub-cell ignored
    assert np_open_ocean(elevation, 2, 200.0).tolist() == [[True, False, True]]
    # an even count takes the mean of the middle two: (100, 350) → 225 > 200, not > 250
    pair = np.array([[-100.0, -350.0], [np.nan, np.nan]])
    assert np_open_ocean(pair, 2, 200.0).tolist() == [[True]]
    assert np_open_ocean(pair, 2, 250.0).tolist() == [[False]]
    assert np_open_ocean(np.full((2, 2), np.nan), 2, 200.0).tolist() == [[False]]
    integers = np.array([[-300, -100, 5]], dtype=np.int16)  # e.g. ETOPO stores int16
    assert np_open_ocean(integers, 1, 200.0).tolist() == [[True, False, False]]


def test_open_ocean_agrees_with_nanmedian_and_leaves_input_alone() -> None:
    rng = np.random.default_rng(3)
    elevation = rng.uniform(-1000.0, 200.0, (12, 24)).astype(np.float32)
    elevation[rng.random(elevation.shape) < 0.3] = np.nan
    before = elevation.copy()
    blocks = elevation.reshape(4, 3, 8, 3).transpose(0, 2, 1, 3).reshape(4, 8, 9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks
        expected = -np.nanmedian(blocks, axis=-1) > 200.0
    np.testing.assert_array_equal(np_open_ocean(elevation, 3, 200.0), expected)
    np.testing.assert_array_equal(np_open_ocean(elevation, 1, 200.0), -elevation > 200.0)
    np.testing.assert_array_equal(elevation, before)


def test_open_ocean_refuses_a_non_multiple_shape() -> None:
    with pytest.raises(GridError, match=r"multiples of the refinement factor(.|\n)*\(5, 6\)"):
        np_open_ocean(np.zeros((5, 6)), 2, 200.0)


def test_growth_rate_other_variant_and_overrides() -> None:
    v = variant("growth_rate", "fielding2013", a=1.0, b=1.0)
    np.testing.assert_allclose(np_growth_rate(np.array([3.0, -3.0]), v), [3.0, 0.0])
    z = np_euphotic_depth(np.array([0.05]), variant("euphotic_depth", zeu_max=50.0))
    assert z[0] == 50.0
