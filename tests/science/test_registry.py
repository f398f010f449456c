"""The variant registry: contents, look-ups, overrides, records and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from picpump.errors import SpecError
from picpump.grid import Grid
from picpump.science import area, calcification, masks, stocks
from picpump.science.registry import (
    ModelVariants,
    Variant,
    _check_registry,
    kinds,
    variant,
    variant_names,
)

EXPECTED = {
    "growth_rate": ["fielding2013", "eppley1972"],
    "light_limitation": ["vgpm"],
    "euphotic_depth": ["kd490_1pct", "morel2007"],
    "depth_factor": ["exponential", "vgpm"],
    "pic_stock": ["balch2018_mmol", "balch2018_mg"],
    "poc_stock": ["balch2018_mmol", "balch2018_mg"],
    "cell_area": ["sphere", "toullec_eq5"],
    "open_ocean": ["depth_200m"],
    "thresholds": ["toullec2026"],
}


def test_every_kind_and_variant_defaults_first() -> None:
    assert kinds() == list(EXPECTED)
    for kind, names in EXPECTED.items():
        assert variant_names(kind) == names
        assert variant(kind).name == names[0]


def test_every_variant_is_documented_with_a_doi() -> None:
    for kind in kinds():
        for name in variant_names(kind):
            v = variant(kind, name)
            assert v.description and v.params
            assert all(isinstance(x, float) for x in v.params.values())
            # Eppley 1972 (Fishery Bulletin) has no DOI; its citation says so
            assert "doi:10." in v.citation or "no DOI" in v.citation, (kind, name)


def test_parameters_of_the_defaults() -> None:
    assert variant("growth_rate").params == {"a": 0.1419, "b": 0.8151}
    assert variant("light_limitation").params == {"k_i": 4.1}
    assert variant("euphotic_depth").params == {"zeu_max": 200.0}
    assert variant("euphotic_depth", "morel2007").params["c2"] == -0.00121
    assert variant("cell_area").params == {"radius": 6371007.2}
    assert variant("open_ocean").params == {"min_depth": 200.0}
    assert variant("thresholds").params == {"matchup_min_production_mg_m2_d": 0.1}


SMALL: dict[str, Callable[[Variant], Any]] = {
    "growth_rate": lambda v: calcification.np_growth_rate(np.array([10.0]), v),
    "light_limitation": lambda v: calcification.np_light_limitation(np.array([10.0]), v),
    "euphotic_depth": lambda v: calcification.np_euphotic_depth(np.array([0.1]), v),
    "depth_factor": lambda v: calcification.np_depth_factor(np.array([50.0]), v),
    "pic_stock": lambda v: stocks.np_pic_stock_100(np.array([1e-4]), v),
    "poc_stock": lambda v: stocks.np_poc_stock_100(np.array([50.0]), v),
    "cell_area": lambda v: area.np_cell_area(Grid(1.0).lat, 1.0, v),
    "open_ocean": lambda v: masks.np_open_ocean(np.full((2, 2), -500.0), 2, v.params["min_depth"]),
}


@pytest.mark.parametrize("kind", list(SMALL))
def test_every_registered_variant_has_a_kernel(kind: str) -> None:
    for name in variant_names(kind):
        out = SMALL[kind](variant(kind, name))
        assert np.all(np.isfinite(out)), (kind, name)


def test_overrides_replace_parameters() -> None:
    v = variant("light_limitation", k_i=3.0)
    assert v.name == "vgpm" and v.params == {"k_i": 3.0}
    assert variant("light_limitation").params == {"k_i": 4.1}  # the registry is untouched


def test_model_variants_from_mapping_and_record() -> None:
    mv = ModelVariants.from_mapping(
        {
            "growth_rate": "eppley1972",
            "light_limitation": {"name": "vgpm", "k_i": 3.0},
            "euphotic_depth": {"zeu_max": 150},  # default variant, one parameter changed
            "cell_area": variant("cell_area", "toullec_eq5"),
        }
    )
    assert mv.growth_rate.name == "eppley1972"
    assert mv.light_limitation.params["k_i"] == 3.0
    assert mv.euphotic_depth.name == "kd490_1pct" and mv.euphotic_depth.params["zeu_max"] == 150
    assert mv.cell_area.name == "toullec_eq5"
    assert mv.depth_factor == variant("depth_factor")  # missing kinds take the default
    record = json.loads(json.dumps(mv.as_dict()))
    assert set(record) == {
        "growth_rate",
        "light_limitation",
        "euphotic_depth",
        "depth_factor",
        "pic_stock",
        "poc_stock",
        "cell_area",
        "open_ocean",
    }
    assert record["light_limitation"] == {
        "name": "vgpm",
        "params": {"k_i": 3.0},
        "citation": variant("light_limitation").citation,
    }
    assert ModelVariants.from_mapping(None) == ModelVariants.from_mapping({})


def test_variants_are_hashable_values() -> None:
    assert variant("growth_rate") == variant("growth_rate")
    assert variant("light_limitation", k_i=3.0) != variant("light_limitation")
    assert len({variant("growth_rate"), variant("growth_rate")}) == 1
    assert hash(ModelVariants.from_mapping({})) == hash(ModelVariants.from_mapping({}))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: variant("colour"), r"kind must be one of \['growth_rate', .*'thresholds'\]"),
        (
            lambda: variant("growth_rate", "nobody2099"),
            r"'growth_rate' variant must be one of \['fielding2013', 'eppley1972'\]",
        ),
        (
            lambda: variant("light_limitation", "vgpm", k_j=3.0),
            r"parameters of light_limitation 'vgpm' are \['k_i'\](.|\n)*unknown.*'k_j'",
        ),
        (lambda: variant("light_limitation", k_i="3"), "must be numbers"),
        (lambda: variant("light_limitation", k_i=True), "must be numbers"),
        (
            lambda: ModelVariants.from_mapping({"growht_rate": "eppley1972"}),
            r"kinds must be among \['growth_rate', .*\](.|\n)*growht_rate",
        ),
        (
            lambda: ModelVariants.from_mapping({"growth_rate": {"name": "eppley1972", "c": 1}}),
            r"parameters of growth_rate 'eppley1972' are \['a', 'b'\]",
        ),
        (lambda: ModelVariants.from_mapping({"growth_rate": 3}), "variant name or a mapping"),
        (lambda: ModelVariants.from_mapping(["growth_rate"]), "must be a mapping"),  # type: ignore[arg-type]
    ],
)
def test_registry_errors_name_the_choices(call: Callable[[], object], match: str) -> None:
    with pytest.raises(SpecError, match=match):
        call()


def test_malformed_registry_is_refused() -> None:
    broken = {
        "growth_rate": {
            "default": "missing",
            "variants": {"x": {"description": "d", "citation": "c", "params": {"a": "one"}}},
        }
    }
    with pytest.raises(SpecError, match=r"growth_rate: needs 'default:'(.|\n)*numbers"):
        _check_registry(broken)
    with pytest.raises(SpecError, match="an empty registry"):
        _check_registry({})


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: calcification.np_growth_rate(np.ones(2), variant("light_limitation")),
            r"needs a 'growth_rate' variant(.|\n)*light_limitation 'vgpm'",
        ),
        (
            lambda: calcification.np_depth_factor(np.ones(2), variant("euphotic_depth")),
            "needs a 'depth_factor' variant",
        ),
        (lambda: stocks.np_pic_stock_100(np.ones(2), variant("poc_stock")), "'pic_stock'"),
        (lambda: area.np_cell_area(np.ones(2), 1.0, variant("growth_rate")), "'cell_area'"),
    ],
)
def test_kernels_refuse_a_variant_of_another_kind(call: Callable[[], object], match: str) -> None:
    with pytest.raises(SpecError, match=match):
        call()
