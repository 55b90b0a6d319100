"""Vacancies for adapters: scoped reads (list, one, history) and the by-reference entry points
the HTTP API calls to open a vacancy and to take an action.

Every read filters through :func:`workflow.core.scope.readable`: another agency's vacancy does not
exist for the caller. Nothing here returns personal data: the history names actors (users), not
candidates, and carries no payload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core import (
    Actor,
    Database,
    InvalidInput,
    NotFound,
    Page,
    PageRequest,
    fetch_page,
    readable,
)
from workflow.models import Position, Tenant, User, Vacancy, VacancyAction
from workflow.screening import resolve
from workflow.vacancies import actions as vacancies
from workflow.vacancies.states import ActionName

SCREENING_ACTION = ActionName.START_SCREENING
"""The action that also runs the screening (two transactions, :func:`vacancies.screen`)."""


@dataclass(frozen=True, slots=True)
class VacancyFilter:
    """Which vacancies to list; None means any."""

    state: str | None = None
    position_id: int | None = None
    overdue: bool | None = None
    """True: ``due_at`` has passed; False: not overdue (no deadline, or not yet passed)."""
    tenant_code: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded action on a vacancy, without its payload (which may name candidates)."""

    seq: int
    action: str
    from_state: str
    to_state: str
    round: int
    actor: str
    """The username, or ``system``."""
    on_behalf_of: str | None
    role: str
    at: dt.datetime


def user_actions() -> list[str]:
    """Return the names of the actions a user may take in the current workflow definition."""
    definition = vacancies.current_definition()
    return [
        a.name
        for a in definition.actions.values()
        if not a.automatic and a.roles - {"system"} and a.name in vacancies.EFFECTS
    ]


def list_vacancies(
    db: Database, *, actor: Actor, where: VacancyFilter, page: PageRequest, now: dt.datetime
) -> Page[dict[str, Any]]:
    """Return the vacancies ``actor`` may read, newest first, as :func:`vacancies.vacancy_view`."""
    statement = select(Vacancy).where(readable(actor).clause(Vacancy.tenant_id))
    if where.state is not None:
        statement = statement.where(Vacancy.state == where.state)
    if where.position_id is not None:
        statement = statement.where(Vacancy.position_id == where.position_id)
    if where.overdue is True:
        statement = statement.where(Vacancy.due_at.is_not(None), Vacancy.due_at < now)
    elif where.overdue is False:
        statement = statement.where(Vacancy.due_at.is_(None) | (Vacancy.due_at >= now))
    if where.tenant_code is not None:
        tenant_id = select(Tenant.id).where(Tenant.code == where.tenant_code).scalar_subquery()
        statement = statement.where(Vacancy.tenant_id == tenant_id)
    statement = statement.order_by(Vacancy.id.desc())
    with db.read() as session:
        rows = fetch_page(session, statement, page)
        items = views(session, rows.items)
    return Page(items=items, total=rows.total, page=rows.page, per_page=rows.per_page)


def views(session: Session, rows: Sequence[Vacancy]) -> list[dict[str, Any]]:
    """Return :func:`vacancies.vacancy_view` of each row, their positions and agencies loaded
    in two statements (the view then finds them in the session) instead of two per row."""
    positions = {v.position_id for v in rows}
    tenants = {v.tenant_id for v in rows}
    loaded = [
        *session.scalars(select(Position).where(Position.id.in_(positions))),
        *session.scalars(select(Tenant).where(Tenant.id.in_(tenants))),
    ]
    codes = {t.id: t.code for t in loaded if isinstance(t, Tenant)}
    return [vacancies.vacancy_view(session, v, tenant_code=codes[v.tenant_id]) for v in rows]


def get_vacancy(db: Database, *, actor: Actor, vacancy_id: int) -> dict[str, Any]:
    """Return one vacancy as :func:`vacancies.vacancy_view`.

    :raises NotFound: no such vacancy, or not one ``actor`` may read.
    """
    with db.read() as session:
        vacancy = session.scalar(
            select(Vacancy).where(
                Vacancy.id == vacancy_id, readable(actor).clause(Vacancy.tenant_id)
            )
        )
        if vacancy is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        return vacancies.vacancy_view(session, vacancy)


def history(
    db: Database, *, actor: Actor, vacancy_id: int, page: PageRequest
) -> Page[HistoryEntry]:
    """Return the recorded actions on a vacancy, in order (``open`` is seq 1).

    :raises NotFound: no such vacancy, or not one ``actor`` may read.
    """
    get_vacancy(db, actor=actor, vacancy_id=vacancy_id)
    statement = (
        select(VacancyAction)
        .where(VacancyAction.vacancy_id == vacancy_id)
        .order_by(VacancyAction.seq)
    )
    with db.read() as session:
        rows = fetch_page(session, statement, page)
        ids = {r.actor_id for r in rows.items} | {r.on_behalf_of_id for r in rows.items}
        known = [i for i in ids if i is not None]
        users = select(User.id, User.username).where(User.id.in_(known))
        names: dict[int, str] = {row.id: row.username for row in session.execute(users)}
        items = [
            HistoryEntry(
                seq=r.seq,
                action=r.action,
                from_state=r.from_state,
                to_state=r.to_state,
                round=r.round,
                actor="system" if r.actor_id is None else names[r.actor_id],
                on_behalf_of=None if r.on_behalf_of_id is None else names[r.on_behalf_of_id],
                role=r.role,
                at=r.at,
            )
            for r in rows.items
        ]
    return Page(items=items, total=rows.total, page=rows.page, per_page=rows.per_page)


def open_by_reference(
    db: Database,
    *,
    actor: Actor,
    position_code: str,
    title: str,
    reference_date: dt.date,
    pack_reference: str,
    candidate_tenant_codes: list[str] | None,
    idempotency_key: str,
    now: dt.datetime,
) -> vacancies.Outcome:
    """Open a vacancy pinning the published pack ``pack_reference`` names (digest or pack id).

    :raises InvalidInput: no published pack by that reference (field ``pack``), or anything
        :func:`vacancies.open_vacancy` refuses as input.
    :raises Refused: the actor is not HR of an agency (national users never open vacancies).
    """
    try:
        pack = resolve(db, pack_reference)
    except NotFound:
        raise InvalidInput(
            "cannot open the vacancy",
            [{"field": "pack", "message": f"no published rule pack {pack_reference!r}"}],
        ) from None
    return vacancies.open_vacancy(
        db,
        actor=actor,
        position_code=position_code,
        title=title,
        reference_date=reference_date,
        pack_digest=pack.digest,
        candidate_tenant_codes=candidate_tenant_codes,
        idempotency_key=idempotency_key,
        now=now,
    )


def take_action(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    action: str,
    expected_version: int,
    idempotency_key: str,
    payload: Mapping[str, Any],
    on_behalf_of: str | None,
    now: dt.datetime,
) -> vacancies.Outcome:
    """Take a workflow action; ``start_screening`` also screens the pool (as the CLI does).

    :raises NotFound: no such vacancy visible to the actor.
    :raises InvalidInput: unknown action, a payload the action refuses, or a payload or
        delegation given to ``start_screening`` (which takes neither).
    :raises PreconditionFailed, Conflict, Refused, GuardFailed, IdempotencyMismatch: as
        :func:`vacancies.perform`.
    """
    if action == SCREENING_ACTION:
        extra = sorted(k for k, v in payload.items() if v is not None)
        if on_behalf_of is not None:
            extra.append("on_behalf_of")
        if extra:
            raise InvalidInput(
                "start_screening takes no payload",
                [{"field": name, "message": "not accepted by start_screening"} for name in extra],
            )
        return vacancies.screen(
            db,
            actor=actor,
            vacancy_id=vacancy_id,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            now=now,
        )
    return vacancies.perform(
        db,
        actor=actor,
        vacancy_id=vacancy_id,
        action=action,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        payload=payload,
        on_behalf_of=on_behalf_of,
        now=now,
    )
