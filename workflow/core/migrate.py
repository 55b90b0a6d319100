"""Schema migrations (Alembic) run against a :class:`~workflow.core.db.Database`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from workflow.core.db import Database

_ROOT = Path(__file__).resolve().parents[2]


def alembic_config() -> Config:
    """Return the project's Alembic configuration."""
    return Config(str(_ROOT / "alembic.ini"))


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    config = alembic_config()
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def heads() -> tuple[str, ...]:
    """Return the head revisions of the migration scripts (one, when the history is linear)."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def current(db: Database) -> tuple[str, ...]:
    """Return the revisions the database is at (empty before the first migration)."""
    with db.engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def is_at_head(db: Database) -> bool:
    """Return whether the database schema is at the newest revision."""
    return set(current(db)) == set(heads())
