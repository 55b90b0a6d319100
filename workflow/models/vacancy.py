"""Vacancies and everything the approval workflow records about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, UTCDateTime, utcnow
from workflow.models.registry import Position


class WorkflowVersion(Base):
    """A workflow definition as it was when a vacancy pinned it, named by its digest."""

    __tablename__ = "workflow_version"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(Text)
    """The canonical JSON the digest covers."""
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Vacancy(Base):
    """A vacancy for a position, carried by the workflow from draft to closed."""

    __tablename__ = "vacancy"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_vacancy_tenant_state", "tenant_id", "state"),
        Index("ix_vacancy_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    reference_date: Mapped[dt.date] = mapped_column(Date)
    """The date eligibility is judged on (ages, years in post, performance window)."""
    candidate_tenant_ids: Mapped[list[int]] = mapped_column(JSON)
    """The agencies whose employees form the candidate pool."""
    state: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    round: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the vacancy was submitted; votes and screenings belong to a round."""
    pack_digest: Mapped[str] = mapped_column(String(64))
    workflow_digest: Mapped[str] = mapped_column(ForeignKey("workflow_version.digest"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state_entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminder_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    escalated_to: Mapped[str | None] = mapped_column(String(30))
    """The role the overdue step was reassigned to."""
    selected_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    selected_rank: Mapped[int | None] = mapped_column(Integer)
    deviation: Mapped[bool] = mapped_column(Boolean, default=False)
    """The authority chose someone other than rank 1 (with a written justification)."""
    justification: Mapped[str | None] = mapped_column(Text)
    technical_reference: Mapped[str | None] = mapped_column(String(120))
    decree_number: Mapped[str | None] = mapped_column(String(120))
    decree_date: Mapped[dt.date | None] = mapped_column(Date)
    inauguration_date: Mapped[dt.date | None] = mapped_column(Date)

    position: Mapped[Position] = relationship()


class VacancyAction(Base):
    """One successful action on a vacancy: who took it, in which role, for whom, and what."""

    __tablename__ = "vacancy_action"
    __table_args__ = (UniqueConstraint("vacancy_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    round: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    """None for the system."""
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CommitteeMember(Base):
    """A committee member assigned to one round of a vacancy's review."""

    __tablename__ = "committee_member"

    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    recused: Mapped[bool] = mapped_column(Boolean, default=False)
    recusal_reason: Mapped[str | None] = mapped_column(Text)


class Vote(Base):
    """A committee member's vote in one round (cast by them or their delegate)."""

    __tablename__ = "vote"
    __table_args__ = (CheckConstraint("decision IN ('approve', 'return')", name="decision_valid"),)

    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ConflictDeclaration(Base):
    """A user's declared conflict of interest with a candidate (UU 30/2014 Arts. 42-43)."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", "employee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ScreeningRun(Base):
    """The stored result of screening a vacancy's pool, with everything needed to replay it."""

    __tablename__ = "screening_run"
    __table_args__ = (UniqueConstraint("vacancy_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    pack_digest: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(120))
    reference_date: Mapped[dt.date] = mapped_column(Date)
    input_digest: Mapped[str] = mapped_column(String(64))
    result_digest: Mapped[str] = mapped_column(String(64))
    candidates: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)
    """gzip of the canonical JSON input snapshot (the facts the engine saw)."""
    result: Mapped[bytes] = mapped_column(LargeBinary)
    """gzip of the canonical JSON result (ranking and every explanation)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    entries: Mapped[list[ShortlistEntry]] = relationship(
        cascade="all, delete-orphan", order_by="ShortlistEntry.rank"
    )


class ShortlistEntry(Base):
    """A ranked candidate of one screening (every eligible or needs-data candidate)."""

    __tablename__ = "shortlist_entry"

    screening_run_id: Mapped[int] = mapped_column(
        ForeignKey("screening_run.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    box: Mapped[int | None] = mapped_column(Integer)
    readiness: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[dict[str, Any]] = mapped_column(JSON)
    in_succession_group: Mapped[bool] = mapped_column(Boolean, default=False)
    """A member of the position's approved succession group the screening read."""


class IdempotencyRecord(Base):
    """The first response to a request carrying an idempotency key, replayed for retries."""

    __tablename__ = "idempotency_record"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    """``done`` or ``refused``."""
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
