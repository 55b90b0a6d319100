"""The ASN personnel registry: agencies, positions, employees and their histories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rules.vocab import (
    AssessmentMethod,
    EducationLevel,
    EmploymentType,
    Gender,
    PenaltyLevel,
    PenaltyType,
    PositionLevel,
    PotentialCategory,
    Predicate,
    Rank,
    TenantLevel,
    Training,
)
from workflow.models.base import Base, UTCDateTime, enum_check, utcnow


class Tenant(Base):
    """An agency (*instansi*): the national level, a province, or a regency/city under it."""

    __tablename__ = "tenant"
    __table_args__ = (enum_check("level", TenantLevel),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Tenant | None] = relationship(remote_side=[id])


class Position(Base):
    """A position (*jabatan*) of an agency, with its competency standard."""

    __tablename__ = "position"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        enum_check("level", PositionLevel),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(200))
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    required_education_fields: Mapped[list[str] | None] = mapped_column(JSON)

    tenant: Mapped[Tenant] = relationship()
    competencies: Mapped[list[PositionCompetency]] = relationship(
        cascade="all, delete-orphan", order_by="PositionCompetency.competency"
    )


class PositionCompetency(Base):
    """The level (1-5) a position requires in one competency."""

    __tablename__ = "position_competency"
    __table_args__ = (CheckConstraint("required_level BETWEEN 1 AND 5", name="level_range"),)

    position_id: Mapped[int] = mapped_column(
        ForeignKey("position.id", ondelete="CASCADE"), primary_key=True
    )
    competency: Mapped[str] = mapped_column(String(80), primary_key=True)
    required_level: Mapped[int] = mapped_column(SmallInteger)


class Employee(Base):
    """An ASN (PNS or PPPK) with the registry data the merit rules read."""

    __tablename__ = "employee"
    __table_args__ = (
        enum_check("gender", Gender),
        enum_check("employment_type", EmploymentType),
        enum_check("rank", Rank),
        CheckConstraint("length(nip) = 18", name="nip_length"),
        # an agency's employees, and a screening job's shards, in (agency, NIP) order; with the
        # position (a vacancy's holder is left out) a shard plan reads the index alone
        Index("ix_employee_tenant_id_nip", "tenant_id", "nip", postgresql_include=["position_id"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    employment_type: Mapped[str] = mapped_column(String(4))
    rank: Mapped[str | None] = mapped_column(String(6))
    rank_tmt: Mapped[dt.date | None] = mapped_column(Date)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"), index=True)
    lhkpn_year: Mapped[int | None] = mapped_column(Integer)
    health_certificate_date: Mapped[dt.date | None] = mapped_column(Date)
    disciplinary_case_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    record_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the imported profile, so re-importing unchanged data writes nothing."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tenant: Mapped[Tenant] = relationship()
    position: Mapped[Position | None] = relationship()
    education: Mapped[list[Education]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Education.year"
    )
    positions: Mapped[list[PositionHistory]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PositionHistory.start_date"
    )
    trainings: Mapped[list[TrainingRecord]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="TrainingRecord.completed_on"
    )
    performance: Mapped[list[PerformanceRating]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PerformanceRating.year"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Assessment.assessed_on"
    )
    penalties: Mapped[list[Penalty]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Penalty.start_date"
    )


def _employee_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), index=True)


class Education(Base):
    """One completed formal education."""

    __tablename__ = "education"
    __table_args__ = (enum_check("level", EducationLevel),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = _employee_fk()
    level: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    institution: Mapped[str | None] = mapped_column(String(200))


class PositionHistory(Base):
    """A position held from ``start_date`` to ``end_date`` (open: held now)."""

    __tablename__ = "position_history"
    __table_args__ = (
        enum_check("level", PositionLevel),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = _employee_fk()
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class TrainingRecord(Base):
    """A completed leadership training (PKP, PKA, PKN II/I or a legacy Diklatpim)."""

    __tablename__ = "training"
    __table_args__ = (enum_check("kind", Training),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = _employee_fk()
    kind: Mapped[str] = mapped_column(String(20))
    completed_on: Mapped[dt.date] = mapped_column(Date)


class PerformanceRating(Base):
    """The annual performance predicate for one year."""

    __tablename__ = "performance"
    __table_args__ = (enum_check("predicate", Predicate),)

    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    predicate: Mapped[str] = mapped_column(String(20))


class Assessment(Base):
    """A competency assessment: levels per competency, JPM and potential category."""

    __tablename__ = "assessment"
    __table_args__ = (
        enum_check("method", AssessmentMethod),
        enum_check("potential", PotentialCategory),
        CheckConstraint("jpm >= 0 AND jpm <= 100", name="jpm_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = _employee_fk()
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(30))
    jpm: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    potential: Mapped[str | None] = mapped_column(String(10))

    scores: Mapped[list[AssessmentScore]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AssessmentScore.competency"
    )


class AssessmentScore(Base):
    """One competency level (1-5) measured by an assessment; technical ones are ``teknis:*``."""

    __tablename__ = "assessment_score"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    competency: Mapped[str] = mapped_column(String(80), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)


class Penalty(Base):
    """A disciplinary penalty (PP 94/2021) in force from ``start_date`` to ``end_date``."""

    __tablename__ = "penalty"
    __table_args__ = (
        enum_check("level", PenaltyLevel),
        enum_check("type", PenaltyType),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = _employee_fk()
    level: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


REGISTRY_CHILD_TABLES: tuple[type[Any], ...] = (
    Education,
    PositionHistory,
    TrainingRecord,
    PerformanceRating,
    Assessment,
    Penalty,
)
