"""SLA timers: a reminder at 75 % of a state's SLA and an escalation when it is breached.

Due dates live in the vacancy row (set when a state is entered). A sweep handles each due
vacancy in its own short transaction, locking the row (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite writers queue on ``BEGIN IMMEDIATE``) and re-checking that the step is
still due, so two schedulers running at once never remind or escalate the same step twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import Database
from workflow.models.vacancy import Vacancy
from workflow.vacancies.definition import pinned_definition

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def sweep(db: Database, *, now: dt.datetime, batch: int = 500) -> SweepReport:
    """Send due reminders and escalate breached steps; return what was done."""
    report = SweepReport()
    with db.read() as session:
        # an overdue step is escalated instead of reminded
        reminders = session.scalars(
            select(Vacancy.id)
            .where(Vacancy.reminder_at <= now, Vacancy.reminded_at.is_(None), Vacancy.due_at > now)
            .order_by(Vacancy.reminder_at)
            .limit(batch)
        ).all()
        breaches = session.scalars(
            select(Vacancy.id)
            .where(Vacancy.due_at <= now, Vacancy.escalated_at.is_(None))
            .order_by(Vacancy.due_at)
            .limit(batch)
        ).all()
    for vacancy_id in reminders:
        with db.transaction() as session:
            vacancy = _due(session, vacancy_id)
            if vacancy is None or not _reminder_due(vacancy, now):
                continue
            vacancy.reminded_at = now
            ledger.append(
                session,
                tenant_id=vacancy.tenant_id,
                kind=ledger.LedgerKind.SLA_REMINDER,
                actor=None,
                at=now,
                data={
                    "vacancy": vacancy.id,
                    "state": vacancy.state,
                    "version": vacancy.version,
                    "due_at": _iso(vacancy.due_at),
                },
            )
            report.reminded.append(vacancy.id)
    for vacancy_id in breaches:
        with db.transaction() as session:
            vacancy = _due(session, vacancy_id)
            if vacancy is None or not _breached(vacancy, now):
                continue
            sla = pinned_definition(session, vacancy.workflow_digest).states[vacancy.state].sla
            if sla is None:
                continue
            vacancy.escalated_at, vacancy.escalated_to = now, sla.escalate_to
            if vacancy.reminded_at is None:
                vacancy.reminded_at = now  # the reminder is moot once the step is overdue
            ledger.append(
                session,
                tenant_id=vacancy.tenant_id,
                kind=ledger.LedgerKind.SLA_ESCALATED,
                actor=None,
                at=now,
                data={
                    "vacancy": vacancy.id,
                    "state": vacancy.state,
                    "version": vacancy.version,
                    "due_at": _iso(vacancy.due_at),
                    "escalated_to": sla.escalate_to,
                },
            )
            report.escalated.append(vacancy.id)
    if report.reminded or report.escalated:
        log.info("sla_sweep", reminded=len(report.reminded), escalated=len(report.escalated))
    return report


def _reminder_due(vacancy: Vacancy, now: dt.datetime) -> bool:
    return (
        vacancy.reminded_at is None
        and vacancy.reminder_at is not None
        and vacancy.reminder_at <= now
        and not _breached(vacancy, now)
    )


def _breached(vacancy: Vacancy, now: dt.datetime) -> bool:
    return vacancy.escalated_at is None and vacancy.due_at is not None and vacancy.due_at <= now


def _due(session: Session, vacancy_id: int) -> Vacancy | None:
    return session.scalar(
        select(Vacancy).where(Vacancy.id == vacancy_id).with_for_update(skip_locked=True)
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
