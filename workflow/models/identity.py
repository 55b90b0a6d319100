"""Users, their roles, API tokens (stored hashed) and delegations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, UTCDateTime, enum_check, utcnow


class Role(StrEnum):
    """What a user may do; national roles read every agency and write none of their data."""

    HR = "hr"
    COMMITTEE = "committee"
    AUTHORITY = "authority"
    NATIONAL_REVIEWER = "national_reviewer"
    AUDITOR = "auditor"
    ADMIN = "admin"
    EMPLOYEE = "employee"
    """An ASN signed in as themself (``app_user.employee_id``): sees only their own data."""


class User(Base):
    """A person who uses the service, belonging to one agency (tenant)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    """The user's own employee record, so a candidate can never vote or decide on themself."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """The argon2id hash of the user's password for the web pages (None: cannot sign in)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def role_names(self) -> frozenset[str]:
        """Return the names of this user's roles."""
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    """One role held by a user."""

    __tablename__ = "user_role"
    __table_args__ = (enum_check("role", Role),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the secret is shown once at issue."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    """The first characters of the token, to tell tokens apart without revealing them."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Delegation(Base):
    """A delegate may act for the delegator in one role for a bounded period."""

    __tablename__ = "delegation"
    __table_args__ = (
        enum_check("role", Role),
        CheckConstraint("ends_at > starts_at", name="period"),
        CheckConstraint("delegator_id <> delegate_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    delegator: Mapped[User] = relationship(foreign_keys=[delegator_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])
