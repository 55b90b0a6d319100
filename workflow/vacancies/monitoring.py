"""Monitoring for the national reviewer and auditors: per agency, how the vacancies stand.

Everything here is counts and vacancy ids, never a person: who was picked, shortlisted or
boxed is personal data that only the vacancy's own reads disclose (through the access log).
Scoped like every query: national users see every agency, an agency's auditor their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from workflow.core import Actor, Database, Page, PageRequest, readable
from workflow.models import (
    ScreeningRun,
    ShortlistEntry,
    Tenant,
    Vacancy,
    VacancyAction,
    WorkflowVersion,
)
from workflow.vacancies.definition import pinned_definition
from workflow.vacancies.states import ActionName

MAX_LISTED_VACANCIES = 100
"""At most this many vacancy ids are listed per agency and figure; the counts are complete."""
BOXES = tuple(range(1, 10))
"""The nine boxes of the talent matrix (performance x potential), 1..9."""


@dataclass(frozen=True, slots=True)
class MonitoringFilter:
    """Which agencies (and, where it applies, which period) to report on; None means any."""

    agency_code: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(slots=True)
class AgencyStatus:
    """How one agency's vacancies stand now."""

    agency: str
    name: str
    level: str
    vacancies: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    open: int = 0
    """Vacancies not in a final state (closed, cancelled)."""
    overdue: int = 0
    """Open vacancies whose current step is past its SLA due time."""
    overdue_vacancies: list[int] = field(default_factory=list)
    escalated: int = 0
    """Open vacancies whose current step was escalated (SLA breached, reassigned)."""
    escalated_vacancies: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DeviationView:
    """A decision in force where the authority picked someone other than rank 1."""

    vacancy_id: int
    agency: str
    title: str
    state: str
    round: int
    selected_rank: int | None
    justification: str | None
    decided_at: dt.datetime | None


@dataclass(slots=True)
class NineBoxView:
    """The 9-box distribution of the latest screening of an agency's vacancies."""

    agency: str
    name: str
    vacancies: int = 0
    """Vacancies with a screening (in the period, if one is given)."""
    candidates: int = 0
    boxes: dict[str, int] = field(default_factory=lambda: {str(box): 0 for box in BOXES})
    unboxed: int = 0
    """Shortlisted candidates without a box (data missing for performance or potential)."""


def _agencies(
    session: Session, actor: Actor, where: MonitoringFilter, page: PageRequest
) -> Page[Tenant]:
    statement = select(Tenant).where(readable(actor).clause(Tenant.id))
    if where.agency_code is not None:
        statement = statement.where(Tenant.code == where.agency_code)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    tenants = session.scalars(
        statement.order_by(Tenant.code, Tenant.id).limit(page.per_page).offset(page.offset)
    ).all()
    return Page(items=tenants, total=total, page=page.page, per_page=page.per_page)


def _final_states(session: Session) -> frozenset[str]:
    """Return the states that are final in any workflow version a vacancy may pin."""
    finals: set[str] = set()
    for digest in session.scalars(select(WorkflowVersion.digest)):
        definition = pinned_definition(session, digest)
        finals.update(name for name, state in definition.states.items() if state.final)
    return frozenset(finals)


def agency_status(
    db: Database, *, actor: Actor, where: MonitoringFilter, page: PageRequest, now: dt.datetime
) -> Page[AgencyStatus]:
    """Return, per agency the caller may read, its vacancies by state, overdue and escalated."""
    with db.read() as session:
        agencies = _agencies(session, actor, where, page)
        report = {
            tenant.id: AgencyStatus(agency=tenant.code, name=tenant.name, level=tenant.level)
            for tenant in agencies.items
        }
        ids = list(report)
        finals = _final_states(session)
        for tenant_id, state, count in session.execute(
            select(Vacancy.tenant_id, Vacancy.state, func.count())
            .where(Vacancy.tenant_id.in_(ids))
            .group_by(Vacancy.tenant_id, Vacancy.state)
        ):
            status = report[tenant_id]
            status.by_state[state] = count
            status.vacancies += count
            if state not in finals:
                status.open += count
        open_step = and_(Vacancy.tenant_id.in_(ids), Vacancy.state.not_in(sorted(finals)))
        overdue = session.execute(
            select(Vacancy.tenant_id, Vacancy.id)
            .where(open_step, Vacancy.due_at <= now)
            .order_by(Vacancy.due_at, Vacancy.id)
        )
        for tenant_id, vacancy_id in overdue:
            status = report[tenant_id]
            status.overdue += 1
            if len(status.overdue_vacancies) < MAX_LISTED_VACANCIES:
                status.overdue_vacancies.append(vacancy_id)
        escalated = session.execute(
            select(Vacancy.tenant_id, Vacancy.id)
            .where(open_step, Vacancy.escalated_at.is_not(None))
            .order_by(Vacancy.escalated_at, Vacancy.id)
        )
        for tenant_id, vacancy_id in escalated:
            status = report[tenant_id]
            status.escalated += 1
            if len(status.escalated_vacancies) < MAX_LISTED_VACANCIES:
                status.escalated_vacancies.append(vacancy_id)
    return Page(
        items=list(report.values()),
        total=agencies.total,
        page=agencies.page,
        per_page=agencies.per_page,
    )


def deviations(
    db: Database, *, actor: Actor, where: MonitoringFilter, page: PageRequest
) -> Page[DeviationView]:
    """Return the decisions in force where the authority picked other than rank 1, newest first.

    ``since``/``until`` bound when the decision was taken. A decision later undone (the vacancy
    was returned) is no longer in force and not listed; the ledger keeps every one.
    """
    decided_at = (
        select(func.max(VacancyAction.at))
        .where(VacancyAction.vacancy_id == Vacancy.id, VacancyAction.action == ActionName.DECIDE)
        .correlate(Vacancy)
        .scalar_subquery()
    )
    statement = (
        select(Vacancy, Tenant.code, decided_at.label("decided_at"))
        .join_from(Vacancy, Tenant, Vacancy.tenant_id == Tenant.id)
        .where(readable(actor).clause(Vacancy.tenant_id), Vacancy.deviation.is_(True))
    )
    if where.agency_code is not None:
        statement = statement.where(Tenant.code == where.agency_code)
    if where.since is not None:
        statement = statement.where(decided_at >= where.since)
    if where.until is not None:
        statement = statement.where(decided_at < where.until)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = session.execute(
            statement.order_by(decided_at.desc(), Vacancy.id.desc())
            .limit(page.per_page)
            .offset(page.offset)
        ).all()
    items = [
        DeviationView(
            vacancy_id=vacancy.id,
            agency=code,
            title=vacancy.title,
            state=vacancy.state,
            round=vacancy.round,
            selected_rank=vacancy.selected_rank,
            justification=vacancy.justification,
            decided_at=at,
        )
        for vacancy, code, at in rows
    ]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


def nine_box(
    db: Database, *, actor: Actor, where: MonitoringFilter, page: PageRequest
) -> Page[NineBoxView]:
    """Return, per agency the caller may read, the 9-box counts of the latest screening round
    of each of its vacancies (``since``/``until`` bound when that screening ran)."""
    with db.read() as session:
        agencies = _agencies(session, actor, where, page)
        report = {
            tenant.id: NineBoxView(agency=tenant.code, name=tenant.name)
            for tenant in agencies.items
        }
        latest = (
            select(ScreeningRun.vacancy_id, func.max(ScreeningRun.round).label("round"))
            .group_by(ScreeningRun.vacancy_id)
            .subquery()
        )
        runs = (
            select(ScreeningRun.id, Vacancy.tenant_id)
            .join(
                latest,
                and_(
                    latest.c.vacancy_id == ScreeningRun.vacancy_id,
                    latest.c.round == ScreeningRun.round,
                ),
            )
            .join(Vacancy, Vacancy.id == ScreeningRun.vacancy_id)
            .where(Vacancy.tenant_id.in_(list(report)))
        )
        if where.since is not None:
            runs = runs.where(ScreeningRun.created_at >= where.since)
        if where.until is not None:
            runs = runs.where(ScreeningRun.created_at < where.until)
        chosen = runs.subquery()
        for tenant_id, count in session.execute(
            select(chosen.c.tenant_id, func.count()).group_by(chosen.c.tenant_id)
        ):
            report[tenant_id].vacancies = count
        counts = session.execute(
            select(chosen.c.tenant_id, ShortlistEntry.box, func.count())
            .join(ShortlistEntry, ShortlistEntry.screening_run_id == chosen.c.id)
            .group_by(chosen.c.tenant_id, ShortlistEntry.box)
        )
        _tally(report, counts)
    return Page(
        items=list(report.values()),
        total=agencies.total,
        page=agencies.page,
        per_page=agencies.per_page,
    )


def _tally(report: dict[int, NineBoxView], counts: Iterable[tuple[int, int | None, int]]) -> None:
    for tenant_id, box, count in counts:
        view = report[tenant_id]
        view.candidates += count
        if box is not None and str(box) in view.boxes:
            view.boxes[str(box)] += count
        else:
            view.unboxed += count


@dataclass(frozen=True, slots=True)
class Dashboard:
    """BKN's dashboard: one page of agencies (their status and 9-box), and the deviations."""

    status: Page[AgencyStatus]
    nine_box: Page[NineBoxView]
    """The same agencies as ``status``, in the same order."""
    deviations: Page[DeviationView]


def dashboard(
    db: Database,
    *,
    actor: Actor,
    where: MonitoringFilter,
    agencies: PageRequest,
    deviation_page: PageRequest,
    now: dt.datetime,
) -> Dashboard:
    """Return the monitoring dashboard: per agency the caller may read (one page of them), its
    vacancies by state, overdue and escalated steps and its 9-box distribution; and one page of
    the deviations from rank 1 of those agencies (all of them, not only this page's)."""
    return Dashboard(
        status=agency_status(db, actor=actor, where=where, page=agencies, now=now),
        nine_box=nine_box(db, actor=actor, where=where, page=agencies),
        deviations=deviations(db, actor=actor, where=where, page=deviation_page),
    )
