"""Pipeline spec validation: the paper's spec loads; mistakes are refused clearly."""

from __future__ import annotations

import pytest
import yaml

from picpump.errors import SpecError
from picpump.period import Period
from picpump.pipeline.spec import load_spec, parse_spec
from tests.conftest import REPO

PAPER = REPO / "pipelines" / "toullec2026.yaml"


def _raw() -> dict:
    return yaml.safe_load(PAPER.read_text())


def test_the_paper_spec_loads() -> None:
    spec = load_spec(str(PAPER))
    assert spec.period == Period.parse("1997-09:2022-10")
    assert len(spec.period) == 302 and len(spec.period.months) == 302
    assert spec.grid.shape == (180, 360)
    assert spec.variants.growth_rate.name == "fielding2013"
    assert spec.variants.light_limitation.params["k_i"] == 4.1
    assert spec.area_variants == ("sphere", "toullec_eq5")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"colour": 1}, "spec keys must be among"),
        ({"period": {"start": "2001-13", "end": "2002-01"}}, "'period' must be"),
        ({"period": {"start": "2002-01", "end": "2001-01"}}, "ending after it starts"),
        ({"climatology": {"order": "sideways"}}, "climatology.order"),
        ({"outputs": ["figures"]}, "'outputs' must be one of"),
        ({"inputs": {"pic": "pic"}}, "must map each of"),
        ({"variants": {"growth_rate": "nobody2099"}}, "nobody2099"),
    ],
)
def test_mistakes_are_refused_with_rule_and_fix(change: dict, match: str) -> None:
    with pytest.raises(SpecError, match=match) as info:
        parse_spec({**_raw(), **change})
    assert "fix" in str(info.value)


def test_a_missing_spec_file(tmp_path) -> None:
    with pytest.raises(SpecError, match="must exist"):
        load_spec(str(tmp_path / "absent.yaml"))
