"""``flask db backup`` / ``db restore``: a backup restored into a fresh database verifies against
every signed checkpoint; an older backup restored is caught as a cut tail by a newer one."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api import create_app
from config import Settings
from tests.support.ledger import add_tenants, clock, fill
from workflow.core.db import Database


def _db(app: Flask) -> Database:
    database: Database = app.extensions["meritflow"].db
    return database


@pytest.fixture
def fresh_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the test database (never migrated)."""
    if settings.database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server = make_url(settings.database_url)
    name = f"meritflow_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_restored_backups_verify_or_show_the_cut_tail(
    app: Flask, settings: Settings, fresh_url: str, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    ids = add_tenants(_db(app), "36")
    at = clock()
    fill(_db(app), ids["36"], 3, at)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    older, newer = tmp_path / "older.backup", tmp_path / "newer.backup"
    result = runner.invoke(args=["db", "backup", str(older)])
    assert result.exit_code == 0, result.output
    assert result.output == f"backup written: {older}\n"
    fill(_db(app), ids["36"], 2, at)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    assert runner.invoke(args=["db", "backup", str(newer)]).exit_code == 0
    refused = runner.invoke(args=["db", "backup", str(newer)])
    assert refused.exit_code == 1
    assert "never overwrites" in refused.output

    # The same checkpoints and signing key, a fresh database.
    restored = create_app(dataclasses.replace(settings, database_url=fresh_url))
    fresh = restored.test_cli_runner()
    try:
        result = fresh.invoke(args=["db", "restore", "--yes", str(newer)])
        assert result.exit_code == 0, result.output
        result = fresh.invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
        assert result.stdout == "36: ok, 5 entries verified, 2 checkpoints checked\n"

        result = fresh.invoke(args=["db", "restore", "--yes", str(older)])
        assert result.exit_code == 0, result.output
        result = fresh.invoke(args=["audit", "verify"])
        assert result.exit_code == 1
        assert "truncated" in result.output
        assert "5" in result.output
    finally:
        _db(restored).dispose()


def test_restore_refuses_what_is_not_a_backup(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    result = runner.invoke(args=["db", "restore", "--yes", str(bogus)])
    assert result.exit_code == 1
    assert "is not" in result.output
    missing = runner.invoke(args=["db", "restore", "--yes", str(tmp_path / "nothing")])
    assert missing.exit_code == 1
    assert "not a file" in missing.output
