"""Data quality per agency: what the merit rules need and the registry lacks, employee by
employee, with a score per agency and the records to fix.

A *hole* is one of (``docs/talent.md`` defines each):

* ``no_recent_assessment``: no assessment in the ``assessment_years`` before the reference date;
* ``missing_performance_year``: a year of the performance window (the ``performance_years``
  calendar years before the reference date's) without a rating;
* ``no_position_history``: no position history at all;
* ``no_lhkpn``: no LHKPN/LHKASN year recorded;
* ``no_health_certificate``: no health certificate date recorded.

The registry has both document fields (``employee.lhkpn_year``, ``health_certificate_date``),
so all five are counted. The score is the share of employees without any hole, in hundredths
of a percent (10000 = every record complete; an agency without employees scores 10000).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.profile import CandidateProfile
from workflow import screening
from workflow.core import (
    Actor,
    Database,
    InvalidInput,
    NotFound,
    Page,
    PageRequest,
    ensure_readable,
    readable,
)
from workflow.identity import AccessRecorder
from workflow.models import Employee, Tenant

HOLES = (
    "no_recent_assessment",
    "missing_performance_year",
    "no_position_history",
    "no_lhkpn",
    "no_health_certificate",
)
DEFAULT_ASSESSMENT_YEARS = 3
DEFAULT_PERFORMANCE_YEARS = 2


def holes(
    profile: CandidateProfile,
    *,
    reference_date: dt.date,
    assessment_years: int = DEFAULT_ASSESSMENT_YEARS,
    performance_years: int = DEFAULT_PERFORMANCE_YEARS,
) -> tuple[str, ...]:
    """Return the holes of one employee's record on the reference date, in :data:`HOLES` order."""
    out = []
    earliest = _years_before(reference_date, assessment_years)
    if not any(earliest <= a.assessed_on <= reference_date for a in profile.assessments):
        out.append("no_recent_assessment")
    rated = {r.year for r in profile.performance}
    window = range(reference_date.year - performance_years, reference_date.year)
    if any(year not in rated for year in window):
        out.append("missing_performance_year")
    if not profile.positions:
        out.append("no_position_history")
    if profile.lhkpn_year is None:
        out.append("no_lhkpn")
    if profile.health_certificate_date is None:
        out.append("no_health_certificate")
    return tuple(out)


def _years_before(day: dt.date, years: int) -> dt.date:
    if day.year - years < dt.MINYEAR:
        return dt.date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True, slots=True)
class AgencyQuality:
    """One agency's data-quality figures (counts only)."""

    agency: str
    name: str
    employees: int
    complete: int
    """Employees without any hole."""
    score: int
    """``complete / employees`` in hundredths of a percent (10000 when there are none)."""
    holes: dict[str, int]
    """Hole → employees with it."""


@dataclass(frozen=True, slots=True)
class RecordToFix:
    """An employee whose record has holes (personal data: recorded before it is returned)."""

    employee_id: int
    nip: str
    name: str
    holes: list[str]


def _check(assessment_years: int) -> None:
    if not 1 <= assessment_years <= 20:
        raise InvalidInput(
            f"assessment_years {assessment_years} is outside 1..20",
            [{"field": "assessment_years", "message": "1 to 20"}],
        )


def agency_quality(
    db: Database,
    *,
    actor: Actor,
    reference_date: dt.date,
    assessment_years: int = DEFAULT_ASSESSMENT_YEARS,
    page: PageRequest,
) -> Page[AgencyQuality]:
    """Return the data-quality figures of every agency the actor reads, by agency code (BKN
    sees every agency side by side; anyone else their own).

    :raises InvalidInput: ``assessment_years`` outside 1..20.
    """
    _check(assessment_years)
    with db.read() as session:
        agencies = session.execute(
            select(Tenant.id, Tenant.code, Tenant.name)
            .where(readable(actor).clause(Tenant.id))
            .order_by(Tenant.code)
        ).all()
        shown = agencies[page.offset : page.offset + page.per_page]
        items = []
        for tenant_id, code, name in shown:
            profiles = screening.load_profiles(session, tenant_ids=[tenant_id])
            counts = dict.fromkeys(HOLES, 0)
            complete = 0
            for profile in profiles:
                found = holes(
                    profile, reference_date=reference_date, assessment_years=assessment_years
                )
                complete += not found
                for hole in found:
                    counts[hole] += 1
            total = len(profiles)
            score = 10000 if total == 0 else (10000 * complete) // total
            items.append(AgencyQuality(code, name, total, complete, score, counts))
    return Page(items=items, total=len(agencies), page=page.page, per_page=page.per_page)


def records_to_fix(
    db: Database,
    *,
    recorder: AccessRecorder,
    agency: str,
    reference_date: dt.date,
    assessment_years: int = DEFAULT_ASSESSMENT_YEARS,
    hole: str | None = None,
    page: PageRequest,
) -> Page[RecordToFix]:
    """Return a page of the agency's employees with holes (or with ``hole``), by NIP; each one
    returned is written to the access log first.

    :raises NotFound: no agency ``agency`` visible to the caller.
    :raises InvalidInput: an unknown hole, or ``assessment_years`` outside 1..20.
    """
    _check(assessment_years)
    if hole is not None and hole not in HOLES:
        raise InvalidInput(
            f"unknown hole {hole!r}", [{"field": "hole", "message": f"one of {', '.join(HOLES)}"}]
        )
    with db.read() as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == agency))
        if tenant_id is None:
            raise NotFound(f"no agency {agency}")
        ensure_readable(recorder.actor, tenant_id, f"agency {agency}")
        flagged: list[tuple[str, tuple[str, ...]]] = []
        for profile in screening.load_profiles(session, tenant_ids=[tenant_id]):
            found = holes(profile, reference_date=reference_date, assessment_years=assessment_years)
            if found and (hole is None or hole in found):
                flagged.append((profile.nip, found))
        shown = flagged[page.offset : page.offset + page.per_page]
        employees = _employees(session, [nip for nip, _ in shown])
    recorder.record(db, employees.values())
    items = [
        RecordToFix(employees[nip].id, nip, employees[nip].name, list(found))
        for nip, found in shown
    ]
    return Page(items=items, total=len(flagged), page=page.page, per_page=page.per_page)


def _employees(session: Session, nips: Sequence[str]) -> dict[str, Employee]:
    return {e.nip: e for e in session.scalars(select(Employee).where(Employee.nip.in_(nips)))}
