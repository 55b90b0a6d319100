"""The database runs with durable settings, and write transactions queue instead of failing."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from workflow.core.db import Database, check_durability, connect
from workflow.core.errors import DatabaseMisconfigured


def test_durability_settings_are_in_force(database: Database) -> None:
    found = check_durability(database)
    if database.is_sqlite:
        assert found["journal_mode"] == "wal"
        assert found["synchronous"] == 2
        assert found["foreign_keys"] == 1
        assert found["busy_timeout"] >= 5000
    else:
        assert found["fsync"] == "on"
        assert found["synchronous_commit"] == "on"


@pytest.mark.parametrize(
    ("pragma", "complaint"),
    [
        ("journal_mode=DELETE", "journal_mode is 'delete'"),
        ("synchronous=NORMAL", "synchronous is 1"),
        ("foreign_keys=OFF", "foreign_keys is 0"),
        ("busy_timeout=100", "busy_timeout is 100 ms"),
    ],
)
def test_sqlite_with_an_unsafe_pragma_is_refused(
    tmp_path: Path, pragma: str, complaint: str
) -> None:
    db = connect(f"sqlite:///{tmp_path / 'raw.db'}")

    @event.listens_for(db.engine, "connect")
    def _weaken(dbapi_conn: Any, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA {pragma}")

    with pytest.raises(DatabaseMisconfigured, match=re.escape(complaint)):
        check_durability(db)
    db.dispose()


def test_postgres_superuser_is_refused_when_asked(postgres_url: str) -> None:
    """The test role is a superuser, which production must refuse (it bypasses triggers)."""
    database = connect(postgres_url)
    with database.engine.connect() as conn:
        assert conn.execute(text("SHOW is_superuser")).scalar() == "on"
    check_durability(database)  # fine when not asked
    with pytest.raises(DatabaseMisconfigured, match="superuser"):
        check_durability(database, forbid_superuser=True)
    database.dispose()


def test_sqlite_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from workflow.models import Position

    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(Position(tenant_id=999, code="X", title="X", level="pengawas", unit="U"))


def test_concurrent_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    """Read-then-write from 16 threads: BEGIN IMMEDIATE serialises them; none gets SQLITE_BUSY."""
    db = connect(f"sqlite:///{tmp_path / 'c.db'}")
    with db.transaction() as s:
        s.execute(text("CREATE TABLE counter (n INTEGER)"))
        s.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with db.transaction() as s:
                    n = s.execute(text("SELECT n FROM counter")).scalar_one()
                    s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 16 * 20
    db.dispose()


def test_transactions_reuse_pooled_connections(database_url: str) -> None:
    """One connection serves many transactions (SQLite too: opening one per transaction cost a
    connect and, on closing the last one, a WAL checkpoint per write)."""
    db = connect(database_url)
    opened: list[object] = []
    event.listen(db.engine, "connect", lambda conn, _record: opened.append(conn))
    for _ in range(5):
        with db.transaction() as s:
            s.execute(text("SELECT 1"))
        with db.read() as s:
            s.execute(text("SELECT 1"))
    assert len(opened) == 1
    db.dispose()


def test_a_forked_child_opens_its_own_connections(database_url: str) -> None:
    import os

    db = connect(database_url)
    with db.read() as s:
        parents = s.connection().connection.dbapi_connection
    assert db.engine.pool.checkedin() == 1
    pid = os.fork()
    if pid == 0:  # the child: the inherited pool is dropped, a new connection works
        code = 1
        try:
            with db.read() as s:
                mine = s.connection().connection.dbapi_connection
                if mine is not parents and s.execute(text("SELECT 1")).scalar_one() == 1:
                    code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with db.read() as s:  # the parent's connection is intact
        assert s.connection().connection.dbapi_connection is parents
        assert s.execute(text("SELECT 1")).scalar_one() == 1
    db.dispose()
