"""Ensemble designs, members and attribution: reproducible, labelled, sums that make sense."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from picpump.errors import SpecError
from picpump.science.calcification import np_ez_pic_production
from picpump.science.ensemble import (
    EnsembleDesign,
    ParameterFactor,
    VariantFactor,
    check_size,
    member_label,
    member_variants,
)
from picpump.science.ensemble_members import (
    MAX_SHARED_FACTORS,
    SharedFactors,
    annual_of_sums,
    member_production_reductions,
    member_reductions,
    np_annual_mean,
    np_annual_of_sums,
    np_member_block,
    np_member_reductions,
    shares_factors,
)
from picpump.science.ensemble_stats import attribution, np_nan_quantiles, np_spread_maps
from picpump.science.registry import ModelVariants

FACTORS = (
    VariantFactor("growth_rate", ("fielding2013", "eppley1972")),
    VariantFactor("depth_factor", ("exponential", "vgpm")),
    ParameterFactor("light_limitation", "k_i", 2.0, 6.0),
)


def test_the_factorial_is_every_combination_in_order() -> None:
    design = EnsembleDesign(FACTORS, "factorial", levels_per_parameter=3)
    members = design.members()
    assert design.size == len(members) == 12
    expected = itertools.product(*(f.levels(3) for f in FACTORS))
    assert [tuple(m.values()) for m in members] == list(expected)
    assert members == design.members()
    assert member_label(members[1]) == (
        "growth_rate=fielding2013 depth_factor=exponential light_limitation_k_i=4"
    )


def test_the_latin_hypercube_is_reproducible_from_the_seed_and_stratified() -> None:
    design = EnsembleDesign(FACTORS, "lhs", members_requested=10, seed=7)
    members = design.members()
    assert members == EnsembleDesign(FACTORS, "lhs", members_requested=10, seed=7).members()
    other = EnsembleDesign(FACTORS, "lhs", members_requested=10, seed=8).members()
    assert members != other
    k_i = np.array([m["light_limitation_k_i"] for m in members])
    strata = np.floor((k_i - 2.0) / 4.0 * 10).astype(int)
    assert sorted(strata) == list(range(10))  # one draw per stratum
    assert [m["growth_rate"] for m in members].count("eppley1972") == 5


def test_member_variants_apply_the_factors_and_keep_the_base_elsewhere() -> None:
    base = ModelVariants.from_mapping({"light_limitation": {"k_i": 3.3}})
    member = {"growth_rate": "eppley1972", "euphotic_depth_zeu_max": 150.0}
    variants = member_variants(base, member)
    assert variants.growth_rate.name == "eppley1972"
    assert variants.light_limitation.params["k_i"] == 3.3
    assert variants.euphotic_depth.params["zeu_max"] == 150.0
    assert variants.cell_area == base.cell_area


def test_too_many_members_are_refused() -> None:
    many = EnsembleDesign(FACTORS, "factorial", levels_per_parameter=300)
    with pytest.raises(SpecError, match="between 1 and"):
        check_size(many)


def test_the_member_block_equals_the_kernel_per_member() -> None:
    rng = np.random.default_rng(0)
    shape = (24, 3, 4)
    fields = [
        rng.uniform(1e-4, 1e-3, shape).astype("float32"),
        rng.uniform(-2, 28, shape).astype("float32"),
        rng.uniform(1, 50, shape).astype("float32"),
        rng.uniform(0.02, 0.2, shape).astype("float32"),
    ]
    ocean = np.ones(shape[1:], bool)
    ocean[0, 0] = False
    areas = rng.uniform(1e9, 2e9, (2, *shape[1:]))
    month = np.tile(np.arange(1, 13), 2)
    base = ModelVariants.from_mapping({})
    members = [member_variants(base, m) for m in EnsembleDesign(FACTORS[:2]).members()]
    annual, totals = np_member_block(fields, ocean, areas, month, members, 1)
    for m, variants in enumerate(members):
        production = np.where(ocean, np_ez_pic_production(*fields, variants), np.nan)
        mean = np_annual_mean(production.astype("float32"), month, 1)
        np.testing.assert_allclose(annual[m], mean)
        np.testing.assert_allclose(annual[m][ocean], production.mean(axis=0)[ocean], rtol=1e-5)
        expected = np.nansum(production * areas[0], axis=(1, 2)) * 1e-3 * 365 / 1e15
        np.testing.assert_allclose(totals[m, 0], expected, rtol=1e-6)
    assert np.isnan(annual[:, 0, 0]).all()
    assert (totals[:, -1] == ocean.sum()).all()  # every ocean cell valid in every month


def _inputs_with_every_missing_rule(shape: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    pic, sst, par, kd = (
        rng.uniform(lo, hi, shape).astype("float32")
        for lo, hi in ((-1e-4, 1e-3), (-2, 28), (-1, 50), (-0.01, 0.2))
    )
    for field in (pic, sst, par, kd):
        field[rng.random(shape) < 0.1] = np.nan
    return [pic, sst, par, kd]


@pytest.mark.parametrize(
    "design",
    [
        EnsembleDesign(
            (
                VariantFactor("growth_rate", ("fielding2013", "eppley1972")),
                VariantFactor("euphotic_depth", ("kd490_1pct", "morel2007")),
                VariantFactor("depth_factor", ("exponential", "vgpm")),
            )
        ),
        EnsembleDesign(
            (*FACTORS, ParameterFactor("euphotic_depth", "zeu_max", 150.0, 250.0)),
            "lhs",
            members_requested=2 * MAX_SHARED_FACTORS,
            seed=1,
        ),
    ],
    ids=["factorial", "latin-hypercube"],
)
def test_members_from_shared_factors_equal_the_kernel_bit_for_bit(
    design: EnsembleDesign,
) -> None:
    shape = (14, 5, 6)
    pic, sst, par, kd = fields = _inputs_with_every_missing_rule(shape)
    ocean = np.ones(shape[1:], bool)
    ocean[1, 2] = False
    weights = np.random.default_rng(2).uniform(1e9, 2e9, (2, *shape[1:])) * ocean
    month = (np.arange(14) + 8) % 12 + 1
    factors = SharedFactors(sst, kd)
    for member in design.members():
        variants = member_variants(ModelVariants.from_mapping({}), member)
        assert shares_factors(variants, fields)
        shared = member_production_reductions(fields, factors, variants, ocean, weights, month)
        production = np_ez_pic_production(*fields, variants)
        assert np.isnan(production).any() and (production > 0).any()
        sums, counts, totals, valid = member_reductions(production, ocean, weights, month)
        np.testing.assert_array_equal(shared[0], sums)  # the same float32 values, summed alike
        np.testing.assert_array_equal(shared[1], counts)
        np.testing.assert_allclose(shared[2], totals, rtol=1e-12)  # a dot product per step
        np.testing.assert_array_equal(shared[3], valid)


def test_the_compiled_annual_mean_equals_the_numpy_reference() -> None:
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 4, (12, 6, 7))
    counts[:, 0, 0] = 0  # never valid
    counts[:7, 1, 1] = 0  # five valid calendar months: below min_months=6
    sums = rng.uniform(0, 90, counts.shape) * counts
    compiled = annual_of_sums(sums, counts, 6)
    reference = np_annual_of_sums(sums, counts, 6)
    np.testing.assert_array_equal(compiled, reference)
    assert compiled.dtype == np.float32 and np.isnan(compiled[[0, 1], [0, 1]]).all()
    assert np.isfinite(compiled).sum() > 30


def test_compiled_member_reductions_equal_the_numpy_reference() -> None:
    rng = np.random.default_rng(3)
    production = rng.uniform(0, 50, (30, 7, 9)).astype("float32")
    production[rng.random(production.shape) < 0.3] = np.nan
    production[:, 2, 3] = np.nan  # a cell never valid
    ocean = rng.random((7, 9)) < 0.8
    weights = np.where(ocean, rng.uniform(1e9, 2e9, (2, 7, 9)), 0.0)
    month = (np.arange(30) + 8) % 12 + 1
    compiled = member_reductions(production, ocean, weights, month)
    reference = np_member_reductions(production, ocean, weights, month)
    np.testing.assert_array_equal(compiled[0], reference[0])
    np.testing.assert_array_equal(compiled[1], reference[1])
    np.testing.assert_allclose(compiled[2], reference[2], rtol=1e-12)
    np.testing.assert_array_equal(compiled[3], reference[3])
    assert compiled[1][:, 2, 3].sum() == 0 and compiled[1][:, ~ocean].sum() == 0


def test_spread_maps_order_the_quantiles_and_leave_land_missing() -> None:
    annual = np.stack([np.full((2, 2), v, dtype="float32") for v in range(1, 21)])
    annual[:, 0, 0] = np.nan
    maps = np_spread_maps(annual)
    assert np.isnan(maps["median"][0, 0])
    assert maps["p05"][1, 1] < maps["median"][1, 1] < maps["p95"][1, 1]
    expected = (maps["p95"][1, 1] - maps["p05"][1, 1]) / maps["median"][1, 1]
    assert maps["relative_spread"][1, 1] == pytest.approx(expected)


def test_attribution_of_an_additive_model_sums_to_one() -> None:
    design = EnsembleDesign(FACTORS, "factorial", levels_per_parameter=3)
    levels = pd.DataFrame(design.members())
    effect = {"fielding2013": 0.0, "eppley1972": 1.0, "exponential": 0.0, "vgpm": 3.0}
    y = [effect[g] + effect[d] + 0.1 * k for g, d, k in levels.itertuples(index=False)]
    base = {"growth_rate": "fielding2013", "depth_factor": "exponential"}
    table = attribution(levels, y, base | {"light_limitation_k_i": 4.0})
    indices = table.set_index("factor")["first_order_index"]
    assert indices.between(0, 1).all()
    assert indices.sum() == pytest.approx(1.0)
    assert indices.idxmax() == "depth_factor"
    row = table.set_index("factor").loc["depth_factor"]
    assert row["baseline"] == pytest.approx(0.4)
    assert (row["oat_min"], row["oat_max"]) == pytest.approx((0.4, 3.4))


def test_attribution_of_an_interaction_leaves_the_rest_unexplained() -> None:
    levels = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"]})
    table = attribution(levels, [0.0, 1.0, 1.0, 0.0], {"a": "x", "b": "u"})
    assert table["first_order_index"].tolist() == [0.0, 0.0]


def test_attribution_of_a_latin_hypercube_bins_continuous_factors() -> None:
    design = EnsembleDesign(FACTORS[2:], "lhs", members_requested=64, seed=1)
    levels = pd.DataFrame(design.members())
    y = 2.0 * levels["light_limitation_k_i"].to_numpy()
    table = attribution(levels, y, {"light_limitation_k_i": 4.1})
    assert table.loc[0, "levels"] == 8
    assert 0.9 < table.loc[0, "first_order_index"] <= 1.0


def test_nan_quantiles_equal_numpy() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=(16, 5, 7))
    values[rng.uniform(size=values.shape) < 0.3] = np.nan
    values[:, 0, 0] = np.nan
    q = (0.05, 0.5, 0.95)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanquantile(values, q, axis=0)
    np.testing.assert_allclose(np_nan_quantiles(values, q), expected, rtol=1e-12)


def test_the_baseline_member_tolerates_parameters_some_variants_lack() -> None:
    levels = pd.DataFrame(
        {
            "euphotic_depth": ["kd490_1pct", "morel2007", "kd490_1pct", "morel2007"],
            "euphotic_depth_c0": [np.nan, 0.05, np.nan, 0.08],
        }
    )
    table = attribution(levels, [1.0, 2.0, 1.5, 3.0], {"euphotic_depth": "kd490_1pct"})
    assert table["baseline"].tolist() == [1.0, 1.0]
    assert table["first_order_index"].between(0, 1).all()
