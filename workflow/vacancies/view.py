"""The vacancy as callers see it: a typed :class:`VacancyView` and its JSON form.

Responses, replays of an idempotency key, lists and the inbox all carry :meth:`VacancyView.as_json`,
so the shape is defined here once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Position, Tenant, Vacancy

if TYPE_CHECKING:
    from workflow.vacancies.row import VacancyRow


@dataclass(frozen=True, slots=True)
class PositionView:
    """The position a vacancy fills."""

    id: int
    code: str
    title: str
    level: str


@dataclass(frozen=True, slots=True)
class VacancyView:
    """A vacancy as the workflow holds it; ``version`` is what the next action must name."""

    id: int
    tenant: str
    """The agency's code."""
    position: PositionView
    title: str
    reference_date: dt.date
    state: str
    version: int
    round: int
    pack_digest: str
    workflow_digest: str
    state_entered_at: dt.datetime | None
    due_at: dt.datetime | None
    escalated_to: str | None
    selected_rank: int | None
    deviation: bool | None
    technical_reference: str | None
    decree_number: str | None
    decree_date: dt.date | None
    inauguration_date: dt.date | None

    @classmethod
    def of(
        cls, vacancy: Vacancy | VacancyRow, position: Position | PositionView, tenant_code: str
    ) -> VacancyView:
        """Return the view of a vacancy (a stored or a locked row), its position and agency."""
        return cls(
            id=vacancy.id,
            tenant=tenant_code,
            position=PositionView(position.id, position.code, position.title, position.level),
            title=vacancy.title,
            reference_date=vacancy.reference_date,
            state=vacancy.state,
            version=vacancy.version,
            round=vacancy.round,
            pack_digest=vacancy.pack_digest,
            workflow_digest=vacancy.workflow_digest,
            state_entered_at=vacancy.state_entered_at,
            due_at=vacancy.due_at,
            escalated_to=vacancy.escalated_to,
            selected_rank=vacancy.selected_rank,
            deviation=vacancy.deviation,
            technical_reference=vacancy.technical_reference,
            decree_number=vacancy.decree_number,
            decree_date=vacancy.decree_date,
            inauguration_date=vacancy.inauguration_date,
        )

    def as_json(self) -> dict[str, Any]:
        """Return the view as plain JSON-able data (dates and times as ISO 8601 strings)."""
        position = self.position
        return {
            "id": self.id,
            "tenant": self.tenant,
            "position": {
                "id": position.id,
                "code": position.code,
                "title": position.title,
                "level": position.level,
            },
            "title": self.title,
            "reference_date": self.reference_date.isoformat(),
            "state": str(self.state),
            "version": self.version,
            "round": self.round,
            "pack_digest": self.pack_digest,
            "workflow_digest": self.workflow_digest,
            "state_entered_at": _iso(self.state_entered_at),
            "due_at": _iso(self.due_at),
            "escalated_to": self.escalated_to,
            "selected_rank": self.selected_rank,
            "deviation": self.deviation,
            "technical_reference": self.technical_reference,
            "decree_number": self.decree_number,
            "decree_date": _iso(self.decree_date),
            "inauguration_date": _iso(self.inauguration_date),
        }

    to_dict = as_json


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


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
    return VacancyView.of(vacancy, position, tenant_code).as_json()


def views(session: Session, rows: Sequence[Vacancy]) -> list[dict[str, Any]]:
    """Return :func:`vacancy_view` of each row, their positions and agencies loaded in two
    statements (the view then finds them in the session) instead of two per row."""
    positions = {v.position_id for v in rows}
    tenants = {v.tenant_id for v in rows}
    loaded = [
        *session.scalars(select(Position).where(Position.id.in_(positions))),
        *session.scalars(select(Tenant).where(Tenant.id.in_(tenants))),
    ]
    codes = {t.id: t.code for t in loaded if isinstance(t, Tenant)}
    return [vacancy_view(session, v, tenant_code=codes[v.tenant_id]) for v in rows]
