"""The registry of model variants (package data ``variants.yaml``).

Every factor of the model is a named variant with its parameters and citation. A run picks one
variant per kind (or the kind's default), may override its parameters, and records the choice
(:meth:`ModelVariants.as_dict`) in every product.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from importlib.resources import files
from numbers import Real
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
        Its parameters (a private copy; plain floats).
    description : str
        The formula in words, with units.
    citation : str
        The source, with its DOI.
    """

    kind: str
    name: str
    params: Mapping[str, float] = field(default_factory=dict, hash=False)
    description: str = ""
    citation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", {k: float(v) for k, v in self.params.items()})

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-able record: name, params and citation."""
        return {"name": self.name, "params": dict(self.params), "citation": self.citation}


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_registry(registry: Any) -> dict[str, Any]:
    """Fail early, naming the entry, if the package data is malformed."""
    problems = []
    for kind, entry in (registry or {}).items():
        variants = (entry.get("variants") or {}) if isinstance(entry, dict) else {}
        if not isinstance(entry, dict) or entry.get("default") not in variants:
            problems.append(f"{kind}: needs 'default:' naming one of its 'variants:'")
        for name, spec in variants.items():
            params = spec.get("params") if isinstance(spec, dict) else None
            if not isinstance(params, dict) or not all(map(_is_number, params.values())):
                problems.append(f"{kind}.{name}: 'params' must map names to numbers")
            elif not (spec.get("description") and spec.get("citation")):
                problems.append(f"{kind}.{name}: needs a 'description' and a 'citation'")
    if problems or not registry:
        raise SpecError(
            explain(
                "every kind in variants.yaml has a default, and every variant a description, "
                "a citation and numeric params",
                "; ".join(problems) or "an empty registry",
                "fix picpump/science/variants.yaml",
            )
        )
    return dict(registry)


@cache
def _registry() -> dict[str, Any]:
    text = files("picpump.science").joinpath("variants.yaml").read_text(encoding="utf-8")
    return _check_registry(yaml.safe_load(text))


def kinds() -> list[str]:
    """Return the kinds of formula in the registry, in file order."""
    return list(_registry())


def variant_names(kind: str) -> list[str]:
    """Return the variant names of ``kind``, in file order.

    Parameters
    ----------
    kind : str
        A kind listed by :func:`kinds`.

    Returns
    -------
    list of str
        The names; the default is among them.
    """
    return list(_kind(kind)["variants"])


def _kind(kind: str) -> dict[str, Any]:
    registry = _registry()
    if kind not in registry:
        raise SpecError(
            explain(
                f"a variant kind must be one of {kinds()}",
                repr(kind),
                "use one of those kinds (see picpump/science/variants.yaml)",
            )
        )
    entry: dict[str, Any] = registry[kind]
    return entry


def variant(kind: str, name: str | None = None, **overrides: float) -> Variant:
    """Look up a variant of the registry, with optional parameter overrides.

    Parameters
    ----------
    kind : str
        The kind of formula (see :func:`kinds`).
    name : str, optional
        The variant; ``None`` gives the kind's default.
    **overrides : float
        Parameter values replacing the registry's (only existing parameters).

    Returns
    -------
    Variant
        The variant, with its description and citation.

    Raises
    ------
    SpecError
        For an unknown kind, name or parameter, or a non-numeric value; the message lists the
        valid choices.
    """
    entry = _kind(kind)
    name = entry["default"] if name is None else name
    if name not in entry["variants"]:
        raise SpecError(
            explain(
                f"a '{kind}' variant must be one of {variant_names(kind)}",
                repr(name),
                f"pick one of those (default: {entry['default']!r}) or add one to variants.yaml",
            )
        )
    spec = entry["variants"][name]
    params = dict(spec["params"])
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        raise SpecError(
            explain(
                f"the parameters of {kind} '{name}' are {sorted(params)}",
                f"unknown parameter(s) {unknown}",
                "override only those parameters, or choose another variant",
            )
        )
    bad = {k: v for k, v in overrides.items() if not _is_number(v)}
    if bad:
        raise SpecError(
            explain(
                f"parameter overrides of {kind} '{name}' must be numbers",
                repr(bad),
                "give plain numbers, e.g. k_i: 3.0",
            )
        )
    params.update(overrides)
    return Variant(kind, str(name), params, spec["description"], spec["citation"])


@dataclass(frozen=True)
class ModelVariants:
    """The variants of one run, one per kind of the model.

    Build it with :meth:`from_mapping`; record it with :meth:`as_dict`.
    """

    growth_rate: Variant
    light_limitation: Variant
    euphotic_depth: Variant
    depth_factor: Variant
    pic_stock: Variant
    poc_stock: Variant
    cell_area: Variant
    open_ocean: Variant

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None = None) -> ModelVariants:
        """Build from a spec's ``variants`` block; missing kinds take their default.

        Parameters
        ----------
        mapping : mapping, optional
            ``{kind: name}``, ``{kind: {"name": name, param: value, ...}}`` (``name`` optional:
            default variant with overridden params) or ``{kind: Variant}``.

        Returns
        -------
        ModelVariants
            The variants.

        Raises
        ------
        SpecError
            For an unknown kind, variant or parameter, or a malformed entry.
        """
        names = [f.name for f in fields(cls)]
        mapping = {} if mapping is None else mapping
        if not isinstance(mapping, Mapping):
            raise SpecError(
                explain("'variants' must be a mapping of kind → variant", repr(mapping), _EXAMPLE)
            )
        unknown = sorted(set(mapping) - set(names))
        if unknown:
            raise SpecError(
                explain(f"model variant kinds must be among {names}", f"{unknown}", _EXAMPLE)
            )
        return cls(**{kind: _one(kind, mapping.get(kind)) for kind in names})

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Return a JSON-able record ``{kind: {name, params, citation}}`` of every variant."""
        return {f.name: getattr(self, f.name).as_dict() for f in fields(self)}


_EXAMPLE = "write e.g. {growth_rate: eppley1972, light_limitation: {name: vgpm, k_i: 3.0}}"


def _one(kind: str, value: Any) -> Variant:
    if isinstance(value, Variant) and value.kind == kind:
        return value
    if value is None or isinstance(value, str):
        return variant(kind, value)
    if isinstance(value, Mapping):
        options = dict(value)
        name = options.pop("name", None)
        return variant(kind, None if name is None else str(name), **options)
    raise SpecError(
        explain(
            f"the '{kind}' entry must be a variant name or a mapping with 'name' and params",
            repr(value),
            _EXAMPLE,
        )
    )


__all__ = ["ModelVariants", "Variant", "kinds", "variant", "variant_names"]
