"""The user actions on a vacancy: one typed function per action of the definition.

Each function is the typed door to one action of the YAML definition, which decides the states
it may be taken in, where it leads, who may take it and its guard. The function holds only the
action's own effect; :func:`workflow.vacancies.protocol.run` wraps it in the protocol every
action shares (lock, idempotency, version and state, delegation, role and duty rules, guard,
state change, action row, ledger entry, automatic follow-ups) in one transaction.

Every action raises what :func:`workflow.vacancies.protocol.run` lists, plus what its own
docstring adds. :func:`workflow.vacancies.dispatch.perform` takes an action by name with its
payload as the adapters receive it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflow.core import Actor, Conflict, Database, InvalidInput
from workflow.models import (
    CommitteeMember,
    ConflictDeclaration,
    Employee,
    ScreeningRun,
    ShortlistEntry,
    Vote,
)
from workflow.vacancies.facts import pick_facts
from workflow.vacancies.idempotency import Outcome
from workflow.vacancies.protocol import Attempt, Step, run
from workflow.vacancies.states import ActionName

MAX_REASON_LENGTH = 2000
MAX_REFERENCE_LENGTH = 120


def submit(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Submit a draft or returned vacancy for screening; each submission starts a new round."""

    def effect(step: Step) -> None:
        vacancy = step.vacancy
        vacancy.round += 1
        vacancy.submitted_by_id = step.actor.principal.user_id
        vacancy.selected_employee_id = vacancy.selected_rank = None
        vacancy.deviation, vacancy.justification = False, None
        vacancy.technical_reference = None

    attempt = Attempt(
        ActionName.SUBMIT,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {},
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


def start_screening(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Move a submitted vacancy to ``screening``; :func:`workflow.vacancies.screen` also runs it."""
    attempt = Attempt(
        ActionName.START_SCREENING,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {},
        on_behalf_of,
        now,
    )
    return run(db, attempt, _no_effect)


def vote(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    approve: bool,
    comment: str = "",
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Record a committee member's vote to approve the shortlist or to return it; the quorum
    guards then move the vacancy on, back, or leave it waiting for more votes.

    :raises InvalidInput: a vote to return without a comment.
    :raises Refused: ``NOT-A-MEMBER`` (not seated this round) or ``RECUSED`` (recorded).
    :raises Conflict: the member already voted in this round.
    """
    decision = "approve" if approve else "return"
    comment = comment.strip()

    def effect(step: Step) -> None:
        if not approve and not comment:
            raise InvalidInput(
                "a vote to return needs a comment",
                [{"field": "comment", "message": "is required to return"}],
            )
        vacancy, member = step.vacancy, step.actor.principal
        seat = step.session.get(CommitteeMember, (vacancy.id, vacancy.round, member.user_id))
        if seat is None:
            step.refuse("NOT-A-MEMBER", f"{member.username} is not on this vacancy's committee")
        if seat.recused:
            step.refuse("RECUSED", f"{member.username} is recused: {seat.recusal_reason}")
        if step.session.get(Vote, (vacancy.id, vacancy.round, member.user_id)) is not None:
            raise Conflict(f"{member.username} already voted in this round")
        step.session.add(
            Vote(
                vacancy_id=vacancy.id,
                round=vacancy.round,
                member_id=member.user_id,
                cast_by_id=step.actor.user_id,
                decision=decision,
                comment=comment,
                at=step.now,
            )
        )
        step.session.flush()
        step.record(decision=decision, member=member.user_id)

    payload = {"decision": decision, "comment": comment}
    attempt = Attempt(
        ActionName.VOTE,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        payload,
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


def declare_conflict(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    candidate: str,
    reason: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Declare a conflict of interest with a candidate (their NIP); a seated committee member
    is recused from then on (UU 30/2014 Arts. 42-43).

    :raises InvalidInput: no employee with that NIP.
    :raises Conflict: this conflict is already declared.
    """
    reason = reason.strip()

    def effect(step: Step) -> None:
        employee_id = _employee_id(step.session, "candidate", candidate)
        vacancy, user_id = step.vacancy, step.actor.principal.user_id
        assert user_id is not None
        declared = step.session.scalar(
            select(ConflictDeclaration.id).where(
                ConflictDeclaration.vacancy_id == vacancy.id,
                ConflictDeclaration.user_id == user_id,
                ConflictDeclaration.employee_id == employee_id,
            )
        )
        if declared is not None:
            raise Conflict("this conflict of interest is already declared")
        step.session.add(
            ConflictDeclaration(
                vacancy_id=vacancy.id,
                user_id=user_id,
                employee_id=employee_id,
                reason=reason,
                declared_at=step.now,
            )
        )
        seat = step.session.get(CommitteeMember, (vacancy.id, vacancy.round, user_id))
        if seat is not None and not seat.recused:
            seat.recused = True
            seat.recusal_reason = "declared a conflict of interest with a candidate"
        step.session.flush()
        step.record(employee=employee_id, recused=seat is not None)

    payload = {"candidate": candidate, "reason": reason}
    attempt = Attempt(
        ActionName.DECLARE_CONFLICT,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        payload,
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


def decide(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    candidate: str,
    justification: str | None = None,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Record the authority's pick (a candidate's NIP) among the top of the shortlist; any pick
    but rank 1 needs a written justification (the ``PICK-IN-POOL`` guard decides).

    :raises InvalidInput: no employee with that NIP.
    """
    justification = (justification or "").strip() or None

    def effect(step: Step) -> None:
        employee_id = _employee_id(step.session, "candidate", candidate)
        vacancy = step.vacancy
        params = {"vacancy": vacancy.id, "round": vacancy.round, "employee": employee_id}
        entry = step.session.execute(_SHORTLISTED, params).one_or_none()
        rank = entry.rank if entry is not None else 0
        eligible = entry is not None and entry.status == "eligible"
        vacancy.selected_employee_id, vacancy.selected_rank = employee_id, rank
        vacancy.deviation = rank != 1
        vacancy.justification = justification
        step.facts.update(pick_facts(rank, eligible, justification, step.definition.parameters))
        step.record(
            employee=employee_id, pick_rank=rank, pick_eligible=eligible, deviation=rank != 1
        )

    payload: dict[str, Any] = {"candidate": candidate}
    if justification is not None:
        payload["justification"] = justification
    attempt = Attempt(
        ActionName.DECIDE,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        payload,
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


_SHORTLISTED = (
    select(ShortlistEntry.rank, ShortlistEntry.status)
    .join(ScreeningRun)
    .where(
        ScreeningRun.vacancy_id == bindparam("vacancy"),
        ScreeningRun.round == bindparam("round"),
        ShortlistEntry.employee_id == bindparam("employee"),
    )
)


def approve_technical(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    reference: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Record the national technical approval (pertek) by its reference.

    :raises InvalidInput: a reference of more than 120 characters.
    :raises Conflict: the technical approval is already recorded.
    """
    reference = reference.strip()

    def effect(step: Step) -> None:
        if not 1 <= len(reference) <= MAX_REFERENCE_LENGTH:
            raise InvalidInput(
                "the pertek reference is 1-120 characters",
                [{"field": "reference", "message": "1-120 characters"}],
            )
        if step.vacancy.technical_reference is not None:
            raise Conflict("the technical approval is already recorded")
        step.vacancy.technical_reference = reference
        step.record(reference=reference)

    attempt = Attempt(
        ActionName.APPROVE_TECHNICAL,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {"reference": reference},
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


def issue_decree(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    decree_number: str,
    decree_date: dt.date,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Record the appointment decree (SK), once the technical approval is (guard ``PERTEK-GIVEN``).

    :raises InvalidInput: a decree date in the future.
    """
    decree_number = decree_number.strip()

    def effect(step: Step) -> None:
        if decree_date > step.now.date():
            raise InvalidInput(
                "the decree date is in the future",
                [{"field": "decree_date", "message": "must not be in the future"}],
            )
        step.vacancy.decree_number, step.vacancy.decree_date = decree_number, decree_date
        step.record(decree_number=decree_number, decree_date=decree_date.isoformat())

    payload = {"decree_number": decree_number, "decree_date": decree_date}
    attempt = Attempt(
        ActionName.ISSUE_DECREE,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        payload,
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


def close(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    inauguration_date: dt.date,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Close the vacancy with the appointee's inauguration date.

    :raises InvalidInput: an inauguration before the decree date.
    """

    def effect(step: Step) -> None:
        decreed = step.vacancy.decree_date
        if decreed is not None and inauguration_date < decreed:
            raise InvalidInput(
                "the inauguration cannot precede the decree",
                [{"field": "inauguration_date", "message": "before the decree date"}],
            )
        step.vacancy.inauguration_date = inauguration_date
        step.record(inauguration_date=inauguration_date.isoformat())

    attempt = Attempt(
        ActionName.CLOSE,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {"inauguration_date": inauguration_date},
        on_behalf_of,
        now,
    )
    return run(db, attempt, effect)


def return_to_hr(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    reason: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Send the vacancy back to HR with a reason (the definition's ``return``, the authority's).

    :raises InvalidInput: a reason of more than 2000 characters.
    """
    attempt = Attempt(
        ActionName.RETURN,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {},
        on_behalf_of,
        now,
    )
    return _with_reason(db, attempt, reason)


def reject_technical(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    reason: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Refuse the national technical approval with a reason: the vacancy goes back to HR.

    :raises InvalidInput: a reason of more than 2000 characters.
    """
    attempt = Attempt(
        ActionName.REJECT_TECHNICAL,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {},
        on_behalf_of,
        now,
    )
    return _with_reason(db, attempt, reason)


def cancel(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    reason: str,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Cancel an open vacancy with a reason (final).

    :raises InvalidInput: a reason of more than 2000 characters.
    """
    attempt = Attempt(
        ActionName.CANCEL,
        actor,
        vacancy_id,
        expected_version,
        idempotency_key,
        {},
        on_behalf_of,
        now,
    )
    return _with_reason(db, attempt, reason)


def _with_reason(db: Database, attempt: Attempt, reason: str) -> Outcome:
    """Take ``attempt`` of an action whose only effect is to record its reason."""
    reason = reason.strip()

    def effect(step: Step) -> None:
        if len(reason) > MAX_REASON_LENGTH:
            raise InvalidInput(
                "the reason is at most 2000 characters",
                [{"field": "reason", "message": "at most 2000 characters"}],
            )
        step.record(reason=reason)

    return run(db, replace(attempt, payload={"reason": reason}), effect)


def _no_effect(step: Step) -> None:
    del step


def _employee_id(session: Session, field: str, nip: str) -> int:
    """Return the id of the employee with NIP ``nip``.

    :raises InvalidInput: no such employee (naming ``field``).
    """
    nip = nip.strip()
    employee_id = session.scalar(select(Employee.id).where(Employee.nip == nip))
    if employee_id is None:
        raise InvalidInput(
            f"no employee with NIP {nip}", [{"field": field, "message": "unknown NIP"}]
        )
    return employee_id
