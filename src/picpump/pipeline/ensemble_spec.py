"""The ``ensemble:`` section of a pipeline spec → an :class:`EnsembleDesign`.

.. code-block:: yaml

    ensemble:
      sampling: factorial        # or lhs
      members: 16                # lhs only
      seed: 0                    # lhs only (recorded in every ensemble product)
      levels: 3                  # factorial levels of each parameter range
      variants: {growth_rate: all, euphotic_depth: [kd490_1pct, morel2007]}
      parameters: {k_i: [2.0, 6.0], euphotic_depth.zeu_max: [150, 250]}

``ensemble: all`` (or ``picpump run --ensemble all``) is the factorial of every registered
variant of every kind of the production model.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from typing import Any

from picpump.errors import SpecError, explain
from picpump.science.ensemble import (
    PRODUCTION_KINDS,
    SAMPLINGS,
    EnsembleDesign,
    ParameterFactor,
    VariantFactor,
    check_size,
)
from picpump.science.registry import variant, variant_names

KEYS = ("sampling", "members", "seed", "levels", "variants", "parameters")
EXAMPLE = "write e.g. ensemble: {variants: {growth_rate: all}, parameters: {k_i: [2.0, 6.0]}}"


def _refuse(rule: str, received: Any, fix: str = EXAMPLE) -> SpecError:
    return SpecError(explain(rule, repr(received), fix))


def _variant_factor(kind: Any, names: Any) -> VariantFactor:
    if kind not in PRODUCTION_KINDS:
        raise _refuse(f"ensemble variant factors are kinds among {list(PRODUCTION_KINDS)}", kind)
    if names == "all":
        return VariantFactor(kind, tuple(variant_names(kind)))
    if not isinstance(names, list) or not names:
        raise _refuse(f"'ensemble.variants.{kind}' is 'all' or a list of variant names", names)
    for name in names:
        variant(kind, str(name))  # refuses unknown names, listing the valid ones
    return VariantFactor(kind, tuple(dict.fromkeys(str(n) for n in names)))


def _owner(key: str, kinds: Mapping[str, tuple[str, ...]]) -> tuple[str, str]:
    """Return the kind owning a parameter key, ``kind.param`` or an unambiguous ``param``."""
    if "." in key:
        kind, param = key.split(".", 1)
        owners = [kind] if param in _params(kind, kinds.get(kind)) else []
    else:
        param = key
        owners = [k for k in PRODUCTION_KINDS if param in _params(k, kinds.get(k))]
    if len(owners) != 1:
        raise _refuse(
            "an ensemble parameter names one parameter of a sampled production variant, "
            "as 'param' when unambiguous or 'kind.param'",
            key,
            "e.g. k_i, zeu_max or growth_rate.a (see picpump/science/variants.yaml)",
        )
    return owners[0], param


def _params(kind: str, names: tuple[str, ...] | None) -> set[str]:
    if kind not in PRODUCTION_KINDS:
        return set()
    chosen = names or (variant(kind).name,)
    return {p for name in chosen for p in variant(kind, name).params}


def _parameter_factor(key: Any, bounds: Any, kinds: Mapping[str, tuple[str, ...]]) -> Any:
    kind, param = _owner(str(key), kinds)
    numbers = isinstance(bounds, list) and len(bounds) == 2
    if not numbers or not all(isinstance(b, Real) and not isinstance(b, bool) for b in bounds):
        raise _refuse(f"'ensemble.parameters.{key}' is a range [low, high] of numbers", bounds)
    low, high = float(bounds[0]), float(bounds[1])
    if not low < high:
        raise _refuse(f"the range of '{key}' has low < high", bounds, "write [low, high]")
    return ParameterFactor(kind, param, low, high)


def _integer(raw: Mapping[str, Any], key: str, default: int, minimum: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _refuse(f"'ensemble.{key}' is an integer ≥ {minimum}", value)
    return value


def parse_ensemble(raw: Any) -> EnsembleDesign | None:
    """Validate the ``ensemble:`` section of a spec.

    Parameters
    ----------
    raw : mapping, "all" or None
        The section as read; ``None`` (absent) means no ensemble.

    Returns
    -------
    EnsembleDesign or None
        The design.

    Raises
    ------
    SpecError
        With the rule, the value received and the fix.
    """
    if raw is None:
        return None
    if raw == "all":
        raw = {"variants": dict.fromkeys(PRODUCTION_KINDS, "all")}
    if not isinstance(raw, Mapping):
        raise _refuse("'ensemble' is a mapping, or 'all'", raw)
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise _refuse(f"'ensemble' keys are among {list(KEYS)}", unknown)
    sampling = raw.get("sampling", "factorial")
    if sampling not in SAMPLINGS:
        raise _refuse(f"'ensemble.sampling' is one of {list(SAMPLINGS)}", sampling)
    variants, parameters = raw.get("variants") or {}, raw.get("parameters") or {}
    if not isinstance(variants, Mapping) or not isinstance(parameters, Mapping):
        raise _refuse("'ensemble.variants' and 'ensemble.parameters' are mappings", raw)
    chosen = [_variant_factor(kind, names) for kind, names in variants.items()]
    kinds = {f.kind: f.names for f in chosen}
    factors = (*chosen, *(_parameter_factor(k, b, kinds) for k, b in parameters.items()))
    if not factors:
        raise _refuse("an ensemble names at least one variant family or parameter range", raw)
    design = EnsembleDesign(
        factors=factors,
        sampling=str(sampling),
        members_requested=_integer(raw, "members", 16, 2),
        levels_per_parameter=_integer(raw, "levels", 3, 2),
        seed=_integer(raw, "seed", 0, 0),
    )
    return check_size(design)


__all__ = ["parse_ensemble"]
