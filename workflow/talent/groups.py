"""Succession groups of key positions (PP 11/2017 Art. 199): HR proposes the year's group from
the computed ranked successors, the authority (PPK) approves it or returns it with a reason.

The workflow is declared as data (:data:`DEFINITION`): each action's source states, target
state and roles. Separation of duties: whoever proposed a group may not approve or return it,
and nobody decides a group they are a member of. Every step and every refusal is written to the
agency's ledger (ids and digests only: no names, no NIPs). An approved group is immutable; a
later version of the same position and year supersedes it once approved, and the old one stays
readable.

Members are personal data: every read that returns them records them in the access log first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import (
    Actor,
    Conflict,
    Database,
    InvalidInput,
    NotFound,
    Page,
    PageRequest,
    Refused,
    canonical_json,
    ensure_readable,
    ensure_writable,
    readable,
)
from workflow.identity import AccessRecorder
from workflow.models import Employee, Position, Role, SuccessionGroup, SuccessionMember, Tenant
from workflow.talent.succession import MAX_SUCCESSORS, Successor, successors

DECISION_DAYS = 14
"""Days the authority has to approve or return a proposed group (its due date)."""
DEFAULT_MEMBERS = 5
"""Members taken from the top of the ranked list when HR names none."""
MAX_MEMBERS = MAX_SUCCESSORS
MAX_REASON = 2000


class GroupState(StrEnum):
    """Where a succession group is."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    RETURNED = "returned"
    APPROVED = "approved"


OPEN_STATES = frozenset({GroupState.DRAFT, GroupState.PROPOSED, GroupState.RETURNED})
"""States of a group still being worked on (one per position and year at a time)."""


@dataclass(frozen=True, slots=True)
class GroupAction:
    """One action of the group workflow: from which states, to which, by whom."""

    name: str
    sources: frozenset[str]
    target: str | None
    """The state after the action (None: the state does not change)."""
    roles: frozenset[str]
    needs_reason: bool = False
    decides: bool = False
    """The authority's decision: refused to the proposer and to the group's members."""


DEFINITION: dict[str, GroupAction] = {
    action.name: action
    for action in (
        GroupAction(
            "propose",
            frozenset({GroupState.DRAFT, GroupState.RETURNED}),
            GroupState.PROPOSED,
            frozenset({Role.HR}),
        ),
        GroupAction(
            "revise",
            frozenset({GroupState.DRAFT, GroupState.RETURNED}),
            None,
            frozenset({Role.HR}),
        ),
        GroupAction(
            "approve",
            frozenset({GroupState.PROPOSED}),
            GroupState.APPROVED,
            frozenset({Role.AUTHORITY}),
            decides=True,
        ),
        GroupAction(
            "return",
            frozenset({GroupState.PROPOSED}),
            GroupState.RETURNED,
            frozenset({Role.AUTHORITY}),
            needs_reason=True,
            decides=True,
        ),
    )
}
"""The succession group's workflow, declared as data."""

CREATORS = frozenset({Role.HR.value})


@dataclass(frozen=True, slots=True)
class GroupMember:
    """A successor frozen in a group (personal data: recorded before it is returned)."""

    employee_id: int
    nip: str
    name: str
    rank: int
    status: str
    box: int | None
    readiness: dict[str, str]
    readiness_index: int
    lacks: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """A group as lists show it (no personal data)."""

    id: int
    agency: str
    position_id: int
    position_code: str
    position_title: str
    year: int
    version: int
    state: str
    revision: int
    current: bool
    """Approved and not superseded: the group the position is filled from first."""
    pack_digest: str
    reference_date: dt.date
    members_digest: str
    member_count: int
    ready_now: int
    proposed_by: int | None
    decided_by: int | None
    return_reason: str | None
    due_at: dt.datetime | None
    superseded_by: int | None
    created_at: dt.datetime
    proposed_at: dt.datetime | None
    decided_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class GroupDetail:
    """A group with its members and the actions the caller may take now."""

    group: GroupSummary
    members: list[GroupMember]
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Membership:
    """An approved, current group an employee is a member of (for the employee's own view)."""

    group_id: int
    agency: str
    position_id: int
    position_code: str
    position_title: str
    year: int
    version: int
    rank: int
    readiness: dict[str, str]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _members_digest(pack: str, reference: dt.date, members: Sequence[Successor]) -> str:
    return _digest(
        canonical_json(
            {
                "pack": pack,
                "reference_date": reference.isoformat(),
                "members": [
                    {
                        "employee": m.employee_id,
                        "rank": m.rank,
                        "status": m.status,
                        "box": m.box,
                        "readiness": m.readiness_index,
                        "lacks": m.lacks,
                    }
                    for m in members
                ],
            }
        )
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidInput(
            f"year {year} is outside 2000..2100", [{"field": "year", "message": "2000 to 2100"}]
        )


def _choose(found: Sequence[Successor], nips: Sequence[str] | None) -> list[Successor]:
    """Return the chosen successors, in rank order.

    :raises InvalidInput: a NIP that is not on the computed list, a repeat, or too many.
    """
    if nips is None:
        return list(found[:DEFAULT_MEMBERS])
    if not 1 <= len(nips) <= MAX_MEMBERS:
        raise InvalidInput(
            f"a group holds 1 to {MAX_MEMBERS} members, not {len(nips)}",
            [{"field": "members", "message": f"1 to {MAX_MEMBERS} NIPs"}],
        )
    by_nip = {s.nip: s for s in found}
    problems = []
    seen: set[str] = set()
    for i, nip in enumerate(nips):
        if nip in seen:
            problems.append({"field": f"members[{i}]", "message": "named twice"})
        elif nip not in by_nip:
            problems.append(
                {
                    "field": f"members[{i}]",
                    "message": "not among the position's ranked successors within the "
                    "readiness horizon",
                }
            )
        seen.add(nip)
    if problems:
        raise InvalidInput("a member is not one of the computed successors", problems)
    return sorted((by_nip[n] for n in nips), key=lambda s: s.rank)


@dataclass(frozen=True, slots=True)
class _Computed:
    pack_digest: str
    reference_date: dt.date
    chosen: list[Successor]
    digest: str


def _compute(
    db: Database,
    *,
    recorder: AccessRecorder,
    position_id: int,
    pack: str,
    reference_date: dt.date,
    members: Sequence[str] | None,
) -> _Computed:
    found = successors(
        db,
        recorder=recorder,
        position_id=position_id,
        pack=pack,
        reference_date=reference_date,
        limit=MAX_SUCCESSORS,
    )
    chosen = _choose(found.successors, members)
    if not chosen:
        raise InvalidInput(
            "the position has no successor within the readiness horizon to propose",
            [{"field": "members", "message": "no successor to choose"}],
        )
    digest = _members_digest(found.pack_digest, reference_date, chosen)
    return _Computed(found.pack_digest, reference_date, chosen, digest)


def _member_rows(group_id: int, chosen: Sequence[Successor]) -> list[SuccessionMember]:
    return [
        SuccessionMember(
            group_id=group_id,
            employee_id=s.employee_id,
            rank=s.rank,
            status=s.status,
            box=s.box,
            readiness=s.readiness_index,
            readiness_label=dict(s.readiness),
            lacks=list(s.lacks),
        )
        for s in chosen
    ]


def _position(session: Session, actor: Actor, position_id: int) -> Position:
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound(f"no position {position_id}")
    ensure_readable(actor, position.tenant_id, f"position {position_id}")
    return position


def create_group(
    db: Database,
    *,
    recorder: AccessRecorder,
    position_id: int,
    year: int,
    pack: str,
    reference_date: dt.date,
    members: Sequence[str] | None = None,
    now: dt.datetime,
) -> GroupDetail:
    """Create a draft succession group of a key position for a year, from its ranked successors.

    ``members`` are NIPs from the computed list (default: its first :data:`DEFAULT_MEMBERS`);
    each keeps the rank, readiness and lacks the list gave, with the pack and reference date.
    A group already approved for the year is kept: this is its next version.

    :raises NotFound: no such position visible to the caller, or no published pack.
    :raises Refused: the caller is not HR of the position's agency.
    :raises InvalidInput: not a key position, a bad year, or a member not on the list.
    :raises Conflict: a group of that position and year is still open (draft, proposed,
        returned): revise it instead.
    """
    actor = recorder.actor
    _check_year(year)
    with db.read() as session:
        position = _position(session, actor, position_id)
        ensure_writable(actor, position.tenant_id, f"position {position_id}")
    if not actor.roles & CREATORS:
        raise Refused("only HR proposes a succession group")
    computed = _compute(
        db,
        recorder=recorder,
        position_id=position_id,
        pack=pack,
        reference_date=reference_date,
        members=members,
    )
    with db.transaction() as session:
        position = _position(session, actor, position_id)
        existing = session.execute(
            select(SuccessionGroup.id, SuccessionGroup.state, SuccessionGroup.version)
            .where(SuccessionGroup.position_id == position_id, SuccessionGroup.year == year)
            .with_for_update()
        ).all()
        open_ = [gid for gid, state, _ in existing if state in OPEN_STATES]
        if open_:
            raise Conflict(
                f"succession group {open_[0]} of this position for {year} is still open; "
                "revise it instead",
                details={"group": open_[0]},
            )
        group = SuccessionGroup(
            tenant_id=position.tenant_id,
            position_id=position_id,
            year=year,
            version=max((v for _, _, v in existing), default=0) + 1,
            state=GroupState.DRAFT.value,
            revision=1,
            pack_digest=computed.pack_digest,
            reference_date=computed.reference_date,
            members_digest=computed.digest,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(group)
        session.flush()
        session.add_all(_member_rows(group.id, computed.chosen))
        ledger.append(
            session,
            tenant_id=group.tenant_id,
            kind=ledger.LedgerKind.SUCCESSION_CREATED,
            actor=ledger.actor_ref(actor),
            at=now,
            data={
                "group": group.id,
                "position": position_id,
                "year": year,
                "version": group.version,
                "pack": computed.pack_digest,
                "reference_date": computed.reference_date.isoformat(),
                "members": [s.employee_id for s in computed.chosen],
                "members_digest": computed.digest,
                **ledger.delegation_of(actor),
            },
        )
        group_id = group.id
    return get_group(db, recorder=recorder, group_id=group_id)


@dataclass(frozen=True, slots=True)
class _Refusal:
    rule: str
    reason: str


def _refusal(
    session: Session, group: SuccessionGroup, actor: Actor, action: GroupAction
) -> _Refusal | None:
    """Return the rule ``actor`` breaks by taking ``action`` on ``group``, or None."""
    if not actor.roles & action.roles:
        return _Refusal(
            "ROLE",
            f"{action.name} is taken by {' or '.join(sorted(action.roles))}, "
            "not by the caller's roles",
        )
    if not action.decides:
        return None
    people = {p.user_id for p in actor.people() if p.user_id is not None}
    if group.proposed_by_id in people:
        return _Refusal("SOD-PROPOSER", "whoever proposed a succession group may not decide it")
    employees = {p.employee_id for p in actor.people() if p.employee_id is not None}
    members = set(
        session.scalars(
            select(SuccessionMember.employee_id).where(SuccessionMember.group_id == group.id)
        )
    )
    if employees & members:
        return _Refusal(
            "COI-CANDIDATE",
            "a member of a succession group may not decide it (UU 30/2014 Art. 42)",
        )
    return None


def allowed_actions(session: Session, group: SuccessionGroup, actor: Actor) -> list[str]:
    """Return the actions ``actor`` may take on ``group`` now (what a page offers)."""
    if group.tenant_id != actor.tenant_id:
        return []
    return [
        name
        for name, action in DEFINITION.items()
        if group.state in action.sources and _refusal(session, group, actor, action) is None
    ]


def act(
    db: Database,
    *,
    recorder: AccessRecorder,
    group_id: int,
    action: str,
    revision: int,
    now: dt.datetime,
    reason: str | None = None,
    members: Sequence[str] | None = None,
    pack: str | None = None,
    reference_date: dt.date | None = None,
) -> GroupDetail:
    """Take a workflow action on a group, if it is unchanged since the caller read it.

    ``revise`` recomputes the successors (with ``pack`` and ``reference_date``, default the
    group's) and freezes ``members`` again; ``return`` needs a ``reason``; ``approve``
    supersedes the position's earlier approved group of the year. A refusal is written to the
    ledger before it is raised.

    :raises NotFound: no such group visible to the caller.
    :raises Refused: a national caller, a role that does not take the action, or a duty rule.
    :raises InvalidInput: an unknown action, a missing or long reason, a bad member.
    :raises Conflict: the group changed since ``revision``, or the action is not possible in
        its state (an approved group never changes).
    """
    actor = recorder.actor
    definition = DEFINITION.get(action)
    if definition is None:
        raise InvalidInput(
            f"no action {action!r}",
            [{"field": "action", "message": f"one of {', '.join(DEFINITION)}"}],
        )
    text = (reason or "").strip()
    if definition.needs_reason and not text:
        raise InvalidInput(f"{action} needs a reason", [{"field": "reason", "message": "required"}])
    if len(text) > MAX_REASON:
        raise InvalidInput(
            f"the reason is longer than {MAX_REASON} characters",
            [{"field": "reason", "message": f"at most {MAX_REASON} characters"}],
        )
    with db.read() as session:
        group = _group(session, actor, group_id)
        ensure_writable(actor, group.tenant_id, f"succession group {group_id}")
        _check_step(group, definition, revision)
        position_id, group_pack, group_date = (
            group.position_id,
            group.pack_digest,
            group.reference_date,
        )
    computed = None
    if action == "revise":
        computed = _compute(
            db,
            recorder=recorder,
            position_id=position_id,
            pack=pack or group_pack,
            reference_date=reference_date or group_date,
            members=members,
        )
    refused = None
    with db.transaction() as session:
        group = _group(session, actor, group_id, lock=True)
        _check_step(group, definition, revision)
        refusal = _refusal(session, group, actor, definition)
        if refusal is not None:
            ledger.append(
                session,
                tenant_id=group.tenant_id,
                kind=ledger.LedgerKind.SUCCESSION_REFUSED,
                actor=ledger.actor_ref(actor),
                at=now,
                data={
                    "group": group.id,
                    "action": action,
                    "state": group.state,
                    "revision": group.revision,
                    "rule": refusal.rule,
                    "reason": refusal.reason,
                    **ledger.delegation_of(actor),
                },
            )
            refused = refusal
        else:
            recorded = _apply(session, group, definition, actor, text, computed, now)
            ledger.append(
                session,
                tenant_id=group.tenant_id,
                kind=ledger.LedgerKind.SUCCESSION_TRANSITION,
                actor=ledger.actor_ref(actor),
                at=now,
                data={
                    "group": group.id,
                    "position": group.position_id,
                    "year": group.year,
                    "version": group.version,
                    "action": action,
                    "from": recorded.pop("from"),
                    "to": group.state,
                    "revision": group.revision,
                    "members_digest": group.members_digest,
                    **recorded,
                    **ledger.delegation_of(actor),
                },
            )
    if refused is not None:
        raise Refused(refused.reason, details={"rule": refused.rule})
    return get_group(db, recorder=recorder, group_id=group_id)


def _check_step(group: SuccessionGroup, action: GroupAction, revision: int) -> None:
    if group.revision != revision:
        raise Conflict(
            f"succession group {group.id} has changed since you opened it "
            f"(revision {group.revision}, not {revision})",
            details={"revision": group.revision},
        )
    if group.state not in action.sources:
        raise Conflict(
            f"{action.name} is not possible in state {group.state}",
            details={"state": group.state},
        )


def _apply(
    session: Session,
    group: SuccessionGroup,
    action: GroupAction,
    actor: Actor,
    reason: str,
    computed: _Computed | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Change the group for ``action``; return what the ledger entry records besides."""
    recorded: dict[str, Any] = {"from": group.state}
    if action.target is not None:
        group.state = action.target
    group.revision += 1
    group.updated_at = now
    if action.name == "propose":
        group.proposed_by_id = actor.principal.user_id
        group.proposed_at = now
        group.due_at = now + dt.timedelta(days=DECISION_DAYS)
        group.return_reason = None
        recorded["due_at"] = group.due_at.isoformat()
    elif action.name == "return":
        group.decided_by_id = actor.principal.user_id
        group.decided_at = now
        group.due_at = None
        group.return_reason = reason
        recorded["reason_digest"] = _digest(reason)
    elif action.name == "approve":
        group.decided_by_id = actor.principal.user_id
        group.decided_at = now
        group.due_at = None
        earlier = session.scalars(
            select(SuccessionGroup).where(
                SuccessionGroup.position_id == group.position_id,
                SuccessionGroup.year == group.year,
                SuccessionGroup.state == GroupState.APPROVED.value,
                SuccessionGroup.superseded_by.is_(None),
                SuccessionGroup.id != group.id,
            )
        ).all()
        for old in earlier:
            old.superseded_by = group.id
        recorded["supersedes"] = sorted(old.id for old in earlier)
    elif action.name == "revise" and computed is not None:
        session.query(SuccessionMember).filter(SuccessionMember.group_id == group.id).delete()
        session.flush()
        session.add_all(_member_rows(group.id, computed.chosen))
        group.pack_digest = computed.pack_digest
        group.reference_date = computed.reference_date
        group.members_digest = computed.digest
        recorded["pack"] = computed.pack_digest
        recorded["reference_date"] = computed.reference_date.isoformat()
        recorded["members"] = [s.employee_id for s in computed.chosen]
    return recorded


def _group(session: Session, actor: Actor, group_id: int, *, lock: bool = False) -> SuccessionGroup:
    query = select(SuccessionGroup).where(SuccessionGroup.id == group_id)
    if lock:
        query = query.with_for_update()
    group = session.scalar(query)
    if group is None:
        raise NotFound(f"no succession group {group_id}")
    ensure_readable(actor, group.tenant_id, f"succession group {group_id}")
    return group


def _summary(
    group: SuccessionGroup, agency: str, position: Position, counts: tuple[int, int]
) -> GroupSummary:
    return GroupSummary(
        id=group.id,
        agency=agency,
        position_id=group.position_id,
        position_code=position.code,
        position_title=position.title,
        year=group.year,
        version=group.version,
        state=group.state,
        revision=group.revision,
        current=group.state == GroupState.APPROVED and group.superseded_by is None,
        pack_digest=group.pack_digest,
        reference_date=group.reference_date,
        members_digest=group.members_digest,
        member_count=counts[0],
        ready_now=counts[1],
        proposed_by=group.proposed_by_id,
        decided_by=group.decided_by_id,
        return_reason=group.return_reason,
        due_at=group.due_at,
        superseded_by=group.superseded_by,
        created_at=group.created_at,
        proposed_at=group.proposed_at,
        decided_at=group.decided_at,
    )


def _counts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    rows = session.execute(
        select(
            SuccessionMember.group_id,
            func.count(),
            func.sum(case((SuccessionMember.readiness == 0, 1), else_=0)),
        )
        .where(SuccessionMember.group_id.in_(list(ids)))
        .group_by(SuccessionMember.group_id)
    ).all()
    return {gid: (int(n), int(ready or 0)) for gid, n, ready in rows}


def get_group(db: Database, *, recorder: AccessRecorder, group_id: int) -> GroupDetail:
    """Return a group with its members (each recorded in the access log first).

    :raises NotFound: no such group visible to the caller.
    """
    actor = recorder.actor
    with db.read() as session:
        group = _group(session, actor, group_id)
        agency = session.scalar(select(Tenant.code).where(Tenant.id == group.tenant_id)) or ""
        position = session.get(Position, group.position_id)
        assert position is not None
        rows = session.execute(
            select(SuccessionMember, Employee)
            .join(Employee, Employee.id == SuccessionMember.employee_id)
            .where(SuccessionMember.group_id == group_id)
            .order_by(SuccessionMember.rank)
        ).all()
        summary = _summary(
            group,
            agency,
            position,
            (len(rows), sum(1 for m, _ in rows if m.readiness == 0)),
        )
        actions = allowed_actions(session, group, actor)
    recorder.record(db, [e for _, e in rows])
    members = [
        GroupMember(
            employee_id=m.employee_id,
            nip=e.nip,
            name=e.name,
            rank=m.rank,
            status=m.status,
            box=m.box,
            readiness=dict(m.readiness_label),
            readiness_index=m.readiness,
            lacks=list(m.lacks),
        )
        for m, e in rows
    ]
    return GroupDetail(group=summary, members=members, actions=actions)


def list_groups(
    db: Database,
    *,
    actor: Actor,
    page: PageRequest,
    position_id: int | None = None,
    year: int | None = None,
    state: str | None = None,
    agency: str | None = None,
) -> Page[GroupSummary]:
    """Return the groups of the agencies the actor reads, newest year and version first."""
    with db.read() as session:
        query = (
            select(SuccessionGroup, Tenant.code, Position)
            .join(Tenant, Tenant.id == SuccessionGroup.tenant_id)
            .join(Position, Position.id == SuccessionGroup.position_id)
            .where(readable(actor).clause(SuccessionGroup.tenant_id))
            .order_by(
                SuccessionGroup.year.desc(),
                Position.code,
                SuccessionGroup.version.desc(),
                SuccessionGroup.id.desc(),
            )
        )
        if position_id is not None:
            query = query.where(SuccessionGroup.position_id == position_id)
        if year is not None:
            query = query.where(SuccessionGroup.year == year)
        if state is not None:
            query = query.where(SuccessionGroup.state == state)
        if agency is not None:
            query = query.where(Tenant.code == agency)
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = session.execute(query.limit(page.per_page).offset(page.offset)).all()
        counts = _counts(session, [g.id for g, _, _ in rows])
        items = [_summary(g, code, p, counts.get(g.id, (0, 0))) for g, code, p in rows]
    return Page(items=items, total=total or 0, page=page.page, per_page=page.per_page)


def approved_members(session: Session, *, position_id: int, year: int) -> set[int]:
    """Return the employee ids of the position's current approved group for ``year``."""
    return set(
        session.scalars(
            select(SuccessionMember.employee_id)
            .join(SuccessionGroup, SuccessionGroup.id == SuccessionMember.group_id)
            .where(
                SuccessionGroup.position_id == position_id,
                SuccessionGroup.year == year,
                SuccessionGroup.state == GroupState.APPROVED.value,
                SuccessionGroup.superseded_by.is_(None),
            )
        )
    )


def memberships(source: Database | Session, employee_id: int) -> list[Membership]:
    """Return the current approved groups ``employee_id`` is a member of, newest year first.

    Takes a database or an open session; the caller scopes and logs (it is the employee's own
    view, or a reader who already recorded the employee).
    """
    if isinstance(source, Database):
        with source.read() as session:
            return _memberships(session, employee_id)
    return _memberships(source, employee_id)


def _memberships(session: Session, employee_id: int) -> list[Membership]:
    rows = session.execute(
        select(SuccessionGroup, SuccessionMember, Position, Tenant.code)
        .join(SuccessionMember, SuccessionMember.group_id == SuccessionGroup.id)
        .join(Position, Position.id == SuccessionGroup.position_id)
        .join(Tenant, Tenant.id == SuccessionGroup.tenant_id)
        .where(
            SuccessionMember.employee_id == employee_id,
            SuccessionGroup.state == GroupState.APPROVED.value,
            SuccessionGroup.superseded_by.is_(None),
        )
        .order_by(SuccessionGroup.year.desc(), Position.code)
    ).all()
    return [
        Membership(
            group_id=g.id,
            agency=code,
            position_id=p.id,
            position_code=p.code,
            position_title=p.title,
            year=g.year,
            version=g.version,
            rank=m.rank,
            readiness=dict(m.readiness_label),
        )
        for g, m, p, code in rows
    ]
