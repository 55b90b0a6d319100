"""The migration history is linear and the migrated schema is exactly the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workflow.core import migrate
from workflow.core.db import Database
from workflow.models import Base


def test_single_head() -> None:
    assert len(migrate.heads()) == 1


def test_migrated_schema_equals_models(database: Database) -> None:
    assert migrate.is_at_head(database)
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(database: Database) -> None:
    migrate.upgrade(database, "head")
    from alembic import command

    config = migrate.alembic_config()
    with database.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
        conn.commit()
    assert migrate.current(database) == ()
    migrate.upgrade(database)
    assert migrate.is_at_head(database)
