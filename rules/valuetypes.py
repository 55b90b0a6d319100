"""The value types of fact fields and pack parameters: parsing, domains and rendering.

Every value the engine sees is an ``int``, a ``bool`` or a short ``str``; ordered concepts (ranks,
education, trainings, predicates, penalty tiers) are their ordinal from :mod:`rules.vocab`, so a
rule compares numbers, never text. Each type knows how to read a literal written in a pack
("III/c", "S1", "80.5", "2026-03-01"), its domain (used to detect conditions that can never pass
or never fail), and how to render a value for people, in Indonesian and English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from rules.vocab import (
    EducationLevel,
    EmploymentType,
    PenaltyLevel,
    PositionLevel,
    PotentialCategory,
    Predicate,
    Rank,
    Training,
)

Lang = Literal["id", "en"]
EngineValue = int | bool | str
"""What a fact field holds and a condition compares with: never ``None``, never a float."""


class LiteralError(ValueError):
    """A literal in a pack or profile is not a value of the expected type."""


@dataclass(frozen=True, slots=True)
class ValueType:
    """A named value type: how literals are read, which values exist, how values are shown."""

    name: str
    kind: Literal["int", "bool", "str"]
    ordered: bool
    low: int = 0
    high: int = 0
    labels: Mapping[int, str] = field(default_factory=dict)
    """Ordinal → canonical label for label-written ordered types (ranks, education …)."""
    aliases: Mapping[str, int] = field(default_factory=dict)
    """Every accepted label (case-insensitive) → ordinal."""
    choices: tuple[str, ...] = ()
    """The values of an unordered string type."""
    unit: tuple[str, str] = ("", "")
    """Unit words (Indonesian, English) for plain integers."""

    def parse(self, raw: object) -> EngineValue:
        """Return the engine value of a literal, or raise :class:`LiteralError`."""
        return _PARSERS[self.name](self, raw)

    def to_data(self, value: EngineValue) -> object:
        """Return the canonical literal for ``value`` (what a resolved pack stores)."""
        if self.labels and isinstance(value, int) and not isinstance(value, bool):
            return self.labels[value]
        if self.name == "percent":
            return format_percent(int(value))
        if self.name == "date":
            return dt.date.fromordinal(int(value)).isoformat()
        if self.name == "months" and value == self.high:
            return "ever"
        return value

    def render(self, value: EngineValue, lang: Lang = "en") -> str:
        """Return ``value`` as people read it (``III/c``, ``2 years 3 months``, ``80.50%``)."""
        key = (self.name, value, lang)
        shown = _RENDERED.get(key)
        if shown is None:
            shown = _RENDERERS.get(self.name, _render_default)(self, value, lang)
            if len(_RENDERED) < 100_000:
                _RENDERED[key] = shown
        return shown

    def domain_points(self) -> tuple[int, int] | tuple[EngineValue, ...]:
        """Return the finite domain, or ``(low, high)`` for integer ranges."""
        if self.kind == "bool":
            return (False, True)
        if self.kind == "str":
            return self.choices
        if self.labels:
            return tuple(sorted(self.labels))
        return (self.low, self.high)

    def contains(self, value: EngineValue) -> bool:
        """Return whether ``value`` is a value of this type (type and domain)."""
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "str":
            return isinstance(value, str) and value in self.choices
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if self.labels:
            return value in self.labels
        return self.low <= value <= self.high


def format_percent(hundredths: int) -> str:
    """Return hundredths of a percent as a decimal string with two places (8050 → ``80.50``)."""
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{frac:02d}"


def percent_hundredths(raw: object) -> int:
    """Return a percentage literal (``80``, ``80.5``, ``"82.25"``, Decimal) in hundredths.

    :raises LiteralError: not a number, or more than two decimal places.
    """
    if isinstance(raw, bool):
        raise LiteralError(f"expected a percentage, got {raw!r}")
    try:
        number = Decimal(str(raw)) if isinstance(raw, int | float | str | Decimal) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise LiteralError(f"expected a percentage, got {raw!r}")
    scaled = number * 100
    if scaled != scaled.to_integral_value():
        raise LiteralError(f"a percentage has at most two decimal places, got {raw!r}")
    return int(scaled)


def _parse_int(vt: ValueType, raw: object) -> EngineValue:
    if vt.name == "months" and isinstance(raw, str) and raw.strip().lower() == "ever":
        return vt.high
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise LiteralError(f"expected a whole number of {vt.unit[1] or vt.name}, got {raw!r}")
    if not vt.low <= raw <= vt.high:
        raise LiteralError(f"{raw} is outside {vt.low}..{vt.high} for {vt.name}")
    return raw


def _parse_percent(vt: ValueType, raw: object) -> EngineValue:
    value = percent_hundredths(raw)
    if not vt.low <= value <= vt.high:
        raise LiteralError(f"{raw} is outside 0..100 %")
    return value


def _parse_date(vt: ValueType, raw: object) -> EngineValue:
    if isinstance(raw, dt.datetime):
        raise LiteralError(f"expected a date, got a timestamp {raw!r}")
    if isinstance(raw, dt.date):
        return raw.toordinal()
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw).toordinal()
        except ValueError:
            pass
    raise LiteralError(f"expected a date written YYYY-MM-DD, got {raw!r}")


def _parse_labelled(vt: ValueType, raw: object) -> EngineValue:
    if isinstance(raw, str) and raw.strip().lower() in vt.aliases:
        return vt.aliases[raw.strip().lower()]
    shown = ", ".join(dict.fromkeys(vt.labels.values()))
    raise LiteralError(f"expected one of {shown}, got {raw!r}")


def _parse_bool(vt: ValueType, raw: object) -> EngineValue:
    if isinstance(raw, bool):
        return raw
    raise LiteralError(f"expected true or false, got {raw!r}")


def _parse_choice(vt: ValueType, raw: object) -> EngineValue:
    if isinstance(raw, str) and raw in vt.choices:
        return raw
    raise LiteralError(f"expected one of {', '.join(vt.choices)}, got {raw!r}")


def _render_default(vt: ValueType, value: EngineValue, lang: Lang) -> str:
    en = lang == "en"
    if vt.labels:
        if value == 0 and vt.name in _NONE:
            return _NONE[vt.name][en]
        return vt.labels.get(int(value), str(value))
    if vt.kind == "bool":
        return ("ya", "yes")[en] if value else ("tidak", "no")[en]
    unit = vt.unit[en]
    if en and value == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{value} {unit}".strip()


def _render_months(vt: ValueType, value: EngineValue, lang: Lang) -> str:
    months = int(value)
    if months >= vt.high:
        return "kapan pun" if lang == "id" else "ever"
    years, rest = divmod(months, 12)
    en = lang == "en"
    parts = []
    if years:
        parts.append(f"{years} {'tahun' if not en else ('year' if years == 1 else 'years')}")
    if rest or not years:
        parts.append(f"{rest} {'bulan' if not en else ('month' if rest == 1 else 'months')}")
    return " ".join(parts)


def _render_percent(vt: ValueType, value: EngineValue, lang: Lang) -> str:
    return f"{format_percent(int(value))}%"


def _render_date(vt: ValueType, value: EngineValue, lang: Lang) -> str:
    return dt.date.fromordinal(int(value)).isoformat()


def _render_level(vt: ValueType, value: EngineValue, lang: Lang) -> str:
    return PositionLevel(str(value)).label


def _labelled(
    name: str, labels: Mapping[int, str], aliases: Mapping[str, int], low: int = 0
) -> ValueType:
    return ValueType(
        name=name,
        kind="int",
        ordered=True,
        low=low,
        high=max(labels),
        labels=dict(labels),
        aliases={k.lower(): v for k, v in aliases.items()},
    )


_EDUCATION_LABELS = {
    EducationLevel.SD.ordinal: "SD",
    EducationLevel.SMP.ordinal: "SMP",
    EducationLevel.SMA.ordinal: "SMA",
    EducationLevel.D_I.ordinal: "D-I",
    EducationLevel.D_II.ordinal: "D-II",
    EducationLevel.D_III.ordinal: "D-III",
    EducationLevel.S1.ordinal: "S1/D-IV",
    EducationLevel.S2.ordinal: "S2",
    EducationLevel.S3.ordinal: "S3",
}
_EDUCATION_ALIASES = {e.value: e.ordinal for e in EducationLevel} | {"S1/D-IV": 7}
_TRAINING_LABELS = {0: "none"} | {t.ordinal: t.value for t in Training if t.equivalent is t}
_TRAINING_ALIASES = {"none": 0} | {t.value: t.ordinal for t in Training}
_PENALTY_LABELS = {0: "none"} | {p.ordinal: p.value for p in PenaltyLevel}
_NONE = {
    "training": ("belum ada", "none"),
    "penalty_level": ("tidak ada", "none"),
}

MONTHS_EVER = 2400
"""The ``months`` value written ``ever`` in a pack (200 years: longer than any career)."""

TYPES: Mapping[str, ValueType] = {
    t.name: t
    for t in (
        ValueType("years", "int", True, 0, 150, unit=("tahun", "years")),
        ValueType("months", "int", True, 0, MONTHS_EVER, unit=("bulan", "months")),
        ValueType("count", "int", True, 0, 1000),
        ValueType("box", "int", True, 1, 9),
        ValueType("percent", "int", True, 0, 10000),
        ValueType(
            "date", "int", True, dt.date(1900, 1, 1).toordinal(), dt.date(2200, 1, 1).toordinal()
        ),
        _labelled(
            "rank", {r.ordinal: r.value for r in Rank}, {r.value: r.ordinal for r in Rank}, 1
        ),
        _labelled("education", _EDUCATION_LABELS, _EDUCATION_ALIASES, 1),
        _labelled("training", _TRAINING_LABELS, _TRAINING_ALIASES),
        _labelled(
            "predicate",
            {p.ordinal: p.value for p in Predicate},
            {p.value: p.ordinal for p in Predicate},
            1,
        ),
        _labelled("penalty_level", _PENALTY_LABELS, {v: k for k, v in _PENALTY_LABELS.items()}),
        _labelled(
            "potential",
            {p.ordinal: p.value for p in PotentialCategory},
            {p.value: p.ordinal for p in PotentialCategory},
            1,
        ),
        ValueType("talent_level", "int", True, 1, 5),
        ValueType("bool", "bool", False),
        ValueType("employment_type", "str", False, choices=tuple(e.value for e in EmploymentType)),
        ValueType("position_level", "str", False, choices=tuple(p.value for p in PositionLevel)),
    )
}
"""Every value type by name."""

_PARSERS = {
    "years": _parse_int,
    "months": _parse_int,
    "count": _parse_int,
    "box": _parse_int,
    "talent_level": _parse_int,
    "percent": _parse_percent,
    "date": _parse_date,
    "rank": _parse_labelled,
    "education": _parse_labelled,
    "training": _parse_labelled,
    "predicate": _parse_labelled,
    "penalty_level": _parse_labelled,
    "potential": _parse_labelled,
    "bool": _parse_bool,
    "employment_type": _parse_choice,
    "position_level": _parse_choice,
}
_RENDERED: dict[tuple[str, EngineValue, Lang], str] = {}
"""Rendered values (domains are small, and an explanation renders the same values again and
again); bounded so odd values cannot grow it without limit."""

_RENDERERS = {
    "months": _render_months,
    "percent": _render_percent,
    "date": _render_date,
    "position_level": _render_level,
}
