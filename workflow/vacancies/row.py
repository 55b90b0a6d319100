"""The vacancy an action works on: its row, locked, as plain data, and written back in one UPDATE.

An action reads one vacancy row and changes a few of its columns. Loading it as an ORM object
made every action pay for the unit of work (identity map, attribute events, a flush that had to
discover what changed); here the row is one Core SELECT … FOR UPDATE (with its position and its
agency's code) into a dataclass, and :func:`write` sends exactly the columns that differ from
what was loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from workflow.core import Actor, NotFound
from workflow.models import Position, Tenant, Vacancy
from workflow.vacancies.view import PositionView

_VACANCY = Vacancy.__table__
_POSITION = Position.__table__
_TENANT = Tenant.__table__
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


def lock(connection: Connection, vacancy_id: int, *, scope: Actor | None) -> VacancyRow:
    """Lock the vacancy row (``SELECT … FOR UPDATE``) and return it with its position and agency.

    :raises NotFound: no such vacancy in the agency of ``scope`` (None, national users and the
        system see every agency).
    """
    if scope is None or scope.is_national or scope.is_system:
        found = connection.execute(_LOCK_ANY, {"vacancy": vacancy_id}).one_or_none()
    else:
        params = {"vacancy": vacancy_id, "tenant": scope.tenant_id}
        found = connection.execute(_LOCK_OWN, params).one_or_none()
    if found is None:
        raise NotFound(f"no vacancy {vacancy_id}")
    values = tuple(found)
    stored = values[: len(COLUMNS)]
    position_id, code, title, level, tenant_code = values[len(COLUMNS) :]
    return VacancyRow(
        **dict(zip(COLUMNS, stored, strict=True)),
        position=PositionView(position_id, code, title, level),
        tenant_code=tenant_code,
        stored=stored,
    )


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
    )
    .join_from(_VACANCY, _POSITION, _POSITION.c.id == _VACANCY.c.position_id)
    .join(_TENANT, _TENANT.c.id == _VACANCY.c.tenant_id)
    .where(_VACANCY.c.id == bindparam("vacancy"))
    .with_for_update(of=_VACANCY)
)
_LOCK_OWN = _LOCK_ANY.where(_VACANCY.c.tenant_id == bindparam("tenant"))
_UPDATE = update(Vacancy).where(_VACANCY.c.id == bindparam("vacancy_key"))
"""Executed with the changed columns as parameters (SQLAlchemy sets exactly those)."""
