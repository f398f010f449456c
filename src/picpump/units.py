"""Canonical variables: names, units and CF metadata, plus unit conversion rules.

The canonical internal form (settled once, in :mod:`picpump.io.ingest.reader`) uses the
variables below. Kernels never rename or convert; they trust these units.
"""

from __future__ import annotations

from dataclasses import dataclass

from picpump.errors import UnitsError, explain

MOLAR_MASS_C = 12.011
"""Molar mass of carbon [g mol-1]."""


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


def _spelling(units: str) -> str:
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


# factor, offset: canonical = raw * factor + offset
_CONVERSIONS: dict[str, dict[str, tuple[float, float]]] = {
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

_AMBIGUOUS = {
    "pic": {
        "mg m-3": "mg m-3 does not say whether the mass is carbon or calcium carbonate; "
        "PIC is needed in mol m-3",
    }
}


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
    key = _spelling(str(units))
    if key in _AMBIGUOUS.get(variable, {}):
        raise UnitsError(
            explain(
                _AMBIGUOUS[variable][key],
                f"units '{units}'{where}",
                "convert the archive to mol m-3, or declare 'mg C m-3' in the catalog entry "
                "(args: {units: 'mg C m-3'}) if the mass is carbon",
            )
        )
    table = _CONVERSIONS[variable]
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


__all__ = ["CANONICAL", "MOLAR_MASS_C", "CanonicalVariable", "conversion"]
