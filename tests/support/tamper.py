"""Tampering with the ledger as the database owner could: for tests that must see it caught."""

from __future__ import annotations

from sqlalchemy import text, update

from workflow.core.db import Database
from workflow.models import LedgerEntry


def rewrite_body(db: Database, *, tenant_id: int, seq: int, suffix: str = " ") -> None:
    """Change one stored entry's body behind the service's back (the append-only triggers are
    lifted as the owner can: dropped on SQLite, ``session_replication_role`` on PostgreSQL)."""
    with db.transaction() as session:
        if db.is_sqlite:
            triggers = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for name in list(session.scalars(triggers)):
                session.execute(text(f'DROP TRIGGER "{name}"'))
        else:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(
            update(LedgerEntry)
            .where(LedgerEntry.tenant_id == tenant_id, LedgerEntry.seq == seq)
            .values(body=LedgerEntry.body + suffix)
        )
