"""The caller's inbox: vacancies waiting on an action one of their roles can take now.

One SQL condition per role (the caller's own roles), so the inbox paginates in the database
(:func:`delegated_inbox` lists, apart, what waits on the people who delegated a role to the
caller):

- ``hr``: vacancies of their agency in ``draft`` or ``returned``; and, unless they submitted
  the vacancy (SOD-SUBMITTER), ``submitted``, ``technical_review`` once the technical approval is
  recorded (the decree is due), and ``decree_issued``.
- ``committee``: ``committee_review`` vacancies of their agency where they are seated for the
  current round, not recused, and have not voted yet.
- ``authority``: ``authority_decision`` vacancies of their agency, unless they are on the
  current shortlist or declared a conflict of interest with someone on it.
- ``national_reviewer``: ``technical_review`` vacancies of every agency without a technical
  approval yet.

Everywhere the caller must not have acted on the vacancy in another role (SOD-ONE-ROLE), and
only the submitter rule's own steps (``draft``, ``returned``) are open to the submitter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from workflow.core import Actor, Database, Page, PageRequest, readable
from workflow.identity import delegations_to
from workflow.models import (
    CommitteeMember,
    ConflictDeclaration,
    ScreeningRun,
    ShortlistEntry,
    Vacancy,
    VacancyAction,
    Vote,
)
from workflow.models.identity import Role
from workflow.vacancies.definition import SYSTEM_ROLE, pinned_definition
from workflow.vacancies.states import OWN_STEP_STATES, ActionName, State
from workflow.vacancies.view import views

INBOX_ROLES = (Role.HR, Role.COMMITTEE, Role.AUTHORITY, Role.NATIONAL_REVIEWER)
"""The roles that have an inbox (auditors and administrators take no workflow action)."""


@dataclass(frozen=True, slots=True)
class Task:
    """A vacancy waiting on the caller: in which roles, which actions, and by when."""

    vacancy: dict[str, Any]
    roles: list[str]
    actions: list[str]
    due_at: dt.datetime | None
    overdue: bool
    on_behalf_of: Actor | None = None
    """The delegator this task waits on, when it is the caller's by delegation."""


def inbox(db: Database, *, actor: Actor, page: PageRequest, now: dt.datetime) -> Page[Task]:
    """Return the vacancies waiting on ``actor``, the soonest due first (no deadline last)."""
    conditions: dict[str, ColumnElement[bool]] = {
        str(role.value): _condition(actor, role.value)
        for role in INBOX_ROLES
        if role.value in actor.roles and actor.user_id is not None
    }
    if not conditions:
        return Page(items=[], total=0, page=page.page, per_page=page.per_page)
    waiting = or_(*conditions.values())
    scoped = and_(readable(actor).clause(Vacancy.tenant_id), waiting)
    statement = (
        select(Vacancy, *(cond.label(role) for role, cond in conditions.items()))
        .where(scoped)
        .order_by(Vacancy.due_at.is_(None), Vacancy.due_at, Vacancy.id)
    )
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(Vacancy).where(scoped)) or 0
        rows = session.execute(statement.limit(page.per_page).offset(page.offset)).all()
        shown = views(session, [row[0] for row in rows])
        items = [
            _task(session, row[0], view, _roles(row, conditions), now)
            for row, view in zip(rows, shown, strict=True)
        ]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


def _roles(row: Any, conditions: dict[str, ColumnElement[bool]]) -> list[str]:
    return [role for index, role in enumerate(conditions, start=1) if row[index]]


def _task(
    session: Session, vacancy: Vacancy, view: dict[str, Any], roles: list[str], now: dt.datetime
) -> Task:
    definition = pinned_definition(session, vacancy.workflow_digest)
    actions = [
        action.name
        for action in definition.actions_from(vacancy.state)
        if not action.automatic and (action.roles - {SYSTEM_ROLE}) & set(roles)
    ]
    return Task(
        vacancy=view,
        roles=roles,
        actions=actions,
        due_at=vacancy.due_at,
        overdue=vacancy.due_at is not None and vacancy.due_at < now,
    )


def _condition(actor: Actor, role: str) -> ColumnElement[bool]:
    uid = actor.user_id
    mine = or_(VacancyAction.actor_id == uid, VacancyAction.on_behalf_of_id == uid)
    acted_otherwise = exists().where(
        VacancyAction.vacancy_id == Vacancy.id, mine, VacancyAction.role != role
    )
    submitted = exists().where(
        VacancyAction.vacancy_id == Vacancy.id,
        VacancyAction.action == ActionName.SUBMIT,
        func.coalesce(VacancyAction.on_behalf_of_id, VacancyAction.actor_id) == uid,
    )
    own_agency = Vacancy.tenant_id == actor.tenant_id
    later_step = and_(Vacancy.state.not_in(sorted(OWN_STEP_STATES)), ~submitted)
    if role == Role.HR.value:
        waiting = or_(
            Vacancy.state.in_(sorted(OWN_STEP_STATES)),
            and_(
                later_step,
                or_(
                    Vacancy.state.in_([State.SUBMITTED, State.DECREE_ISSUED]),
                    and_(
                        Vacancy.state == State.TECHNICAL_REVIEW,
                        Vacancy.technical_reference.is_not(None),
                    ),
                ),
            ),
        )
        return and_(own_agency, waiting, ~acted_otherwise)
    if role == Role.COMMITTEE.value:
        seated = exists().where(
            CommitteeMember.vacancy_id == Vacancy.id,
            CommitteeMember.round == Vacancy.round,
            CommitteeMember.user_id == uid,
            CommitteeMember.recused.is_(False),
        )
        voted = exists().where(
            Vote.vacancy_id == Vacancy.id, Vote.round == Vacancy.round, Vote.member_id == uid
        )
        return and_(
            own_agency,
            Vacancy.state == State.COMMITTEE_REVIEW,
            seated,
            ~voted,
            later_step,
            ~acted_otherwise,
        )
    if role == Role.AUTHORITY.value:
        shortlisted = and_(
            ScreeningRun.vacancy_id == Vacancy.id,
            ScreeningRun.round == Vacancy.round,
            ShortlistEntry.screening_run_id == ScreeningRun.id,
        )
        # As duties.py: only a conflict with someone on the current shortlist bars the pick.
        conflicted = exists().where(
            ConflictDeclaration.vacancy_id == Vacancy.id,
            ConflictDeclaration.user_id == uid,
            ConflictDeclaration.employee_id == ShortlistEntry.employee_id,
            shortlisted,
        )
        candidate: ColumnElement[bool] = false()
        if actor.employee_id is not None:
            candidate = exists().where(shortlisted, ShortlistEntry.employee_id == actor.employee_id)
        return and_(
            own_agency,
            Vacancy.state == State.AUTHORITY_DECISION,
            ~conflicted,
            ~candidate,
            later_step,
            ~acted_otherwise,
        )
    # national_reviewer: every agency's technical review still without the pertek.
    return and_(
        Vacancy.state == State.TECHNICAL_REVIEW,
        Vacancy.technical_reference.is_(None),
        later_step,
        ~acted_otherwise,
    )


DELEGATED_LIMIT = 50
"""At most this many tasks are listed per delegation (a delegation is short and bounded)."""


def delegated_inbox(db: Database, *, actor: Actor, now: dt.datetime) -> list[Task]:
    """Return what waits on the users who delegated a role to ``actor`` (each in that role only,
    with their own restrictions), the soonest due first; each task names its delegator."""
    tasks: list[Task] = []
    for delegation in delegations_to(db, actor=actor, now=now):
        waiting = inbox(
            db,
            actor=delegation.principal,
            page=PageRequest(page=1, per_page=DELEGATED_LIMIT),
            now=now,
        )
        tasks.extend(replace(task, on_behalf_of=delegation.principal) for task in waiting.items)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(tasks, key=lambda task: (task.due_at or far, task.vacancy["id"]))


@dataclass(frozen=True, slots=True)
class MyTasks:
    """The caller's own inbox page, and what waits on those who delegated a role to them."""

    own: Page[Task]
    delegated: list[Task]


def my_tasks(db: Database, *, actor: Actor, page: PageRequest, now: dt.datetime) -> MyTasks:
    """Return the caller's inbox page and their delegated tasks (see :func:`delegated_inbox`)."""
    return MyTasks(
        own=inbox(db, actor=actor, page=page, now=now),
        delegated=delegated_inbox(db, actor=actor, now=now),
    )
