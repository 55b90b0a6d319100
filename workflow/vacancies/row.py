"""The vacancy an action works on: its row, locked, as plain data, and written back in one UPDATE.

An action reads one vacancy row and changes a few of its columns. Loading it as an ORM object
made every action pay for the unit of work (identity map, attribute events, a flush that had to
discover what changed); here the row is one Core SELECT … FOR UPDATE (with its position, its
agency's code and what the caller's idempotency key holds) into a dataclass, and :func:`write`
sends exactly the columns that differ from what was loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from workflow.core import Actor, NotFound
from workflow.models import IdempotencyRecord, Position, Tenant, Vacancy
from workflow.vacancies.idempotency import Answer
from workflow.vacancies.view import PositionView

_VACANCY = Vacancy.__table__
_POSITION = Position.__table__
_TENANT = Tenant.__table__
_RECORD = IdempotencyRecord.__table__
COLUMNS = tuple(column.key for column in _VACANCY.c)
"""The vacancy's columns, in table order (the fields :class:`VacancyRow` starts with)."""


@dataclass(slots=True, kw_only=True)
class VacancyRow:
    """A vacancy row locked by the current transaction; change its fields, then :func:`write`."""

    id: int
    tenant_id: int
    position_id: int
    title: str
    reference_date: dt.date
    candidate_tenant_ids: list[int]
    state: str
    version: int
    round: int
    pack_digest: str
    workflow_digest: str
    created_by_id: int
    submitted_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    state_entered_at: dt.datetime
    reminder_at: dt.datetime | None
    due_at: dt.datetime | None
    reminded_at: dt.datetime | None
    escalated_at: dt.datetime | None
    escalated_to: str | None
    selected_employee_id: int | None
    selected_rank: int | None
    deviation: bool
    justification: str | None
    technical_reference: str | None
    decree_number: str | None
    decree_date: dt.date | None
    inauguration_date: dt.date | None
    position: PositionView
    tenant_code: str
    """The agency's code."""
    stored: tuple[Any, ...] = field(default=(), repr=False)
    """The column values as the database holds them (what :func:`write` compares with)."""

    def changes(self) -> dict[str, Any]:
        """Return the columns whose values differ from the stored row."""
        return {
            name: value
            for name, old in zip(COLUMNS, self.stored, strict=True)
            if (value := getattr(self, name)) != old
        }


def lock(
    connection: Connection, vacancy_id: int, *, scope: Actor | None, key: str = ""
) -> tuple[VacancyRow, Answer | None]:
    """Lock the vacancy row (``SELECT … FOR UPDATE``) and return it with its position and agency,
    and what ``scope``'s idempotency ``key`` holds, read by the same statement.

    The key is read in the statement's snapshot, taken before any wait for the lock: an answer
    stored by the transaction that held the lock is not seen (that transaction moved the
    version, so look the key up again when the version is not the expected one).

    :raises NotFound: no such vacancy in the agency of ``scope`` (None, national users and the
        system see every agency).
    """
    params = {
        "vacancy": vacancy_id,
        "user": scope.user_id if scope is not None else None,
        "key": key,
    }
    if scope is None or scope.is_national or scope.is_system:
        found = connection.execute(_LOCK_ANY, params).one_or_none()
    else:
        found = connection.execute(_LOCK_OWN, {**params, "tenant": scope.tenant_id}).one_or_none()
    if found is None:
        raise NotFound(f"no vacancy {vacancy_id}")
    values = tuple(found)
    stored = values[: len(COLUMNS)]
    position_id, code, title, level, tenant_code, fingerprint, outcome, response = values[
        len(COLUMNS) :
    ]
    vacancy = VacancyRow(
        **dict(zip(COLUMNS, stored, strict=True)),
        position=PositionView(position_id, code, title, level),
        tenant_code=tenant_code,
        stored=stored,
    )
    return vacancy, None if fingerprint is None else Answer(fingerprint, outcome, response)


def write(connection: Connection, row: VacancyRow) -> None:
    """Store the row's changed columns in one UPDATE (it is locked: nothing else changed it)."""
    changes = row.changes()
    if not changes:
        return
    connection.execute(_UPDATE, {**changes, "vacancy_key": row.id})
    row.stored = tuple(getattr(row, name) for name in COLUMNS)


_LOCK_ANY = (
    select(
        *_VACANCY.c,
        _POSITION.c.id,
        _POSITION.c.code,
        _POSITION.c.title,
        _POSITION.c.level,
        _TENANT.c.code,
        _RECORD.c.fingerprint,
        _RECORD.c.outcome,
        _RECORD.c.response,
    )
    .join_from(_VACANCY, _POSITION, _POSITION.c.id == _VACANCY.c.position_id)
    .join(_TENANT, _TENANT.c.id == _VACANCY.c.tenant_id)
    .outerjoin(
        _RECORD,
        and_(_RECORD.c.user_id == bindparam("user"), _RECORD.c.key == bindparam("key")),
    )
    .where(_VACANCY.c.id == bindparam("vacancy"))
    .with_for_update(of=_VACANCY)
)
_LOCK_OWN = _LOCK_ANY.where(_VACANCY.c.tenant_id == bindparam("tenant"))
_UPDATE = update(Vacancy).where(_VACANCY.c.id == bindparam("vacancy_key"))
"""Executed with the changed columns as parameters (SQLAlchemy sets exactly those)."""
