"""Published rule packs: immutable, identified by the SHA-256 of their canonical JSON."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime


class RulePack(Base):
    """One published version of a rule pack, stored as its canonical (RFC 8785) JSON."""

    __tablename__ = "rule_pack"
    __table_args__ = (UniqueConstraint("pack_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    canonical: Mapped[str] = mapped_column(Text)
    """The resolved pack as canonical JSON; its SHA-256 is ``digest``."""
    parent_digest: Mapped[str | None] = mapped_column(ForeignKey("rule_pack.digest"), index=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(200))
