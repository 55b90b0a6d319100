"""Use cases on vacancies: open one, and one function per workflow action.

Every action follows the same protocol in ONE transaction: replay an idempotency key, lock the
vacancy row, compare the caller's expected version (optimistic concurrency), check that the
action is possible in the current state, resolve delegation, check the role and the duty rules,
validate the payload, run the action's effect and guard, move the state, record the action and
its ledger entry, take any automatic follow-up action, and store the response under the key.
A refused attempt changes nothing but the ledger: it is recorded in a transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rfc8785
import structlog
from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from rules.screening import ScreeningResult, input_snapshot
from rules.vocab import PROMOTION_TARGETS, PositionLevel
from workflow import ledger
from workflow.core import (
    Actor,
    Conflict,
    Database,
    GuardFailed,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Refused,
    system_actor,
)
from workflow.identity import act_on_behalf
from workflow.models import Employee, Position, Tenant
from workflow.models.identity import Role, User, UserRole
from workflow.models.rules import RulePack
from workflow.models.vacancy import (
    CommitteeMember,
    ConflictDeclaration,
    IdempotencyRecord,
    ScreeningRun,
    ShortlistEntry,
    Vacancy,
    VacancyAction,
    Vote,
    WorkflowVersion,
)
from workflow.screening import load_published, screen_position
from workflow.vacancies import duties, guards
from workflow.vacancies.definition import (
    SYSTEM_ROLE,
    ActionDef,
    WorkflowDefinition,
    load_definition,
    parse_definition,
)
from workflow.vacancies.states import OPENED, ActionName, State

log = structlog.get_logger(__name__)

MAX_AUTOMATIC_STEPS = 5
"""Automatic follow-ups chain at most this far (the default workflow needs one)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action returns, and what a retry with the same idempotency key replays."""

    vacancy: dict[str, Any]
    applied: list[str]
    replayed: bool = False

    def as_response(self) -> dict[str, Any]:
        """Return the JSON stored under the idempotency key."""
        return {"vacancy": self.vacancy, "applied": self.applied}


@dataclass(slots=True)
class Step:
    """Everything an action's effect may read and change, inside the transaction."""

    session: Session
    vacancy: Vacancy
    definition: WorkflowDefinition
    action: ActionDef
    actor: Actor
    role: str
    payload: dict[str, Any]
    now: dt.datetime
    ledger_payload: dict[str, Any] = field(default_factory=dict)
    """What the ledger entry records of the payload (ids, not personal data)."""


Effect = Callable[[Step], None]


class _Refusal(Exception):
    def __init__(self, rule: str, reason: str, *, guard: bool = False) -> None:
        super().__init__(reason)
        self.rule, self.reason, self.guard = rule, reason, guard


# ------------------------------------------------------------------ definitions


_DEFINITIONS: dict[str, WorkflowDefinition] = {}


def current_definition() -> WorkflowDefinition:
    """Return the workflow definition new vacancies are opened under."""
    definition = load_definition()
    _DEFINITIONS.setdefault(definition.digest, definition)
    return definition


def pinned_definition(session: Session, digest: str) -> WorkflowDefinition:
    """Return the definition a vacancy pinned, from the cache or its stored document."""
    if digest not in _DEFINITIONS:
        row = session.get(WorkflowVersion, digest)
        if row is None:
            raise NotFound(f"workflow version {digest} is not registered")
        _DEFINITIONS[digest] = parse_definition(
            json.loads(row.document), source=f"workflow {digest[:12]}"
        )
    return _DEFINITIONS[digest]


def _register(session: Session, definition: WorkflowDefinition, now: dt.datetime) -> None:
    if session.get(WorkflowVersion, definition.digest) is None:
        session.add(
            WorkflowVersion(
                digest=definition.digest,
                workflow_id=definition.id,
                version=definition.version,
                document=rfc8785.dumps(dict(definition.document)).decode(),
                registered_at=now,
            )
        )
        session.flush()


# ------------------------------------------------------------------ opening


def open_vacancy(
    db: Database,
    *,
    actor: Actor,
    position_code: str,
    title: str,
    reference_date: dt.date,
    pack_digest: str,
    candidate_tenant_codes: list[str] | None = None,
    idempotency_key: str,
    now: dt.datetime,
) -> Outcome:
    """Open a vacancy in ``draft`` for one of the actor's agency's positions.

    The vacancy pins ``pack_digest`` (a published rule pack) and the current workflow version.

    :raises Refused: the actor is not HR of an agency.
    :raises InvalidInput: unknown position, agency or pack, or a bad title or date.
    :raises IdempotencyMismatch: the key was used for a different request.
    """
    request = {
        "open": position_code,
        "title": title,
        "reference_date": reference_date.isoformat(),
        "pack": pack_digest,
        "candidates": sorted(candidate_tenant_codes or []),
    }
    try:
        with db.transaction() as session:
            replay = _replay(session, actor, idempotency_key, request)
            if replay is not None:
                return replay
            if Role.HR.value not in actor.roles or actor.is_national:
                raise Refused("only an agency's HR officer opens vacancies")
            problems = _open_problems(session, actor, position_code, title, pack_digest)
            position = session.scalar(
                select(Position).where(
                    Position.tenant_id == actor.tenant_id, Position.code == position_code
                )
            )
            tenant_ids = [actor.tenant_id]
            for code in candidate_tenant_codes or []:
                tid = session.scalar(select(Tenant.id).where(Tenant.code == code))
                if tid is None:
                    problems.append(
                        {"field": "candidate_tenants", "message": f"unknown agency {code}"}
                    )
                elif tid not in tenant_ids:
                    tenant_ids.append(tid)
            if problems or position is None:
                raise InvalidInput("cannot open the vacancy", problems)
            definition = current_definition()
            _register(session, definition, now)
            vacancy = Vacancy(
                tenant_id=actor.tenant_id,
                position_id=position.id,
                title=title.strip(),
                reference_date=reference_date,
                candidate_tenant_ids=tenant_ids,
                state=definition.initial,
                version=1,
                round=0,
                pack_digest=pack_digest,
                workflow_digest=definition.digest,
                created_by_id=actor.user_id,
                created_at=now,
                updated_at=now,
                state_entered_at=now,
            )
            session.add(vacancy)
            session.flush()
            session.add(
                VacancyAction(
                    vacancy_id=vacancy.id,
                    seq=1,
                    action=OPENED,
                    from_state="",
                    to_state=vacancy.state,
                    round=0,
                    actor_id=actor.user_id,
                    on_behalf_of_id=None,
                    role=Role.HR.value,
                    payload={"position": position.id},
                    at=now,
                )
            )
            ledger.append(
                session,
                tenant_id=vacancy.tenant_id,
                kind=ledger.LedgerKind.VACANCY_OPENED,
                actor=_actor_ref(actor),
                at=now,
                data={
                    "vacancy": vacancy.id,
                    "position": position.id,
                    "reference_date": reference_date.isoformat(),
                    "pack": pack_digest,
                    "workflow": definition.digest,
                    "candidate_tenants": tenant_ids,
                },
            )
            outcome = Outcome(vacancy_view(session, vacancy), [OPENED])
            _remember(session, actor, idempotency_key, request, "done", outcome.as_response(), now)
            log.info("vacancy_opened", vacancy_id=vacancy.id, tenant=actor.tenant_code)
            return outcome
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its response.
        with db.read() as session:
            replay = _replay(session, actor, idempotency_key, request)
        if replay is None:
            raise
        return replay


def _open_problems(
    session: Session, actor: Actor, position_code: str, title: str, pack_digest: str
) -> list[dict[str, str]]:
    problems = []
    position = session.scalar(
        select(Position).where(
            Position.tenant_id == actor.tenant_id, Position.code == position_code
        )
    )
    if position is None:
        problems.append(
            {
                "field": "position",
                "message": f"no position {position_code!r} in agency {actor.tenant_code}",
            }
        )
    elif PositionLevel(position.level) not in PROMOTION_TARGETS:
        problems.append(
            {
                "field": "position",
                "message": f"{position.level} positions are not filled by this promotion workflow",
            }
        )
    if not 1 <= len(title.strip()) <= 200:
        problems.append({"field": "title", "message": "1-200 characters"})
    if session.scalar(select(RulePack.digest).where(RulePack.digest == pack_digest)) is None:
        problems.append({"field": "pack", "message": f"no published rule pack {pack_digest}"})
    return problems


# ------------------------------------------------------------------ the action protocol


def perform(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    action: str,
    expected_version: int,
    idempotency_key: str,
    payload: Mapping[str, Any] | None = None,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Take a workflow action by name (what the HTTP and CLI adapters call).

    :raises NotFound: no such vacancy visible to the actor.
    :raises InvalidInput: unknown action, or a payload missing or malforming a field.
    :raises PreconditionFailed: ``expected_version`` is not the vacancy's current version.
    :raises Conflict: the action is not possible in the vacancy's current state.
    :raises Refused: a role, duty or conflict-of-interest rule forbids it (recorded).
    :raises GuardFailed: the action's guard does not hold (recorded).
    :raises IdempotencyMismatch: the key was used for a different request.
    """
    effect = EFFECTS.get(action)
    if effect is None:
        raise InvalidInput(
            f"unknown action {action!r}",
            [{"field": "action", "message": f"one of {sorted(EFFECTS)}"}],
        )
    data = dict(payload or {})
    request = {
        "vacancy": vacancy_id,
        "action": action,
        "version": expected_version,
        "payload": _jsonable(data),
        "on_behalf_of": on_behalf_of,
    }
    try:
        with db.transaction() as session:
            # Lock first, then look the key up: a concurrent duplicate waits for the original
            # to commit and then finds its stored response instead of a moved version.
            vacancy, tenant_code = _locked_vacancy(session, actor, vacancy_id)
            replay = _replay(session, actor, idempotency_key, request)
            if replay is not None:
                return replay
            outcome = _act(
                session,
                actor=actor,
                vacancy=vacancy,
                tenant_code=tenant_code,
                name=action,
                expected_version=expected_version,
                payload=data,
                on_behalf_of=on_behalf_of,
                now=now,
                effect=effect,
            )
            _remember(session, actor, idempotency_key, request, "done", outcome.as_response(), now)
            return outcome
    except _Refusal as refusal:
        _record_refusal(
            db,
            actor=actor,
            vacancy_id=vacancy_id,
            action=action,
            refusal=refusal,
            idempotency_key=idempotency_key,
            request=request,
            now=now,
        )
        error = GuardFailed if refusal.guard else Refused
        raise error(refusal.reason, details={"rule": refusal.rule}) from None


def _act(
    session: Session,
    *,
    actor: Actor,
    vacancy: Vacancy,
    tenant_code: str,
    name: str,
    expected_version: int,
    payload: dict[str, Any],
    on_behalf_of: str | None,
    now: dt.datetime,
    effect: Effect,
) -> Outcome:
    definition = pinned_definition(session, vacancy.workflow_digest)
    action = definition.actions.get(name)
    if action is None or (action.automatic and not actor.is_system):
        raise InvalidInput(
            f"{name} is not an action a user takes in workflow {definition.id} {definition.version}"
        )
    if vacancy.version != expected_version:
        raise PreconditionFailed(
            f"vacancy {vacancy.id} is at version {vacancy.version}, not {expected_version}",
            details={"current_version": vacancy.version, "state": vacancy.state},
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
    if on_behalf_of is not None:
        try:
            actor = act_on_behalf(session, actor, on_behalf_of, roles=action.roles, now=now)
        except Refused as exc:
            raise _Refusal("DELEGATION", exc.message) from None
    if not actor.is_system and actor.tenant_id != vacancy.tenant_id and not actor.is_national:
        raise NotFound(f"no vacancy {vacancy.id}")
    role = duties.role_for(actor, action)
    if role is None:
        raise _Refusal(
            "ROLE",
            f"{actor.describe()} holds none of the roles {sorted(action.roles)} that may {name}",
        )
    refusal = duties.check(session, vacancy=vacancy, actor=actor, action=action, role=role)
    if refusal is not None:
        raise _Refusal(refusal.rule, refusal.reason)
    missing = [key for key in action.requires if payload.get(key) in (None, "")]
    if missing:
        raise InvalidInput(
            f"{name} needs {', '.join(missing)}",
            [{"field": key, "message": "is required"} for key in missing],
        )
    step = Step(session, vacancy, definition, action, actor, role, payload, now)
    effect(step)
    _check_guard(step)
    applied = [name]
    _transition(step)
    applied += _automatic(session, vacancy, definition, now)
    return Outcome(vacancy_view(session, vacancy, tenant_code=tenant_code), applied)


def _locked_vacancy(session: Session, actor: Actor, vacancy_id: int) -> tuple[Vacancy, str]:
    """Lock the vacancy row and return it (its position loaded) with its agency's code."""
    if actor.is_national or actor.is_system:
        row = session.execute(_LOCK_ANY, {"vacancy": vacancy_id}).one_or_none()
    else:
        params = {"vacancy": vacancy_id, "tenant": actor.tenant_id}
        row = session.execute(_LOCK_OWN, params).one_or_none()
    if row is None:
        raise NotFound(f"no vacancy {vacancy_id}")
    return row[0], row[1]


_LOCK_ANY = (
    select(Vacancy, Tenant.code)
    .join(Tenant, Tenant.id == Vacancy.tenant_id)
    .options(joinedload(Vacancy.position, innerjoin=True))
    .where(Vacancy.id == bindparam("vacancy"))
    .with_for_update(of=Vacancy)
)
_LOCK_OWN = _LOCK_ANY.where(Vacancy.tenant_id == bindparam("tenant"))


def _check_guard(step: Step) -> None:
    guard = step.action.guard
    if guard is None:
        return
    result = guards.evaluate(step.definition, guard, _guard_facts(step))
    if not result.passed:
        raise _Refusal(guard.id, f"{guard.message} ({result.detail})", guard=True)


def _transition(step: Step) -> None:
    session, vacancy, action = step.session, step.vacancy, step.action
    source = vacancy.state
    target = action.target_from(source)
    vacancy.state = target
    vacancy.version += 1
    vacancy.updated_at = step.now
    if target != source:
        _enter(step, target)
    _write_vacancy(session, vacancy)
    seq = vacancy.version  # one action per version: opening is seq 1 at version 1
    principal = step.actor.on_behalf_of
    # Append-only: a Core insert (the unit of work adds nothing for a row never read back here).
    session.connection().execute(
        _INSERT_ACTION,
        {
            "vacancy_id": vacancy.id,
            "seq": seq,
            "action": action.name,
            "from_state": source,
            "to_state": target,
            "round": vacancy.round,
            "actor_id": step.actor.user_id,
            "on_behalf_of_id": principal.user_id if principal else None,
            "role": step.role,
            "payload": _jsonable(step.payload),
            "at": step.now,
        },
    )
    ledger.append(
        session,
        tenant_id=vacancy.tenant_id,
        kind=ledger.LedgerKind.VACANCY_TRANSITION,
        actor=_actor_ref(step.actor),
        at=step.now,
        data={
            "vacancy": vacancy.id,
            "action": action.name,
            "from": source,
            "to": target,
            "version": vacancy.version,
            "round": vacancy.round,
            "role": step.role,
            **step.ledger_payload,
        },
    )
    log.info(
        "vacancy_action",
        vacancy_id=vacancy.id,
        action=action.name,
        to=target,
        actor=_actor_ref(step.actor),
    )


_INSERT_ACTION = insert(VacancyAction)
_VACANCY = Vacancy.__table__


def _write_vacancy(session: Session, vacancy: Vacancy) -> None:
    """Write the vacancy's changed columns with one Core UPDATE and mark them as persisted.

    The same statement the ORM's flush would send, without the unit of work's overhead; the
    row is locked by this transaction, so nothing else can have changed it meanwhile.
    """
    state = inspect(vacancy)
    changes: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        added = state.attrs[prop.key].history.added
        if added:
            changes[prop.key] = added[0]
    if not changes:
        return
    params = {state.mapper.columns[key].name: value for key, value in changes.items()}
    params["vacancy_key"] = vacancy.id
    session.connection().execute(_UPDATE_VACANCY, params)
    for key, value in changes.items():
        set_committed_value(vacancy, key, value)


_UPDATE_VACANCY = update(Vacancy).where(_VACANCY.c.id == bindparam("vacancy_key"))
"""Executed with the changed columns as parameters (SQLAlchemy sets exactly those)."""


def _enter(step: Step, state: str) -> None:
    vacancy = step.vacancy
    vacancy.state_entered_at = step.now
    sla = step.definition.states[state].sla
    vacancy.reminder_at = step.now + sla.reminder_after() if sla else None
    vacancy.due_at = step.now + sla.duration if sla else None
    vacancy.reminded_at = vacancy.escalated_at = vacancy.escalated_to = None
    if state == State.COMMITTEE_REVIEW:
        _seat_committee(step)


def _seat_committee(step: Step) -> None:
    session, vacancy = step.session, step.vacancy
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


def _automatic(
    session: Session, vacancy: Vacancy, definition: WorkflowDefinition, now: dt.datetime
) -> list[str]:
    if not any(a.automatic for a in definition.actions_from(vacancy.state)):
        return []
    tenant = session.get(Tenant, vacancy.tenant_id)
    assert tenant is not None
    system = system_actor(tenant.id, tenant.code, tenant.level)
    applied: list[str] = []
    for _ in range(MAX_AUTOMATIC_STEPS):
        for action in definition.actions_from(vacancy.state):
            if not action.automatic or action.guard is None:
                continue
            step = Step(session, vacancy, definition, action, system, SYSTEM_ROLE, {}, now)
            if guards.evaluate(definition, action.guard, _guard_facts(step)).passed:
                _transition(step)
                applied.append(action.name)
                break
        else:
            return applied
    return applied


# ------------------------------------------------------------------ guard facts


def _guard_facts(step: Step) -> dict[str, Any]:
    """Return the documented guard facts (docs/workflow.md) for the vacancy as it is now."""
    session, vacancy, params = step.session, step.vacancy, step.definition.parameters
    facts: dict[str, Any] = {}
    run = session.scalar(
        select(ScreeningRun).where(
            ScreeningRun.vacancy_id == vacancy.id, ScreeningRun.round == vacancy.round
        )
    )
    level = vacancy.position.level  # loaded with the locked vacancy
    if run is not None:
        minimum = int(params.get("min_eligible", {}).get(level, 1))
        facts["eligible_shortage"] = minimum - run.eligible
    if vacancy.state == State.COMMITTEE_REVIEW:
        facts.update(_quorum_facts(session, vacancy, params))
    if "pick_rank" in step.ledger_payload:
        pool = int(params["decision_pool"])
        rank = int(step.ledger_payload["pick_rank"])
        facts["pick_rank"] = rank
        facts["pick_in_pool"] = 1 <= rank <= pool and step.ledger_payload["pick_eligible"]
        facts["justification_length"] = len(str(step.payload.get("justification") or "").strip())
    facts["technical_approved"] = vacancy.technical_reference is not None
    return facts


def _quorum_facts(session: Session, vacancy: Vacancy, params: Mapping[str, Any]) -> dict[str, int]:
    members = session.scalars(
        select(CommitteeMember).where(
            CommitteeMember.vacancy_id == vacancy.id, CommitteeMember.round == vacancy.round
        )
    ).all()
    voting = {m.user_id for m in members if not m.recused}
    votes = session.scalars(
        select(Vote).where(Vote.vacancy_id == vacancy.id, Vote.round == vacancy.round)
    ).all()
    approvals = sum(1 for v in votes if v.decision == "approve" and v.member_id in voting)
    cast = sum(1 for v in votes if v.member_id in voting)
    fraction = Decimal(str(params["committee_quorum_fraction"]))
    needed = int(len(voting) * fraction) + 1
    return {
        "members_short": int(params["committee_min_members"]) - len(voting),
        "approvals_short": needed - approvals,
        "approvals_possible_short": needed - (approvals + len(voting) - cast),
    }


# ------------------------------------------------------------------ action effects


def _submit(step: Step) -> None:
    step.vacancy.round += 1
    step.vacancy.submitted_by_id = step.actor.principal.user_id
    step.vacancy.selected_employee_id = step.vacancy.selected_rank = None
    step.vacancy.deviation, step.vacancy.justification = False, None
    step.vacancy.technical_reference = None


def _nothing(step: Step) -> None:
    del step


def _vote(step: Step) -> None:
    decision = str(step.payload["decision"])
    comment = str(step.payload.get("comment") or "").strip()
    if decision not in ("approve", "return"):
        raise InvalidInput(
            "a vote is approve or return", [{"field": "decision", "message": "approve or return"}]
        )
    if decision == "return" and not comment:
        raise InvalidInput(
            "a vote to return needs a comment",
            [{"field": "comment", "message": "is required to return"}],
        )
    member_id = step.actor.principal.user_id
    member = step.session.get(CommitteeMember, (step.vacancy.id, step.vacancy.round, member_id))
    if member is None:
        raise _Refusal(
            "NOT-A-MEMBER", f"{step.actor.principal.username} is not on this vacancy's committee"
        )
    if member.recused:
        raise _Refusal(
            "RECUSED", f"{step.actor.principal.username} is recused: {member.recusal_reason}"
        )
    if step.session.get(Vote, (step.vacancy.id, step.vacancy.round, member_id)) is not None:
        raise Conflict(f"{step.actor.principal.username} already voted in this round")
    step.session.add(
        Vote(
            vacancy_id=step.vacancy.id,
            round=step.vacancy.round,
            member_id=member_id,
            cast_by_id=step.actor.user_id,
            decision=decision,
            comment=comment,
            at=step.now,
        )
    )
    step.session.flush()
    step.ledger_payload = {"decision": decision, "member": member_id}


def _declare_conflict(step: Step) -> None:
    employee = _employee(step, "candidate")
    reason = str(step.payload["reason"]).strip()
    user_id = step.actor.principal.user_id
    assert user_id is not None
    exists = step.session.scalar(
        select(ConflictDeclaration.id).where(
            ConflictDeclaration.vacancy_id == step.vacancy.id,
            ConflictDeclaration.user_id == user_id,
            ConflictDeclaration.employee_id == employee.id,
        )
    )
    if exists is not None:
        raise Conflict("this conflict of interest is already declared")
    step.session.add(
        ConflictDeclaration(
            vacancy_id=step.vacancy.id,
            user_id=user_id,
            employee_id=employee.id,
            reason=reason,
            declared_at=step.now,
        )
    )
    member = step.session.get(CommitteeMember, (step.vacancy.id, step.vacancy.round, user_id))
    if member is not None and not member.recused:
        member.recused = True
        member.recusal_reason = "declared a conflict of interest with a candidate"
    step.session.flush()
    step.ledger_payload = {"employee": employee.id, "recused": member is not None}


def _decide(step: Step) -> None:
    employee = _employee(step, "candidate")
    entry = step.session.scalar(
        select(ShortlistEntry)
        .join(ScreeningRun)
        .where(
            ScreeningRun.vacancy_id == step.vacancy.id,
            ScreeningRun.round == step.vacancy.round,
            ShortlistEntry.employee_id == employee.id,
        )
    )
    rank = entry.rank if entry is not None else 0
    eligible = entry is not None and entry.status == "eligible"
    step.ledger_payload = {
        "employee": employee.id,
        "pick_rank": rank,
        "pick_eligible": eligible,
        "deviation": rank != 1,
    }
    vacancy = step.vacancy
    vacancy.selected_employee_id, vacancy.selected_rank = employee.id, rank
    vacancy.deviation = rank != 1
    vacancy.justification = str(step.payload.get("justification") or "").strip() or None


def _approve_technical(step: Step) -> None:
    reference = str(step.payload["reference"]).strip()
    if not 1 <= len(reference) <= 120:
        raise InvalidInput(
            "the pertek reference is 1-120 characters",
            [{"field": "reference", "message": "1-120 characters"}],
        )
    if step.vacancy.technical_reference is not None:
        raise Conflict("the technical approval is already recorded")
    step.vacancy.technical_reference = reference
    step.ledger_payload = {"reference": reference}


def _issue_decree(step: Step) -> None:
    number = str(step.payload["decree_number"]).strip()
    decree_date = _date(step, "decree_date")
    if decree_date > step.now.date():
        raise InvalidInput(
            "the decree date is in the future",
            [{"field": "decree_date", "message": "must not be in the future"}],
        )
    step.vacancy.decree_number, step.vacancy.decree_date = number, decree_date
    step.ledger_payload = {"decree_number": number, "decree_date": decree_date.isoformat()}


def _close(step: Step) -> None:
    day = _date(step, "inauguration_date")
    if step.vacancy.decree_date is not None and day < step.vacancy.decree_date:
        raise InvalidInput(
            "the inauguration cannot precede the decree",
            [{"field": "inauguration_date", "message": "before the decree date"}],
        )
    step.vacancy.inauguration_date = day
    step.ledger_payload = {"inauguration_date": day.isoformat()}


def _with_reason(step: Step) -> None:
    reason = str(step.payload["reason"]).strip()
    if len(reason) > 2000:
        raise InvalidInput(
            "the reason is at most 2000 characters",
            [{"field": "reason", "message": "at most 2000 characters"}],
        )
    step.ledger_payload = {"reason": reason}


EFFECTS: dict[str, Effect] = {
    ActionName.SUBMIT: _submit,
    ActionName.START_SCREENING: _nothing,
    ActionName.VOTE: _vote,
    ActionName.DECLARE_CONFLICT: _declare_conflict,
    ActionName.DECIDE: _decide,
    ActionName.APPROVE_TECHNICAL: _approve_technical,
    ActionName.ISSUE_DECREE: _issue_decree,
    ActionName.CLOSE: _close,
    ActionName.RETURN: _with_reason,
    ActionName.REJECT_TECHNICAL: _with_reason,
    ActionName.CANCEL: _with_reason,
}
"""The effect of each user action; the action's definition says who may take it and when."""


def _employee(step: Step, key: str) -> Employee:
    value = str(step.payload[key]).strip()
    employee = step.session.scalar(select(Employee).where(Employee.nip == value))
    if employee is None:
        raise InvalidInput(
            f"no employee with NIP {value}", [{"field": key, "message": "unknown NIP"}]
        )
    return employee


def _date(step: Step, key: str) -> dt.date:
    value = step.payload[key]
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"{key} is not a date", [{"field": key, "message": "YYYY-MM-DD"}]
        ) from None


# ------------------------------------------------------------------ screening


@dataclass(frozen=True, slots=True)
class ShortlistRow:
    """One ranked candidate of a screening, as stored for the committee and the authority."""

    employee_id: int
    rank: int
    status: str
    box: int | None
    readiness: str | None
    score: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ScreeningOutcome:
    """A finished screening of a vacancy's pool, with what replay needs to reproduce it."""

    pack_digest: str
    engine_version: str
    reference_date: dt.date
    input_digest: str
    result_digest: str
    candidates: int
    shortlist: list[ShortlistRow]
    snapshot: bytes
    result: bytes


def finish_screening(
    db: Database, *, vacancy_id: int, outcome: ScreeningOutcome, now: dt.datetime
) -> Outcome:
    """Store a screening and move the vacancy on: to the committee, or back if too few qualify.

    :raises NotFound: no such vacancy.
    :raises Conflict: the vacancy is no longer being screened (cancelled meanwhile), or the
        screening was made with another pack than the one the vacancy pinned.
    """
    with db.transaction() as session:
        vacancy = session.scalar(select(Vacancy).where(Vacancy.id == vacancy_id).with_for_update())
        if vacancy is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        if vacancy.state != State.SCREENING:
            raise Conflict(f"vacancy {vacancy_id} is {vacancy.state}, no longer screening")
        if outcome.pack_digest != vacancy.pack_digest:
            raise Conflict("the screening used another pack than the vacancy pinned")
        eligible = sum(1 for row in outcome.shortlist if row.status == "eligible")
        run = ScreeningRun(
            vacancy_id=vacancy.id,
            round=vacancy.round,
            pack_digest=outcome.pack_digest,
            engine_version=outcome.engine_version,
            reference_date=outcome.reference_date,
            input_digest=outcome.input_digest,
            result_digest=outcome.result_digest,
            candidates=outcome.candidates,
            eligible=eligible,
            snapshot=outcome.snapshot,
            result=outcome.result,
            created_at=now,
            entries=[
                ShortlistEntry(
                    employee_id=r.employee_id,
                    rank=r.rank,
                    status=r.status,
                    box=r.box,
                    readiness=r.readiness,
                    score=r.score,
                )
                for r in outcome.shortlist
            ],
        )
        session.add(run)
        session.flush()
        ledger.append(
            session,
            tenant_id=vacancy.tenant_id,
            kind=ledger.LedgerKind.SCREENING_RESULT,
            actor="system",
            at=now,
            data={
                "vacancy": vacancy.id,
                "round": vacancy.round,
                "pack": outcome.pack_digest,
                "engine": outcome.engine_version,
                "input_digest": outcome.input_digest,
                "result_digest": outcome.result_digest,
                "candidates": outcome.candidates,
                "eligible": eligible,
            },
        )
        definition = pinned_definition(session, vacancy.workflow_digest)
        tenant = session.get(Tenant, vacancy.tenant_id)
        assert tenant is not None
        system = system_actor(tenant.id, tenant.code, tenant.level)
        applied: list[str] = []
        for action in definition.actions_from(State.SCREENING):
            if SYSTEM_ROLE not in action.roles or action.guard is None:
                continue
            step = Step(session, vacancy, definition, action, system, SYSTEM_ROLE, {}, now)
            if guards.evaluate(definition, action.guard, _guard_facts(step)).passed:
                step.ledger_payload = {"screening_run": run.id, "eligible": eligible}
                _transition(step)
                applied.append(action.name)
                applied += _automatic(session, vacancy, definition, now)
                break
        else:
            raise Conflict("no screening outcome action's guard holds; check the definition")
        return Outcome(vacancy_view(session, vacancy), applied)


def screen(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    now: dt.datetime,
    processes: int = 1,
) -> Outcome:
    """Start screening a submitted vacancy and run it: the shortlist goes to the committee.

    Two transactions: the first moves the vacancy to ``screening`` (so the request is
    idempotent and visible), the pool is screened outside any transaction, the second stores
    the result and moves on. A crash in between leaves the vacancy in ``screening``, which the
    scheduler resumes.

    :raises NotFound: no such vacancy visible to the actor.
    :raises PreconditionFailed: a stale expected version.
    :raises Conflict: the vacancy is not ``submitted``.
    :raises Refused: the actor may not start screening (recorded).
    """
    started = perform(
        db,
        actor=actor,
        vacancy_id=vacancy_id,
        action=ActionName.START_SCREENING,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        now=now,
    )
    if started.vacancy["state"] != State.SCREENING:
        return started  # a replay of a screening that has finished since
    return screen_vacancy(db, vacancy_id=vacancy_id, now=now, processes=processes)


def screen_vacancy(
    db: Database, *, vacancy_id: int, now: dt.datetime, processes: int = 1
) -> Outcome:
    """Screen a vacancy that is in ``screening`` with its pinned pack, and store the result.

    :raises NotFound: no such vacancy.
    :raises Conflict: the vacancy is not being screened.
    :raises InvalidInput: the pinned pack does not decide the position's level or is not in
        effect on the reference date.
    """
    with db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        if vacancy.state != State.SCREENING:
            raise Conflict(f"vacancy {vacancy_id} is {vacancy.state}, not screening")
        pack_digest, position_id = vacancy.pack_digest, vacancy.position_id
        reference_date, tenant_ids = vacancy.reference_date, list(vacancy.candidate_tenant_ids)
    pack = load_published(db, digest=pack_digest)
    result = screen_position(
        db,
        pack=pack,
        position_id=position_id,
        reference_date=reference_date,
        tenant_ids=tenant_ids,
        processes=processes,
    )
    return finish_screening(db, vacancy_id=vacancy_id, outcome=_outcome(db, result), now=now)


def _outcome(db: Database, result: ScreeningResult) -> ScreeningOutcome:
    listed = [
        (rank, d)
        for rank, d in enumerate(result.decisions, start=1)
        if d.status in ("eligible", "needs_data")
    ]
    ids: dict[str, int] = {}
    nips = [d.nip for _, d in listed]
    with db.read() as session:
        for start in range(0, len(nips), 900):
            chunk = nips[start : start + 900]
            for nip, employee_id in session.execute(
                select(Employee.nip, Employee.id).where(Employee.nip.in_(chunk))
            ):
                ids[nip] = employee_id
    labels = [r.label for r in result.pack.ranking.readiness]
    otherwise = result.pack.ranking.otherwise

    def readiness(index: int) -> str:
        return (labels[index] if index >= 0 else otherwise).id

    snapshot = input_snapshot(result.context, result.profiles)
    return ScreeningOutcome(
        pack_digest=result.pack.digest,
        engine_version=result.engine_version,
        reference_date=result.context.reference_date,
        input_digest=result.input_digest,
        result_digest=result.result_digest,
        candidates=len(result.decisions),
        shortlist=[
            ShortlistRow(
                employee_id=ids[d.nip],
                rank=rank,
                status=d.status,
                box=d.box,
                readiness=readiness(d.readiness),
                score={
                    "jpm": d.jpm,
                    "performance": d.performance_score,
                    "succession": d.succession_score,
                },
            )
            for rank, d in listed
        ],
        snapshot=_gzip_json(snapshot),
        result=_gzip_json(result.summary()),
    )


def _gzip_json(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), mtime=0)


def run_pending_screenings(
    db: Database,
    *,
    now: dt.datetime,
    stale_after: dt.timedelta = dt.timedelta(minutes=5),
    processes: int = 1,
) -> list[int]:
    """Screen submitted vacancies, and resume screenings left unfinished; return their ids.

    The scheduler calls this: the system starts screening every ``submitted`` vacancy, and
    re-runs any vacancy stuck in ``screening`` for longer than ``stale_after`` (its process
    died between the two transactions; screening is deterministic, so re-running is safe).
    """
    with db.read() as session:
        waiting = session.execute(
            select(Vacancy.id, Vacancy.version, Vacancy.tenant_id)
            .where(Vacancy.state == State.SUBMITTED)
            .order_by(Vacancy.id)
        ).all()
        stuck = session.scalars(
            select(Vacancy.id)
            .where(Vacancy.state == State.SCREENING, Vacancy.state_entered_at <= now - stale_after)
            .order_by(Vacancy.id)
        ).all()
        tenants = {t.id: t for t in session.scalars(select(Tenant))}
    done: list[int] = []
    for vacancy_id, version, tenant_id in waiting:
        tenant = tenants[tenant_id]
        system = system_actor(tenant.id, tenant.code, tenant.level)
        try:
            screen(
                db,
                actor=system,
                vacancy_id=vacancy_id,
                expected_version=version,
                idempotency_key=f"system:screen:{vacancy_id}:{version}",
                now=now,
                processes=processes,
            )
        except (Conflict, InvalidInput) as exc:
            log.warning("screening_skipped", vacancy_id=vacancy_id, reason=exc.message)
            continue
        done.append(vacancy_id)
    for vacancy_id in stuck:
        try:
            screen_vacancy(db, vacancy_id=vacancy_id, now=now, processes=processes)
        except (Conflict, InvalidInput) as exc:
            log.warning("screening_skipped", vacancy_id=vacancy_id, reason=exc.message)
            continue
        done.append(vacancy_id)
    return done


# ------------------------------------------------------------------ refusals and idempotency


def _record_refusal(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    action: str,
    refusal: _Refusal,
    idempotency_key: str,
    request: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    with db.transaction() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        if vacancy is None:
            return
        ledger.append(
            session,
            tenant_id=vacancy.tenant_id,
            kind=ledger.LedgerKind.VACANCY_REFUSED,
            actor=_actor_ref(actor),
            at=now,
            data={
                "vacancy": vacancy.id,
                "action": action,
                "state": vacancy.state,
                "version": vacancy.version,
                "rule": refusal.rule,
                "reason": refusal.reason,
            },
        )
        try:
            with session.begin_nested():
                _remember(
                    session,
                    actor,
                    idempotency_key,
                    request,
                    "refused",
                    {"rule": refusal.rule, "reason": refusal.reason, "guard": refusal.guard},
                    now,
                )
        except IntegrityError:
            pass  # a concurrent retry with the same key recorded it first
    log.info("vacancy_action_refused", vacancy_id=vacancy_id, action=action, rule=refusal.rule)


def _fingerprint(request: Mapping[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(_jsonable(dict(request)))).hexdigest()


def _replay(session: Session, actor: Actor, key: str, request: Mapping[str, Any]) -> Outcome | None:
    if not key or len(key) > 255:
        raise InvalidInput(
            "an idempotency key of 1-255 characters is required",
            [{"field": "idempotency_key", "message": "1-255 characters"}],
        )
    if actor.user_id is None:
        return None
    record = (
        session.connection()
        .execute(_FIND_RECORD, {"user_id": actor.user_id, "key": key})
        .one_or_none()
    )
    if record is None:
        return None
    if record.fingerprint != _fingerprint(request):
        raise IdempotencyMismatch("this idempotency key was used for a different request")
    if record.outcome == "refused":
        error = GuardFailed if record.response.get("guard") else Refused
        raise error(str(record.response["reason"]), details={"rule": record.response["rule"]})
    return Outcome(record.response["vacancy"], record.response["applied"], replayed=True)


_RECORDS = IdempotencyRecord.__table__
_FIND_RECORD = select(_RECORDS.c.fingerprint, _RECORDS.c.outcome, _RECORDS.c.response).where(
    _RECORDS.c.user_id == bindparam("user_id"), _RECORDS.c.key == bindparam("key")
)
_INSERT_RECORD = insert(IdempotencyRecord)


def _remember(
    session: Session,
    actor: Actor,
    key: str,
    request: Mapping[str, Any],
    outcome: str,
    response: dict[str, Any],
    now: dt.datetime,
) -> None:
    if actor.user_id is None:
        return
    session.flush()  # what the ORM still holds goes first, as its autoflush did
    session.connection().execute(
        _INSERT_RECORD,
        {
            "user_id": actor.user_id,
            "key": key,
            "fingerprint": _fingerprint(request),
            "outcome": outcome,
            "response": response,
            "created_at": now,
        },
    )


# ------------------------------------------------------------------ views


def vacancy_view(
    session: Session, vacancy: Vacancy, *, tenant_code: str | None = None
) -> dict[str, Any]:
    """Return the vacancy as plain JSON-able data (what responses and replays carry).

    ``tenant_code`` spares a lookup when the caller already has the vacancy's agency code.
    """
    position = session.get(Position, vacancy.position_id)  # usually loaded with the vacancy
    assert position is not None
    if tenant_code is None:
        tenant = session.get(Tenant, vacancy.tenant_id)
        assert tenant is not None
        tenant_code = tenant.code

    def iso(value: dt.datetime | dt.date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": vacancy.id,
        "tenant": tenant_code,
        "position": {
            "id": position.id,
            "code": position.code,
            "title": position.title,
            "level": position.level,
        },
        "title": vacancy.title,
        "reference_date": vacancy.reference_date.isoformat(),
        "state": vacancy.state,
        "version": vacancy.version,
        "round": vacancy.round,
        "pack_digest": vacancy.pack_digest,
        "workflow_digest": vacancy.workflow_digest,
        "state_entered_at": iso(vacancy.state_entered_at),
        "due_at": iso(vacancy.due_at),
        "escalated_to": vacancy.escalated_to,
        "selected_rank": vacancy.selected_rank,
        "deviation": vacancy.deviation,
        "technical_reference": vacancy.technical_reference,
        "decree_number": vacancy.decree_number,
        "decree_date": iso(vacancy.decree_date),
        "inauguration_date": iso(vacancy.inauguration_date),
    }


def _actor_ref(actor: Actor) -> str:
    if actor.is_system:
        return "system"
    if actor.on_behalf_of is not None:
        return f"user:{actor.user_id} for user:{actor.on_behalf_of.user_id}"
    return f"user:{actor.user_id}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    return value
