"""The pack model: parameters, criteria, derived tables, ranking; canonical form and digest.

A :class:`Pack` is a fully resolved, validated pack version (``rules.pack.validation`` builds it
from a document). Each part writes its canonical data form (literals as a pack writes them), and
the resolved pack's RFC 8785 JSON is what is digested and stored: its SHA-256 is the pack's
identity. The pack also derives, per target level, the converter settings and the compiled
durable_rules ruleset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

import rfc8785

from rules.compiler import CompiledLevel, compile_level
from rules.conditions import Condition, ParamRef, Value, resolve, to_data
from rules.derive import PERFORMANCE_AXIS, POTENTIAL_AXIS, DerivationSettings
from rules.errors import PackInvalid, PackNotEffective
from rules.ranking import STATUS_ORDER, RankKey, ReadinessRule
from rules.text import Text
from rules.valuetypes import TYPES, ValueType
from rules.vocab import PositionLevel, Predicate

FORMAT: Final = 1
"""Version of the pack format (part of the canonical form)."""
TIGHTEN: Final = ("min", "max", "fixed", "subset", "superset")

CONVERTER_PARAMETERS: Final[Mapping[str, tuple[str, bool]]] = {
    "prior_position_levels": ("position_level", True),
    "performance_window_years": ("years", False),
    "penalty_lookback_months": ("months", False),
    "talent_pool_boxes": ("box", True),
}
"""Parameters every pack defines for every level: the fact converter and 9-box read them."""


@dataclass(frozen=True, slots=True)
class ParamDef:
    """A typed parameter: one value for every level, or one per level."""

    name: str
    type: ValueType
    is_list: bool
    tighten: str
    default: Value | None
    per_level: Mapping[PositionLevel, Value]
    source: str = ""
    note: str = ""
    unconfirmed: bool = False

    def value_for(self, level: PositionLevel) -> Value | None:
        """Return the value for ``level`` (``None``: not defined for it)."""
        return self.per_level.get(level, self.default)

    def render(self, value: Value) -> object:
        """Return ``value`` as a canonical literal."""
        if isinstance(value, tuple):
            return [self.type.to_data(v) for v in value]
        return self.type.to_data(value)

    def to_data(self) -> dict[str, Any]:
        """Return the canonical data form."""
        out: dict[str, Any] = {
            "type": self.type.name,
            "list": self.is_list,
            "tighten": self.tighten,
            "unconfirmed": self.unconfirmed,
        }
        if self.default is not None:
            out["value"] = self.render(self.default)
        if self.per_level:
            out["per_level"] = {
                lvl.value: self.render(v) for lvl, v in sorted(self.per_level.items())
            }
        if self.source:
            out["source"] = self.source
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Criterion:
    """One eligibility criterion of a pack."""

    id: str
    applies_to: tuple[PositionLevel, ...]
    hard: bool | ParamRef
    condition: Condition
    citation: str
    message: Text
    remedy: Text
    origin: str
    """The pack that introduced the criterion (an overlay's own, or its parent's)."""

    def to_data(self) -> dict[str, Any]:
        """Return the canonical data form."""
        return {
            "id": self.id,
            "applies_to": [lvl.value for lvl in self.applies_to],
            "hard": self.hard if isinstance(self.hard, bool) else {"param": self.hard.name},
            "condition": to_data(self.condition),
            "citation": self.citation,
            "message": self.message.to_data(),
            "remedy": self.remedy.to_data(),
            "origin": self.origin,
        }


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """An instrument the pack implements."""

    ref: str
    title: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ParentRef:
    """The pack an overlay tightens."""

    id: str
    version: str
    digest: str


@dataclass(frozen=True, slots=True)
class Derived:
    """The pack's tables for the derived measures."""

    jpm_from_scores: bool
    potential_cutoffs: tuple[int, int]
    jpm_categories: tuple[tuple[int, str, str], ...]
    performance_axis: Mapping[int, str]
    nine_box: Mapping[tuple[str, str], int]
    box_actions: Mapping[int, Text]
    competency_standard: Mapping[PositionLevel, tuple[tuple[str, int], ...]]
    performance_scores: Mapping[int, int]
    weights: tuple[int, int]

    def to_data(self) -> dict[str, Any]:
        """Return the canonical data form."""
        predicates = {p.ordinal: p.value for p in Predicate}
        return {
            "jpm_from_scores": self.jpm_from_scores,
            "potential_cutoffs": {
                "tinggi": _pct(self.potential_cutoffs[0]),
                "menengah": _pct(self.potential_cutoffs[1]),
            },
            "jpm_categories": [
                {"min": _pct(low), "id": label_id, "en": label_en}
                for low, label_id, label_en in self.jpm_categories
            ],
            "performance_axis": {
                predicates[k]: v for k, v in sorted(self.performance_axis.items())
            },
            "nine_box": {
                perf: {pot: self.nine_box[(perf, pot)] for pot in POTENTIAL_AXIS}
                for perf in PERFORMANCE_AXIS
            },
            "box_actions": {str(b): t.to_data() for b, t in sorted(self.box_actions.items())},
            "competency_standard": {
                lvl.value: dict(std) for lvl, std in sorted(self.competency_standard.items())
            },
            "performance_scores": {
                predicates[k]: v for k, v in sorted(self.performance_scores.items())
            },
            "succession_weights": {"performance": self.weights[0], "potential": self.weights[1]},
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    """The pack's ordering of candidates and its readiness scale."""

    keys: tuple[RankKey, ...]
    readiness: tuple[ReadinessRule, ...]
    otherwise: Text

    def to_data(self) -> dict[str, Any]:
        """Return the canonical data form."""
        return {
            "keys": [{"key": k.key, "direction": k.direction} for k in self.keys],
            "readiness": [
                _drop_none(
                    {
                        "label": r.label.to_data(),
                        "status": sorted(r.statuses, key=STATUS_ORDER.__getitem__),
                        "boxes": sorted(r.boxes) if r.boxes is not None else None,
                        "max_soft_failures": r.max_soft_failures,
                    }
                )
                for r in self.readiness
            ],
            "otherwise": self.otherwise.to_data(),
        }


@dataclass(frozen=True)
class Pack:
    """A fully resolved, validated rule pack version."""

    id: str
    version: str
    title: Text
    effective_from: dt.date
    effective_to: dt.date | None
    legal_basis: tuple[LegalBasis, ...]
    levels: tuple[PositionLevel, ...]
    parent: ParentRef | None
    params: Mapping[str, ParamDef]
    criteria: tuple[Criterion, ...]
    derived: Derived
    ranking: Ranking
    source: str = field(default="", compare=False)
    """Where the pack was read from (a file, or ``published``); not part of its identity."""

    def to_canonical(self) -> dict[str, Any]:
        """Return the canonical data form of the resolved pack (what is digested and stored)."""
        return _drop_none(
            {
                "format": FORMAT,
                "id": self.id,
                "version": self.version,
                "title": self.title.to_data(),
                "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None,
                "legal_basis": [
                    _drop_none({"ref": b.ref, "title": b.title, "note": b.note or None})
                    for b in self.legal_basis
                ],
                "levels": [lvl.value for lvl in self.levels],
                "parent": (
                    {
                        "id": self.parent.id,
                        "version": self.parent.version,
                        "digest": self.parent.digest,
                    }
                    if self.parent
                    else None
                ),
                "parameters": {n: p.to_data() for n, p in sorted(self.params.items())},
                "criteria": [c.to_data() for c in self.criteria],
                "derived": self.derived.to_data(),
                "ranking": self.ranking.to_data(),
            }
        )

    @cached_property
    def canonical_json(self) -> bytes:
        """Return the RFC 8785 canonical JSON of the resolved pack."""
        return bytes(rfc8785.dumps(self.to_canonical()))

    @cached_property
    def digest(self) -> str:
        """Return the SHA-256 (hex) of the canonical JSON: the identity of this pack version."""
        return hashlib.sha256(self.canonical_json).hexdigest()

    def criterion(self, criterion_id: str) -> Criterion:
        """Return the criterion with this id."""
        return self._criteria_by_id[criterion_id]

    @cached_property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    def param_values(self, level: PositionLevel) -> dict[str, Value]:
        """Return every parameter's value for ``level`` (parameters without one are left out)."""
        out = {}
        for name, param in self.params.items():
            value = param.value_for(level)
            if value is not None:
                out[name] = value
        return out

    def is_hard(self, criterion: Criterion, level: PositionLevel) -> bool:
        """Return whether ``criterion`` makes a candidate ineligible at ``level``."""
        if isinstance(criterion.hard, bool):
            return criterion.hard
        return bool(self.params[criterion.hard.name].value_for(level))

    def check_level(self, level: PositionLevel) -> None:
        """Refuse a target level the pack does not decide.

        :raises PackInvalid: naming the level and the levels the pack decides.
        """
        if level not in self.levels:
            decided = ", ".join(lvl.value for lvl in self.levels)
            raise PackInvalid(f"pack {self.id} {self.version} decides {decided}, not {level.value}")

    def check_effective(self, reference_date: dt.date) -> None:
        """Refuse a reference date outside the pack's effective period.

        :raises PackNotEffective: naming the period and the date.
        """
        if reference_date < self.effective_from or (
            self.effective_to is not None and reference_date > self.effective_to
        ):
            until = self.effective_to.isoformat() if self.effective_to else "open"
            raise PackNotEffective(
                f"pack {self.id} {self.version} is effective {self.effective_from.isoformat()} to "
                f"{until}; the reference date {reference_date.isoformat()} is outside it"
            )

    def settings(self, level: PositionLevel) -> DerivationSettings:
        """Return the converter and derived-measure settings for ``level``."""
        return self._settings[level]

    @cached_property
    def _settings(self) -> dict[PositionLevel, DerivationSettings]:
        out = {}
        d = self.derived
        for level in self.levels:
            values = self.param_values(level)
            prior = values["prior_position_levels"]
            boxes = values["talent_pool_boxes"]
            assert isinstance(prior, tuple)
            assert isinstance(boxes, tuple)
            window = values["performance_window_years"]
            lookback = values["penalty_lookback_months"]
            assert isinstance(window, int)
            assert isinstance(lookback, int)
            out[level] = DerivationSettings(
                level=level,
                prior_position_levels=frozenset(str(v) for v in prior),
                performance_window_years=window,
                penalty_lookback_months=lookback,
                competency_standard=d.competency_standard[level],
                jpm_from_scores=d.jpm_from_scores,
                potential_cutoffs=d.potential_cutoffs,
                jpm_categories=d.jpm_categories,
                performance_axis=d.performance_axis,
                nine_box=d.nine_box,
                box_actions={b: (t.id, t.en) for b, t in d.box_actions.items()},
                talent_pool_boxes=frozenset(int(b) for b in boxes),
                performance_scores=d.performance_scores,
                weights=d.weights,
            )
        return out

    def applicable(self, level: PositionLevel) -> tuple[Criterion, ...]:
        """Return the criteria that apply to ``level``, in pack order."""
        return tuple(c for c in self.criteria if level in c.applies_to)

    def compiled(self, level: PositionLevel) -> CompiledLevel:
        """Return the ruleset of this pack for ``level`` (compiled once, then cached)."""
        return self._compiled[level]

    @cached_property
    def _compiled(self) -> dict[PositionLevel, CompiledLevel]:
        out = {}
        for level in self.levels:
            values = self.param_values(level)
            triples = [
                (c.id, resolve(c.condition, values), self.is_hard(c, level))
                for c in self.applicable(level)
            ]
            out[level] = compile_level(f"{self.digest}.{level.value}", level, triples)
        return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _pct(hundredths: int) -> str:
    return TYPES["percent"].to_data(hundredths)  # type: ignore[return-value]
