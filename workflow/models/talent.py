"""Talent-map runs: every employee of an agency placed on the 9-box by a pack, replayable."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime


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
