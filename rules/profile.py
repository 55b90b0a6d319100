"""Candidate profiles and vacancy contexts: the inputs of every merit decision.

A :class:`CandidateProfile` holds what the registry knows about one ASN (the same shape as the
registry's JSON import profile); a :class:`VacancyContext` holds the target position and the
reference date every duration is measured to. Both are plain frozen data, read from JSON with
errors that name the field, and written back to a canonical JSON form whose SHA-256 identifies
the input of a screening.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from rules.errors import Problem, ProfileInvalid
from rules.valuetypes import LiteralError, format_percent, percent_hundredths
from rules.vocab import (
    TECHNICAL_PREFIX,
    AssessmentMethod,
    Competency,
    EducationLevel,
    EmploymentType,
    Gender,
    PenaltyLevel,
    PenaltyType,
    PositionLevel,
    PotentialCategory,
    Predicate,
    Rank,
    Training,
)

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class EducationRecord:
    """One completed formal education."""

    level: EducationLevel
    field: str
    year: int
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class PositionRecord:
    """A position held from ``start_date`` to ``end_date`` inclusive (``None``: still held)."""

    level: PositionLevel
    start_date: dt.date
    end_date: dt.date | None = None
    title: str = ""
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """A completed leadership training."""

    kind: Training
    completed_on: dt.date


@dataclass(frozen=True, slots=True)
class PerformanceRecord:
    """The annual performance predicate of one year."""

    year: int
    predicate: Predicate


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """A competency assessment; ``jpm`` is in hundredths of a percent (8250 = 82.50 %)."""

    assessed_on: dt.date
    method: AssessmentMethod
    jpm: int | None = None
    potential: PotentialCategory | None = None
    scores: tuple[tuple[str, int], ...] = ()
    """(competency, level 1-5) pairs sorted by competency."""


@dataclass(frozen=True, slots=True)
class PenaltyRecord:
    """A disciplinary penalty in force from ``start_date`` to ``end_date`` (inclusive)."""

    level: PenaltyLevel
    type: PenaltyType
    start_date: dt.date
    end_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CandidateProfile:
    """Everything the merit rules read about one candidate."""

    nip: str
    birth_date: dt.date | None
    """``None`` only in a what-if profile that does not give it (age is then unknown)."""
    employment_type: EmploymentType | None
    """``None`` only in a what-if profile that does not give it."""
    name: str | None = None
    gender: Gender | None = None
    tenant: str | None = None
    rank: Rank | None = None
    rank_tmt: dt.date | None = None
    position_code: str | None = None
    education: tuple[EducationRecord, ...] = ()
    positions: tuple[PositionRecord, ...] = ()
    trainings: tuple[TrainingRecord, ...] = ()
    performance: tuple[PerformanceRecord, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    penalties: tuple[PenaltyRecord, ...] = ()
    lhkpn_year: int | None = None
    health_certificate_date: dt.date | None = None
    disciplinary_case_pending: bool = False

    @classmethod
    def from_json(cls, data: object, *, where: str = "profile") -> CandidateProfile:
        """Return the profile described by a JSON object (every key known, NIP, birth date and
        employment type required).

        :raises ProfileInvalid: listing every malformed field with its path.
        """
        profile, _ = read_profile(data, where=where, lenient=False)
        return profile

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON form (dates ISO, JPM as a two-decimal string, no nulls)."""
        out: dict[str, Any] = {
            "nip": self.nip,
            "disciplinary_case_pending": self.disciplinary_case_pending,
            "education": [
                _drop_none(
                    {
                        "level": e.level.value,
                        "field": e.field,
                        "year": e.year,
                        "institution": e.institution,
                    }
                )
                for e in self.education
            ],
            "positions": [
                _drop_none(
                    {
                        "level": p.level.value,
                        "title": p.title,
                        "unit": p.unit,
                        "start_date": p.start_date.isoformat(),
                        "end_date": p.end_date.isoformat() if p.end_date else None,
                    }
                )
                for p in self.positions
            ],
            "trainings": [
                {"kind": t.kind.value, "completed_on": t.completed_on.isoformat()}
                for t in self.trainings
            ],
            "performance": [
                {"year": r.year, "predicate": r.predicate.value} for r in self.performance
            ],
            "assessments": [
                _drop_none(
                    {
                        "assessed_on": a.assessed_on.isoformat(),
                        "method": a.method.value,
                        "jpm": format_percent(a.jpm) if a.jpm is not None else None,
                        "potential": a.potential.value if a.potential else None,
                        "scores": dict(a.scores),
                    }
                )
                for a in self.assessments
            ],
            "penalties": [
                _drop_none(
                    {
                        "level": p.level.value,
                        "type": p.type.value,
                        "start_date": p.start_date.isoformat(),
                        "end_date": p.end_date.isoformat() if p.end_date else None,
                    }
                )
                for p in self.penalties
            ],
        }
        optional = {
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "employment_type": self.employment_type.value if self.employment_type else None,
            "name": self.name,
            "gender": self.gender.value if self.gender else None,
            "tenant": self.tenant,
            "rank": self.rank.value if self.rank else None,
            "rank_tmt": self.rank_tmt.isoformat() if self.rank_tmt else None,
            "position_code": self.position_code,
            "lhkpn_year": self.lhkpn_year,
            "health_certificate_date": (
                self.health_certificate_date.isoformat() if self.health_certificate_date else None
            ),
        }
        out.update(_drop_none(optional))
        return out

    def canonical_json(self) -> bytes:
        """Return the RFC 8785 form of :meth:`to_json`, written directly for speed.

        Equal byte for byte to ``rfc8785.dumps(self.to_json())`` (a property test proves it):
        keys in sorted order, strings escaped as JSON.stringify does, integers only.
        """
        # Kept instead of rfc8785.dumps(self.to_json()), which halved screening throughput
        # (every candidate's profile is digested). bench/screening_bench.py, 100,000
        # candidates, engine, one process, on a shared 2-core machine: this writer 8,061 to
        # 12,548 candidates/s in four runs (9,950 to 13,110 per CPU-second); rfc8785.dumps
        # 5,476 and 3,132/s in two (5,449 and 5,304 per CPU-second). Per profile, with its
        # SHA-256: 17 µs here, 103 µs through rfc8785 (the package is pure Python).
        out = ["{"]
        if self.assessments:
            out.append('"assessments":[')
            out.append(",".join(_assessment_json(a) for a in self.assessments))
            out.append("],")
        else:
            out.append('"assessments":[],')
        if self.birth_date is not None:
            out.append(f'"birth_date":"{self.birth_date.isoformat()}",')
        out.append(
            f'"disciplinary_case_pending":{"true" if self.disciplinary_case_pending else "false"},'
        )
        out.append('"education":[')
        out.append(
            ",".join(
                f'{{"field":{_q(e.field)},'
                + (f'"institution":{_q(e.institution)},' if e.institution is not None else "")
                + f'"level":"{e.level}","year":{e.year}}}'
                for e in self.education
            )
        )
        out.append("],")
        if self.employment_type is not None:
            out.append(f'"employment_type":"{self.employment_type}",')
        if self.gender is not None:
            out.append(f'"gender":"{self.gender}",')
        if self.health_certificate_date is not None:
            out.append(f'"health_certificate_date":"{self.health_certificate_date.isoformat()}",')
        if self.lhkpn_year is not None:
            out.append(f'"lhkpn_year":{self.lhkpn_year},')
        if self.name is not None:
            out.append(f'"name":{_q(self.name)},')
        out.append(f'"nip":{_q(self.nip)},"penalties":[')
        out.append(
            ",".join(
                "{"
                + (f'"end_date":"{p.end_date.isoformat()}",' if p.end_date is not None else "")
                + f'"level":"{p.level}","start_date":"{p.start_date.isoformat()}",'
                + f'"type":"{p.type}"}}'
                for p in self.penalties
            )
        )
        out.append('],"performance":[')
        out.append(
            ",".join(f'{{"predicate":"{r.predicate}","year":{r.year}}}' for r in self.performance)
        )
        out.append("],")
        if self.position_code is not None:
            out.append(f'"position_code":{_q(self.position_code)},')
        out.append('"positions":[')
        out.append(
            ",".join(
                "{"
                + (f'"end_date":"{p.end_date.isoformat()}",' if p.end_date is not None else "")
                + f'"level":"{p.level}","start_date":"{p.start_date.isoformat()}",'
                + f'"title":{_q(p.title)}'
                + (f',"unit":{_q(p.unit)}' if p.unit is not None else "")
                + "}"
                for p in self.positions
            )
        )
        out.append("],")
        if self.rank is not None:
            out.append(f'"rank":"{self.rank}",')
        if self.rank_tmt is not None:
            out.append(f'"rank_tmt":"{self.rank_tmt.isoformat()}",')
        if self.tenant is not None:
            out.append(f'"tenant":{_q(self.tenant)},')
        out.append('"trainings":[')
        out.append(
            ",".join(
                f'{{"completed_on":"{t.completed_on.isoformat()}","kind":"{t.kind}"}}'
                for t in self.trainings
            )
        )
        out.append("]}")
        return "".join(out).encode()


@dataclass(frozen=True, slots=True)
class VacancyContext:
    """The position a vacancy fills and the date every duration and age is measured to."""

    level: PositionLevel
    reference_date: dt.date
    position_code: str | None = None
    position_title: str | None = None
    tenant: str | None = None
    competencies: tuple[tuple[str, int], ...] = ()
    """The position's competency standard, (competency, required level) sorted; empty: the
    pack's default standard for the level applies."""
    required_education_fields: tuple[str, ...] = ()
    is_key: bool = False
    succession_group: tuple[str, ...] = ()
    """NIPs of the position's approved succession group for the reference date's year (sorted;
    empty: none). Shortlists mark them; a pack with ``succession_group_first`` ranks them first
    (PP 11/2017 Arts. 198, 200). Part of the input snapshot, so a replay uses the same group."""

    @classmethod
    def from_json(cls, data: object, *, where: str = "vacancy") -> VacancyContext:
        """Return the context described by a JSON object.

        :raises ProfileInvalid: listing every malformed field with its path.
        """
        reader = _Reader(where)
        context = reader.context(data)
        reader.raise_if_problems("invalid vacancy")
        assert context is not None
        return context

    def to_json(self) -> dict[str, Any]:
        """Return the canonical JSON form."""
        return _drop_none(
            {
                "level": self.level.value,
                "reference_date": self.reference_date.isoformat(),
                "code": self.position_code,
                "title": self.position_title,
                "tenant": self.tenant,
                "competencies": dict(self.competencies),
                "required_education_fields": list(self.required_education_fields),
                "is_key": self.is_key,
                "succession_group": list(self.succession_group) or None,
            }
        )


_q = json.encoder.encode_basestring
"""JSON string literal, escaped exactly as RFC 8785 (JSON.stringify) does for valid text."""


def _utf16_order(item: tuple[str, int]) -> bytes:
    return item[0].encode("utf-16-be")


_KNOWN_KEYS = {c.value: _q(c.value) for c in Competency}
"""JSON keys of the standard competencies (ASCII: code point and UTF-16 order agree)."""


def _assessment_json(a: AssessmentRecord) -> str:
    scores = sorted(a.scores)
    keys = _KNOWN_KEYS
    if all(name in keys for name, _ in scores):
        body = ",".join([f"{keys[name]}:{level}" for name, level in scores])
    else:
        if not all(name.isascii() for name, _ in scores):
            # RFC 8785 orders keys by UTF-16 code units, Python strings by code points
            scores = sorted(scores, key=_utf16_order)
        body = ",".join([f"{_q(name)}:{level}" for name, level in scores])
    jpm = f'"jpm":"{format_percent(a.jpm)}",' if a.jpm is not None else ""
    potential = f'"potential":"{a.potential}",' if a.potential is not None else ""
    return (
        f'{{"assessed_on":"{a.assessed_on.isoformat()}",{jpm}"method":"{a.method}",'
        f'{potential}"scores":{{{body}}}}}'
    )


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


_PROFILE_KEYS = frozenset(
    {
        "nip", "name", "birth_date", "gender", "employment_type", "tenant", "rank", "rank_tmt",
        "position_code", "education", "positions", "trainings", "performance", "assessments",
        "penalties", "lhkpn_year", "health_certificate_date", "disciplinary_case_pending",
    }
)  # fmt: skip
_CONTEXT_KEYS = frozenset(
    {
        "level", "reference_date", "code", "title", "tenant", "competencies",
        "required_education_fields", "is_key", "succession_group",
    }
)  # fmt: skip
_KNOWN_COMPETENCIES = frozenset(c.value for c in Competency)


_ALIASES = {"tenant_code": "tenant", "position": "position_code"}
"""Other names a what-if profile may use (the registry import's), read leniently."""


def read_profile(
    data: object, *, where: str = "profile", lenient: bool
) -> tuple[CandidateProfile, list[Problem]]:
    """Return a profile read from JSON and the warnings about it.

    Strictly, every key must be known and the NIP (18 digits), birth date and employment type
    given. Leniently (a what-if), unknown keys are ignored with a warning, ``tenant_code`` and
    ``position`` are read as ``tenant`` and ``position_code``, any non-empty NIP is accepted, and
    a missing birth date or employment type is unknown: the criteria reading it lack data.

    :raises ProfileInvalid: listing every malformed field with its path.
    """
    reader = _Reader(where, lenient=lenient)
    if lenient and isinstance(data, Mapping):
        data = {
            (_ALIASES[k] if k in _ALIASES and _ALIASES[k] not in data else k): v
            for k, v in data.items()
        }
    profile = reader.profile(data)
    reader.raise_if_problems("invalid candidate profile")
    assert profile is not None
    return profile, reader.warnings


class _Reader:
    """Reads JSON into profile records, collecting a problem per malformed field."""

    def __init__(self, where: str, *, lenient: bool = False) -> None:
        self.where = where
        self.lenient = lenient
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def raise_if_problems(self, message: str) -> None:
        if self.problems:
            raise ProfileInvalid(message, self.problems)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.where, field=path))

    def obj(self, data: object, path: str, keys: frozenset[str]) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.fail(path or "(root)", "expected an object")
            return None
        for key in sorted(set(data) - keys, key=str):
            where = f"{path}{'.' if path else ''}{key}"
            if self.lenient:
                self.warnings.append(Problem("unknown field, ignored", self.where, field=where))
            else:
                self.fail(where, "unknown field")
        return data

    def req(
        self, data: Mapping[str, Any], key: str, path: str, conv: Callable[[object], T]
    ) -> T | None:
        if key not in data or data[key] is None:
            self.fail(_join(path, key), "required")
            return None
        return self.val(data[key], _join(path, key), conv)

    def opt(
        self, data: Mapping[str, Any], key: str, path: str, conv: Callable[[object], T]
    ) -> T | None:
        if data.get(key) is None:
            return None
        return self.val(data[key], _join(path, key), conv)

    def val(self, raw: object, path: str, conv: Callable[[object], T]) -> T | None:
        try:
            return conv(raw)
        except (ValueError, TypeError) as exc:
            self.fail(path, str(exc))
            return None

    def items(
        self, data: Mapping[str, Any], key: str, path: str, read: Callable[[object, str], T | None]
    ) -> tuple[T, ...]:
        raw = data.get(key)
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail(_join(path, key), "expected a list")
            return ()
        out = []
        for i, item in enumerate(raw):
            record = read(item, f"{_join(path, key)}[{i}]")
            if record is not None:
                out.append(record)
        return tuple(out)

    def profile(self, data: object) -> CandidateProfile | None:
        d = self.obj(data, "", _PROFILE_KEYS)
        if d is None:
            return None
        nip = self.req(d, "nip", "", _text if self.lenient else _nip)
        if self.lenient and nip is not None and _looks_like_nip(nip) is False:
            self.warnings.append(Problem("not an 18-digit NIP", self.where, field="nip"))
        read = self.opt if self.lenient else self.req
        birth = read(d, "birth_date", "", _date)
        employment = read(d, "employment_type", "", _enum(EmploymentType))
        for key, value in (("birth_date", birth), ("employment_type", employment)):
            if self.lenient and value is None and d.get(key) is None:
                self.warnings.append(Problem("not given: unknown", self.where, field=key))
        profile_data: dict[str, Any] = {
            "name": self.opt(d, "name", "", _text),
            "gender": self.opt(d, "gender", "", _enum(Gender)),
            "tenant": self.opt(d, "tenant", "", _text),
            "rank": self.opt(d, "rank", "", _enum(Rank)),
            "rank_tmt": self.opt(d, "rank_tmt", "", _date),
            "position_code": self.opt(d, "position_code", "", _text),
            "lhkpn_year": self.opt(d, "lhkpn_year", "", _year),
            "health_certificate_date": self.opt(d, "health_certificate_date", "", _date),
            "disciplinary_case_pending": self.opt(d, "disciplinary_case_pending", "", _bool)
            or False,
            "education": self.items(d, "education", "", self.education),
            "positions": self.items(d, "positions", "", self.position),
            "trainings": self.items(d, "trainings", "", self.training),
            "performance": self.items(d, "performance", "", self.performance),
            "assessments": self.items(d, "assessments", "", self.assessment),
            "penalties": self.items(d, "penalties", "", self.penalty),
        }
        years = [r.year for r in profile_data["performance"]]
        for year in sorted({y for y in years if years.count(y) > 1}):
            self.fail("performance", f"year {year} has more than one predicate")
        if nip is None or self.problems:
            return None
        return CandidateProfile(
            nip=nip, birth_date=birth, employment_type=employment, **profile_data
        )

    def education(self, data: object, path: str) -> EducationRecord | None:
        d = self.obj(data, path, frozenset({"level", "field", "year", "institution"}))
        if d is None:
            return None
        level = self.req(d, "level", path, _enum(EducationLevel))
        field = self.opt(d, "field", path, _text) or ""
        year = self.req(d, "year", path, _year)
        institution = self.opt(d, "institution", path, _text)
        if level is None or year is None:
            return None
        return EducationRecord(level, field, year, institution)

    def position(self, data: object, path: str) -> PositionRecord | None:
        d = self.obj(data, path, frozenset({"level", "title", "unit", "start_date", "end_date"}))
        if d is None:
            return None
        level = self.req(d, "level", path, _enum(PositionLevel))
        start = self.req(d, "start_date", path, _date)
        end = self.opt(d, "end_date", path, _date)
        title = self.opt(d, "title", path, _text) or ""
        unit = self.opt(d, "unit", path, _text)
        if start and end and end < start:
            self.fail(_join(path, "end_date"), "ends before it starts")
            return None
        if level is None or start is None:
            return None
        return PositionRecord(level, start, end, title, unit)

    def training(self, data: object, path: str) -> TrainingRecord | None:
        d = self.obj(data, path, frozenset({"kind", "completed_on"}))
        if d is None:
            return None
        kind = self.req(d, "kind", path, _enum(Training))
        completed = self.req(d, "completed_on", path, _date)
        if kind is None or completed is None:
            return None
        return TrainingRecord(kind, completed)

    def performance(self, data: object, path: str) -> PerformanceRecord | None:
        d = self.obj(data, path, frozenset({"year", "predicate"}))
        if d is None:
            return None
        year = self.req(d, "year", path, _year)
        predicate = self.req(d, "predicate", path, _enum(Predicate))
        if year is None or predicate is None:
            return None
        return PerformanceRecord(year, predicate)

    def assessment(self, data: object, path: str) -> AssessmentRecord | None:
        d = self.obj(data, path, frozenset({"assessed_on", "method", "jpm", "potential", "scores"}))
        if d is None:
            return None
        assessed = self.req(d, "assessed_on", path, _date)
        method = self.req(d, "method", path, _enum(AssessmentMethod))
        jpm = self.opt(d, "jpm", path, _jpm)
        potential = self.opt(d, "potential", path, _enum(PotentialCategory))
        scores = self.scores(d.get("scores"), _join(path, "scores"))
        if assessed is None or method is None:
            return None
        return AssessmentRecord(assessed, method, jpm, potential, scores)

    def scores(self, raw: object, path: str) -> tuple[tuple[str, int], ...]:
        if raw is None:
            return ()
        if isinstance(raw, list) and all(
            isinstance(i, Mapping) and set(i) == {"competency", "level"} for i in raw
        ):
            raw = {i["competency"]: i["level"] for i in raw}
        if not isinstance(raw, Mapping):
            self.fail(path, "expected an object of competency: level")
            return ()
        out = []
        for name, level in raw.items():
            key = str(name)
            if key not in _KNOWN_COMPETENCIES and not key.startswith(TECHNICAL_PREFIX):
                self.fail(
                    f"{path}.{key}", f"unknown competency (technical ones are {TECHNICAL_PREFIX}*)"
                )
                continue
            value = self.val(level, f"{path}.{key}", _competency_level)
            if value is not None:
                out.append((key, value))
        return tuple(sorted(out))

    def penalty(self, data: object, path: str) -> PenaltyRecord | None:
        d = self.obj(data, path, frozenset({"level", "type", "start_date", "end_date"}))
        if d is None:
            return None
        level = self.req(d, "level", path, _enum(PenaltyLevel))
        kind = self.req(d, "type", path, _enum(PenaltyType))
        start = self.req(d, "start_date", path, _date)
        end = self.opt(d, "end_date", path, _date)
        if kind is not None and level is not None and kind.level is not level:
            self.fail(
                _join(path, "type"),
                f"{kind.value} is a {kind.level.value} penalty, not {level.value}",
            )
            return None
        if start and end and end < start:
            self.fail(_join(path, "end_date"), "ends before it starts")
            return None
        if level is None or kind is None or start is None:
            return None
        return PenaltyRecord(level, kind, start, end)

    def context(self, data: object) -> VacancyContext | None:
        d = self.obj(data, "", _CONTEXT_KEYS)
        if d is None:
            return None
        level = self.req(d, "level", "", _enum(PositionLevel))
        reference = self.req(d, "reference_date", "", _date)
        competencies = self.scores(d.get("competencies"), "competencies")
        fields = d.get("required_education_fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            self.fail("required_education_fields", "expected a list of field names")
            fields = []
        is_key = self.opt(d, "is_key", "", _bool) or False
        group = d.get("succession_group") or []
        if not isinstance(group, list) or not all(isinstance(n, str) for n in group):
            self.fail("succession_group", "expected a list of NIPs")
            group = []
        if level is None or reference is None:
            return None
        return VacancyContext(
            level=level,
            reference_date=reference,
            position_code=self.opt(d, "code", "", _text),
            position_title=self.opt(d, "title", "", _text),
            tenant=self.opt(d, "tenant", "", _text),
            competencies=competencies,
            required_education_fields=tuple(fields),
            is_key=is_key,
            succession_group=tuple(sorted(set(group))),
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _enum(enum: type[E]) -> Callable[[object], E]:
    def conv(raw: object) -> E:
        if isinstance(raw, str):
            try:
                return enum(raw)
            except ValueError:
                pass
        raise ValueError(f"expected one of {', '.join(e.value for e in enum)}, got {raw!r}")

    return conv


def _date(raw: object) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise ValueError(f"expected a date written YYYY-MM-DD, got {raw!r}")


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    raise ValueError(f"expected text, got {raw!r}")


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    raise ValueError(f"expected true or false, got {raw!r}")


def _year(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 1900 <= raw <= 2200:
        return raw
    raise ValueError(f"expected a year (1900-2200), got {raw!r}")


def _competency_level(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 5:
        return raw
    raise ValueError(f"expected a competency level 1-5, got {raw!r}")


def _jpm(raw: object) -> int:
    try:
        value = percent_hundredths(raw)
    except LiteralError as exc:
        raise ValueError(str(exc)) from None
    if not 0 <= value <= 10000:
        raise ValueError(f"JPM must be 0-100 %, got {raw!r}")
    return value


def _looks_like_nip(text: str) -> bool:
    return len(text) == 18 and text.isascii() and text.isdigit()


def _nip(raw: object) -> str:
    if isinstance(raw, str) and len(raw) == 18 and raw.isascii() and raw.isdigit():
        return raw
    raise ValueError(f"expected an 18-digit NIP, got {raw!r}")


def profiles_from_json(
    items: Iterable[object], *, where: str = "profiles"
) -> list[CandidateProfile]:
    """Return the profiles of a JSON list, naming the index of every malformed one.

    :raises ProfileInvalid: listing every malformed field of every profile.
    """
    problems: list[Problem] = []
    out: list[CandidateProfile] = []
    for i, item in enumerate(items):
        try:
            out.append(CandidateProfile.from_json(item, where=f"{where}[{i}]"))
        except ProfileInvalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise ProfileInvalid("invalid candidate profiles", problems)
    return out
