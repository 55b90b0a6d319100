"""Talent-map runs (every employee of an agency placed on the 9-box by a pack, replayable) and
the development activities HR records against an employee's development plan."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
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
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime, enum_check


class TalentRun(Base):
    """One dated talent-mapping run of an agency, with everything needed to replay it."""

    __tablename__ = "talent_run"
    __table_args__ = (Index("ix_talent_run_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    pack_digest: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(40))
    reference_date: Mapped[dt.date] = mapped_column(Date)
    input_digest: Mapped[str] = mapped_column(String(64))
    result_digest: Mapped[str] = mapped_column(String(64))
    employees: Mapped[int] = mapped_column(Integer)
    mapped: Mapped[int] = mapped_column(Integer)
    pool: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)
    """gzip of the JSON input snapshot (reference date, each subject's level, unit, profile)."""
    data_as_of: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """The agency's newest employee change the run read (the scheduler's sweep compares it)."""
    trigger: Mapped[str] = mapped_column(String(20))
    """``demand`` (API or CLI) or ``import`` (the scheduler, after the registry changed)."""
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TalentPlacement(Base):
    """Where one employee landed in one run."""

    __tablename__ = "talent_placement"
    __table_args__ = (Index("ix_talent_placement_run_box", "run_id", "box"),)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("talent_run.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    level: Mapped[str | None] = mapped_column(String(30))
    unit: Mapped[str | None] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(30))
    performance_axis: Mapped[str | None] = mapped_column(String(10))
    potential_axis: Mapped[str | None] = mapped_column(String(10))
    box: Mapped[int | None] = mapped_column(SmallInteger)
    in_pool: Mapped[bool] = mapped_column(Boolean)


class SuccessionGroup(Base):
    """One version of a key position's succession group for a year (PP 11/2017 Art. 199).

    HR proposes it, the authority (PPK) approves or returns it. An approved version is never
    changed again; a later approved version of the same position and year supersedes it
    (``superseded_by``), and the old one stays readable.
    """

    __tablename__ = "succession_group"
    __table_args__ = (
        UniqueConstraint("position_id", "year", "version", name="uq_succession_group_version"),
        Index("ix_succession_group_tenant_year", "tenant_id", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    """The group's version for its position and year (1, 2, ...)."""
    state: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    """Optimistic lock: every change adds one (a form opened at another revision is stale)."""
    pack_digest: Mapped[str] = mapped_column(String(64))
    reference_date: Mapped[dt.date] = mapped_column(Date)
    members_digest: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    return_reason: Mapped[str | None] = mapped_column(String(2000))
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """When the authority's decision is due (set on proposal)."""
    superseded_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SuccessionMember(Base):
    """A successor chosen into a group, frozen as the computed list showed them."""

    __tablename__ = "succession_member"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("succession_group.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    box: Mapped[int | None] = mapped_column(SmallInteger)
    readiness: Mapped[int] = mapped_column(SmallInteger)
    """0 = ready now, then the pack's readiness scale."""
    readiness_label: Mapped[dict[str, str]] = mapped_column(JSON)
    lacks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ActivityKind(StrEnum):
    """What kind of development an activity was (PermenPANRB 3/2020's development means)."""

    TRAINING = "training"
    ASSIGNMENT = "assignment"
    MENTORING = "mentoring"


class DevelopmentActivity(Base):
    """One development activity HR recorded for an employee (training completed, assignment,
    mentoring). A completed leadership training also adds a ``training`` row, so the profile
    the rules read (and the next talent map) reflects it."""

    __tablename__ = "development_activity"
    __table_args__ = (
        enum_check("kind", ActivityKind),
        CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 2000)", name="hours_range"),
        Index("ix_development_activity_employee", "employee_id", "occurred_on"),
        UniqueConstraint("employee_id", "request_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[int | None] = mapped_column(Integer)
    competency: Mapped[str | None] = mapped_column(String(60))
    """The competency the activity addresses (a name of the competency standard), if any."""
    training_kind: Mapped[str | None] = mapped_column(String(20))
    """A leadership training completed (PKP, PKA, PKN II, PKN I): also a ``training`` row."""
    training_id: Mapped[int | None] = mapped_column(ForeignKey("training.id", ondelete="SET NULL"))
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    request_key: Mapped[str | None] = mapped_column(String(100))
    """The form's (or the API's Idempotency-Key) key: a resubmission records nothing twice."""
