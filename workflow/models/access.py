"""Security records kept by the API: failed authentications and personal-data accesses."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime


class AuthFailure(Base):
    """One failed bearer authentication from a client address (the throttle counts these).

    Kept in the database, not in process memory, so every gunicorn worker sees the same count.
    """

    __tablename__ = "auth_failure"
    __table_args__ = (Index("ix_auth_failure_client_occurred_at", "client", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class PersonalDataAccess(Base):
    """One disclosure of one employee's personal data to one user (UU PDP Art. 31).

    No foreign keys: the record of who saw whom outlives the user account and the erasure or
    anonymisation of the employee's registry data.
    """

    __tablename__ = "personal_data_access"
    __table_args__ = (
        Index("ix_personal_data_access_employee_occurred", "employee_id", "occurred_at"),
        Index("ix_personal_data_access_tenant_occurred", "employee_tenant_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(80))
    on_behalf_of: Mapped[str | None] = mapped_column(String(80))
    """The delegator whose authority was used, when the user acted by delegation."""
    actor_tenant_id: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer)
    employee_tenant_id: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10))
    endpoint: Mapped[str] = mapped_column(String(200))
    """The route template, e.g. ``/api/v1/employees/<nip:nip>``."""
    purpose: Mapped[str] = mapped_column(String(80))
    request_id: Mapped[str | None] = mapped_column(String(64))
