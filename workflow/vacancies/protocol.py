"""The one protocol every action follows, in ONE transaction (docs/workflow.md, *Actions*).

:func:`run` takes an :class:`Attempt` and the action's effect, and reads top to bottom:

1. lock the vacancy row, scoped to the caller's agency (another agency's vacancy is not found);
2. replay the idempotency key if it was used before;
3. admit the attempt: the expected version, the action possible in this state, the delegation,
   the role and the duty rules (a refusal is recorded), the payload the definition requires;
4. run the action's own effect (its payload checks, the rows it writes, the facts its guard
   reads), then the guard of the definition;
5. move the state (version + 1, SLA timers, committee seating), write the action row and its
   ledger entry, and take any automatic follow-up whose guard holds;
6. store the answer under the idempotency key.

A refused attempt rolls all of that back and is then recorded on its own: a ``vacancy.refused``
ledger entry and the refusal under the key. Nothing but the ledger changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

import structlog
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import (
    Actor,
    Conflict,
    Database,
    GuardFailed,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Refused,
    system_actor,
)
from workflow.identity import act_on_behalf
from workflow.models import CommitteeMember, Role, Tenant, User, UserRole, Vacancy, VacancyAction
from workflow.vacancies import duties, guards, idempotency, row
from workflow.vacancies.definition import (
    SYSTEM_ROLE,
    ActionDef,
    WorkflowDefinition,
    pinned_definition,
)
from workflow.vacancies.facts import Facts, vacancy_facts
from workflow.vacancies.idempotency import Outcome, jsonable
from workflow.vacancies.row import VacancyRow
from workflow.vacancies.states import ActionName, State
from workflow.vacancies.view import VacancyView

log = structlog.get_logger(__name__)

MAX_AUTOMATIC_STEPS = 5
"""Automatic follow-ups chain at most this far (the default workflow needs one)."""


class Refusal(Exception):
    """A rule refuses the attempt; it is recorded in the ledger and under the key."""

    def __init__(self, rule: str, reason: str, *, guard: bool = False) -> None:
        super().__init__(reason)
        self.rule, self.reason, self.guard = rule, reason, guard

    def error(self) -> Refused:
        """Return the error the caller sees (:class:`GuardFailed` for a failed guard)."""
        kind = GuardFailed if self.guard else Refused
        return kind(self.reason, details={"rule": self.rule})


@dataclass(frozen=True, slots=True)
class Attempt:
    """One request to take an action: by whom, on which vacancy, at which version, with what."""

    action: ActionName
    actor: Actor
    vacancy_id: int
    expected_version: int
    idempotency_key: str
    payload: Mapping[str, Any]
    on_behalf_of: str | None
    now: dt.datetime

    def request(self) -> dict[str, Any]:
        """Return what the idempotency key's fingerprint covers."""
        return {
            "vacancy": self.vacancy_id,
            "action": str(self.action),
            "version": self.expected_version,
            "payload": jsonable(dict(self.payload)),
            "on_behalf_of": self.on_behalf_of,
        }


@dataclass(slots=True)
class Step:
    """What an action's effect may read and change, inside the transaction."""

    session: Session
    vacancy: VacancyRow
    """The locked row; the effect changes its fields."""
    definition: WorkflowDefinition
    action: ActionDef
    actor: Actor
    """Who acts, with the delegator as ``on_behalf_of`` when acting by delegation."""
    role: str
    payload: Mapping[str, Any]
    now: dt.datetime
    recorded: dict[str, Any] = field(default_factory=dict)
    """What the ledger entry records of the effect (internal ids, never personal data)."""
    facts: Facts = field(default_factory=dict)
    """Guard facts only the effect knows (the authority's pick)."""

    def refuse(self, rule: str, reason: str) -> NoReturn:
        """Refuse the attempt under ``rule`` (recorded)."""
        raise Refusal(rule, reason)

    def record(self, **data: Any) -> None:
        """Add ``data`` to what the ledger entry records."""
        self.recorded.update(data)


Effect = Callable[[Step], None]
"""An action's own part: check its payload, write its rows, record what the ledger keeps."""


def run(db: Database, attempt: Attempt, effect: Effect) -> Outcome:
    """Take ``attempt`` with ``effect`` under the protocol, in one transaction.

    :raises NotFound: no such vacancy visible to the actor.
    :raises InvalidInput: a bad idempotency key, or a payload missing or malforming a field.
    :raises PreconditionFailed: ``expected_version`` is not the vacancy's current version.
    :raises Conflict: the action is not possible in the vacancy's current state.
    :raises Refused: a role, duty or conflict-of-interest rule forbids it (recorded).
    :raises GuardFailed: the action's guard does not hold (recorded).
    :raises IdempotencyMismatch: the key was used for a different request.
    """
    actor, key, request = attempt.actor, attempt.idempotency_key, attempt.request()
    try:
        with db.transaction() as session:
            # Lock first, then look the key up: a concurrent duplicate waits for the original
            # to commit and then finds its stored response instead of a moved version.
            vacancy = row.lock(session.connection(), attempt.vacancy_id, scope=actor)
            replay = idempotency.replay(session, actor, key, request)
            if replay is not None:
                return replay
            step = _admit(session, attempt, vacancy)
            effect(step)
            check_guard(step)
            applied = [*transition(step), *follow_ups(step)]
            outcome = Outcome(view_of(step), applied)
            idempotency.remember(
                session, actor, key, request, "done", outcome.as_response(), attempt.now
            )
            return outcome
    except Refusal as refusal:
        _record_refusal(db, attempt, request, refusal)
        raise refusal.error() from None


def _admit(session: Session, attempt: Attempt, vacancy: VacancyRow) -> Step:
    """Check everything but the effect and the guard; return the step the effect runs in."""
    name, actor, now = attempt.action, attempt.actor, attempt.now
    definition = pinned_definition(session, vacancy.workflow_digest)
    action = definition.actions.get(name)
    if action is None or (action.automatic and not actor.is_system):
        raise InvalidInput(
            f"{name} is not an action a user takes in workflow {definition.id} {definition.version}"
        )
    if vacancy.version != attempt.expected_version:
        raise PreconditionFailed(
            f"vacancy {vacancy.id} is at version {vacancy.version}, not {attempt.expected_version}",
            details={
                "current_version": vacancy.version,
                "etag": str(vacancy.version),
                "state": vacancy.state,
            },
        )
    if vacancy.state not in action.sources:
        raise Conflict(
            f"{name} is not possible while the vacancy is {vacancy.state}",
            details={
                "state": vacancy.state,
                "version": vacancy.version,
                "possible": [
                    a.name for a in definition.actions_from(vacancy.state) if not a.automatic
                ],
            },
        )
    if attempt.on_behalf_of is not None:
        try:
            actor = act_on_behalf(session, actor, attempt.on_behalf_of, roles=action.roles, now=now)
        except Refused as exc:
            raise Refusal("DELEGATION", exc.message) from None
    if not actor.is_system and actor.tenant_id != vacancy.tenant_id and not actor.is_national:
        raise NotFound(f"no vacancy {vacancy.id}")
    role = duties.role_for(actor, action)
    if role is None:
        raise Refusal(
            "ROLE",
            f"{actor.describe()} holds none of the roles {sorted(action.roles)} that may {name}",
        )
    refusal = duties.check(session, vacancy=vacancy, actor=actor, action=action, role=role)
    if refusal is not None:
        raise Refusal(refusal.rule, refusal.reason)
    missing = [key for key in action.requires if attempt.payload.get(key) in (None, "")]
    if missing:
        raise InvalidInput(
            f"{name} needs {', '.join(missing)}",
            [{"field": key, "message": "is required"} for key in missing],
        )
    return Step(session, vacancy, definition, action, actor, role, attempt.payload, now)


def check_guard(step: Step) -> None:
    """Refuse the step unless the guard of its action holds on the vacancy's facts (recorded)."""
    guard = step.action.guard
    if guard is None:
        return
    facts = {**vacancy_facts(step.session, step.vacancy, step.definition.parameters), **step.facts}
    result = guards.evaluate(step.definition, guard, facts)
    if not result.passed:
        raise Refusal(guard.id, f"{guard.message} ({result.detail})", guard=True)


def transition(step: Step) -> list[str]:
    """Move the vacancy as the step's action says; write its action row and ledger entry."""
    session, vacancy, action = step.session, step.vacancy, step.action
    source = vacancy.state
    target = action.target_from(source)
    vacancy.state = target
    vacancy.version += 1
    vacancy.updated_at = step.now
    if target != source:
        _enter(step, target)
    row.write(session.connection(), vacancy)
    principal = step.actor.on_behalf_of
    # Append-only: a Core insert (the unit of work adds nothing for a row never read back here).
    session.connection().execute(
        _INSERT_ACTION,
        {
            "vacancy_id": vacancy.id,
            "seq": vacancy.version,  # one action per version: opening is seq 1 at version 1
            "action": action.name,
            "from_state": source,
            "to_state": target,
            "round": vacancy.round,
            "actor_id": step.actor.user_id,
            "on_behalf_of_id": principal.user_id if principal else None,
            "role": step.role,
            "payload": jsonable(dict(step.payload)),
            "at": step.now,
        },
    )
    ledger.append(
        session,
        tenant_id=vacancy.tenant_id,
        kind=ledger.LedgerKind.VACANCY_TRANSITION,
        actor=actor_ref(step.actor),
        at=step.now,
        data={
            "vacancy": vacancy.id,
            "action": action.name,
            "from": source,
            "to": target,
            "version": vacancy.version,
            "round": vacancy.round,
            "role": step.role,
            **ledger.delegation_of(step.actor),
            **step.recorded,
        },
    )
    log.info(
        "vacancy_action",
        vacancy_id=vacancy.id,
        action=action.name,
        to=target,
        actor=actor_ref(step.actor),
    )
    return [action.name]


_INSERT_ACTION = insert(VacancyAction)


def _enter(step: Step, state: str) -> None:
    """Start the SLA timers of ``state``; seat the committee on entering its review."""
    vacancy = step.vacancy
    vacancy.state_entered_at = step.now
    sla = step.definition.states[state].sla
    vacancy.reminder_at = step.now + sla.reminder_after() if sla else None
    vacancy.due_at = step.now + sla.duration if sla else None
    vacancy.reminded_at = vacancy.escalated_at = vacancy.escalated_to = None
    if state == State.COMMITTEE_REVIEW:
        _seat_committee(step.session, vacancy)


def _seat_committee(session: Session, vacancy: VacancyRow) -> None:
    """Seat every active committee member of the agency for this round, recusing conflicts."""
    member_ids = session.scalars(
        select(User.id)
        .join(UserRole)
        .where(
            User.tenant_id == vacancy.tenant_id, User.active, UserRole.role == Role.COMMITTEE.value
        )
        .order_by(User.id)
    ).all()
    members = [
        CommitteeMember(vacancy_id=vacancy.id, round=vacancy.round, user_id=uid)
        for uid in member_ids
    ]
    duties.recusals(session, vacancy, members)
    session.add_all(members)
    session.flush()


def follow_ups(step: Step) -> list[str]:
    """Take the automatic actions whose guards hold, as the system, one after another."""
    session, vacancy, definition = step.session, step.vacancy, step.definition
    if not any(a.automatic for a in definition.actions_from(vacancy.state)):
        return []
    system = system_of(session, vacancy)
    applied: list[str] = []
    for _ in range(MAX_AUTOMATIC_STEPS):
        automatic = [a for a in definition.actions_from(vacancy.state) if a.automatic]
        taken = take_first_passing(step, system, automatic)
        if taken is None:
            break
        applied.append(taken)
    return applied


def take_first_passing(
    step: Step,
    system: Actor,
    candidates: list[ActionDef],
    recorded: Mapping[str, Any] | None = None,
) -> str | None:
    """Take, as ``system``, the first of ``candidates`` whose guard holds now; return its name,
    or None if none holds. ``recorded`` goes into its ledger entry."""
    facts = vacancy_facts(step.session, step.vacancy, step.definition.parameters)
    for action in candidates:
        if action.guard is None:
            continue
        if guards.evaluate(step.definition, action.guard, facts).passed:
            system_step = replace(
                step,
                action=action,
                actor=system,
                role=SYSTEM_ROLE,
                payload={},
                recorded=dict(recorded or {}),
                facts={},
            )
            return transition(system_step)[0]
    return None


def system_of(session: Session, vacancy: VacancyRow) -> Actor:
    """Return the system actor of the vacancy's agency."""
    tenant = session.get(Tenant, vacancy.tenant_id)
    assert tenant is not None
    return system_actor(tenant.id, tenant.code, tenant.level)


def view_of(step: Step) -> dict[str, Any]:
    """Return the JSON view of the step's vacancy."""
    vacancy = step.vacancy
    return VacancyView.of(vacancy, vacancy.position, vacancy.tenant_code).as_json()


def actor_ref(actor: Actor) -> str | None:
    """Return how the ledger names an actor: ``user:7``, or None for the system (a delegate's
    delegator goes into the entry's data: :func:`workflow.ledger.delegation_of`)."""
    return ledger.actor_ref(actor)


def _record_refusal(
    db: Database, attempt: Attempt, request: Mapping[str, Any], refusal: Refusal
) -> None:
    """Record a refusal in a transaction of its own: a ledger entry and the key's answer."""
    with db.transaction() as session:
        vacancy = session.get(Vacancy, attempt.vacancy_id)
        if vacancy is None:
            return
        ledger.append(
            session,
            tenant_id=vacancy.tenant_id,
            kind=ledger.LedgerKind.VACANCY_REFUSED,
            actor=actor_ref(attempt.actor),
            at=attempt.now,
            data={
                "vacancy": vacancy.id,
                "action": str(attempt.action),
                "state": vacancy.state,
                "version": vacancy.version,
                "rule": refusal.rule,
                "reason": refusal.reason,
                **ledger.delegation_of(attempt.actor),
            },
        )
        try:
            with session.begin_nested():
                idempotency.remember(
                    session,
                    attempt.actor,
                    attempt.idempotency_key,
                    request,
                    "refused",
                    {"rule": refusal.rule, "reason": refusal.reason, "guard": refusal.guard},
                    attempt.now,
                )
        except IntegrityError:
            pass  # a concurrent retry with the same key recorded it first
    log.info(
        "vacancy_action_refused",
        vacancy_id=attempt.vacancy_id,
        action=str(attempt.action),
        rule=refusal.rule,
    )
