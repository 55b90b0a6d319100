"""The tamper-evident ledger: one append-only table of hash-chained entries, one head per tenant.

Both tables are guarded by database triggers created in migration 0002 (rows of ``ledger_entry``
can never be updated or deleted; ``chain_head`` only moves forward). Note for later migrations:
Alembic's SQLite batch mode rebuilds a table and drops its triggers, so never batch-alter these
two tables without re-creating the triggers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime

HASH_HEX_LENGTH = 64
GENESIS_HASH = "0" * HASH_HEX_LENGTH
"""The ``prev`` of every tenant's first entry, and the hash of an empty chain."""


class LedgerEntry(Base):
    """One event in a tenant's chain; ``body`` is the exact canonical JSON that was hashed.

    ``kind`` and ``created_at`` repeat what the body says so entries can be filtered by index;
    verification checks that they still agree with the body.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint(
            f"length(prev_hash) = {HASH_HEX_LENGTH} AND length(entry_hash) = {HASH_HEX_LENGTH}",
            name="hash_length",
        ),
        Index("ix_ledger_entry_tenant_created_at", "tenant_id", "created_at"),
        Index("ix_ledger_entry_kind_created_at", "kind", "created_at"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(HASH_HEX_LENGTH))
    entry_hash: Mapped[str] = mapped_column(String(HASH_HEX_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ChainHead(Base):
    """The last entry of one tenant's chain; locking this row serialises that tenant's appends."""

    __tablename__ = "chain_head"
    __table_args__ = (CheckConstraint("seq >= 0", name="seq_not_negative"),)

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenant.id"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(HASH_HEX_LENGTH))
