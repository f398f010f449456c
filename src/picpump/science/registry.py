"""The registry of model variants (package data ``variants.yaml``).

Every factor of the model is a named variant with its parameters and citation. A run picks
one per kind (or the default) and records the choice in every product.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from picpump.errors import SpecError, explain


@dataclass(frozen=True)
class Variant:
    """One named variant of a formula.

    Attributes
    ----------
    kind : str
        What it computes (``growth_rate``, ``cell_area`` ...).
    name : str
        Variant name (``fielding2013`` ...).
    params : mapping of str to float
        Its parameters.
    description, citation : str
        What it is and where it comes from.
    """

    kind: str
    name: str
    params: Mapping[str, float]
    description: str = ""
    citation: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-able record of the variant."""
        return {"name": self.name, "params": dict(self.params), "citation": self.citation}


@cache
def _registry() -> dict[str, Any]:
    text = files("picpump.science").joinpath("variants.yaml").read_text()
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def kinds() -> list[str]:
    """Return the kinds of formulas in the registry."""
    return list(_registry())


def variant_names(kind: str) -> list[str]:
    """Return the variant names of a kind."""
    return list(_kind(kind)["variants"])


def _kind(kind: str) -> dict[str, Any]:
    if kind not in _registry():
        raise SpecError(
            explain(f"a variant kind must be one of {kinds()}", repr(kind), "fix the name")
        )
    entry: dict[str, Any] = _registry()[kind]
    return entry


def variant(kind: str, name: str | None = None, **overrides: float) -> Variant:
    """Look up a variant, with parameter overrides.

    Parameters
    ----------
    kind : str
        The kind of formula.
    name : str, optional
        The variant; default: the kind's default.
    **overrides : float
        Parameter values replacing the registry's.

    Returns
    -------
    Variant
        The variant.

    Raises
    ------
    SpecError
        For an unknown kind, name or parameter.
    """
    entry = _kind(kind)
    name = name or entry["default"]
    if name not in entry["variants"]:
        raise SpecError(
            explain(
                f"a '{kind}' variant must be one of {variant_names(kind)}",
                repr(name),
                "pick one of those, or add a variant to variants.yaml",
            )
        )
    spec = entry["variants"][name]
    params = {k: float(v) for k, v in spec["params"].items()}
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        raise SpecError(
            explain(
                f"the parameters of {kind} '{name}' are {sorted(params)}",
                f"unknown {unknown}",
                "fix the parameter names",
            )
        )
    params.update({k: float(v) for k, v in overrides.items()})
    return Variant(kind, str(name), params, spec.get("description", ""), spec.get("citation", ""))


@dataclass(frozen=True)
class ModelVariants:
    """The variants of one run, one per kind."""

    growth_rate: Variant
    light_limitation: Variant
    euphotic_depth: Variant
    depth_factor: Variant
    pic_stock: Variant
    poc_stock: Variant
    cell_area: Variant
    open_ocean: Variant

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> ModelVariants:
        """Build from ``{kind: name}`` or ``{kind: {name: ..., param: value}}``; missing → default.

        Parameters
        ----------
        mapping : mapping
            The ``variants`` block of a pipeline spec.

        Returns
        -------
        ModelVariants
            The variants.
        """
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(mapping) - set(names))
        if unknown:
            raise SpecError(
                explain(f"variant kinds must be among {names}", f"{unknown}", "fix the names")
            )
        chosen = {}
        for kind in names:
            value = mapping.get(kind)
            if isinstance(value, Mapping):
                options = dict(value)
                chosen[kind] = variant(kind, options.pop("name", None), **options)
            else:
                chosen[kind] = variant(kind, None if value is None else str(value))
        return cls(**chosen)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Return a JSON-able record of every variant."""
        return {f.name: getattr(self, f.name).as_dict() for f in fields(self)}


__all__ = ["ModelVariants", "Variant", "kinds", "variant", "variant_names"]
