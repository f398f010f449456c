r"""Structural-uncertainty ensembles of the production model: factors, sampling, members.

An ensemble varies factors of :math:`P_{EZ} = PIC \cdot \\mu \cdot h \cdot g` (SCIENCE.md §1):
a *variant factor* picks among registry variants of one kind (``growth_rate``: fielding2013,
eppley1972), a *parameter factor* draws one parameter of a kind within a range
(``light_limitation`` ``k_i`` in [2, 6]). :class:`EnsembleDesign` samples them as a full
factorial or as a seeded Latin hypercube; the members are reproducible from the design alone.
:func:`member_variants` turns a member into the :class:`~picpump.science.registry.ModelVariants`
of a single run.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from picpump.errors import SpecError, explain
from picpump.science.registry import ModelVariants, variant

PRODUCTION_KINDS = ("growth_rate", "light_limitation", "euphotic_depth", "depth_factor")
"""The kinds of the production model an ensemble can vary."""
SAMPLINGS = ("factorial", "lhs")
MAX_MEMBERS = 1024

Level = str | float


@dataclass(frozen=True)
class VariantFactor:
    """A factor choosing among named variants of one kind.

    Attributes
    ----------
    kind : str
        One of :data:`PRODUCTION_KINDS`.
    names : tuple of str
        The variants sampled.
    """

    kind: str
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        """The factor's name (the kind)."""
        return self.kind

    def levels(self, count: int) -> list[Level]:
        """Return the factorial levels: every variant (``count`` is ignored)."""
        return list(self.names)

    def at(self, u: float) -> Level:
        """Return the level of a uniform draw ``u`` in [0, 1): equal strata per variant."""
        return self.names[min(int(u * len(self.names)), len(self.names) - 1)]


@dataclass(frozen=True)
class ParameterFactor:
    """A factor drawing one parameter of a kind within a closed range.

    Attributes
    ----------
    kind : str
        One of :data:`PRODUCTION_KINDS`.
    param : str
        The parameter (it must belong to at least one sampled variant of the kind).
    low, high : float
        The range.
    """

    kind: str
    param: str
    low: float
    high: float

    @property
    def name(self) -> str:
        """The factor's name, ``<kind>_<param>``."""
        return f"{self.kind}_{self.param}"

    def levels(self, count: int) -> list[Level]:
        """Return the factorial levels: ``count`` values evenly spaced over the range."""
        return [float(x) for x in np.linspace(self.low, self.high, count)]

    def at(self, u: float) -> Level:
        """Return the value of a uniform draw ``u`` in [0, 1)."""
        return float(self.low + u * (self.high - self.low))


Factor = VariantFactor | ParameterFactor


@dataclass(frozen=True)
class EnsembleDesign:
    """The factors of an ensemble and how they are sampled.

    Attributes
    ----------
    factors : tuple of Factor
        Variant factors first, then parameter factors.
    sampling : str
        ``factorial`` (every combination) or ``lhs`` (a Latin hypercube of ``members``).
    members_requested : int
        Number of Latin-hypercube members (ignored by the factorial).
    levels_per_parameter : int
        Factorial levels of each parameter factor.
    seed : int
        Seed of the Latin hypercube (recorded with every product).
    """

    factors: tuple[Factor, ...]
    sampling: str = "factorial"
    members_requested: int = 16
    levels_per_parameter: int = 3
    seed: int = 0

    def members(self) -> list[dict[str, Level]]:
        """Return the members, each ``{factor name: level}``, in a reproducible order."""
        if self.sampling == "factorial":
            grids = [f.levels(self.levels_per_parameter) for f in self.factors]
            return [
                dict(zip(self.names, combo, strict=True)) for combo in itertools.product(*grids)
            ]
        from scipy.stats import qmc  # scipy.stats takes ~1 s to import: only when sampling

        sampler = qmc.LatinHypercube(d=len(self.factors), rng=np.random.default_rng(self.seed))
        draws = sampler.random(self.members_requested)
        return [{f.name: f.at(u) for f, u in zip(self.factors, row, strict=True)} for row in draws]

    @property
    def names(self) -> list[str]:
        """The factor names, in order."""
        return [f.name for f in self.factors]

    @property
    def size(self) -> int:
        """The number of members, without sampling them."""
        if self.sampling == "lhs":
            return self.members_requested
        return math.prod(len(f.levels(self.levels_per_parameter)) for f in self.factors)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-able record of the design (recorded in every ensemble product)."""
        return {
            "sampling": self.sampling,
            "members": self.size,
            "levels": self.levels_per_parameter,
            "seed": self.seed,
            "variants": {
                f.kind: list(f.names) for f in self.factors if isinstance(f, VariantFactor)
            },
            "parameters": {
                f.name: [f.low, f.high] for f in self.factors if isinstance(f, ParameterFactor)
            },
        }


def member_variants(base: ModelVariants, member: Mapping[str, Level]) -> ModelVariants:
    """Return the variants of one member: ``base`` with the member's factors applied.

    A kind keeps its base variant (with the base's parameters) unless a variant factor picks
    another; a parameter factor sets its parameter when the member's variant has it.

    Parameters
    ----------
    base : ModelVariants
        The run's variants (the spec's ``variants:`` block).
    member : mapping
        ``{factor name: level}`` from :meth:`EnsembleDesign.members`.

    Returns
    -------
    ModelVariants
        The member's variants.
    """
    changes = {}
    for kind in PRODUCTION_KINDS:
        current = getattr(base, kind)
        name = str(member.get(kind, current.name))
        params = dict(current.params) if name == current.name else {}
        default = variant(kind, name).params
        for key, value in member.items():
            param = key[len(kind) + 1 :]
            if key.startswith(f"{kind}_") and param in default and not isinstance(value, str):
                params[param] = float(value)
        changes[kind] = variant(kind, name, **params)
    return replace(base, **changes)


def member_label(member: Mapping[str, Level]) -> str:
    """Return a short readable label of a member, e.g. ``growth_rate=eppley1972 k_i=3``."""
    return " ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in member.items()
    )


def check_size(design: EnsembleDesign) -> EnsembleDesign:
    """Refuse designs with no member or more than :data:`MAX_MEMBERS` members."""
    if not 1 <= design.size <= MAX_MEMBERS:
        raise SpecError(
            explain(
                f"an ensemble has between 1 and {MAX_MEMBERS} members",
                f"{design.size} members ({design.sampling})",
                "sample fewer factors or levels, or use 'sampling: lhs' with 'members: N'",
            )
        )
    return design


__all__ = [
    "MAX_MEMBERS",
    "PRODUCTION_KINDS",
    "SAMPLINGS",
    "EnsembleDesign",
    "Factor",
    "ParameterFactor",
    "VariantFactor",
    "check_size",
    "member_label",
    "member_variants",
]
