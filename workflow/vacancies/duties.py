"""Segregation of duties and conflicts of interest, checked before every action.

Each rule returns a reason when it refuses; the use case records the refusal in the ledger.
A delegate acts with the delegator's authority and carries the restrictions of both people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflow.core import Actor
from workflow.models.identity import User
from workflow.models.vacancy import (
    CommitteeMember,
    ConflictDeclaration,
    ScreeningRun,
    ShortlistEntry,
    VacancyAction,
)
from workflow.vacancies.definition import SYSTEM_ROLE, ActionDef
from workflow.vacancies.row import VacancyRow
from workflow.vacancies.states import DECIDING_ACTIONS, OWN_STEP_STATES, ActionName


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an action is refused: a stable rule code and a sentence for people."""

    rule: str
    reason: str


def role_for(actor: Actor, action: ActionDef) -> str | None:
    """Return the role in which ``actor`` may take ``action``, or None."""
    if actor.is_system:
        return SYSTEM_ROLE if SYSTEM_ROLE in action.roles else None
    usable = sorted(action.roles & actor.roles - {SYSTEM_ROLE})
    return usable[0] if usable else None


_ACTIONS = VacancyAction.__table__
_HISTORY = (
    select(_ACTIONS.c.action, _ACTIONS.c.role, _ACTIONS.c.actor_id, _ACTIONS.c.on_behalf_of_id)
    .where(_ACTIONS.c.vacancy_id == bindparam("vacancy"))
    .where(
        _ACTIONS.c.actor_id.in_(bindparam("people", expanding=True))
        | _ACTIONS.c.on_behalf_of_id.in_(bindparam("people", expanding=True))
    )
)
"""What the people acting did on a vacancy before (built once; only the values change)."""


def check(
    session: Session, *, vacancy: VacancyRow, actor: Actor, action: ActionDef, role: str
) -> Refusal | None:
    """Return the first duty rule ``actor`` would break by taking ``action``, or None."""
    if actor.is_system:
        return None
    national = national_read_only(vacancy=vacancy, actor=actor, action=action)
    if national is not None:
        return national
    people = sorted(p.user_id for p in actor.people() if p.user_id is not None)
    # A plain Core query on the transaction's connection: columns only, no ORM entities.
    history = (
        session.connection().execute(_HISTORY, {"vacancy": vacancy.id, "people": people}).all()
    )
    for person in actor.people():
        acted = [row for row in history if person.user_id in (row.actor_id, row.on_behalf_of_id)]
        refusal = (
            _submitter_acts_later(vacancy, person, acted)
            or _second_role(person, acted, role)
            or _candidate_decides(session, vacancy, person, action)
            or _conflicted_decides(session, vacancy, person, action)
        )
        if refusal is not None:
            return refusal
    return None


NATIONAL_ACTION_ROLE = "national_reviewer"
"""The role in which a national user may act on another agency's vacancy (BKN's pertek)."""


def national_read_only(*, vacancy: VacancyRow, actor: Actor, action: ActionDef) -> Refusal | None:
    """Refuse a national user acting on another agency's vacancy outside a national step.

    National users read every agency but change none of its data; the one exception is the
    national technical review (actions open to ``national_reviewer``).
    """
    if actor.is_system or not actor.is_national or actor.tenant_id == vacancy.tenant_id:
        return None
    if NATIONAL_ACTION_ROLE in action.roles:
        return None
    return Refusal(
        "NATIONAL-READ-ONLY",
        f"{actor.describe()} belongs to the national agency, which reads other agencies' "
        f"vacancies but may only take their national technical review, not {action.name}",
    )


def _submitter_acts_later(vacancy: VacancyRow, person: Actor, acted: list[Any]) -> Refusal | None:
    if vacancy.state in OWN_STEP_STATES:
        return None
    submitted = any(
        row.action == ActionName.SUBMIT and (row.on_behalf_of_id or row.actor_id) == person.user_id
        for row in acted
    )
    if submitted:
        return Refusal(
            "SOD-SUBMITTER",
            f"{person.username} submitted this vacancy and may not act at a later step",
        )
    return None


def _second_role(person: Actor, acted: list[Any], role: str) -> Refusal | None:
    other = sorted({row.role for row in acted} - {role})
    if other:
        return Refusal(
            "SOD-ONE-ROLE",
            f"{person.username} already acted on this vacancy as {other[0]} "
            f"and may not act as {role}",
        )
    return None


def shortlisted_employee_ids(session: Session, vacancy: VacancyRow) -> set[int]:
    """Return the employees on the current round's shortlist."""
    return set(
        session.scalars(
            select(ShortlistEntry.employee_id)
            .join(ScreeningRun)
            .where(ScreeningRun.vacancy_id == vacancy.id, ScreeningRun.round == vacancy.round)
        )
    )


def _candidate_decides(
    session: Session, vacancy: VacancyRow, person: Actor, action: ActionDef
) -> Refusal | None:
    if action.name not in DECIDING_ACTIONS or person.employee_id is None:
        return None
    if person.employee_id in shortlisted_employee_ids(session, vacancy):
        return Refusal(
            "COI-CANDIDATE",
            f"{person.username} is a candidate on this shortlist (UU 30/2014 Art. 42)",
        )
    return None


def _conflicted_decides(
    session: Session, vacancy: VacancyRow, person: Actor, action: ActionDef
) -> Refusal | None:
    if action.name not in DECIDING_ACTIONS:
        return None
    declared = set(
        session.scalars(
            select(ConflictDeclaration.employee_id).where(
                ConflictDeclaration.vacancy_id == vacancy.id,
                ConflictDeclaration.user_id == person.user_id,
            )
        )
    )
    if declared & shortlisted_employee_ids(session, vacancy):
        return Refusal(
            "COI-DECLARED",
            f"{person.username} declared a conflict of interest with a shortlisted "
            "candidate and must withdraw (UU 30/2014 Art. 42)",
        )
    return None


def recusals(session: Session, vacancy: VacancyRow, members: list[CommitteeMember]) -> None:
    """Mark members who are candidates or declared a conflict with one as recused."""
    shortlisted = shortlisted_employee_ids(session, vacancy)
    for member in members:
        user = session.get(User, member.user_id)
        if user is not None and user.employee_id in shortlisted:
            member.recused, member.recusal_reason = True, "is a candidate on the shortlist"
            continue
        declared = set(
            session.scalars(
                select(ConflictDeclaration.employee_id).where(
                    ConflictDeclaration.vacancy_id == vacancy.id,
                    ConflictDeclaration.user_id == member.user_id,
                )
            )
        )
        if declared & shortlisted:
            member.recused = True
            member.recusal_reason = "declared a conflict of interest with a candidate"
