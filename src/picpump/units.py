"""Canonical variables: names, units and CF metadata, plus every unit conversion table.

The canonical internal form (settled once, in :mod:`picpump.io.ingest.reader`) uses the
variables below. Kernels never rename or convert; they trust these units. The tables of the
ancillary grids (export-pathway fractions, calcifier biomass) and of sediment-trap fluxes live
here too, each with its lookup function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from picpump.errors import UnitsError, explain

MOLAR_MASS_C = 12.011
"""Molar mass of carbon [g mol-1]."""

MOLAR_MASS_CACO3 = 100.087
"""Molar mass of calcium carbonate [g mol-1]."""

CACO3_TO_PIC = MOLAR_MASS_C / MOLAR_MASS_CACO3
"""Carbon mass per CaCO3 mass: 12.011 / 100.087 = 0.1200 (SCIENCE.md §6)."""


@dataclass(frozen=True)
class CanonicalVariable:
    """A canonical input variable.

    Attributes
    ----------
    name : str
        Canonical short name.
    units : str
        Canonical units (CF / UDUNITS spelling).
    long_name : str
        Human-readable name.
    standard_name : str or None
        CF standard name, where one exists.
    """

    name: str
    units: str
    long_name: str
    standard_name: str | None = None

    def attrs(self) -> dict[str, str]:
        """Return the CF attributes of this variable."""
        out = {"units": self.units, "long_name": self.long_name}
        if self.standard_name:
            out["standard_name"] = self.standard_name
        return out


CANONICAL: dict[str, CanonicalVariable] = {
    v.name: v
    for v in (
        CanonicalVariable(
            "pic",
            "mol m-3",
            "particulate inorganic carbon concentration (calcite), surface",
            "mole_concentration_of_calcite_expressed_as_carbon_in_sea_water",
        ),
        CanonicalVariable("sst", "degC", "sea surface temperature", "sea_surface_temperature"),
        CanonicalVariable(
            "par",
            "mol m-2 d-1",
            "photosynthetically available radiation, daily integral (mol photons)",
            "surface_downwelling_photosynthetic_photon_flux_in_air",
        ),
        CanonicalVariable(
            "kd490",
            "m-1",
            "diffuse attenuation coefficient at 490 nm",
            "volume_attenuation_coefficient_of_downwelling_radiative_flux_in_sea_water",
        ),
        CanonicalVariable(
            "poc",
            "mg m-3",
            "particulate organic carbon concentration, surface",
            "mass_concentration_of_particulate_organic_matter_expressed_as_carbon_in_sea_water",
        ),
        CanonicalVariable(
            "npp",
            "mg m-2 d-1",
            "net primary production of carbon, depth-integrated",
            "net_primary_productivity_of_biomass_expressed_as_carbon",
        ),
        CanonicalVariable(
            "elevation",
            "m",
            "bed elevation relative to sea level, positive up",
            "height_above_mean_sea_level",
        ),
    )
}


def canonical_spelling(units: str) -> str:
    """Normalise a units string for comparison (case, separators, powers)."""
    s = units.strip().lower()
    for a, b in (
        ("^", ""),
        ("**", ""),
        ("/m3", " m-3"),
        ("/m2", " m-2"),
        ("/m", " m-1"),
        ("/day", " d-1"),
        ("/d", " d-1"),
        (".", " "),
        ("day-1", "d-1"),
        ("einstein", "mol"),
        ("µ", "u"),
        ("μ", "u"),
        ("degrees_c", "degc"),
        ("degree_c", "degc"),
        ("milligrams", "mg"),
        ("milligram", "mg"),
        ("celsius", "degc"),
        ("kelvin", "k"),
        ("°c", "degc"),
    ):
        s = s.replace(a, b)
    return " ".join(s.split())


CONVERSIONS: dict[str, dict[str, tuple[float, float]]] = {
    "pic": {
        "mol m-3": (1.0, 0.0),
        "mmol m-3": (1e-3, 0.0),
        "umol m-3": (1e-6, 0.0),
        "mol c m-3": (1.0, 0.0),
        "mg c m-3": (1e-3 / MOLAR_MASS_C, 0.0),
    },
    "sst": {"degc": (1.0, 0.0), "c": (1.0, 0.0), "k": (1.0, -273.15)},
    "par": {"mol m-2 d-1": (1.0, 0.0), "mol photons m-2 d-1": (1.0, 0.0)},
    "kd490": {"m-1": (1.0, 0.0), "1/m": (1.0, 0.0)},
    "poc": {"mg m-3": (1.0, 0.0), "mg c m-3": (1.0, 0.0), "mmol m-3": (MOLAR_MASS_C, 0.0)},
    "npp": {
        "mg m-2 d-1": (1.0, 0.0),
        "mg c m-2 d-1": (1.0, 0.0),
        "mmol m-2 d-1": (MOLAR_MASS_C, 0.0),
        "g m-2 d-1": (1e3, 0.0),
        "g c m-2 d-1": (1e3, 0.0),
    },
    "elevation": {"m": (1.0, 0.0), "meters": (1.0, 0.0), "metres": (1.0, 0.0)},
}
"""Canonical variable → units (spelled by :func:`canonical_spelling`) → ``(factor, offset)``,
``canonical = raw * factor + offset``."""

AMBIGUOUS = {
    "pic": {
        "mg m-3": "mg m-3 does not say whether the mass is carbon or calcium carbonate; "
        "PIC is needed in mol m-3",
    }
}
"""Canonical variable → units refused as ambiguous → why."""


def conversion(variable: str, units: str | None, source: str = "") -> tuple[float, float]:
    """Return ``(factor, offset)`` converting ``units`` to the canonical units of ``variable``.

    Parameters
    ----------
    variable : str
        Canonical variable name (``pic``, ``sst``, ...).
    units : str or None
        Units as found in the file (or declared in the catalog).
    source : str, optional
        Where the units came from (a file name), for the error message.

    Returns
    -------
    tuple of float
        ``canonical = raw * factor + offset``.

    Raises
    ------
    UnitsError
        When the units are missing, ambiguous or unknown.
    """
    where = f" in {source}" if source else ""
    canon = CANONICAL[variable].units
    if units is None or not str(units).strip():
        raise UnitsError(
            explain(
                f"'{variable}' must carry a units attribute (canonical: {canon})",
                f"no units{where}",
                f"declare them in the catalog entry: args: {{units: '{canon}'}}",
            )
        )
    key = canonical_spelling(str(units))
    if key in AMBIGUOUS.get(variable, {}):
        raise UnitsError(
            explain(
                AMBIGUOUS[variable][key],
                f"units '{units}'{where}",
                "convert the archive to mol m-3, or declare 'mg C m-3' in the catalog entry "
                "(args: {units: 'mg C m-3'}) if the mass is carbon",
            )
        )
    table = CONVERSIONS[variable]
    if key not in table:
        raise UnitsError(
            explain(
                f"'{variable}' units must be one of {sorted(table)} (canonical: {canon})",
                f"units '{units}'{where}",
                "convert the data, or declare the right units in the catalog entry "
                "(args: {units: ...})",
            )
        )
    return table[key]


FRACTION_UNITS = {"1": 1.0, "": 1.0, "fraction": 1.0, "dimensionless": 1.0, "0-1": 1.0}
"""Units of a fraction 0…1 → factor to a fraction."""

PERCENT_UNITS = {"%": 0.01, "percent": 0.01, "pct": 0.01}
"""Units of a percentage → factor to a fraction."""


def fraction_factor(units: str | None, where: str) -> float:
    """Return the factor turning export-pathway values into fractions 0…1.

    Parameters
    ----------
    units : str or None
        ``1`` / ``fraction`` / ``dimensionless`` (factor 1) or ``%`` / ``percent`` (0.01).
    where : str
        The file and variable, for the message.

    Returns
    -------
    float
        Multiply the values by it.

    Raises
    ------
    UnitsError
        For missing or unknown units (the scale is never guessed from the values).
    """
    key = None if units is None else str(units).strip().lower()
    table = FRACTION_UNITS | PERCENT_UNITS
    if key not in table or units is None:
        raise UnitsError(
            explain(
                "export-pathway fractions must declare units '1' (0-1) or '%' (percent)",
                f"units {units!r} ({where})",
                "declare them in the catalog entry: args: {units: '%'} or {units: '1'}",
            )
        )
    return table[key]


BIOMASS_UNITS = "g m-3"
"""Units of calcifier carbon biomass (carbon implied)."""

BIOMASS_TO_G_M3 = {
    "g m-3": 1.0,
    "mg m-3": 1e-3,
    "ug m-3": 1e-6,
    "mol m-3": MOLAR_MASS_C,
    "mmol m-3": MOLAR_MASS_C * 1e-3,
    "umol m-3": MOLAR_MASS_C * 1e-6,
}
"""Carbon concentration units (spelled by :func:`biomass_spelling`) → factor to g m-3."""


def biomass_spelling(units: str) -> str:
    """Normalise a carbon concentration unit: drop 'C', spell powers and µ one way."""
    s = units.strip().lower().replace("µ", "u").replace("μ", "u")
    for a, b in (("**", ""), ("^", ""), ("/m3", " m-3"), ("m-3", " m-3"), ("/", " ")):
        s = s.replace(a, b)
    tokens = [t for t in s.replace("(", " ").replace(")", " ").split() if t not in ("c", "carbon")]
    return " ".join(tokens)


def biomass_factor(units: str | None, where: str) -> float:
    """Return the factor converting a carbon biomass concentration to g m-3.

    Parameters
    ----------
    units : str or None
        Units as found (``"mg C m-3"``, ``"µg C/m3"``, ``"mmol C m-3"`` ...).
    where : str
        The file and variable, for the message.

    Returns
    -------
    float
        Multiply the values by it.

    Raises
    ------
    UnitsError
        For missing or unknown units.
    """
    key = None if units is None else biomass_spelling(str(units))
    if key not in BIOMASS_TO_G_M3:
        raise UnitsError(
            explain(
                "calcifier biomass must be a carbon concentration, one of g, mg, µg, mol, mmol, "
                "µmol C m-3",
                f"units {units!r} ({where})",
                "declare them in the catalog entry: args: {units: 'g C m-3'}",
            )
        )
    return BIOMASS_TO_G_M3[key]


Substance = Literal["carbon", "caco3"]
"""What a trap flux column measures."""

FLUX_UNITS = "mg C m-2 d-1"
"""Units of ``pic_flux`` and ``poc_flux`` in the tidy trap table."""

FLUX_PREFIX = {"": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}
"""SI prefix of a flux unit (as spelled by :func:`normalise_flux_units`) → factor."""

FLUX_PATTERN = re.compile(r"(?P<prefix>[mun]?)(?P<base>g|mol)(?P<element>c|caco3)?/m2/d")
"""A flux unit after :func:`normalise_flux_units`: prefix, g or mol, element, per m² per day."""


def normalise_flux_units(units: str) -> str:
    """Normalise a flux unit string: ``"µg/m**2/day"`` → ``"ug/m2/d"``."""
    s = units.strip().lower()
    for old, new in (("µ", "u"), ("μ", "u"), ("**", ""), ("^", ""), ("per day", "/d")):
        s = s.replace(old, new)
    for old, new in (("day-1", "/d"), ("d-1", "/d"), ("m-2", "/m2"), ("/day", "/d")):
        s = s.replace(old, new)
    s = re.sub(r"\s+", "", s)
    return re.sub(r"/+", "/", s).strip("()[]")


def flux_factor(units: str, substance: Substance, where: str) -> float:
    """Return the factor converting a trap flux in ``units`` to mg C m-2 d-1.

    Mass units (g, mg, µg) of ``caco3`` are multiplied by :data:`CACO3_TO_PIC` unless the
    units say carbon (``mgC/m2/d``); molar units (mol, mmol, µmol) count carbon atoms (one per
    CaCO3), so they take the molar mass of carbon, 12.011 g mol-1, for both substances.

    Parameters
    ----------
    units : str
        Units as written in the file (``mg/m**2/day``, ``mmol m-2 d-1``, ``g/m2/day`` ...).
    substance : {"carbon", "caco3"}
        What the column measures.
    where : str
        File and column, for the error message.

    Returns
    -------
    float
        Multiply the values by it.

    Raises
    ------
    UnitsError
        When the units are not a mass or amount per m² per day.
    """
    match = FLUX_PATTERN.fullmatch(normalise_flux_units(units))
    if match is None:
        raise UnitsError(
            explain(
                "a trap flux must be a mass or amount per m² per day "
                "(g, mg, µg, mol, mmol, µmol per m**2 per day)",
                f"units '{units}' in {where}",
                "convert the column to mg/m**2/day, or extend picpump.units.flux_factor",
            )
        )
    scale = FLUX_PREFIX[match["prefix"]]
    if match["base"] == "mol":
        return scale * MOLAR_MASS_C * 1e3
    is_caco3_mass = match["element"] == "caco3" or (
        substance == "caco3" and match["element"] != "c"
    )
    return scale * 1e3 * (CACO3_TO_PIC if is_caco3_mass else 1.0)


__all__ = [
    "BIOMASS_TO_G_M3",
    "BIOMASS_UNITS",
    "CACO3_TO_PIC",
    "CANONICAL",
    "CONVERSIONS",
    "FLUX_PATTERN",
    "FLUX_PREFIX",
    "FLUX_UNITS",
    "FRACTION_UNITS",
    "MOLAR_MASS_C",
    "MOLAR_MASS_CACO3",
    "PERCENT_UNITS",
    "Substance",
    "AMBIGUOUS",
    "CanonicalVariable",
    "biomass_factor",
    "biomass_spelling",
    "canonical_spelling",
    "conversion",
    "flux_factor",
    "fraction_factor",
    "normalise_flux_units",
]
