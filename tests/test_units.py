"""Unit tables: canonical variables, export-pathway fractions, calcifier biomass, trap fluxes."""

from __future__ import annotations

import pytest

from picpump.errors import UnitsError
from picpump.units import (
    CACO3_TO_PIC,
    MOLAR_MASS_C,
    biomass_factor,
    biomass_spelling,
    conversion,
    flux_factor,
    fraction_factor,
    normalise_flux_units,
)


def test_canonical_conversions() -> None:
    assert conversion("sst", "kelvin") == (1.0, -273.15)
    assert conversion("pic", "mg C m^-3") == (1e-3 / MOLAR_MASS_C, 0.0)
    with pytest.raises(UnitsError, match="does not say whether the mass is carbon"):
        conversion("pic", "mg m-3")
    with pytest.raises(UnitsError, match="must carry a units attribute"):
        conversion("npp", None)


@pytest.mark.parametrize(("units", "factor"), [("%", 0.01), ("Percent", 0.01), ("1", 1.0)])
def test_fraction_factor(units: str, factor: float) -> None:
    assert fraction_factor(units, "x") == factor


@pytest.mark.parametrize("units", [None, "m", "per mille"])
def test_fraction_units_are_never_guessed(units: str | None) -> None:
    with pytest.raises(UnitsError, match="export-pathway fractions"):
        fraction_factor(units, "x")


@pytest.mark.parametrize(
    ("units", "factor"),
    [("g C m-3", 1.0), ("µg C/m3", 1e-6), ("mg m**-3", 1e-3), ("mmol C m-3", MOLAR_MASS_C * 1e-3)],
)
def test_biomass_factor(units: str, factor: float) -> None:
    assert biomass_factor(units, "x") == pytest.approx(factor)


def test_biomass_spelling_and_refusal() -> None:
    assert biomass_spelling("µg (C)/m3") == "ug m-3"
    with pytest.raises(UnitsError, match="calcifier biomass"):
        biomass_factor("g m-2", "x")


@pytest.mark.parametrize(
    ("units", "substance", "factor"),
    [
        ("mg/m**2/day", "carbon", 1.0),
        ("mg/m**2/day", "caco3", CACO3_TO_PIC),
        ("mgC/m2/d", "caco3", 1.0),
        ("mmol m-2 d-1", "caco3", MOLAR_MASS_C),
        ("µg/m^2/day", "carbon", 1e-3),
    ],
)
def test_flux_factor(units: str, substance: str, factor: float) -> None:
    assert flux_factor(units, substance, "t") == pytest.approx(factor)  # type: ignore[arg-type]


def test_flux_units_spelling_and_refusal() -> None:
    assert normalise_flux_units("(µg/m**2/day)") == "ug/m2/d"
    with pytest.raises(UnitsError, match="per m² per day"):
        flux_factor("mg/m3", "carbon", "file.tab")
