"""Rule packs: the YAML format, validation, overlays, canonical form and digest.

A pack (``rules/packs/<id>/pack.yaml``) has metadata (id, version, effective dates, legal basis,
parent), typed parameters, criteria (id, levels, declarative condition, hard or soft, citation,
message, remedy), the tables of the derived measures and the ranking; ``docs/rules.md`` documents
every key. Loading validates everything and names the file, criterion and field of each problem.
An overlay (a pack with a ``parent``) may only tighten its parent. The fully resolved pack has a
canonical JSON form (RFC 8785) whose SHA-256 is the pack's identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import rfc8785
import yaml

from rules.compiler import CompiledLevel, compile_level, network_problems
from rules.conditions import (
    Condition,
    ConditionParser,
    ParamRef,
    Value,
    params_used,
    resolve,
    to_data,
    truth_table,
)
from rules.derive import PERFORMANCE_AXIS, POTENTIAL_AXIS, DerivationSettings
from rules.errors import PackInvalid, PackNotEffective, Problem
from rules.ranking import SORT_KEYS, STATUS_ORDER, RankKey, ReadinessRule
from rules.text import Text
from rules.valuetypes import TYPES, LiteralError, ValueType, percent_hundredths
from rules.vocab import TECHNICAL_PREFIX, Competency, PositionLevel, Predicate

FORMAT: Final = 1
"""Version of the pack format (part of the canonical form)."""
PACKS_DIR: Final = Path(__file__).resolve().parent / "packs"
"""Where the shipped packs live, one directory each."""
TIGHTEN: Final = ("min", "max", "fixed", "subset", "superset")

CONVERTER_PARAMETERS: Final[Mapping[str, tuple[str, bool]]] = {
    "prior_position_levels": ("position_level", True),
    "performance_window_years": ("years", False),
    "penalty_lookback_months": ("months", False),
    "talent_pool_boxes": ("box", True),
}
"""Parameters every pack defines for every level: the fact converter and 9-box read them."""

_ROOT_KEYS: Final = frozenset(
    {
        "id", "version", "title", "effective_from", "effective_to", "legal_basis", "levels",
        "parameters", "criteria", "derived", "ranking", "parent",
    }
)  # fmt: skip
_OVERLAY_KEYS: Final = frozenset(
    {
        "id", "version", "title", "effective_from", "effective_to", "legal_basis", "parent",
        "parameters", "criteria",
    }
)  # fmt: skip
_CRITERION_KEYS: Final = frozenset(
    {"id", "applies_to", "hard", "condition", "citation", "message", "remedy", "origin"}
)
_PARAM_KEYS: Final = frozenset(
    {"type", "list", "tighten", "value", "per_level", "source", "note", "unconfirmed"}
)
_COMPETENCIES: Final = tuple(c.value for c in Competency)


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


# ---------------------------------------------------------------- loading


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: Path) -> Any:
    """Return the YAML document at ``path``.

    :raises PackInvalid: the file is missing, unreadable, not YAML, or repeats a key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackInvalid(f"cannot read {path}", [Problem(str(exc), str(path))]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PackInvalid(f"{path} is not valid YAML", [Problem(str(exc), str(path))]) from None


def pack_file(path: Path) -> Path:
    """Return the ``pack.yaml`` of a pack directory (or ``path`` itself if it is a file)."""
    return path / "pack.yaml" if path.is_dir() else path


def load_pack(path: Path | str, *, parents: Mapping[str, Pack] | None = None) -> Pack:
    """Load and validate the pack at ``path`` (a directory or its ``pack.yaml``).

    An overlay's parent is taken from ``parents`` (by id) or loaded from the sibling directory
    named after it.

    :raises PackInvalid: with every problem found, each naming file, criterion and field.
    """
    file = pack_file(Path(path))
    data = read_yaml(file)
    parent = None
    if isinstance(data, Mapping) and isinstance(data.get("parent"), Mapping):
        parent_id = data["parent"].get("id")
        if isinstance(parent_id, str):
            if parents is not None and parent_id in parents:
                parent = parents[parent_id]
            else:
                sibling = file.parent.parent / parent_id
                if not pack_file(sibling).exists():
                    raise PackInvalid(
                        f"{file}: parent pack {parent_id} not found",
                        [Problem(f"no pack {parent_id} at {sibling}", str(file), field="parent")],
                    )
                parent = load_pack(sibling, parents=parents)
    return pack_from_document(data, file=str(file), parent=parent)


def shipped_pack_dirs() -> list[Path]:
    """Return the directories of the shipped packs, sorted by name."""
    return sorted(p for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file())


def load_shipped() -> dict[str, Pack]:
    """Load every shipped pack, parents before overlays, keyed by pack id.

    :raises PackInvalid: if any shipped pack is invalid.
    """
    loaded: dict[str, Pack] = {}
    pending = shipped_pack_dirs()
    while pending:
        progress = False
        for directory in list(pending):
            data = read_yaml(directory / "pack.yaml")
            parent = data.get("parent") if isinstance(data, Mapping) else None
            parent_id = parent.get("id") if isinstance(parent, Mapping) else None
            if parent_id is None or parent_id in loaded:
                pack = load_pack(directory, parents=loaded)
                loaded[pack.id] = pack
                pending.remove(directory)
                progress = True
        if not progress:
            names = ", ".join(p.name for p in pending)
            raise PackInvalid(f"packs with a missing or circular parent: {names}")
    return loaded


def pack_from_canonical(text: str | bytes) -> Pack:
    """Return the pack stored as canonical JSON, checking that it re-digests identically.

    :raises PackInvalid: the JSON is not a valid resolved pack, or its content changed.
    """
    data = json.loads(text)
    pack = pack_from_document(data, file="published", parent=None, resolved=True)
    raw = text.encode() if isinstance(text, str) else text
    if pack.canonical_json != raw:
        raise PackInvalid(
            f"stored pack {pack.id} {pack.version} is not in canonical form (altered?)"
        )
    return pack


def pack_from_document(
    data: object, *, file: str, parent: Pack | None, resolved: bool = False
) -> Pack:
    """Validate a pack document (a root pack, an overlay with its parent, or a resolved pack).

    :raises PackInvalid: with every problem found.
    """
    reader = _PackReader(file)
    overlay = parent is not None and not resolved
    if overlay:
        assert parent is not None
        data = reader.resolve_overlay(data, parent)
    pack = reader.pack(data, resolved=resolved or overlay)
    if pack is not None and overlay:
        assert parent is not None
        reader.check_tightens(pack, parent)
    if pack is not None:
        reader.check_reachable(pack)
    if reader.problems or pack is None:
        raise PackInvalid(f"invalid rule pack {file}", reader.problems)
    return pack


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _pct(hundredths: int) -> str:
    return TYPES["percent"].to_data(hundredths)  # type: ignore[return-value]


class _PackReader:
    """Reads and checks pack documents, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, message: str, *, criterion: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(message, self.file, criterion, field))

    # -------------------------------------------------------- document structure

    def _text(self, raw: object, where: str, criterion: str | None = None) -> Text | None:
        if (
            isinstance(raw, Mapping)
            and set(raw) == {"id", "en"}
            and all(isinstance(raw[k], str) and raw[k].strip() for k in ("id", "en"))
        ):
            return Text(raw["id"], raw["en"])
        self.fail(
            "expected {id: Indonesian text, en: English text}", criterion=criterion, field=where
        )
        return None

    def _str(self, raw: object, where: str, criterion: str | None = None) -> str | None:
        if isinstance(raw, str) and raw.strip():
            return raw
        self.fail("expected non-empty text", criterion=criterion, field=where)
        return None

    def _date(self, raw: object, where: str) -> dt.date | None:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.fail(f"expected a date YYYY-MM-DD, got {raw!r}", field=where)
        return None

    def _levels(
        self, raw: object, where: str, criterion: str | None = None
    ) -> tuple[PositionLevel, ...] | None:
        if not isinstance(raw, list):
            self.fail("expected a list of position levels", criterion=criterion, field=where)
            return None
        out = []
        for item in raw:
            try:
                out.append(PositionLevel(item))
            except ValueError:
                self.fail(f"unknown position level {item!r}", criterion=criterion, field=where)
                return None
        if len(set(out)) != len(out):
            self.fail("a level is listed twice", criterion=criterion, field=where)
        return tuple(out)

    def _keys(
        self,
        raw: Mapping[str, Any],
        allowed: frozenset[str],
        where: str,
        criterion: str | None = None,
    ) -> None:
        for key in sorted(set(raw) - allowed, key=str):
            self.fail(
                f"unknown key {key!r}",
                criterion=criterion,
                field=f"{where}.{key}" if where else str(key),
            )

    def pack(self, data: object, *, resolved: bool) -> Pack | None:
        if not isinstance(data, Mapping):
            self.fail("a pack is a YAML mapping")
            return None
        self._keys(data, _ROOT_KEYS | ({"format"} if resolved else frozenset()), "")
        if resolved and data.get("format") != FORMAT:
            self.fail(f"unsupported pack format {data.get('format')!r}", field="format")
        pack_id = self._str(data.get("id"), "id")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            self.fail('version is text, e.g. "2026.1.0" (quote it in YAML)', field="version")
            version = None
        title = self._text(data.get("title"), "title")
        effective_from = self._date(data.get("effective_from"), "effective_from")
        effective_to = None
        if data.get("effective_to") is not None:
            effective_to = self._date(data.get("effective_to"), "effective_to")
            if effective_from and effective_to and effective_to < effective_from:
                self.fail("effective_to is before effective_from", field="effective_to")
        legal = self._legal_basis(data.get("legal_basis"))
        levels = self._levels(data.get("levels"), "levels") or ()
        if not levels:
            self.fail("a pack decides at least one level", field="levels")
        parent = None
        if data.get("parent") is not None:
            parent = self._parent_ref(data["parent"])
        params = self._params(data.get("parameters"), levels)
        criteria = self._criteria(data.get("criteria"), levels, params, pack_id or "?", resolved)
        derived = self._derived(data.get("derived"), levels)
        ranking = self._ranking(data.get("ranking"))
        for name, (type_name, is_list) in CONVERTER_PARAMETERS.items():
            param = params.get(name)
            if param is None:
                self.fail(f"required parameter {name} is missing", field=f"parameters.{name}")
            elif param.type.name != type_name or param.is_list != is_list:
                wanted = f"list of {type_name}" if is_list else type_name
                self.fail(f"{name} must be a {wanted}", field=f"parameters.{name}")
            else:
                for level in levels:
                    value = param.value_for(level)
                    if value is None:
                        self.fail(
                            f"{name} has no value for {level.value}", field=f"parameters.{name}"
                        )
                    elif name == "performance_window_years" and value == 0:
                        self.fail(
                            "the performance window is at least one year",
                            field=f"parameters.{name}",
                        )
        if (
            pack_id is None
            or version is None
            or title is None
            or effective_from is None
            or legal is None
            or derived is None
            or ranking is None
            or criteria is None
        ):
            return None
        return Pack(
            id=pack_id,
            version=version,
            title=title,
            effective_from=effective_from,
            effective_to=effective_to,
            legal_basis=legal,
            levels=levels,
            parent=parent,
            params=params,
            criteria=criteria,
            derived=derived,
            ranking=ranking,
            source=self.file,
        )

    def _legal_basis(self, raw: object) -> tuple[LegalBasis, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.fail("legal_basis is a non-empty list of {ref, title, note}", field="legal_basis")
            return None
        out = []
        for i, item in enumerate(raw):
            where = f"legal_basis[{i}]"
            if not isinstance(item, Mapping):
                self.fail("expected {ref, title, note}", field=where)
                continue
            self._keys(item, frozenset({"ref", "title", "note"}), where)
            ref = self._str(item.get("ref"), f"{where}.ref")
            title = self._str(item.get("title"), f"{where}.title")
            note = item.get("note", "")
            if ref and title:
                out.append(LegalBasis(ref, title, note if isinstance(note, str) else ""))
        return tuple(out)

    def _parent_ref(self, raw: object) -> ParentRef | None:
        if isinstance(raw, Mapping) and all(
            isinstance(raw.get(k), str) for k in ("id", "version", "digest")
        ):
            return ParentRef(raw["id"], raw["version"], raw["digest"])
        self.fail("a resolved pack names its parent as {id, version, digest}", field="parent")
        return None

    # -------------------------------------------------------- parameters

    def _params(self, raw: object, levels: Sequence[PositionLevel]) -> dict[str, ParamDef]:
        if not isinstance(raw, Mapping):
            self.fail("parameters is a mapping of name: definition", field="parameters")
            return {}
        out = {}
        for name, spec in raw.items():
            param = self._param(str(name), spec, levels)
            if param is not None:
                out[str(name)] = param
        return out

    def _param(self, name: str, spec: object, levels: Sequence[PositionLevel]) -> ParamDef | None:
        where = f"parameters.{name}"
        if not isinstance(spec, Mapping):
            self.fail("expected a parameter definition", field=where)
            return None
        self._keys(spec, _PARAM_KEYS, where)
        vtype = TYPES.get(spec.get("type"))  # type: ignore[arg-type]
        if vtype is None:
            self.fail(
                f"unknown type {spec.get('type')!r}; one of {', '.join(TYPES)}",
                field=f"{where}.type",
            )
            return None
        is_list = spec.get("list", False)
        tighten = spec.get("tighten")
        if not isinstance(is_list, bool):
            self.fail("list is true or false", field=f"{where}.list")
            return None
        if (
            tighten not in TIGHTEN
            or (tighten in ("subset", "superset")) != is_list
            or (tighten in ("min", "max") and not (vtype.ordered or vtype.kind == "bool"))
        ):
            allowed = "subset, superset or fixed" if is_list else "min, max or fixed"
            self.fail(
                f"tighten must be one of {allowed} for this parameter", field=f"{where}.tighten"
            )
            return None
        has_value, has_levels = "value" in spec, "per_level" in spec
        if has_value == has_levels:
            self.fail("give either value (all levels) or per_level", field=where)
            return None
        default = None
        per_level: dict[PositionLevel, Value] = {}
        if has_value:
            default = self._param_value(vtype, is_list, spec["value"], f"{where}.value")
            if default is None:
                return None
        else:
            table = spec["per_level"]
            if not isinstance(table, Mapping) or not table:
                self.fail("per_level maps levels to values", field=f"{where}.per_level")
                return None
            for key, raw_value in table.items():
                try:
                    level = PositionLevel(key)
                except ValueError:
                    self.fail(f"unknown position level {key!r}", field=f"{where}.per_level")
                    return None
                if level not in levels:
                    self.fail(
                        f"{level.value} is not one of the pack's levels", field=f"{where}.per_level"
                    )
                value = self._param_value(vtype, is_list, raw_value, f"{where}.per_level.{key}")
                if value is None:
                    return None
                per_level[level] = value
        unconfirmed = spec.get("unconfirmed", False)
        if not isinstance(unconfirmed, bool):
            self.fail("unconfirmed is true or false", field=f"{where}.unconfirmed")
            unconfirmed = False
        source, note = spec.get("source", ""), spec.get("note", "")
        return ParamDef(
            name=name,
            type=vtype,
            is_list=is_list,
            tighten=tighten,
            default=default,
            per_level=per_level,
            source=source if isinstance(source, str) else "",
            note=note if isinstance(note, str) else "",
            unconfirmed=unconfirmed,
        )

    def _param_value(
        self, vtype: ValueType, is_list: bool, raw: object, where: str
    ) -> Value | None:
        try:
            if is_list:
                if not isinstance(raw, list):
                    raise LiteralError("expected a list")
                return tuple(sorted({vtype.parse(v) for v in raw}, key=lambda v: (str(type(v)), v)))
            return vtype.parse(raw)
        except LiteralError as exc:
            self.fail(f"a {vtype.name} {'list ' if is_list else ''}value: {exc}", field=where)
            return None

    # -------------------------------------------------------- criteria

    def _criteria(
        self,
        raw: object,
        levels: Sequence[PositionLevel],
        params: Mapping[str, ParamDef],
        pack_id: str,
        resolved: bool,
    ) -> tuple[Criterion, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.fail("criteria is a non-empty list", field="criteria")
            return None
        param_types = {n: (p.type, p.is_list) for n, p in params.items()}
        seen: set[str] = set()
        out = []
        for i, item in enumerate(raw):
            where = f"criteria[{i}]"
            if not isinstance(item, Mapping):
                self.fail("expected a criterion mapping", field=where)
                continue
            cid = item.get("id")
            if not isinstance(cid, str) or not cid or any(ch in cid for ch in "#~ "):
                self.fail("id is text without spaces, '#' or '~'", field=f"{where}.id")
                continue
            if cid in seen:
                self.fail("duplicate criterion id", criterion=cid, field="id")
                continue
            seen.add(cid)
            self._keys(item, _CRITERION_KEYS if resolved else _CRITERION_KEYS - {"origin"}, "", cid)
            applies = self._levels(item.get("applies_to"), "applies_to", cid)
            if applies is not None:
                if not applies:
                    self.fail(
                        "applies to no level: the criterion can never be evaluated",
                        criterion=cid,
                        field="applies_to",
                    )
                for level in applies:
                    if level not in levels:
                        self.fail(
                            f"{level.value} is not one of the pack's levels",
                            criterion=cid,
                            field="applies_to",
                        )
            hard = self._hard(item.get("hard"), params, cid)
            parser = ConditionParser(param_types, file=self.file, criterion=cid)
            condition = parser.parse(item.get("condition"), "condition")
            self.problems.extend(parser.problems)
            citation = self._str(item.get("citation"), "citation", cid)
            message = self._text(item.get("message"), "message", cid)
            remedy = self._text(item.get("remedy"), "remedy", cid)
            origin = item.get("origin", pack_id) if resolved else pack_id
            if (
                applies is None
                or hard is None
                or condition is None
                or citation is None
                or message is None
                or remedy is None
            ):
                continue
            out.append(
                Criterion(cid, applies, hard, condition, citation, message, remedy, str(origin))
            )
        return tuple(out)

    def _hard(
        self, raw: object, params: Mapping[str, ParamDef], cid: str
    ) -> bool | ParamRef | None:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, Mapping) and set(raw) == {"param"}:
            param = params.get(raw["param"])
            if param is not None and param.type.name == "bool" and not param.is_list:
                return ParamRef(raw["param"])
            self.fail(
                f"hard refers to {raw['param']!r}, which is not a bool parameter",
                criterion=cid,
                field="hard",
            )
            return None
        self.fail("hard is true, false or {param: a bool parameter}", criterion=cid, field="hard")
        return None

    def check_reachable(self, pack: Pack) -> None:
        """Check every criterion at every level it applies to, then the compiled networks."""
        for criterion in pack.criteria:
            used = list(params_used(criterion.condition))
            if isinstance(criterion.hard, ParamRef):
                used.append(criterion.hard.name)
            for level in criterion.applies_to:
                values = pack.param_values(level)
                missing = [p for p in used if p not in values]
                if missing:
                    self.fail(
                        f"parameter {', '.join(missing)} has no value for {level.value}",
                        criterion=criterion.id,
                        field="condition",
                    )
                    continue
                truths = truth_table(resolve(criterion.condition, values))
                if truths == {False}:
                    self.fail(
                        f"can never pass at {level.value} (unsatisfiable)",
                        criterion=criterion.id,
                        field="condition",
                    )
                elif truths == {True}:
                    self.fail(
                        f"can never fail at {level.value} (always true)",
                        criterion=criterion.id,
                        field="condition",
                    )
        if self.problems:
            return
        for level in pack.levels:
            for problem in network_problems(pack.compiled(level).definition):
                self.fail(f"{level.value}: {problem}", field="criteria")

    # -------------------------------------------------------- derived measures and ranking

    def _derived(self, raw: object, levels: Sequence[PositionLevel]) -> Derived | None:
        if not isinstance(raw, Mapping):
            self.fail("derived is a mapping of the derived-measure tables", field="derived")
            return None
        allowed = frozenset(
            {
                "jpm_from_scores", "potential_cutoffs", "jpm_categories", "performance_axis",
                "nine_box", "box_actions", "competency_standard", "performance_scores",
                "succession_weights",
            }
        )  # fmt: skip
        self._keys(raw, allowed, "derived")
        before = len(self.problems)
        jpm_from_scores = raw.get("jpm_from_scores")
        if not isinstance(jpm_from_scores, bool):
            self.fail("expected true or false", field="derived.jpm_from_scores")
        cutoffs = self._mapping(
            raw.get("potential_cutoffs"),
            "derived.potential_cutoffs",
            ("tinggi", "menengah"),
            self._percent,
        )
        categories = self._categories(raw.get("jpm_categories"))
        predicates = {p.value: p.ordinal for p in Predicate}
        axis = self._mapping(
            raw.get("performance_axis"),
            "derived.performance_axis",
            tuple(predicates),
            lambda v, w: (
                v
                if v in PERFORMANCE_AXIS
                else self._bad(w, f"one of {', '.join(PERFORMANCE_AXIS)}")
            ),
        )
        scores = self._mapping(
            raw.get("performance_scores"),
            "derived.performance_scores",
            tuple(predicates),
            lambda v, w: (
                v
                if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100
                else self._bad(w, "a score 0-100")
            ),
        )
        nine = self._nine_box(raw.get("nine_box"))
        actions = self._box_actions(raw.get("box_actions"))
        standard = self._standards(raw.get("competency_standard"), levels)
        weights = self._mapping(
            raw.get("succession_weights"),
            "derived.succession_weights",
            ("performance", "potential"),
            lambda v, w: (
                v
                if isinstance(v, int) and not isinstance(v, bool) and v >= 0
                else self._bad(w, "a non-negative whole number")
            ),
        )
        if weights is not None and sum(weights.values()) == 0:
            self.fail("the weights cannot both be 0", field="derived.succession_weights")
        if (
            len(self.problems) > before
            or not isinstance(jpm_from_scores, bool)
            or cutoffs is None
            or categories is None
            or axis is None
            or scores is None
            or nine is None
            or actions is None
            or standard is None
            or weights is None
        ):
            return None
        if cutoffs["tinggi"] < cutoffs["menengah"]:
            self.fail("tinggi must not be below menengah", field="derived.potential_cutoffs")
        return Derived(
            jpm_from_scores=jpm_from_scores,
            potential_cutoffs=(cutoffs["tinggi"], cutoffs["menengah"]),
            jpm_categories=categories,
            performance_axis={predicates[k]: v for k, v in axis.items()},
            nine_box=nine,
            box_actions=actions,
            competency_standard=standard,
            performance_scores={predicates[k]: v for k, v in scores.items()},
            weights=(weights["performance"], weights["potential"]),
        )

    def _bad(self, where: str, wanted: str) -> None:
        self.fail(f"expected {wanted}", field=where)

    def _percent(self, raw: object, where: str) -> int | None:
        try:
            value = percent_hundredths(raw)
        except LiteralError as exc:
            self.fail(str(exc), field=where)
            return None
        if not 0 <= value <= 10000:
            self.fail("a percentage is 0-100", field=where)
            return None
        return value

    def _mapping(
        self,
        raw: object,
        where: str,
        keys: Sequence[str],
        convert: Callable[[Any, str], Any],
    ) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping) or set(raw) != set(keys):
            self.fail(f"expected exactly the keys {', '.join(keys)}", field=where)
            return None
        out = {}
        for key in keys:
            value = convert(raw[key], f"{where}.{key}")
            if value is None:
                return None
            out[key] = value
        return out

    def _categories(self, raw: object) -> tuple[tuple[int, str, str], ...] | None:
        where = "derived.jpm_categories"
        if not isinstance(raw, list) or not raw:
            self.fail("expected a list of {min, id, en}, highest first", field=where)
            return None
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping) or set(item) != {"min", "id", "en"}:
                self.fail("expected {min, id, en}", field=f"{where}[{i}]")
                return None
            low = self._percent(item["min"], f"{where}[{i}].min")
            if low is None:
                return None
            out.append((low, str(item["id"]), str(item["en"])))
        mins = [c[0] for c in out]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins) or mins[-1] != 0:
            self.fail("minimums must fall strictly and end at 0", field=where)
            return None
        return tuple(out)

    def _nine_box(self, raw: object) -> dict[tuple[str, str], int] | None:
        where = "derived.nine_box"
        if not isinstance(raw, Mapping) or set(raw) != set(PERFORMANCE_AXIS):
            self.fail(f"expected rows {', '.join(PERFORMANCE_AXIS)}", field=where)
            return None
        out = {}
        for perf in PERFORMANCE_AXIS:
            row = raw[perf]
            if not isinstance(row, Mapping) or set(row) != set(POTENTIAL_AXIS):
                self.fail(f"expected columns {', '.join(POTENTIAL_AXIS)}", field=f"{where}.{perf}")
                return None
            for pot in POTENTIAL_AXIS:
                out[(perf, pot)] = row[pot]
        if sorted(out.values()) != list(range(1, 10)):
            self.fail("the table must number the nine boxes 1 to 9, each once", field=where)
            return None
        return out

    def _box_actions(self, raw: object) -> dict[int, Text] | None:
        where = "derived.box_actions"
        if (
            not isinstance(raw, Mapping)
            or {int(str(k)) for k in raw if str(k).isdigit()} != set(range(1, 10))
            or len(raw) != 9
        ):
            self.fail("expected an action {id, en} for each box 1 to 9", field=where)
            return None
        out = {}
        for key, value in raw.items():
            text = self._text(value, f"{where}.{key}")
            if text is None:
                return None
            out[int(str(key))] = text
        return out

    def _standards(
        self, raw: object, levels: Sequence[PositionLevel]
    ) -> dict[PositionLevel, tuple[tuple[str, int], ...]] | None:
        where = "derived.competency_standard"
        if not isinstance(raw, Mapping):
            self.fail("expected level: standard for every level of the pack", field=where)
            return None
        out = {}
        for level in levels:
            spec = raw.get(level.value)
            at = f"{where}.{level.value}"
            if isinstance(spec, int) and not isinstance(spec, bool) and 1 <= spec <= 5:
                out[level] = tuple(sorted((c, spec) for c in _COMPETENCIES))
            elif isinstance(spec, Mapping) and spec:
                pairs = []
                for name, value in spec.items():
                    if str(name) not in _COMPETENCIES and not str(name).startswith(
                        TECHNICAL_PREFIX
                    ):
                        self.fail(f"unknown competency {name!r}", field=at)
                        return None
                    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                        self.fail(f"{name}: expected a level 1-5", field=at)
                        return None
                    pairs.append((str(name), value))
                out[level] = tuple(sorted(pairs))
            else:
                self.fail(
                    "expected a level 1-5 for every competency, or competency: level", field=at
                )
                return None
        extra = set(raw) - {lvl.value for lvl in levels}
        if extra:
            self.fail(f"levels not in the pack: {', '.join(sorted(map(str, extra)))}", field=where)
        return out

    def _ranking(self, raw: object) -> Ranking | None:
        where = "ranking"
        if not isinstance(raw, Mapping):
            self.fail("ranking is a mapping with keys, readiness and otherwise", field=where)
            return None
        self._keys(raw, frozenset({"keys", "readiness", "otherwise"}), where)
        keys_raw = raw.get("keys")
        keys = []
        if not isinstance(keys_raw, list) or not keys_raw:
            self.fail("keys is a list of {key, direction}", field=f"{where}.keys")
            return None
        for i, item in enumerate(keys_raw):
            at = f"{where}.keys[{i}]"
            if not isinstance(item, Mapping) or set(item) != {"key", "direction"}:
                self.fail("expected {key, direction}", field=at)
                return None
            if item["key"] not in SORT_KEYS:
                self.fail(
                    f"unknown sort key {item['key']!r}; one of {', '.join(SORT_KEYS)}", field=at
                )
                return None
            if item["direction"] not in ("asc", "desc"):
                self.fail("direction is asc or desc", field=at)
                return None
            keys.append(RankKey(item["key"], item["direction"]))
        names = [k.key for k in keys]
        if len(set(names)) != len(names):
            self.fail("a sort key is used twice", field=f"{where}.keys")
        if keys[-1] != RankKey("nip", "asc") or "nip" in names[:-1]:
            self.fail(
                "the last key must be {key: nip, direction: asc} (a total order)",
                field=f"{where}.keys",
            )
        rules = []
        for i, item in enumerate(raw.get("readiness") or []):
            at = f"{where}.readiness[{i}]"
            if not isinstance(item, Mapping):
                self.fail("expected {label, status, boxes, max_soft_failures}", field=at)
                return None
            self._keys(item, frozenset({"label", "status", "boxes", "max_soft_failures"}), at)
            label = self._text(item.get("label"), f"{at}.label")
            statuses = item.get("status")
            if (
                not isinstance(statuses, list)
                or not statuses
                or not set(statuses) <= set(STATUS_ORDER)
            ):
                self.fail(f"status is a list of {', '.join(STATUS_ORDER)}", field=f"{at}.status")
                return None
            boxes = item.get("boxes")
            if boxes is not None and (
                not isinstance(boxes, list) or not set(boxes) <= set(range(1, 10))
            ):
                self.fail("boxes is a list of box numbers 1-9", field=f"{at}.boxes")
                return None
            limit = item.get("max_soft_failures")
            if limit is not None and (
                not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
            ):
                self.fail("max_soft_failures is a whole number", field=f"{at}.max_soft_failures")
                return None
            if label is None:
                return None
            rules.append(
                ReadinessRule(
                    label,
                    frozenset(statuses),
                    frozenset(boxes) if boxes is not None else None,
                    limit,
                )
            )
        otherwise = self._text(raw.get("otherwise"), f"{where}.otherwise")
        if otherwise is None:
            return None
        return Ranking(tuple(keys), tuple(rules), otherwise)

    # -------------------------------------------------------- overlays

    def resolve_overlay(self, data: object, parent: Pack) -> object:
        """Return the resolved document of an overlay: the parent's, with the overlay applied."""
        if not isinstance(data, Mapping):
            return data
        for key in sorted(set(data) - _OVERLAY_KEYS, key=str):
            if key in ("levels", "derived", "ranking"):
                self.fail(
                    f"an overlay inherits {key} from its parent and may not change it",
                    field=str(key),
                )
            else:
                self.fail(f"unknown key {key!r}", field=str(key))
        ref = data.get("parent")
        if (
            not isinstance(ref, Mapping)
            or set(ref) - {"id", "version"}
            or ref.get("id") != parent.id
        ):
            self.fail(f"parent is {{id: {parent.id}, version: ...}}", field="parent")
        elif ref.get("version") != parent.version:
            self.fail(
                f"the overlay is written for {parent.id} {ref.get('version')}, "
                f"the parent found is {parent.version}",
                field="parent.version",
            )
        base = parent.to_canonical()
        resolved: dict[str, Any] = dict(base)
        for key in ("id", "version", "title", "effective_from", "effective_to"):
            if key in data:
                resolved[key] = data[key]
            elif key in ("id", "version", "title"):
                self.fail("an overlay names its own id, version and title", field=key)
        resolved["legal_basis"] = list(base["legal_basis"]) + list(data.get("legal_basis") or [])
        resolved["parent"] = {"id": parent.id, "version": parent.version, "digest": parent.digest}
        resolved["parameters"] = self._overlay_params(
            base["parameters"], data.get("parameters") or {}, parent
        )
        resolved["criteria"] = self._overlay_criteria(
            base["criteria"], data.get("criteria") or [], parent, str(data.get("id"))
        )
        return resolved

    def _overlay_params(
        self, base: Mapping[str, Any], changes: object, parent: Pack
    ) -> dict[str, Any]:
        out = {k: dict(v) for k, v in base.items()}
        if not isinstance(changes, Mapping):
            self.fail("parameters is a mapping", field="parameters")
            return out
        for name, spec in changes.items():
            where = f"parameters.{name}"
            if name not in out:
                out[name] = spec
                continue
            if not isinstance(spec, Mapping):
                self.fail("expected {value} or {per_level}", field=where)
                continue
            for key in ("type", "list", "tighten"):
                if key in spec and spec[key] != out[name][key]:
                    self.fail(
                        f"an overlay may not change a parameter's {key}", field=f"{where}.{key}"
                    )
            for key in set(spec) - {
                "type",
                "list",
                "tighten",
                "value",
                "per_level",
                "note",
                "source",
            }:
                self.fail(f"unknown key {key!r}", field=f"{where}.{key}")
            merged = out[name]
            if "value" in spec:
                merged.pop("per_level", None)
                merged["value"] = spec["value"]
            if "per_level" in spec and isinstance(spec["per_level"], Mapping):
                table = dict(merged.get("per_level") or {})
                if "value" in merged:
                    table = {lvl.value: merged["value"] for lvl in parent.levels} | table
                    merged.pop("value")
                table.update({str(k): v for k, v in spec["per_level"].items()})
                merged["per_level"] = table
            if "note" in spec:
                merged["note"] = spec["note"]
        return out

    def _overlay_criteria(
        self, base: Sequence[Mapping[str, Any]], changes: object, parent: Pack, overlay_id: str
    ) -> list[Any]:
        out: list[Any] = [dict(c) for c in base]
        index = {c["id"]: i for i, c in enumerate(out)}
        if not isinstance(changes, list):
            self.fail("criteria is a list", field="criteria")
            return out
        for item in changes:
            cid = item.get("id") if isinstance(item, Mapping) else None
            if cid not in index:
                if isinstance(item, Mapping) and "origin" in item:
                    self.fail("unknown key 'origin'", criterion=str(cid), field="origin")
                out.append({**item, "origin": overlay_id} if isinstance(item, Mapping) else item)
                continue
            assert isinstance(item, Mapping)
            original = parent.criterion(str(cid))
            rewritten = sorted(set(item) - {"id", "hard", "applies_to"})
            if rewritten:
                self.fail(
                    f"an overlay may not rewrite parent criterion {cid} ({', '.join(rewritten)}); "
                    "add a new criterion instead",
                    criterion=cid,
                    field=rewritten[0],
                )
                continue
            amended = out[index[cid]]
            if "hard" in item:
                if item["hard"] is True:
                    amended["hard"] = True
                elif item["hard"] != amended["hard"]:
                    self.fail(
                        f"loosens parent criterion {cid}: a hard criterion stays hard",
                        criterion=cid,
                        field="hard",
                    )
            if "applies_to" in item:
                wanted = item["applies_to"]
                if not isinstance(wanted, list):
                    self.fail("applies_to is a list of levels", criterion=cid, field="applies_to")
                    continue
                dropped = [lvl.value for lvl in original.applies_to if lvl.value not in wanted]
                if dropped:
                    self.fail(
                        f"loosens parent criterion {cid}: it may not stop applying to "
                        f"{', '.join(dropped)}",
                        criterion=cid,
                        field="applies_to",
                    )
                else:
                    amended["applies_to"] = list(wanted)
        return out

    def check_tightens(self, pack: Pack, parent: Pack) -> None:
        """Refuse an overlay that loosens its parent, naming the parameter or criterion."""
        for name, before in parent.params.items():
            after = pack.params.get(name)
            if after is None:
                continue
            users = [
                c.id
                for c in pack.criteria
                if name in params_used(c.condition) or c.hard == ParamRef(name)
            ]
            for level in parent.levels:
                old, new = before.value_for(level), after.value_for(level)
                if old is None or new == old:
                    continue
                if new is None or not _tightens(before.tighten, old, new):
                    shown_old = before.render(old)
                    shown_new = after.render(new) if new is not None else "nothing"
                    affected = f" (criteria {', '.join(users)})" if users else ""
                    self.fail(
                        f"loosens parameter {name} for {level.value}: {shown_old} → {shown_new} "
                        f"is not allowed (tighten: {before.tighten}){affected}",
                        criterion=users[0] if users else None,
                        field=f"parameters.{name}",
                    )


def _tightens(direction: str, old: Value, new: Value) -> bool:
    if direction == "min":
        return new >= old  # type: ignore[operator]
    if direction == "max":
        return new <= old  # type: ignore[operator]
    if direction == "subset":
        return set(new) <= set(old)  # type: ignore[arg-type]
    if direction == "superset":
        return set(new) >= set(old)  # type: ignore[arg-type]
    return new == old
