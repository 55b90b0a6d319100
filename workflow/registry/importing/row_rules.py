"""Domain rules one imported row must satisfy on its own (pure; the rules across rows: check.py).

Every function takes a row already shaped by the row validator (typed values, None for empty)
and returns ``(field, message)`` pairs; an empty list means the row is acceptable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, TypeVar

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
    TenantLevel,
    Training,
)
from workflow.registry import nip as nip_rules
from workflow.registry.records import RecordType

RowProblems = list[tuple[str, str]]
"""``(field, message)`` pairs."""

CODE_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TECHNICAL_PATTERN: Final = re.compile(rf"^{TECHNICAL_PREFIX}[a-z0-9][a-z0-9_-]{{0,71}}$")
"""A technical competency code: at most 80 characters, the column's width."""
EARLIEST_YEAR: Final = 1950
"""No record in a living registry is older than this."""
LEVEL_RANGE: Final = range(1, 6)


def check_row(record_type: RecordType, row: Mapping[str, Any], *, today: dt.date) -> RowProblems:
    """Return every domain problem with one validated row of ``record_type``."""
    return _CHECKS[record_type](row, today)


def check_tenant(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with a tenant row (the parent's level is checked across rows)."""
    problems: RowProblems = []
    _code(problems, "code", row["code"])
    level = _member(problems, "level", row["level"], TenantLevel, "tenant level")
    parent = row.get("parent_code")
    if parent is not None:
        _code(problems, "parent_code", parent)
        if parent == row["code"]:
            problems.append(("parent_code", "a tenant cannot be its own parent"))
    if level is TenantLevel.NATIONAL and parent is not None:
        problems.append(("parent_code", "a national tenant has no parent; leave it empty"))
    elif level is not None and level is not TenantLevel.NATIONAL and parent is None:
        wanted = level.allowed_parent
        problems.append(("parent_code", f"a {level.value} tenant needs its {wanted} parent"))
    return problems


def check_position(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with a position row."""
    problems: RowProblems = []
    _code(problems, "tenant_code", row["tenant_code"])
    _code(problems, "code", row["code"])
    _member(problems, "level", row["level"], PositionLevel, "position level")
    return problems


def check_position_competency(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one competency standard of a position."""
    problems: RowProblems = []
    _competency(problems, "competency", row["competency"])
    _level(problems, "required_level", row["required_level"])
    return problems


def check_employee(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with an employee row, NIP against birth date, gender and type."""
    problems: RowProblems = []
    gender = _member(problems, "gender", row["gender"], Gender, "gender")
    kind = _member(
        problems, "employment_type", row["employment_type"], EmploymentType, "employment type"
    )
    _code(problems, "tenant_code", row["tenant_code"])
    if row.get("position_code") is not None:
        _code(problems, "position_code", row["position_code"])
    birth_date: dt.date = row["birth_date"]
    _not_future(problems, "birth_date", birth_date, today)
    result = nip_rules.check_nip(
        row["nip"],
        birth_date=birth_date,
        gender=gender,
        employment_type=kind,
        today=today,
    )
    problems.extend(("nip", message) for message in result.problems)

    rank, rank_tmt = row.get("rank"), row.get("rank_tmt")
    if kind is EmploymentType.PPPK:
        for name, value in (("rank", rank), ("rank_tmt", rank_tmt)):
            if value is not None:
                problems.append((name, "a PPPK has no pangkat/golongan ruang; leave it empty"))
    elif kind is EmploymentType.PNS:
        if rank is None:
            problems.append(("rank", "a PNS needs a rank (pangkat/golongan ruang, I/a to IV/e)"))
        else:
            _member(problems, "rank", rank, Rank, "rank", hint="ranks run from I/a to IV/e")
        if rank_tmt is None:
            problems.append(("rank_tmt", "a PNS needs the TMT date of the current rank"))
    if rank_tmt is not None and kind is not EmploymentType.PPPK:
        _not_future(problems, "rank_tmt", rank_tmt, today)
        if result.info is not None and rank_tmt < result.info.appointment:
            problems.append(
                (
                    "rank_tmt",
                    f"{rank_tmt.isoformat()} is before the appointment "
                    f"({result.info.appointment.isoformat()}) the NIP gives",
                )
            )

    lhkpn_year = row.get("lhkpn_year")
    if lhkpn_year is not None:
        _year(problems, "lhkpn_year", lhkpn_year, today)
    certificate = row.get("health_certificate_date")
    if certificate is not None:
        _not_future(problems, "health_certificate_date", certificate, today)
    return problems


def check_education(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one completed education."""
    problems: RowProblems = []
    _child_nip(problems, row)
    _member(problems, "level", row["level"], EducationLevel, "education level")
    year: int = row["year"]
    _year(problems, "year", year, today)
    born = _birth_date(row)
    if born is not None and year <= born.year:
        problems.append(("year", f"{year} is not after the birth year {born.year} the NIP gives"))
    return problems


def check_position_history(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one held position."""
    problems: RowProblems = []
    _child_nip(problems, row)
    _member(problems, "level", row["level"], PositionLevel, "position level")
    start: dt.date = row["start_date"]
    end: dt.date | None = row.get("end_date")
    _not_future(problems, "start_date", start, today)
    born = _birth_date(row)
    if born is not None and start < nip_rules.eighteenth_birthday(born):
        problems.append(
            ("start_date", f"{start.isoformat()} is before the holder turned 18 (NIP birth date)")
        )
    if end is not None:
        _not_future(problems, "end_date", end, today)
        _end_after_start(problems, start, end)
    return problems


def check_training(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one leadership training."""
    problems: RowProblems = []
    _child_nip(problems, row)
    _member(problems, "kind", row["kind"], Training, "leadership training")
    _not_future(problems, "completed_on", row["completed_on"], today)
    return problems


def check_performance(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one annual performance predicate."""
    problems: RowProblems = []
    _child_nip(problems, row)
    _year(problems, "year", row["year"], today)
    _member(problems, "predicate", row["predicate"], Predicate, "performance predicate")
    return problems


def check_assessment(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one competency assessment."""
    problems: RowProblems = []
    _child_nip(problems, row)
    _not_future(problems, "assessed_on", row["assessed_on"], today)
    _member(problems, "method", row["method"], AssessmentMethod, "assessment method")
    jpm: Decimal | None = row.get("jpm")
    if jpm is not None and not Decimal(0) <= jpm <= Decimal(100):
        problems.append(("jpm", f"the job-person match is a percentage 0-100, not {jpm}"))
    potential = row.get("potential")
    if potential is not None:
        _member(problems, "potential", potential, PotentialCategory, "potential category")
    return problems


def check_assessment_score(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one competency level measured by an assessment."""
    problems: RowProblems = []
    _child_nip(problems, row)
    _not_future(problems, "assessed_on", row["assessed_on"], today)
    _member(problems, "method", row["method"], AssessmentMethod, "assessment method")
    _competency(problems, "competency", row["competency"])
    _level(problems, "level", row["level"])
    return problems


def check_penalty(row: Mapping[str, Any], today: dt.date) -> RowProblems:
    """Return the problems with one disciplinary penalty (its end may lie ahead: still in force)."""
    problems: RowProblems = []
    _child_nip(problems, row)
    level = _member(problems, "level", row["level"], PenaltyLevel, "penalty level (PP 94/2021)")
    kind = _member(problems, "type", row["type"], PenaltyType, "penalty type (PP 94/2021 Art. 8)")
    if level is not None and kind is not None and kind.level is not level:
        problems.append(
            ("type", f"{kind.value} is a {kind.level.value} penalty (PP 94/2021), not {level}")
        )
    start: dt.date = row["start_date"]
    _not_future(problems, "start_date", start, today)
    end: dt.date | None = row.get("end_date")
    if end is not None:
        _end_after_start(problems, start, end)
    return problems


_CHECKS: Final[dict[RecordType, Callable[[Mapping[str, Any], dt.date], RowProblems]]] = {
    RecordType.TENANT: check_tenant,
    RecordType.POSITION: check_position,
    RecordType.POSITION_COMPETENCY: check_position_competency,
    RecordType.EMPLOYEE: check_employee,
    RecordType.EDUCATION: check_education,
    RecordType.POSITION_HISTORY: check_position_history,
    RecordType.TRAINING: check_training,
    RecordType.PERFORMANCE: check_performance,
    RecordType.ASSESSMENT: check_assessment,
    RecordType.ASSESSMENT_SCORE: check_assessment_score,
    RecordType.PENALTY: check_penalty,
}


_E = TypeVar("_E", bound=StrEnum)


def _member(
    problems: RowProblems,
    field: str,
    value: str,
    enum: type[_E],
    what: str,
    *,
    hint: str | None = None,
) -> _E | None:
    try:
        return enum(value)
    except ValueError:
        allowed = hint or "expected one of " + ", ".join(member.value for member in enum)
        problems.append((field, f"unknown {what} {value!r}; {allowed}"))
        return None


def _code(problems: RowProblems, field: str, value: str) -> None:
    if not CODE_PATTERN.match(value):
        problems.append(
            (field, f"{value!r} is not a code: use letters, digits, '.', '-' and '_' only")
        )


def _competency(problems: RowProblems, field: str, value: str) -> None:
    if value in _COMPETENCIES or TECHNICAL_PATTERN.match(value):
        return
    problems.append(
        (
            field,
            f"unknown competency {value!r}; expected one of {', '.join(_COMPETENCIES)} "
            f"or {TECHNICAL_PREFIX}<name> (up to 73 lower-case letters, digits, '_', '-')",
        )
    )


_COMPETENCIES: Final = tuple(member.value for member in Competency)


def _level(problems: RowProblems, field: str, value: int) -> None:
    if value not in LEVEL_RANGE:
        problems.append((field, f"competency levels run from 1 to 5, not {value}"))


def _not_future(problems: RowProblems, field: str, value: dt.date, today: dt.date) -> None:
    if value > today:
        problems.append(
            (field, f"{value.isoformat()} is in the future (today is {today.isoformat()})")
        )


def _year(problems: RowProblems, field: str, value: int, today: dt.date) -> None:
    if value > today.year:
        problems.append((field, f"{value} is in the future (this year is {today.year})"))
    elif value < EARLIEST_YEAR:
        problems.append((field, f"{value} is before {EARLIEST_YEAR}"))


def _end_after_start(problems: RowProblems, start: dt.date, end: dt.date) -> None:
    if end < start:
        problems.append(
            ("end_date", f"{end.isoformat()} is before the start date {start.isoformat()}")
        )


def _child_nip(problems: RowProblems, row: Mapping[str, Any]) -> None:
    message = nip_rules.format_problem(row["nip"])
    if message:
        problems.append(("nip", message))


def _birth_date(row: Mapping[str, Any]) -> dt.date | None:
    value: str = row["nip"]
    if nip_rules.format_problem(value):
        return None
    return nip_rules.birth_date_of(value)
